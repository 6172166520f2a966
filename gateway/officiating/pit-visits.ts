// The pit road timeline: each truck's visits to pit road, put together from what the
// loop board (pit-in, segment speeds, pit-out) and the box boards (arrival, stop,
// verdicts, crew, service, departure, transits) reported, on the gateway clock. A
// visit runs from the entry yellow line (pit-in) to the pit-out line (R-PIT-EXIT-1);
// any of its readings may be missing, so a visit also begins at the first reading that
// cannot belong to the one before (a second segment 1, a box event after pit-out).
// The commitment line crossing before it, and whether pit road was open then
// (R-PIT-OPEN-1/2), come from the commitment loop's passings.
import { NO_APPROACH_MM, type BoardEvent, type BoxVerdict, type CrewOverWall, type SegmentSpeed } from '../../protocol/schema.js';
import type { EventSetup } from '../event-setup.js';
import type { FlagName } from '../log-entry.js';
import type { FlagCall } from '../scoring/freeze-field.js';
import type { Passing } from '../scoring/passing.js';
import { flagAt, pitRoadOpenAt, type PitRoadCall } from '../scoring/pit-road.js';
import type { TrackMap } from '../scoring/track-map.js';

/** The board events the timeline is made of. */
export type PitEvent = Exclude<BoardEvent, { kind: 'passing' | 'health' | 'config-rejected' | 'clock-reply' }>;

export const PIT_EVENT_KINDS: ReadonlySet<string> = new Set([
  'commitment',
  'segment-speed',
  'pit-in',
  'pit-out',
  'box-arrival',
  'box-stop',
  'box-verdict',
  'service-start',
  'service-end',
  'crew-over-wall',
  'box-departure',
  'box-transit',
]);

/** A pit event as filed: where it came from (its envelope), so evidence can point at it. */
export interface FiledPitEvent {
  board: string;
  boot: number;
  seq: number;
  event: PitEvent;
}

/**
 * The board event behind a reading: its board, boot, kind and the board's own time
 * identify it in the log. (Not the envelope's sequence number: how a board batches its
 * events into envelopes depends on its link, and the evidence must not.)
 */
export interface EventRef {
  board: string;
  boot: number;
  kind: PitEvent['kind'];
  /** The board's own clock (µs). */
  boardUs: number;
  /** On the gateway clock (µs, whole). */
  atUs: number;
}

export interface SegmentRead {
  segment: number;
  entryUs: number;
  exitUs: number;
  /** As the board measured it (0.01 mph). */
  mph: number;
  limitMph: number;
  /** Over limit + tolerance by the event's set-up (R-PIT-SPEED-1). */
  over: boolean;
  /** What the board said (its configured tolerance); differs only if the board's config is not the event's. */
  boardOver: boolean;
  event: EventRef;
}

export interface VerdictRead {
  phase: 'stop' | 'service';
  inBox: boolean;
  clause: 'a' | 'b' | 'c' | 'd';
  marginMm: number;
  closeCall: boolean;
  margins: { a: number; b: number; c: number; d: number };
  event: EventRef;
}

export interface CrewRead {
  /** The first crew over the wall. */
  overUs: number;
  /** The vehicle's distance from its box then (mm); null when nothing was approaching. */
  distanceMm: number | null;
  tooSoon: boolean;
  /** The most over the wall at once. */
  maxCrew: number;
  events: EventRef[];
}

/** The commitment line's tire sensors (R-PIT-COMMIT-1): every tire inside the painted boundary. */
export interface CommitmentCheck {
  lane: number;
  /** Front tires on the line (µs, gateway clock). */
  atUs: number;
  inside: boolean;
  marginMm: number;
  closeCall: boolean;
  /** Tires 0..3 (front-outside, front-inside, rear-outside, rear-inside): margin to the boundary line, > 0 inside. */
  margins: [number, number, number, number];
  event: EventRef;
}

export interface BoxStop {
  box: number;
  arrivalUs: number | null;
  stopUs: number | null;
  serviceStartUs: number | null;
  serviceEndUs: number | null;
  departureUs: number | null;
  verdicts: VerdictRead[];
  crew: CrewRead | null;
  events: EventRef[];
}

export interface PitVisit {
  /** Stable across replays: the car and the board time of the visit's first reading. */
  id: string;
  car: string;
  transponder: number;
  /** Its assigned box. */
  box: number;
  /** Nose at the commitment line (R-PIT-OPEN-1), gateway clock; null when not read. */
  commitmentUs: number | null;
  /** Pit road open at that instant (R-PIT-OPEN-1/2); null when the crossing was not read. */
  pitRoadOpen: boolean | null;
  /** Where the commitment line has tire sensors, what they saw (R-PIT-COMMIT-1); null otherwise. */
  commitmentCheck: CommitmentCheck | null;
  /** The flag then (at pit-in when the commitment line was not read). */
  flag: FlagName | null;
  /** Entry yellow line (the speed limit starts). */
  pitInUs: number | null;
  /** Exit yellow line (the end of the last segment). */
  pitExitUs: number | null;
  /** Pit-out line (R-PIT-EXIT-1): the truck has left pit road. */
  pitOutUs: number | null;
  segments: SegmentRead[];
  /** Its stop in its own box; null when it did not stop there. */
  stop: BoxStop | null;
  /** Boxes driven through (box-transit) entering and leaving its box; eliminated boxes left out (R-PIT-BOX-3). */
  through: { entering: number[]; leaving: number[]; events: EventRef[] };
  /** Other boxes it stopped in (R-PIT-BOX-1). */
  otherBoxes: number[];
  /** The whole of pit road without stopping in a box (R-PEN-1 pass-through shape). */
  passThrough: boolean;
  /** Entry line to exit line (s); null until both are read. */
  pitRoadS: number | null;
  /** Stopped (box-stop) to departure (s). */
  stopS: number | null;
  firstUs: number;
  lastUs: number;
  /** Pit-out read: the visit is over. */
  complete: boolean;
}

/** Timeline inputs; times are converted with `toGatewayUs` (the board's clock offset). */
export interface TimelineInputs {
  setup: EventSetup;
  map: TrackMap;
  events: readonly FiledPitEvent[];
  toGatewayUs: (board: string, boardUs: number) => number;
  /** Each car's passings of loops other than the start/finish lines, in time order (race-state's points). */
  points: ReadonlyMap<string, readonly Passing[]>;
  flags: readonly FlagCall[];
  pitRoad: readonly PitRoadCall[];
}

/** A commitment line crossing this long before pit-in still belongs to the visit (µs). */
const COMMITMENT_REACH_US = 60_000_000;
/** Box readings this long before pit-in (the crew over the wall early) still belong to its visit (µs). */
const PRE_ENTRY_REACH_US = 30_000_000;
/** The speed at the commitment line is taken from the loop before it when that is this close (µs). */
const SPEED_REACH_US = 30_000_000;

const KIND_ORDER: Record<PitEvent['kind'], number> = {
  commitment: -1,
  'pit-in': 0,
  'box-transit': 1,
  'box-arrival': 2,
  'crew-over-wall': 3,
  'box-stop': 4,
  'box-verdict': 5,
  'service-start': 6,
  'service-end': 7,
  'box-departure': 8,
  'segment-speed': 9,
  'pit-out': 10,
};

interface Placed {
  f: FiledPitEvent;
  /** The reading's own time on the board (a segment's exit line). */
  boardUs: number;
  atUs: number;
}

function boardTimeOf(e: PitEvent): number {
  return e.kind === 'segment-speed' ? e.exitUs : e.timeUs;
}

/** Every car's visits to pit road, each car's in time order. */
export function pitVisits(inp: TimelineInputs): Map<string, PitVisit[]> {
  const { setup } = inp;
  const byTransponder = new Map(setup.field.map((e) => [e.transponder, e]));
  const byBox = new Map(setup.field.map((e) => [e.box, e]));
  const eliminated = new Set(setup.officiating.eliminatedBoxes);
  const segmentCount = setup.track.loops.filter((l) => l.role === 'pit-timing').length + 1;
  const commitment = new Set(setup.track.loops.filter((l) => l.role === 'commitment').map((l) => l.id));

  // Each car's readings in event-time order; a box reading without a transponder is the box's own car's.
  const perCar = new Map<string, Placed[]>();
  for (const f of inp.events) {
    const e = f.event;
    let entry = byTransponder.get(e.transponder);
    if (!entry && e.transponder === 0 && 'box' in e && e.kind !== 'box-transit') entry = byBox.get(e.box);
    if (!entry) continue;
    const boardUs = boardTimeOf(e);
    const list = perCar.get(entry.car) ?? [];
    list.push({ f, boardUs, atUs: inp.toGatewayUs(f.board, boardUs) });
    perCar.set(entry.car, list);
  }

  const out = new Map<string, PitVisit[]>();
  for (const entry of setup.field) {
    const list = perCar.get(entry.car) ?? [];
    list.sort((a, b) => a.atUs - b.atUs || KIND_ORDER[a.f.event.kind] - KIND_ORDER[b.f.event.kind] || (a.f.board < b.f.board ? -1 : a.f.board > b.f.board ? 1 : 0) || a.f.seq - b.f.seq);
    const groups: Placed[][] = [];
    let cur: Placed[] | null = null;
    let segs = new Set<number>();
    // closed: pit-out read; pastExit: the exit line read, so only pit-out still belongs.
    let closed = true;
    let pastExit = false;
    // The readings of the current visit that only the loops give (a crew can go over the wall before pit-in).
    let loopRead = false;
    for (const p of list) {
      const e = p.f.event;
      const opens =
        closed ||
        (e.kind === 'pit-in' && (loopRead || p.atUs - cur![0]!.atUs > PRE_ENTRY_REACH_US)) ||
        (e.kind === 'segment-speed' && segs.has(e.segment)) ||
        (pastExit && e.kind !== 'pit-out');
      if (opens) {
        cur = [];
        groups.push(cur);
        segs = new Set();
        closed = false;
        pastExit = false;
        loopRead = false;
      }
      cur!.push(p);
      if (e.kind === 'pit-in' || e.kind === 'segment-speed') loopRead = true;
      if (e.kind === 'segment-speed') {
        segs.add(e.segment);
        if (e.segment === segmentCount) pastExit = true;
      }
      if (e.kind === 'pit-out') closed = true;
    }
    groups.sort((a, b) => a[0]!.atUs - b[0]!.atUs);
    out.set(
      entry.car,
      groups.map((g) => visitOf(inp, entry.car, entry.transponder, entry.box, g, { eliminated, segmentCount, commitment })),
    );
  }
  return out;
}

function refOf(p: Placed): EventRef {
  return { board: p.f.board, boot: p.f.boot, kind: p.f.event.kind, boardUs: p.boardUs, atUs: Math.round(p.atUs) };
}

function visitOf(
  inp: TimelineInputs,
  car: string,
  transponder: number,
  ownBox: number,
  group: Placed[],
  k: { eliminated: ReadonlySet<number>; segmentCount: number; commitment: ReadonlySet<number> },
): PitVisit {
  const { setup } = inp;
  const threshold = setup.pitSpeedLimitMph + setup.pitSpeedToleranceMph;
  const first = group[0]!;
  const anchor = group.find((p) => p.f.event.kind === 'pit-in') ?? first;
  let pitInUs: number | null = null;
  let pitOutUs: number | null = null;
  const segments: SegmentRead[] = [];
  let stop: BoxStop | null = null;
  const transits: Array<{ box: number; atUs: number; ref: EventRef }> = [];
  const otherBoxes = new Set<number>();
  let check: CommitmentCheck | null = null;
  const own = (): BoxStop => (stop ??= { box: ownBox, arrivalUs: null, stopUs: null, serviceStartUs: null, serviceEndUs: null, departureUs: null, verdicts: [], crew: null, events: [] });
  for (const p of group) {
    const e = p.f.event;
    const ref = refOf(p);
    const at = Math.round(p.atUs);
    switch (e.kind) {
      case 'pit-in':
        pitInUs ??= at;
        break;
      case 'pit-out':
        pitOutUs = at;
        break;
      case 'segment-speed':
        segments.push(segmentRead(inp, p.f.board, e, threshold, ref));
        break;
      case 'commitment':
        check ??= { lane: e.lane, atUs: at, inside: e.inside, marginMm: e.marginMm, closeCall: e.closeCall, margins: e.margins, event: ref };
        break;
      case 'box-transit':
        if (!k.eliminated.has(e.box) && e.box !== ownBox) transits.push({ box: e.box, atUs: at, ref });
        break;
      default: {
        if (e.box !== ownBox) {
          if (e.kind === 'box-stop') otherBoxes.add(e.box);
          break;
        }
        const s = own();
        s.events.push(ref);
        if (e.kind === 'box-arrival') s.arrivalUs ??= at;
        else if (e.kind === 'box-stop') s.stopUs ??= at;
        else if (e.kind === 'service-start') s.serviceStartUs ??= at;
        else if (e.kind === 'service-end') s.serviceEndUs = at;
        else if (e.kind === 'box-departure') s.departureUs = at;
        else if (e.kind === 'box-verdict') s.verdicts.push(verdictRead(e, ref));
        else if (e.kind === 'crew-over-wall') s.crew = crewRead(s.crew, e, at, ref);
      }
    }
  }
  // A drive-through of its own box alone (no stop) is no stop.
  if (stop !== null && (stop as BoxStop).stopUs === null && (stop as BoxStop).serviceStartUs === null) stop = null;
  const st = stop as BoxStop | null;
  // A box's transit is read as the truck's tail clears it: the last box before its own clears after its arrival, before its stop.
  const enterUntil = st?.stopUs ?? st?.arrivalUs ?? Infinity;
  const leaveFrom = st?.departureUs ?? st?.serviceEndUs ?? st?.stopUs ?? Infinity;
  const through = {
    entering: transits.filter((t) => t.atUs <= enterUntil && t.atUs < leaveFrom).map((t) => t.box),
    leaving: transits.filter((t) => t.atUs >= leaveFrom).map((t) => t.box),
    events: transits.map((t) => t.ref),
  };
  const last = segments.find((s) => s.segment === k.segmentCount);
  const pitExitUs = last ? last.exitUs : null;
  // The loop's crossing, nose-corrected; without it, the tire sensors' front tires on the line.
  const commitmentUs = commitmentOf(inp, car, pitInUs ?? Math.round(first.atUs), k.commitment) ?? check?.atUs ?? null;
  const at = commitmentUs ?? pitInUs ?? Math.round(first.atUs);
  return {
    id: `${car}@${anchor.f.board}:${anchor.boardUs}`,
    car,
    transponder,
    box: ownBox,
    commitmentUs,
    pitRoadOpen: commitmentUs === null ? null : pitRoadOpenAt(inp.pitRoad, commitmentUs),
    commitmentCheck: check,
    flag: flagAt(inp.flags, at),
    pitInUs,
    pitExitUs,
    pitOutUs,
    segments: segments.sort((a, b) => a.segment - b.segment),
    stop: st,
    through,
    otherBoxes: [...otherBoxes].sort((a, b) => a - b),
    passThrough: st === null && otherBoxes.size === 0 && pitInUs !== null && pitExitUs !== null,
    pitRoadS: pitInUs !== null && pitExitUs !== null ? (pitExitUs - pitInUs) / 1e6 : null,
    stopS: st && st.stopUs !== null && st.departureUs !== null ? (st.departureUs - st.stopUs) / 1e6 : null,
    firstUs: Math.round(first.atUs),
    lastUs: Math.round(group[group.length - 1]!.atUs),
    complete: pitOutUs !== null,
  };
}

function segmentRead(inp: TimelineInputs, board: string, e: SegmentSpeed, threshold: number, event: EventRef): SegmentRead {
  const mph = e.speed / 100;
  return {
    segment: e.segment,
    entryUs: Math.round(inp.toGatewayUs(board, e.entryUs)),
    exitUs: Math.round(inp.toGatewayUs(board, e.exitUs)),
    mph,
    limitMph: e.limit / 100,
    // In 0.01 mph, as measured, so a float sum never decides a call.
    over: e.speed > Math.round(threshold * 100),
    boardOver: e.over,
    event,
  };
}

function verdictRead(e: BoxVerdict, event: EventRef): VerdictRead {
  const m = e.margins;
  return { phase: e.phase, inBox: e.inBox, clause: e.clause, marginMm: e.marginMm, closeCall: e.closeCall, margins: { a: m[0], b: m[1], c: m[2], d: m[3] }, event };
}

function crewRead(prev: CrewRead | null, e: CrewOverWall, at: number, ref: EventRef): CrewRead {
  if (prev === null) {
    return { overUs: at, distanceMm: e.distanceMm === NO_APPROACH_MM ? null : e.distanceMm, tooSoon: e.tooSoon, maxCrew: e.crew, events: [ref] };
  }
  return { ...prev, maxCrew: Math.max(prev.maxCrew, e.crew), events: [...prev.events, ref] };
}

/**
 * The nose at the commitment line before pit-in (R-PIT-OPEN-1): the last commitment
 * loop passing within reach, moved back by the nose offset at the speed from the loop
 * before it (R-SF-1's correction).
 */
function commitmentOf(inp: TimelineInputs, car: string, beforeUs: number, loops: ReadonlySet<number>): number | null {
  const points = inp.points.get(car) ?? [];
  let i = points.length - 1;
  while (i >= 0 && points[i]!.atUs > beforeUs) i--;
  // Pit road's own loops aside, the last loop on the track before pit road is the commitment line, or it was not read.
  while (i >= 0 && inp.map.loop(points[i]!.loop)?.path === 'pit') i--;
  const p = points[i];
  if (!p || !loops.has(p.loop) || beforeUs - p.atUs > COMMITMENT_REACH_US) return null;
  const entry = inp.setup.field.find((e) => e.car === car)!;
  const prev = points[i - 1];
  let speed: number | null = null;
  if (prev && p.atUs - prev.atUs < SPEED_REACH_US && p.atUs > prev.atUs) {
    const route = inp.map.route(prev.loop, p.loop);
    if (route && route.distanceM > 0) speed = route.distanceM / ((p.atUs - prev.atUs) / 1e6);
  }
  return Math.round(speed ? p.atUs - (entry.noseOffsetM / speed) * 1e6 : p.atUs);
}

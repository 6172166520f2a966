// Hand-built pit road readings for the officiating unit tests: the small oval of
// test/support/scoring-log.ts with three timed segments down pit road (entry line →
// timing line 21 → timing line 22 → exit line) and boxes 5.5 m long with 100 mm lines
// (one box away is 5700 mm, R-PIT-CREW-1). Times in seconds from T0 on the gateway
// clock; every board's clock reads the gateway's unless a test says otherwise.
import { validateSetup, type EventSetup } from '../../../gateway/event-setup.js';
import type { FlagName } from '../../../gateway/log-entry.js';
import { officiate, type Decision, type DamageMark, type Officiating, type OfficiatingInputs } from '../../../gateway/officiating/officiating.js';
import type { OfficiatingRules } from '../../../gateway/officiating/penalty-card.js';
import { pitVisits, type FiledPitEvent, type PitEvent, type PitVisit, type TimelineInputs } from '../../../gateway/officiating/pit-visits.js';
import type { FlagCall } from '../../../gateway/scoring/freeze-field.js';
import type { Passing } from '../../../gateway/scoring/passing.js';
import type { PitRoadCall } from '../../../gateway/scoring/pit-road.js';
import { TrackMap } from '../../../gateway/scoring/track-map.js';
import type { BoxClause } from '../../../protocol/schema.js';
import { entry, GREEN_US, LOOP, tinySetup } from '../../support/scoring-log.js';

export const S = 1_000_000;
export const T0 = GREEN_US;
/** Seconds from T0 → µs on the gateway clock (whole). */
export const at = (s: number): number => T0 + Math.round(s * S);

export const TIMING = { t1: 21, t2: 22 } as const;
export const ONE_BOX_MM = 5500 + 2 * 100;

export interface Car {
  car: string;
  tx: number;
  box: number;
}
export const A: Car = { car: '11', tx: 101, box: 3 };
export const B: Car = { car: '22', tx: 202, box: 5 };
export const C: Car = { car: '33', tx: 303, box: 9 };

/** The event set-up, validated; `officiating` as race control would enter it. */
export function pitSetup(officiating?: Partial<OfficiatingRules>, o: { boxSizes?: boolean } = {}): EventSetup {
  const input = tinySetup([entry(A.car, A.tx, 2, A.box), entry(B.car, B.tx, 2, B.box), entry(C.car, C.tx, 2, C.box)], 10);
  input.track.loops.push(
    { id: TIMING.t1, name: 'pit timing 1', role: 'pit-timing', path: 'pit', positionM: 100, board: 'loop-pit' },
    { id: TIMING.t2, name: 'pit timing 2', role: 'pit-timing', path: 'pit', positionM: 200, board: 'loop-pit' },
  );
  if (o.boxSizes !== false) input.track.pitRoad.boxes = input.track.pitRoad.boxes.map((b) => ({ ...b, lengthMm: 5500, lineMm: 100 }));
  if (officiating) input.officiating = officiating;
  return validateSetup(input);
}

/** Pit road readings as the boards filed them, each in an envelope of its own. */
export class PitLog {
  readonly events: FiledPitEvent[] = [];
  private seq = 0;

  add(board: string, event: PitEvent): this {
    this.events.push({ board, boot: 1, seq: ++this.seq, event });
    return this;
  }

  pitIn(c: Car, s: number): this {
    return this.add('loop-pit', { kind: 'pit-in', transponder: c.tx, timeUs: at(s), loop: LOOP.pitEntry });
  }

  pitOut(c: Car, s: number): this {
    return this.add('loop-pit', { kind: 'pit-out', transponder: c.tx, timeUs: at(s), loop: LOOP.pitOut });
  }

  /** A segment as the loop board measured it (0.01 mph); its own call against a 30 + 5 mph line. */
  segment(c: Car, segment: number, entryS: number, exitS: number, mph: number): this {
    const speed = Math.round(mph * 100);
    return this.add('loop-pit', { kind: 'segment-speed', transponder: c.tx, segment, entryUs: at(entryS), exitUs: at(exitS), speed, limit: 3000, over: speed > 3500 });
  }

  box(kind: 'box-arrival' | 'box-stop' | 'service-start' | 'service-end' | 'box-departure' | 'box-transit', box: number, s: number, tx: number): this {
    return this.add('box-01', { kind, box, transponder: tx, timeUs: at(s) });
  }

  verdict(c: Car, s: number, phase: 'stop' | 'service', inBox: boolean, o: { clause?: BoxClause; marginMm?: number; closeCall?: boolean; box?: number } = {}): this {
    const marginMm = o.marginMm ?? (inBox ? 120 : -40);
    return this.add('box-01', {
      kind: 'box-verdict',
      box: o.box ?? c.box,
      transponder: c.tx,
      timeUs: at(s),
      inBox,
      clause: o.clause ?? 'a',
      marginMm,
      closeCall: o.closeCall ?? false,
      phase,
      margins: [marginMm, 300, 400, 500],
    });
  }

  crew(c: Car, s: number, crew: number, distanceMm: number, tooSoon: boolean): this {
    return this.add('box-01', { kind: 'crew-over-wall', box: c.box, transponder: c.tx, timeUs: at(s), distanceMm, tooSoon, crew });
  }

  /**
   * A whole stop in its own box from t: pit-in, two boxes driven through on the way
   * in, the first crew over at 4000 mm, arrival, stop and its verdict, service with
   * six crew, service's verdict, departure, two boxes on the way out, three segments
   * (the first, with the box in it, slow) and pit-out.
   */
  stop(c: Car, t: number, o: { mph?: [number, number, number] } = {}): this {
    const [m1, m2, m3] = o.mph ?? [11.18, 29.83, 29.54];
    this.pitIn(c, t)
      .box('box-transit', c.box - 2, t + 1, c.tx)
      .box('box-transit', c.box - 1, t + 1.5, c.tx)
      .crew(c, t + 1.8, 1, 4000, false)
      .box('box-arrival', c.box, t + 2, c.tx)
      .box('box-stop', c.box, t + 2.4, c.tx)
      .verdict(c, t + 2.5, 'stop', true, { clause: 'b', marginMm: 120 });
    this.box('service-start', c.box, t + 2.6, c.tx);
    for (let n = 2; n <= 6; n++) this.crew(c, t + 2.5 + 0.1 * n, n, 0, false);
    this.box('service-end', c.box, t + 14, c.tx)
      .verdict(c, t + 14.1, 'service', true, { clause: 'd', marginMm: 80 })
      .box('box-departure', c.box, t + 14.5, c.tx)
      .box('box-transit', c.box + 1, t + 15, c.tx)
      .box('box-transit', c.box + 2, t + 15.5, c.tx);
    return this.segment(c, 1, t, t + 16, m1)
      .segment(c, 2, t + 16, t + 23.5, m2)
      .segment(c, 3, t + 23.5, t + 28.8, m3)
      .pitOut(c, t + 30);
  }

  /** The whole of pit road without stopping (R-PEN-1's pass-through): pit-in, three segments, pit-out. */
  passThrough(c: Car, t: number, mph: [number, number, number] = [29.8, 29.83, 29.54]): this {
    return this.pitIn(c, t)
      .segment(c, 1, t, t + 6, mph[0])
      .segment(c, 2, t + 6, t + 13.5, mph[1])
      .segment(c, 3, t + 13.5, t + 18.8, mph[2])
      .pitOut(c, t + 20);
  }
}

export function flags(...calls: Array<[number, FlagName]>): FlagCall[] {
  return calls.map(([s, flag], i) => ({ atUs: at(s), seq: i + 1, flag }));
}

export function pitCalls(...calls: Array<[number, boolean]>): PitRoadCall[] {
  return calls.map(([s, open], i) => ({ atUs: at(s), seq: i + 1, open, why: open ? 'opened by race control' : 'closed by race control', rule: null }));
}

/** A car's passing of a track loop (the transponder's time, on the loop-sectors board). */
export function point(c: Car, loop: number, s: number): Passing {
  return { car: c.car, board: 'loop-sectors', loop, boardUs: at(s), atUs: at(s) };
}

export interface Inputs {
  setup?: EventSetup;
  events: readonly FiledPitEvent[];
  toGatewayUs?: (board: string, boardUs: number) => number;
  points?: Array<Passing>;
  flags?: FlagCall[];
  pitRoad?: PitRoadCall[];
}

export function timeline(i: Inputs): TimelineInputs {
  const setup = i.setup ?? pitSetup();
  const points = new Map<string, Passing[]>();
  for (const p of i.points ?? []) points.set(p.car, [...(points.get(p.car) ?? []), p]);
  return {
    setup,
    map: new TrackMap(setup),
    events: i.events,
    toGatewayUs: i.toGatewayUs ?? ((_board, us) => us),
    points,
    flags: i.flags ?? [],
    pitRoad: i.pitRoad ?? [],
  };
}

/** One car's visits. */
export function visitsOf(i: Inputs, c: Car = A): PitVisit[] {
  return pitVisits(timeline(i)).get(c.car) ?? [];
}

export interface OfficiateInputs extends Inputs {
  decisions?: Array<Omit<Decision, 'who' | 'why'> & Partial<Pick<Decision, 'who' | 'why'>>>;
  damageMarks?: DamageMark[];
  releases?: Array<{ car: string; atUs: number; seq: number }>;
  leaderUs?: number[];
  finishUs?: number | null;
  nowUs?: number;
}

export function officiateOf(i: OfficiateInputs): Officiating {
  const inputs: OfficiatingInputs = {
    ...timeline(i),
    decisions: (i.decisions ?? []).map((d) => ({ who: 'steward', why: 'reviewed', ...d })),
    damageMarks: i.damageMarks ?? [],
    releases: i.releases ?? [],
    leaderUs: i.leaderUs ?? [],
    finishUs: i.finishUs ?? null,
    laps: new Map(),
    nowUs: i.nowUs ?? at(10_000),
  };
  return officiate(inputs);
}

/** The id of the visit whose first reading (its pit-in) is at s. */
export const visitId = (c: Car, s: number, board = 'loop-pit'): string => `${c.car}@${board}:${at(s)}`;

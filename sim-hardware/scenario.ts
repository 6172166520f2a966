// Scenario files (format in scenario.md): one race (or qualifying session) for the
// simulator — the track, the field and how each truck laps, pit stops and how they go
// wrong, cautions, red flags and faults; a qualifying session's format and when its
// rounds start. Checked whole against its track on load; every mistake names its field.

import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { Pose } from './box-geometry.js';
import { JsonCheck } from './json-check.js';
import { isTrackId, loadTrack, pitSegments, type Track } from './track.js';

export type Session = 'race' | 'qualifying';

export interface EventOverrides {
  pitSpeedLimitMph?: number;
  pitSpeedToleranceMph?: number;
  /** Most crew over the wall (R-PIT-CREW-2); DEFAULT_CREW_LIMIT when left out. */
  crewLimit?: number;
  /** Most boxes driven through entering or leaving a box (R-PIT-BOX-3); DEFAULT_BOXES_THROUGH_LIMIT when left out. */
  boxesThroughLimit?: number;
}

/** The rule book's figures, for events that do not set their own. */
export const DEFAULT_CREW_LIMIT = 6;
export const DEFAULT_BOXES_THROUGH_LIMIT = 3;

/** Boxes driven through on the way into and out of a box, counted along pit road. */
export interface BoxesThrough {
  entering: number;
  leaving: number;
}

export interface Entry {
  car: string;
  driver: string;
  transponder: number;
  box: number;
  noseOffsetM: number;
  /** Exactly one of paceS and lapTimes. */
  paceS?: number;
  lapTimes?: number[];
  /** Owner points before the event (R-QUAL-5's tie-break); left out when the file leaves it out (0). */
  ownerPoints?: number;
}

export interface PitStop {
  car: string;
  /** Enters pit road at the end of this lap. */
  lap: number;
  serviceS: number;
  /** Segment number ("1".."n") → true average mph; segments left out are up to the motion model. */
  segmentMph: Record<string, number>;
  /** Where the truck stops in its box; { 0, 0, 0 } when the file leaves it out. */
  pose: Pose;
  crewEarlyBoxes?: number;
  /** Crew over the wall during service; DEFAULT_CREW when left out. */
  crew?: number;
  /** The boxes just before its own it drives through entering, just after it leaving; none when left out. */
  boxesThrough?: BoxesThrough;
  /** Drives the whole of pit road without stopping (a pass-through, R-PEN-1). */
  passThrough?: boolean;
  /** The truck's lateral offset (mm, its centre from the lane centre, +y toward the boxes' outside lines) as it crosses the commitment line (R-PIT-COMMIT-1); 0 when left out. */
  commitmentOffsetMm?: number;
  /** Its yaw then (degrees, positive turns the nose toward +y); 0 when left out. */
  commitmentYawDeg?: number;
}

export interface Caution {
  lap: number;
  laps: number;
}

export interface RedFlag {
  /** A race's red flag comes out when the leader completes this lap; 0 in qualifying (atS says when). */
  lap: number;
  minutes: number;
  /** Qualifying: shown this many seconds after the green (the file gives atS, not lap). */
  atS?: number;
}

/** One round of a qualifying format: the gateway's format (gateway/QUALIFYING.md), checked here on its own. */
export interface QualifyingRound {
  minutes: number;
  /** R-QUAL-2: each truck's first this-many laps in the round are its timed laps. */
  timedLaps: 1 | 2;
  /** Trucks that go on to the next round; every round but the last has it. */
  advance?: number;
}

export interface QualifyingFormat {
  rounds: QualifyingRound[];
}

export type Fault =
  | { kind: 'missed-read'; loop: number; car: string; lap: number }
  | { kind: 'board-reboot'; board: string; atS: number }
  | { kind: 'broker-outage'; atS: number; forS: number }
  | { kind: 'partition'; board: string; atS: number; forS: number }
  | { kind: 'clock-drift'; board: string; ppm: number };
export type FaultKind = Fault['kind'];

export interface Scenario {
  /** A track id, or (when the file gave a path) that path resolved against the scenario's folder. */
  track: string;
  session: Session;
  laps: number;
  stages: number[];
  seed: number;
  gridGapS: number;
  event?: EventOverrides;
  field: Entry[];
  pitStops: PitStop[];
  cautions: Caution[];
  redFlags: RedFlag[];
  faults: Fault[];
  /** A qualifying session's format (R-QUAL-2: timed laps per round); only a qualifying session has one. */
  qualifying?: QualifyingFormat;
  /** When race control starts each round (s after the green), one per qualifying round. */
  roundStartsS?: number[];
}

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${source}: ${field}: ${detail}`);
    this.name = 'ScenarioError';
  }
}

export const MAX_NOSE_OFFSET_M = 5;
export const MAX_POSE_OFFSET_MM = 3000;
export const MAX_POSE_YAW_DEG = 45;
export const MAX_CLOCK_DRIFT_PPM = 1000;
/** Crew over the wall when a stop does not say (R-PIT-CREW-2 allows six). */
export const DEFAULT_CREW = 6;
export const MAX_CREW = 12;
export const MAX_BOXES_THROUGH = 8;
/** Largest commitment line offset a scenario may script (mm), and yaw (degrees). */
export const MAX_COMMITMENT_OFFSET_MM = 3000;
export const MAX_COMMITMENT_YAW_DEG = 20;
/** The gateway's bounds on a qualifying format (gateway/qualifying/qualifying-format.ts), kept here on their own. */
export const MAX_QUALIFYING_ROUNDS = 10;
export const MAX_ROUND_MINUTES = 240;
export const MAX_ADVANCE = 1000;
export const MAX_OWNER_POINTS = 1e6;
const CAR_NUMBER = /^[0-9]{1,3}$/;
const FAULT_KEYS: Readonly<Record<FaultKind, readonly string[]>> = {
  'missed-read': ['loop', 'car', 'lap'],
  'board-reboot': ['board', 'atS'],
  'broker-outage': ['atS', 'forS'],
  partition: ['board', 'atS', 'forS'],
  'clock-drift': ['board', 'ppm'],
};

export function loadScenario(path: string): Scenario {
  const source = basename(path);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ScenarioError(source, '(file)', (e as Error).message);
  }
  // The source keeps its folder so a relative track path resolves next to the file.
  return validateScenario(value, path);
}

/** `source` names the file in errors (its base name); its folder anchors a relative track path. */
export function validateScenario(value: unknown, source: string, trackLoader: (idOrPath: string) => Track = loadTrack): Scenario {
  const name = basename(source);
  const fail = (field: string, detail: string): never => {
    throw new ScenarioError(name, field, detail);
  };
  const c = new JsonCheck(fail);
  // A qualifying session has one stage (the laps each truck runs), so it may leave stages out.
  const qualifyingSession = typeof value === 'object' && value !== null && (value as Record<string, unknown>).session === 'qualifying';
  const o = c.object(
    value,
    '',
    ['track', 'session', 'laps', ...(qualifyingSession ? [] : ['stages']), 'seed', 'gridGapS', 'field'],
    ['event', 'pitStops', 'cautions', 'redFlags', 'faults', 'qualifying', 'roundStartsS', ...(qualifyingSession ? ['stages'] : [])],
  );

  const trackRef = c.string(o.track, 'track');
  const trackPath = isTrackId(trackRef) || isAbsolute(trackRef) ? trackRef : resolve(dirname(source), trackRef);
  let track: Track;
  try {
    track = trackLoader(trackPath);
  } catch (e) {
    return fail('track', `cannot load track ${JSON.stringify(trackRef)}: ${(e as Error).message}`);
  }

  const session = c.oneOf(o.session, 'session', ['race', 'qualifying'] as const);
  const laps = c.integer(o.laps, 'laps', 1, 10_000);
  const stages = (o.stages === undefined && session === 'qualifying' ? [laps] : c.array(o.stages, 'stages', 1)).map((s, i) => c.integer(s, `stages[${i}]`, 1, laps));
  stages.forEach((s, i) => {
    if (i > 0 && s <= stages[i - 1]) fail(`stages[${i}]`, `must be after stages[${i - 1}] (${stages[i - 1]}): stage ends ascend`);
  });
  if (stages[stages.length - 1] !== laps) fail(`stages[${stages.length - 1}]`, `the last stage must end at laps (${laps}), got ${stages[stages.length - 1]}`);
  // No stages in qualifying: its clock, not laps, runs the session.
  if (session === 'qualifying' && stages.length !== 1) fail('stages', `a qualifying session has no stages: leave stages out, or give [${laps}]`);
  const seed = c.integer(o.seed, 'seed');
  const gridGapS = c.number(o.gridGapS, 'gridGapS', { min: 0 });

  let event: EventOverrides | undefined;
  if (o.event !== undefined) {
    const eo = c.object(o.event, 'event', [], ['pitSpeedLimitMph', 'pitSpeedToleranceMph', 'crewLimit', 'boxesThroughLimit']);
    event = {};
    if (eo.pitSpeedLimitMph !== undefined) event.pitSpeedLimitMph = c.number(eo.pitSpeedLimitMph, 'event.pitSpeedLimitMph', { above: 0, max: 200 });
    if (eo.pitSpeedToleranceMph !== undefined) event.pitSpeedToleranceMph = c.number(eo.pitSpeedToleranceMph, 'event.pitSpeedToleranceMph', { min: 0, max: 50 });
    if (eo.crewLimit !== undefined) event.crewLimit = c.integer(eo.crewLimit, 'event.crewLimit', 1, MAX_CREW);
    if (eo.boxesThroughLimit !== undefined) event.boxesThroughLimit = c.integer(eo.boxesThroughLimit, 'event.boxesThroughLimit', 0, 40);
  }

  const boxNumbers = new Set(track.pitRoad.boxes.map((b) => b.number));
  const firstBox = track.pitRoad.boxes[0].number;
  const lastBox = track.pitRoad.boxes[track.pitRoad.boxes.length - 1].number;
  const field: Entry[] = c.array(o.field, 'field', 1).map((e, i) => {
    const f = `field[${i}]`;
    const eo = c.object(e, f, ['car', 'driver', 'transponder', 'box', 'noseOffsetM'], ['paceS', 'lapTimes', 'ownerPoints']);
    const entry: Entry = {
      car: c.string(eo.car, `${f}.car`, CAR_NUMBER, 'a car number of 1 to 3 digits, as a string'),
      driver: c.string(eo.driver, `${f}.driver`),
      transponder: c.integer(eo.transponder, `${f}.transponder`, 1, 0xffffffff),
      box: c.integer(eo.box, `${f}.box`),
      noseOffsetM: c.number(eo.noseOffsetM, `${f}.noseOffsetM`, { min: 0, max: MAX_NOSE_OFFSET_M }),
    };
    if (!boxNumbers.has(entry.box)) fail(`${f}.box`, `no box ${entry.box} on ${track.id} (boxes ${firstBox}..${lastBox})`);
    if (eo.paceS !== undefined && eo.lapTimes !== undefined) fail(`${f}.lapTimes`, 'give paceS or lapTimes, not both');
    if (eo.paceS === undefined && eo.lapTimes === undefined) fail(`${f}.paceS`, 'missing (give paceS or lapTimes)');
    if (eo.paceS !== undefined) entry.paceS = c.number(eo.paceS, `${f}.paceS`, { above: 0 });
    if (eo.lapTimes !== undefined) {
      const times = c.array(eo.lapTimes, `${f}.lapTimes`);
      if (times.length < laps) fail(`${f}.lapTimes`, `has ${times.length} lap times, needs at least laps (${laps})`);
      entry.lapTimes = times.map((t, j) => c.number(t, `${f}.lapTimes[${j}]`, { above: 0 }));
    }
    if (eo.ownerPoints !== undefined) entry.ownerPoints = c.number(eo.ownerPoints, `${f}.ownerPoints`, { min: 0, max: MAX_OWNER_POINTS });
    return entry;
  });
  const unique = <K>(key: (e: Entry) => K, prop: keyof Entry): void => {
    const seen = new Map<K, number>();
    field.forEach((e, i) => {
      const prev = seen.get(key(e));
      if (prev !== undefined) fail(`field[${i}].${prop}`, `duplicates field[${prev}] (${JSON.stringify(key(e))})`);
      seen.set(key(e), i);
    });
  };
  unique((e) => e.car, 'car');
  unique((e) => e.transponder, 'transponder');
  unique((e) => e.box, 'box');
  const cars = new Set(field.map((e) => e.car));
  const car = (v: unknown, f: string): string => {
    const s = c.string(v, f);
    if (!cars.has(s)) fail(f, `no car ${JSON.stringify(s)} in field`);
    return s;
  };

  const segments = pitSegments(track).length;
  // Boxes in order along pit road: the ones driven through are the neighbours in this order (openings are no boxes).
  const boxOrder = track.pitRoad.boxes.map((b) => b.number);
  const pitStops: PitStop[] = (o.pitStops === undefined ? [] : c.array(o.pitStops, 'pitStops')).map((p, i) => {
    const f = `pitStops[${i}]`;
    const po = c.object(p, f, ['car', 'lap', 'serviceS'], ['segmentMph', 'pose', 'crewEarlyBoxes', 'crew', 'boxesThrough', 'passThrough', 'commitmentOffsetMm', 'commitmentYawDeg']);
    const stop: PitStop = {
      car: car(po.car, `${f}.car`),
      lap: c.integer(po.lap, `${f}.lap`),
      serviceS: c.number(po.serviceS, `${f}.serviceS`, { min: 0 }),
      segmentMph: {},
      pose: { xMm: 0, yMm: 0, yawDeg: 0 },
    };
    // The stop begins at the end of its lap, so the last lap has no stop after it.
    if (stop.lap < 1 || stop.lap > laps - 1) fail(`${f}.lap`, `must be 1..${laps - 1} (pit road is entered at the end of the lap), got ${stop.lap}`);
    if (po.segmentMph !== undefined) {
      const so = c.object(po.segmentMph, `${f}.segmentMph`, [], Array.from({ length: segments }, (_, k) => String(k + 1)));
      for (const [k, v] of Object.entries(so)) stop.segmentMph[k] = c.number(v, `${f}.segmentMph.${k}`, { above: 0, max: 250 });
    }
    if (po.pose !== undefined) {
      const pp = c.object(po.pose, `${f}.pose`, ['xMm', 'yMm', 'yawDeg']);
      stop.pose = {
        xMm: c.number(pp.xMm, `${f}.pose.xMm`, { min: -MAX_POSE_OFFSET_MM, max: MAX_POSE_OFFSET_MM }),
        yMm: c.number(pp.yMm, `${f}.pose.yMm`, { min: -MAX_POSE_OFFSET_MM, max: MAX_POSE_OFFSET_MM }),
        yawDeg: c.number(pp.yawDeg, `${f}.pose.yawDeg`, { min: -MAX_POSE_YAW_DEG, max: MAX_POSE_YAW_DEG }),
      };
    }
    if (po.crewEarlyBoxes !== undefined) stop.crewEarlyBoxes = c.number(po.crewEarlyBoxes, `${f}.crewEarlyBoxes`, { min: 0 });
    if (po.crew !== undefined) stop.crew = c.integer(po.crew, `${f}.crew`, 1, MAX_CREW);
    if (po.boxesThrough !== undefined) {
      const bo = c.object(po.boxesThrough, `${f}.boxesThrough`, [], ['entering', 'leaving']);
      const count = (v: unknown, side: keyof BoxesThrough): number => (v === undefined ? 0 : c.integer(v, `${f}.boxesThrough.${side}`, 0, MAX_BOXES_THROUGH));
      stop.boxesThrough = { entering: count(bo.entering, 'entering'), leaving: count(bo.leaving, 'leaving') };
      // R-PIT-BOX-3 counts boxes, vacant ones too: the n before its own and the m after must exist.
      const own = boxOrder.indexOf(field.find((e) => e.car === stop.car)!.box);
      const { entering, leaving } = stop.boxesThrough;
      if (own - entering < 0) fail(`${f}.boxesThrough.entering`, `box ${boxOrder[own]} has ${own} box${own === 1 ? '' : 'es'} before it on pit road, not ${entering}`);
      const after = boxOrder.length - 1 - own;
      if (leaving > after) fail(`${f}.boxesThrough.leaving`, `box ${boxOrder[own]} has ${after} box${after === 1 ? '' : 'es'} after it on pit road, not ${leaving}`);
    }
    if (po.passThrough !== undefined) stop.passThrough = c.boolean(po.passThrough, `${f}.passThrough`);
    // Every visit to pit road crosses the commitment line, a pass-through too.
    for (const key of ['commitmentOffsetMm', 'commitmentYawDeg'] as const) {
      if (po[key] === undefined) continue;
      if (!track.pitRoad.commitmentLane) fail(`${f}.${key}`, `${track.id} has no commitment lane (pitRoad.commitmentLane) to cross`);
      stop[key] =
        key === 'commitmentOffsetMm'
          ? c.integer(po[key], `${f}.${key}`, -MAX_COMMITMENT_OFFSET_MM, MAX_COMMITMENT_OFFSET_MM)
          : c.number(po[key], `${f}.${key}`, { min: -MAX_COMMITMENT_YAW_DEG, max: MAX_COMMITMENT_YAW_DEG });
    }
    if (stop.passThrough) {
      // A pass-through never stops (R-PEN-1): nothing of a stop in the box may be scripted.
      if (stop.serviceS !== 0) fail(`${f}.serviceS`, `must be 0 for a pass-through (got ${stop.serviceS})`);
      for (const key of ['pose', 'crew', 'crewEarlyBoxes', 'boxesThrough'] as const) {
        if (po[key] !== undefined) fail(`${f}.${key}`, 'a pass-through does not stop in its box: leave it out');
      }
    }
    return stop;
  });
  const stopAt = new Map<string, number>();
  pitStops.forEach((s, i) => {
    const prev = stopAt.get(`${s.car}@${s.lap}`);
    if (prev !== undefined) fail(`pitStops[${i}].lap`, `car ${s.car} already stops at the end of lap ${s.lap} (pitStops[${prev}])`);
    stopAt.set(`${s.car}@${s.lap}`, i);
  });

  const lapIn = (v: unknown, f: string): number => c.integer(v, f, 1, laps);
  const cautions: Caution[] = (o.cautions === undefined ? [] : c.array(o.cautions, 'cautions')).map((x, i) => {
    const f = `cautions[${i}]`;
    const xo = c.object(x, f, ['lap', 'laps']);
    return { lap: lapIn(xo.lap, `${f}.lap`), laps: c.integer(xo.laps, `${f}.laps`, 1, laps) };
  });
  cautions.forEach((x, i) => {
    const prev = cautions[i - 1];
    if (prev && x.lap < prev.lap + prev.laps) fail(`cautions[${i}].lap`, `must come after cautions[${i - 1}] ends (lap ${prev.lap + prev.laps} or later): cautions are in order and do not overlap`);
  });
  // R-SF-3: a caution follows every stage but the last.
  stages.slice(0, -1).forEach((s, i) => {
    if (!cautions.some((x) => x.lap === s + 1)) fail(`stages[${i}]`, `stage ${i + 1} ends at lap ${s}: a caution must follow it (a caution with lap ${s + 1}, R-SF-3)`);
  });
  const redFlags: RedFlag[] = (o.redFlags === undefined ? [] : c.array(o.redFlags, 'redFlags')).map((x, i) => {
    const f = `redFlags[${i}]`;
    if (session === 'qualifying') {
      // Qualifying runs on the clock, not on laps: a red flag comes out at a time.
      const xo = c.object(x, f, ['atS', 'minutes']);
      return { lap: 0, atS: c.number(xo.atS, `${f}.atS`, { min: 0 }), minutes: c.number(xo.minutes, `${f}.minutes`, { above: 0 }) };
    }
    const xo = c.object(x, f, ['lap', 'minutes']);
    return { lap: lapIn(xo.lap, `${f}.lap`), minutes: c.number(xo.minutes, `${f}.minutes`, { above: 0 }) };
  });

  const loopIds = new Set(track.loops.map((l) => l.id));
  const boardIds = new Set(track.boards.map((b) => b.id));
  const board = (v: unknown, f: string): string => {
    const s = c.string(v, f);
    if (!boardIds.has(s)) fail(f, `no board ${JSON.stringify(s)} on ${track.id}`);
    return s;
  };
  const atS = (v: unknown, f: string): number => c.number(v, f, { min: 0 });
  const forS = (v: unknown, f: string): number => c.number(v, f, { above: 0 });
  const faults: Fault[] = (o.faults === undefined ? [] : c.array(o.faults, 'faults')).map((x, i) => {
    const f = `faults[${i}]`;
    const kind = c.oneOf(c.object(x, f, ['kind'], Object.values(FAULT_KEYS).flat()).kind, `${f}.kind`, Object.keys(FAULT_KEYS) as FaultKind[]);
    const xo = c.object(x, f, ['kind', ...FAULT_KEYS[kind]]);
    switch (kind) {
      case 'missed-read': {
        const loop = c.integer(xo.loop, `${f}.loop`, 0, 255);
        if (!loopIds.has(loop)) fail(`${f}.loop`, `no loop ${loop} on ${track.id}`);
        return { kind, loop, car: car(xo.car, `${f}.car`), lap: lapIn(xo.lap, `${f}.lap`) };
      }
      case 'board-reboot':
        return { kind, board: board(xo.board, `${f}.board`), atS: atS(xo.atS, `${f}.atS`) };
      case 'broker-outage':
        return { kind, atS: atS(xo.atS, `${f}.atS`), forS: forS(xo.forS, `${f}.forS`) };
      case 'partition':
        return { kind, board: board(xo.board, `${f}.board`), atS: atS(xo.atS, `${f}.atS`), forS: forS(xo.forS, `${f}.forS`) };
      case 'clock-drift':
        return { kind, board: board(xo.board, `${f}.board`), ppm: c.number(xo.ppm, `${f}.ppm`, { min: -MAX_CLOCK_DRIFT_PPM, max: MAX_CLOCK_DRIFT_PPM }) };
    }
  });

  const scenario: Scenario = { track: trackPath, session, laps, stages, seed, gridGapS, field, pitStops, cautions, redFlags, faults };
  if (event) scenario.event = event;
  if (session === 'race') {
    for (const key of ['qualifying', 'roundStartsS'] as const) if (o[key] !== undefined) fail(key, 'only a qualifying session has one (session is race)');
  } else {
    // No cautions in qualifying (its stages were checked above).
    if (cautions.length > 0) fail('cautions', 'a qualifying session has no cautions: leave them out');
    if (o.qualifying === undefined) fail('qualifying', 'missing: a qualifying session needs its format ({ "rounds": [{ "minutes", "timedLaps" }] })');
    scenario.qualifying = qualifyingFormat(c, o.qualifying, 'qualifying');
    const rounds = scenario.qualifying.rounds.length;
    if (o.roundStartsS === undefined) fail('roundStartsS', `missing: when race control starts each of the ${rounds} round${rounds === 1 ? '' : 's'} (s after the green)`);
    const starts = c.array(o.roundStartsS, 'roundStartsS').map((x, i) => c.number(x, `roundStartsS[${i}]`, { min: 0 }));
    if (starts.length !== rounds) fail('roundStartsS', `must have one start per qualifying round (${rounds}), got ${starts.length}`);
    starts.forEach((x, i) => {
      if (i > 0 && x <= starts[i - 1]!) fail(`roundStartsS[${i}]`, `must be after roundStartsS[${i - 1}] (${starts[i - 1]}): rounds run in order`);
    });
    scenario.roundStartsS = starts;
    // R-QUAL-4: one red at a time, and no round starts while one is out.
    redFlags.forEach((r, i) => {
      const prev = redFlags[i - 1];
      if (prev && r.atS! <= prev.atS! + prev.minutes * 60) fail(`redFlags[${i}].atS`, `must come after redFlags[${i - 1}] is over (${prev.atS! + prev.minutes * 60} s): red flags are in order and do not overlap`);
      starts.forEach((x, k) => {
        if (x >= r.atS! && x <= r.atS! + r.minutes * 60) fail(`roundStartsS[${k}]`, `round ${k + 1} would start while redFlags[${i}] is out (${r.atS} to ${r.atS! + r.minutes * 60} s)`);
      });
    });
  }
  return scenario;
}

/**
 * A qualifying format, checked the way the gateway checks the event set-up's
 * (gateway/qualifying/qualifying-format.ts, written again here: the simulator does not
 * use gateway code): 1..10 rounds, minutes over 0 and at most 240, timedLaps 1 or 2
 * (R-QUAL-2), advance a whole number 1..1000 on every round but the last and on none of
 * the last, never more than the round before's.
 */
function qualifyingFormat(c: JsonCheck, value: unknown, field: string): QualifyingFormat {
  const o = c.object(value, field, ['rounds']);
  const raw = c.array(o.rounds, `${field}.rounds`, 1);
  if (raw.length > MAX_QUALIFYING_ROUNDS) c.fail(`${field}.rounds`, `must have at most ${MAX_QUALIFYING_ROUNDS} rounds (got ${raw.length})`);
  let before: number | undefined;
  const rounds = raw.map((r, i): QualifyingRound => {
    const f = `${field}.rounds[${i}]`;
    const ro = c.object(r, f, ['minutes', 'timedLaps'], ['advance']);
    const minutes = c.number(ro.minutes, `${f}.minutes`, { above: 0, max: MAX_ROUND_MINUTES });
    if (ro.timedLaps !== 1 && ro.timedLaps !== 2) c.fail(`${f}.timedLaps`, `must be 1 or 2 (R-QUAL-2: one timed lap, two at short tracks), got ${JSON.stringify(ro.timedLaps)}`);
    const round: QualifyingRound = { minutes, timedLaps: ro.timedLaps as 1 | 2 };
    const last = i === raw.length - 1;
    if (ro.advance === undefined) {
      if (!last) c.fail(`${f}.advance`, `missing: how many trucks go on to round ${i + 2}`);
    } else {
      if (last) c.fail(`${f}.advance`, 'the last round has no next round');
      round.advance = c.integer(ro.advance, `${f}.advance`, 1, MAX_ADVANCE);
      // A round cannot send on more trucks than it had.
      if (before !== undefined && round.advance > before) c.fail(`${f}.advance`, `must be at most round ${i}'s advance (${before})`);
      before = round.advance;
    }
    return round;
  });
  return { rounds };
}

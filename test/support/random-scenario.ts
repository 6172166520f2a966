// Random but valid race scenarios (sim-hardware/scenario.md), from a seed: a field
// mixing paceS and lapTimes trucks, stages with the caution R-SF-3 wants after each
// but the last, extra cautions, pit stops in and out of the box with some scripted
// speeding, an optional red flag and optional faults. Each one is planned before it is
// handed out, so it loads and plans: scripted segments a stop turns out to take
// (a RacePlanError naming pitStops[i].segmentMph) are dropped, and a missed read is
// picked from the crossings the plan really has. With `officiating`, stops also break
// the other pit road rules now and then (too many crew, too many boxes driven through,
// crew over too soon, pass-throughs speeding or not, a stop while pit road is closed,
// a truck crossing the commitment line off the lane centre or with a tire over its
// line), drawn from streams of their own so the scenarios without it stay as they were.
//
// The value is plain JSON, for validateScenario or writeScenario (a temp file for
// loadScenario, prepareRace, runSimulation, `pitwall sim`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pitRoadOpenAt, planRace, RacePlanError } from '../../sim-hardware/race-plan.js';
import { raceCrossings } from '../../sim-hardware/race-truth.js';
import { createRng, hashSeed, type Rng } from '../../sim-hardware/random.js';
import { validateScenario } from '../../sim-hardware/scenario.js';
import { loadTrack, pitSegments, type Track } from '../../sim-hardware/track.js';

/** The scenario file format, as written (scenario.md). */
export interface ScenarioJson {
  track: string;
  session: 'race' | 'qualifying';
  laps: number;
  stages: number[];
  seed: number;
  gridGapS: number;
  event?: { pitSpeedLimitMph?: number; pitSpeedToleranceMph?: number; crewLimit?: number; boxesThroughLimit?: number };
  field: Array<{ car: string; driver: string; transponder: number; box: number; noseOffsetM: number; paceS?: number; lapTimes?: number[] }>;
  pitStops: Array<{
    car: string;
    lap: number;
    serviceS: number;
    segmentMph?: Record<string, number>;
    pose?: { xMm: number; yMm: number; yawDeg: number };
    crewEarlyBoxes?: number;
    crew?: number;
    boxesThrough?: { entering?: number; leaving?: number };
    passThrough?: boolean;
    commitmentOffsetMm?: number;
    commitmentYawDeg?: number;
  }>;
  cautions: Array<{ lap: number; laps: number }>;
  redFlags: Array<{ lap: number; minutes: number }>;
  faults: Array<Record<string, unknown> & { kind: string }>;
}

export interface RandomScenarioOptions {
  /** Track id (default martinsville). */
  track?: string;
  /** Number of laps (default 12..30). */
  laps?: number;
  /** Number of trucks (default 4..12). */
  trucks?: number;
  /** A red flag: true, false, or left to the seed (about one in three). */
  redFlag?: boolean;
  /** A missed-read fault: true, false, or left to the seed (about one in two). */
  missedRead?: boolean;
  /** Also a clock drift, a box board reboot, a partition of the pit loop board and a broker outage (default false). */
  boardFaults?: boolean;
  /** Minutes of the red flag (default 0.5..2). */
  redMinutes?: number;
  /**
   * Pit road violations beyond speeding and the box (default false): crew 7 (R-PIT-CREW-2),
   * boxes driven through, 4 on one side (R-PIT-BOX-3) or 1..3, crew over 2..3 boxes early
   * (R-PIT-CREW-1) or 0..1, pass-throughs with and without a speeding segment
   * (R-PIT-SPEED-2), a stop while pit road is closed (R-PIT-OPEN-2), visits crossing the
   * commitment line off centre, some with a tire on or over its line (R-PIT-COMMIT-1).
   */
  officiating?: boolean;
}

/** A truck's caution lap takes about this many times its green lap (scenario.md: lapTimes are the laps as run). */
const CAUTION_FACTOR = 1.6;

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.next();
const intIn = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

function shuffle<T>(rng: Rng, xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Racing speed on a track of this length (m/s): about 42 at Martinsville, 80 on a 1.5 mile oval. */
function racingSpeed(lengthM: number): number {
  return 42 * (lengthM / 846.5) ** 0.6;
}

/** A valid scenario from a seed; equal seeds and options give equal scenarios. */
export function randomScenario(seed: number, opts: RandomScenarioOptions = {}): ScenarioJson {
  const rng = createRng(hashSeed(seed, 0x5ce7a));
  const trackId = opts.track ?? 'martinsville';
  const track = loadTrack(trackId);
  const laps = opts.laps ?? intIn(rng, 12, 30);

  // Stages: 1..3, each non-final one at least 4 laps long and followed by its caution (R-SF-3).
  const stages: number[] = [];
  const wantStages = laps >= 12 ? 1 + rng.int(3) : 1;
  let from = 0;
  for (let i = 0; i < wantStages - 1; i++) {
    const lo = from + 4;
    const hi = Math.min(laps - 5, from + Math.max(5, Math.floor(laps / wantStages) + 2));
    if (hi < lo) break;
    from = intIn(rng, lo, hi);
    stages.push(from);
  }
  stages.push(laps);

  const cautions: Array<{ lap: number; laps: number }> = stages.slice(0, -1).map((s) => ({ lap: s + 1, laps: intIn(rng, 1, 2) }));
  const extra = rng.int(3);
  for (let k = 0; k < extra; k++) {
    const c = { lap: intIn(rng, 2, laps - 1), laps: intIn(rng, 1, 3) };
    c.laps = Math.min(c.laps, laps - c.lap);
    const clash = cautions.some((x) => c.lap < x.lap + x.laps + 1 && x.lap < c.lap + c.laps + 1);
    if (!clash && c.laps >= 1) cautions.push(c);
  }
  cautions.sort((a, b) => a.lap - b.lap);
  const cautionLap = (n: number): boolean => cautions.some((c) => n >= c.lap && n < c.lap + c.laps);

  // The field.
  const n = opts.trucks ?? intIn(rng, 4, 12);
  const boxes = shuffle(
    rng,
    track.pitRoad.boxes.map((b) => b.number),
  ).slice(0, n);
  const cars = shuffle(
    rng,
    Array.from({ length: 99 }, (_, i) => String(i + 1)),
  ).slice(0, n);
  const kinds = Array.from({ length: n }, () => (rng.next() < 0.5 ? 'lapTimes' : 'paceS'));
  if (n >= 2 && kinds.every((k) => k === kinds[0])) kinds[rng.int(n)] = kinds[0] === 'paceS' ? 'lapTimes' : 'paceS';
  const baseS = track.lengthM / racingSpeed(track.lengthM);
  const field: ScenarioJson['field'] = cars.map((car, i) => {
    const pace = baseS * (1 + 0.002 * i + 0.004 * rng.next());
    const entry: ScenarioJson['field'][number] = {
      car,
      driver: `Driver ${car}`,
      transponder: 1000 + 17 * i + rng.int(17),
      box: boxes[i]!,
      noseOffsetM: round(uniform(rng, 0.8, 2.4), 2),
    };
    if (kinds[i] === 'paceS') {
      entry.paceS = round(pace, 3);
    } else {
      // The laps as run: a slower first lap from the rolling start, caution laps at caution speed.
      entry.lapTimes = Array.from({ length: laps + rng.int(3) }, (_, j) => {
        const lap = j + 1;
        const t = cautionLap(lap) ? pace * CAUTION_FACTOR * (1 + 0.01 * (rng.next() - 0.5)) : pace * (1 + 0.003 * rng.normal());
        return round(lap === 1 ? t + 0.9 : t, 3);
      });
    }
    return entry;
  });

  const event: ScenarioJson['event'] | undefined = rng.next() < 0.2 ? { pitSpeedLimitMph: track.pitRoad.speedLimitMph + 5 * (rng.int(3) - 1), pitSpeedToleranceMph: intIn(rng, 3, 5) } : undefined;
  const limit = event?.pitSpeedLimitMph ?? track.pitRoad.speedLimitMph;
  const tolerance = event?.pitSpeedToleranceMph ?? track.pitRoad.toleranceMph;

  // Pit stops: 0..2 per truck, at least three laps apart, some at a caution's first lap.
  const segments = pitSegments(track).length;
  const pitStops: ScenarioJson['pitStops'] = [];
  for (const e of field) {
    const count = rng.int(3);
    const laps_: number[] = [];
    for (let k = 0; k < count; k++) {
      const underCaution = cautions.length > 0 && rng.next() < 0.4;
      const lap = underCaution ? cautions[rng.int(cautions.length)]!.lap : intIn(rng, 1, laps - 1);
      if (lap < 1 || lap > laps - 1 || laps_.some((l) => Math.abs(l - lap) < 3)) continue;
      laps_.push(lap);
      const out = rng.next() < 0.25;
      const pose = out
        ? { xMm: Math.round(uniform(rng, -1200, 1200)), yMm: Math.round(uniform(rng, -400, 400)), yawDeg: round(uniform(rng, -4, 4), 1) }
        : { xMm: Math.round(uniform(rng, -200, 200)), yMm: Math.round(uniform(rng, -150, 150)), yawDeg: round(uniform(rng, -2, 2), 1) };
      const segmentMph: Record<string, number> = {};
      for (let s = 1; s <= segments; s++) {
        const u = rng.next();
        if (u < 0.15) segmentMph[String(s)] = round(limit + tolerance + uniform(rng, 0.3, 6), 2);
        else if (u < 0.5) segmentMph[String(s)] = round(limit - uniform(rng, 0.2, 2.5), 2);
      }
      const stop: ScenarioJson['pitStops'][number] = { car: e.car, lap, serviceS: rng.next() < 0.1 ? 0 : round(uniform(rng, 4, 16), 1), segmentMph, pose };
      if (rng.next() < 0.1) stop.crewEarlyBoxes = round(uniform(rng, 0.5, 2), 1);
      pitStops.push(stop);
    }
  }

  const redFlags: ScenarioJson['redFlags'] = [];
  if (opts.redFlag ?? rng.next() < 0.35) redFlags.push({ lap: intIn(rng, 3, laps - 2), minutes: opts.redMinutes ?? round(uniform(rng, 0.5, 2), 1) });

  const value: ScenarioJson = {
    track: trackId,
    session: 'race',
    laps,
    stages,
    seed: hashSeed(seed, 0x5eed) % 100_000,
    gridGapS: round(uniform(rng, 0.2, 0.6), 2),
    field,
    pitStops,
    cautions,
    redFlags,
    faults: [],
  };
  if (event) value.event = event;

  settleScripting(value, track);
  if (opts.officiating) {
    officiate(value, track, createRng(hashSeed(seed, 0x0ff1c)), limit + tolerance);
    settleScripting(value, track);
    // A stream of its own: the choices above are those of the scenarios made before it.
    commitmentLines(value, track, createRng(hashSeed(seed, 0xc0417)));
  }

  const missed = opts.missedRead ?? rng.next() < 0.5;
  if (missed) {
    // One read the plan really has: a track loop, on a lap the truck runs.
    const plan = planRace(validateScenario(value, `random-${seed}.json`, () => track), track);
    const candidates = raceCrossings(plan).filter((c) => c.path === 'track' && c.lap >= 1 && c.lap <= laps);
    const unique = candidates.filter((c) => candidates.filter((d) => d.loop === c.loop && d.car === c.car && d.lap === c.lap).length === 1);
    const c = unique[rng.int(unique.length)]!;
    value.faults.push({ kind: 'missed-read', loop: c.loop, car: c.car, lap: c.lap });
  }
  if (opts.boardFaults) {
    const plan = planRace(validateScenario(value, `random-${seed}.json`, () => track), track);
    const endS = plan.leaderUs[laps]! / 1e6;
    const loopBoards = track.boards.filter((b) => b.kind === 'loop').map((b) => b.id);
    const boxBoards = track.boards.filter((b) => b.kind === 'box').map((b) => b.id);
    const pitBoard = track.loops.find((l) => l.role === 'pit-entry')!.board;
    value.faults.push({ kind: 'clock-drift', board: loopBoards[rng.int(loopBoards.length)]!, ppm: intIn(rng, -300, 300) });
    value.faults.push({ kind: 'board-reboot', board: boxBoards[rng.int(boxBoards.length)]!, atS: round(uniform(rng, 0.1, 0.3) * endS, 1) });
    value.faults.push({ kind: 'partition', board: pitBoard, atS: round(uniform(rng, 0.35, 0.55) * endS, 1), forS: round(uniform(rng, 2, 8), 1) });
    value.faults.push({ kind: 'broker-outage', atS: round(uniform(rng, 0.6, 0.8) * endS, 1), forS: round(uniform(rng, 1, 5), 1) });
  }
  // It must load and plan as it is.
  planRace(validateScenario(value, `random-${seed}.json`, () => track), track);
  return value;
}

/**
 * The officiating choices, each now and then: on stops, crew 7 or a legal crew, boxes
 * driven through (4 on one side, or 1..3), crew over early (2..3 boxes, or 0..0.9); extra
 * pass-throughs, some speeding; a stop at the end of a lap whose commitment line the
 * truck crosses while pit road is closed (a caution just declared). What the plan then
 * refuses is dropped by settleScripting.
 */
function officiate(value: ScenarioJson, track: Track, rng: Rng, overMph: number): void {
  const order = track.pitRoad.boxes.map((b) => b.number);
  const segments = pitSegments(track).length;
  const boxOf = new Map(value.field.map((e) => [e.car, e.box]));
  for (const stop of value.pitStops) {
    if (stop.serviceS >= 2 && rng.next() < 0.15) stop.crew = rng.next() < 0.75 ? 7 : intIn(rng, 4, 6);
    if (rng.next() < 0.22) {
      const k = order.indexOf(boxOf.get(stop.car)!);
      const room = { entering: k, leaving: order.length - 1 - k };
      const through = rng.next() < 0.6 ? { entering: intIn(rng, 0, 2), leaving: intIn(rng, 0, 2), [rng.next() < 0.5 ? 'entering' : 'leaving']: 4 } : { entering: intIn(rng, 0, 3), leaving: intIn(rng, 1, 3) };
      if (through.entering <= room.entering && through.leaving <= room.leaving) stop.boxesThrough = through;
    }
    if (stop.serviceS >= 2 && rng.next() < 0.18) stop.crewEarlyBoxes = rng.next() < 0.5 ? round(uniform(rng, 2, 3), 1) : round(uniform(rng, 0, 0.9), 1);
  }
  const free = (car: string, lap: number): boolean => lap >= 1 && lap <= value.laps - 1 && !value.pitStops.some((p) => p.car === car && Math.abs(p.lap - lap) < 3);
  const passThroughs = rng.int(3);
  for (let k = 0; k < passThroughs; k++) {
    const car = value.field[rng.int(value.field.length)]!.car;
    const lap = intIn(rng, 1, value.laps - 1);
    if (!free(car, lap)) continue;
    const segmentMph: Record<string, number> = {};
    if (rng.next() < 0.5) segmentMph[String(intIn(rng, 1, segments))] = round(overMph + uniform(rng, 0.3, 5), 2);
    value.pitStops.push({ car, lap, serviceS: 0, passThrough: true, segmentMph });
  }
  if (rng.next() < 0.6) {
    // Where a truck crosses the commitment line with pit road closed, as planned so far.
    settleScripting(value, track);
    const plan = planRace(validateScenario(value, 'random.json', () => track), track);
    const commitment = track.loops.find((l) => l.role === 'commitment')!.positionM;
    const closed: Array<{ car: string; lap: number; caution: boolean }> = [];
    for (const car of plan.cars) {
      for (let lap = 1; lap < value.laps; lap++) {
        const t = car.track.timeAt((lap - 1) * track.lengthM + commitment);
        if (t < car.finishUs && car.trackActive.some(([a, b]) => t >= a && t < b) && !pitRoadOpenAt(plan.pitRoad, t) && free(car.entry.car, lap)) {
          const why = plan.pitRoad.filter((c) => c.atUs <= t).at(-1)!.why;
          closed.push({ car: car.entry.car, lap, caution: why === 'caution' });
        }
      }
    }
    // Closed by a caution just declared, before it reopens; else closed for a stage end or a red flag.
    const picks = closed.some((c) => c.caution) ? closed.filter((c) => c.caution) : closed;
    if (picks.length > 0) {
      const { car, lap } = picks[rng.int(picks.length)]!;
      value.pitStops.push({ car, lap, serviceS: round(uniform(rng, 4, 12), 1) });
    }
  }
}

/**
 * How visits cross the commitment line (R-PIT-COMMIT-1), on a track with a commitment
 * lane: now and then with a tire 1..300 mm over a line (sometimes yawed a little),
 * now and then off centre but inside (within 1..60 mm of a line, close calls among
 * them); the rest straight down the middle.
 */
function commitmentLines(value: ScenarioJson, track: Track, rng: Rng): void {
  const lane = track.pitRoad.commitmentLane;
  if (!lane) return;
  // The outer tire edge on one side is this far from the centre with yaw 0.
  const edge = track.vehicle.trackMm / 2 + track.vehicle.tireWidthMm / 2;
  for (const stop of value.pitStops) {
    const u = rng.next();
    const side = rng.next() < 0.5 ? 1 : -1;
    if (u < 0.12) {
      stop.commitmentOffsetMm = side * Math.round(lane.widthMm / 2 - edge + uniform(rng, 1, 300));
      if (rng.next() < 0.3) stop.commitmentYawDeg = round(uniform(rng, -3, 3), 1);
    } else if (u < 0.27) {
      stop.commitmentOffsetMm = side * Math.round(lane.widthMm / 2 - edge - uniform(rng, 1, 60));
    }
  }
}

/**
 * Drops scripted segment speeds a stop turns out to take (its box lies in them or it
 * is still braking or pulling away there), and boxes driven through that are in use
 * then: planning says which, one at a time.
 */
function settleScripting(value: ScenarioJson, track: Track): void {
  for (let attempt = 0; attempt < 1000; attempt++) {
    try {
      planRace(validateScenario(value, 'random.json', () => track), track);
      return;
    } catch (e) {
      const through = e instanceof RacePlanError ? /^pitStops\[(\d+)\]\.boxesThrough$/.exec(e.field) : null;
      if (through) {
        delete value.pitStops[Number(through[1])]!.boxesThrough;
        continue;
      }
      const field = e instanceof RacePlanError ? /^pitStops\[(\d+)\]\.segmentMph$/.exec(e.field) : null;
      const segment = e instanceof Error ? /segment (\d+) holds the stop/.exec(e.message) : null;
      if (!field || !segment) throw e;
      const stop = value.pitStops[Number(field[1])]!;
      delete stop.segmentMph![segment[1]!];
    }
  }
  throw new Error('scripted segments did not settle');
}

/** Writes a scenario as `name` in dir (made if missing); returns the file's path. */
export function writeScenario(dir: string, value: unknown, name = 'scenario.json'): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
  return file;
}

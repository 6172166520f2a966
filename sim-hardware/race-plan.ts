// The race as it really happens, planned up front from the scenario: every truck's
// motion around the track and down pit road, the flags race control shows, and when
// each lap was completed. Trucks do not interact, so each truck's motion is exact and
// known in advance; only the flags depend on who leads, and they are settled in time
// order as the leaders complete laps. How it moves, and the contracts it keeps
// (lapTimes, gridGapS), are in race.md.
import { judgeBox, type Margins } from './box-geometry.js';
import { BOX_UNCERTAINTY_MM, boxDef, pitRoadSpansLine, pitSegments, pitStartFinish, type Track, type TrackBox } from './track.js';
import { Course, timedStretch } from './course.js';
import type { PathMotion } from './motion.js';
import { boxClash, boxVisits, describeClash, standsOver } from './box-visits.js';
import { planPitVisit, PitPlanError, type PitVisitPlan } from './pit-visit.js';
import { createRng, hashSeed } from './random.js';
import { DEFAULT_BOXES_THROUGH_LIMIT, DEFAULT_CREW_LIMIT, type Entry, type PitStop, type Scenario } from './scenario.js';
import type { BoxClause } from '../protocol/schema.js';

/** A paceS truck's caution lap takes this many times its green lap. */
export const CAUTION_PACE_FACTOR = 1.6;
/** Braking on the track for the pit entry fork (m/s²). */
export const TRACK_BRAKE_MPS2 = 8;
/** Braking to stop under a red flag, and accelerating away after it (m/s²). */
export const RED_BRAKE_MPS2 = 4;
export const RED_ACCEL_MPS2 = 3;
/** Trucks are released from a red flag one after another, this far apart (s). */
export const RED_RELEASE_GAP_S = 0.5;
/** After its finish a truck slows to this speed over COOL_DOWN_S (m/s). */
export const COOL_DOWN_MPS = 20;
export const COOL_DOWN_S = 5;
/** Accelerating out of pit road back to racing speed (m/s²). */
export const TRACK_ACCEL_MPS2 = 4;
/** The simulation starts this long before the green flag (µs). */
export const LEAD_IN_US = 2_000_000;
/** And ends this long after the last truck took the checkered flag (µs). */
export const RUN_OUT_US = 3_000_000;

export type FlagName = 'green' | 'yellow' | 'red' | 'white' | 'checkered' | 'stage-end';

export interface FlagChange {
  atUs: number;
  flag: FlagName;
  /** The leader's completed laps when it was shown. */
  leaderLap: number;
  /** Index into scenario cautions / redFlags / stages where it comes from one. */
  caution?: number;
  redFlag?: number;
  stage?: number;
}

export interface PitRoadChange {
  atUs: number;
  open: boolean;
  why: 'green' | 'caution' | 'caution-open' | 'stage-end' | 'red' | 'red-over' | 'checkered';
}

/** A crossing of the start/finish plane that completes a lap (lap 0: the green). */
export interface LapCrossing {
  lap: number;
  noseUs: number;
  onPitRoad: boolean;
}

export interface PlannedStop {
  /** Index in scenario.pitStops. */
  index: number;
  stop: PitStop;
  /** Its own box (a pass-through drives past it). */
  box: TrackBox;
  /** Drives the whole of pit road without stopping (visit.stop is null). */
  passThrough: boolean;
  /** The boxes it drives through on the way into its box and out of it, in pit road order (R-PIT-BOX-3). */
  through: { entering: TrackBox[]; leaving: TrackBox[] };
  visit: PitVisitPlan;
  /** The nose reaches the fork onto pit road (µs). */
  forkUs: number;
  /** The transponder is on pit road from pitFromUs to pitToUs. */
  pitFromUs: number;
  pitToUs: number;
  /** Nose motion along pit road, absolute time. */
  motion: PathMotion;
  /** Nose crosses the commitment line (track). */
  commitmentUs: number;
  /** Exact verdict of the pose (box-geometry). */
  margins: Margins;
  inBox: boolean;
  clause: BoxClause;
  marginMm: number;
  closeCall: boolean;
}

export interface RedStop {
  redFlag: number;
  lap: number;
  fromUs: number;
  toUs: number;
  /** Where it stood (track m, cumulative). */
  atM: number;
}

export interface CarPlan {
  entry: Entry;
  index: number;
  /** Nose motion along the track, cumulative metres (lap n runs from (n−1)·length). */
  track: PathMotion;
  /** When the transponder is on the track (µs, [from, to)). */
  trackActive: Array<[number, number]>;
  crossings: LapCrossing[];
  stops: PlannedStop[];
  /** Scenario stops not run (the truck had finished). */
  skippedStops: number[];
  redStops: RedStop[];
  /** Laps completed at its finish, and when. */
  finishLap: number;
  finishUs: number;
  /** Laps run under caution (by lap number). */
  cautionLaps: number[];
}

/** Race control's call about a qualifying round (the gateway's 'qualifying-round' action). */
export interface RoundCall {
  atUs: number;
  /** 1-based, as in the format. */
  round: number;
  call: 'start' | 'red' | 'green';
}

export interface RacePlan {
  scenario: Scenario;
  track: Track;
  limitMph: number;
  toleranceMph: number;
  /** The event's crew limit (R-PIT-CREW-2) and boxes-through limit (R-PIT-BOX-3). */
  crewLimit: number;
  boxesThroughLimit: number;
  cars: CarPlan[];
  flags: FlagChange[];
  pitRoad: PitRoadChange[];
  /** leaderUs[n]: when the first truck completed lap n. */
  leaderUs: number[];
  /** A qualifying session's round calls, in the order made (empty for a race). */
  roundCalls: RoundCall[];
  startUs: number;
  endUs: number;
}

export class RacePlanError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'RacePlanError';
  }
}

interface Event {
  tUs: number;
  car: number;
  lap: number;
  /** Plan the next lap from here (a track crossing); a pit road crossing only scores. */
  plan: boolean;
}

interface CarState {
  course: Course;
  active: Array<[number, number]>;
  crossings: LapCrossing[];
  stops: PlannedStop[];
  skipped: number[];
  redStops: RedStop[];
  cautionLaps: number[];
  finishLap: number;
  finishUs: number;
  done: boolean;
}

export function planRace(scenario: Scenario, track: Track): RacePlan {
  const len = track.lengthM;
  const laps = scenario.laps;
  const limitMph = scenario.event?.pitSpeedLimitMph ?? track.pitRoad.speedLimitMph;
  const toleranceMph = scenario.event?.pitSpeedToleranceMph ?? track.pitRoad.toleranceMph;
  const segments = pitSegments(track);
  const pitSf = pitStartFinish(track);
  const spans = pitRoadSpansLine(track);
  if (spans && !pitSf) throw new RacePlanError('track', `${track.id}: pit road passes the start/finish line but has no start/finish loop on it`);
  const commitment = track.loops.find((l) => l.role === 'commitment')!;
  const trackLoops = track.loops.filter((l) => l.path === 'track').map((l) => l.positionM);
  const redStopM = redFlagSpot(trackLoops, len, track.pitRoad.entryM);
  const boxes = new Map(track.pitRoad.boxes.map((b) => [b.number, b]));
  const boxOrder = track.pitRoad.boxes;
  const stopsByCar = new Map<string, Map<number, number>>();
  scenario.pitStops.forEach((s, i) => {
    const m = stopsByCar.get(s.car) ?? new Map<number, number>();
    m.set(s.lap, i);
    stopsByCar.set(s.car, m);
  });

  const lapTime = (e: Entry, lap: number, caution: boolean): number => {
    if (e.lapTimes) return e.lapTimes[Math.min(lap, e.lapTimes.length) - 1]!;
    return caution ? e.paceS! * CAUTION_PACE_FACTOR : e.paceS!;
  };

  const leaderUs: number[] = [];
  const flags: FlagChange[] = [{ atUs: 0, flag: 'green', leaderLap: 0 }];
  let checkeredUs = Infinity;
  // Qualifying (race.md): each truck runs its own laps and is done; red flags come out at a time.
  const qualifying = scenario.session === 'qualifying';
  const redAt = scenario.redFlags.map((r) => (qualifying ? r.atS! * 1e6 : Infinity));
  const redRank = scenario.redFlags.map(() => 0);
  const yellowAt = (t: number): boolean =>
    scenario.cautions.some((c) => (leaderUs[c.lap - 1] ?? Infinity) <= t && t < (leaderUs[c.lap + c.laps - 1] ?? Infinity));

  const states: CarState[] = scenario.field.map((e, i) => {
    const t0 = i * scenario.gridGapS * 1e6;
    const v0 = len / lapTime(e, 1, false);
    return {
      course: new Course(t0, 0, v0),
      active: [[-Infinity, Infinity]],
      crossings: [],
      stops: [],
      skipped: [],
      redStops: [],
      cautionLaps: [],
      finishLap: 0,
      finishUs: Infinity,
      done: false,
    };
  });
  const queue: Event[] = states.map((s, i) => ({ tUs: s.course.tUs, car: i, lap: 0, plan: true }));
  const push = (e: Event): void => {
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = queue[mid]!;
      if (q.tUs < e.tUs || (q.tUs === e.tUs && q.car < e.car)) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, e);
  };
  queue.sort((a, b) => a.tUs - b.tUs || a.car - b.car);

  while (queue.length > 0) {
    const ev = queue.shift()!;
    const st = states[ev.car]!;
    const entry = scenario.field[ev.car]!;
    const t = ev.tUs;
    if (!st.done) st.crossings.push({ lap: ev.lap, noseUs: t, onPitRoad: !ev.plan });
    // The first truck to complete a lap leads it; the flags follow the leader.
    if (leaderUs[ev.lap] === undefined) {
      leaderUs[ev.lap] = t;
      // Qualifying has no leader's flags: its red flags come out at their time, its checkered at the end.
      if (!qualifying) {
        const n = ev.lap;
        scenario.cautions.forEach((c, i) => {
          if (n === c.lap - 1) flags.push({ atUs: t, flag: 'yellow', leaderLap: n, caution: i });
          if (n === c.lap + c.laps - 1) flags.push({ atUs: t, flag: 'green', leaderLap: n, caution: i });
        });
        scenario.stages.forEach((s, i) => {
          if (n === s && s !== laps) flags.push({ atUs: t, flag: 'stage-end', leaderLap: n, stage: i });
        });
        scenario.redFlags.forEach((r, i) => {
          if (n === r.lap) {
            redAt[i] = t;
            flags.push({ atUs: t, flag: 'red', leaderLap: n, redFlag: i });
            flags.push({ atUs: t + r.minutes * 60e6, flag: yellowAt(t) ? 'yellow' : 'green', leaderLap: n, redFlag: i });
          }
        });
        if (n === laps - 1) flags.push({ atUs: t, flag: 'white', leaderLap: n });
        if (n === laps) {
          checkeredUs = t;
          flags.push({ atUs: t, flag: 'checkered', leaderLap: n });
        }
      }
    }
    if (st.done) continue;
    // R-SF-3: once the leader has the checkered flag, every truck finishes on its next crossing.
    // In qualifying each truck is done when it has run its laps.
    if (qualifying ? ev.lap >= laps : t >= checkeredUs) {
      st.done = true;
      st.finishLap = ev.lap;
      st.finishUs = t;
      if (ev.plan) st.course.ramp(COOL_DOWN_MPS, COOL_DOWN_S);
      continue;
    }
    if (!ev.plan) continue;

    const lap = ev.lap + 1;
    const c = st.course;
    const x0 = ev.lap * len;
    const caution = yellowAt(t);
    if (caution) st.cautionLaps.push(lap);
    const T = lapTime(entry, lap, caution);
    // Where pit road passes the line, a stop at lap L is driven at the end of lap L (the
    // lap completes on pit road); otherwise pit road lies inside lap L + 1.
    const stopAt = (l: number): number | undefined => stopsByCar.get(entry.car)?.get(spans ? l : l - 1);
    let stopIndex = stopAt(lap);
    // A red flag out: stop on this lap, in the order the trucks come by.
    const red = scenario.redFlags.findIndex((r, i) => redAt[i]! <= t && t < redAt[i]! + r.minutes * 60e6 && !st.redStops.some((s) => s.redFlag === i));

    if (stopIndex === undefined && red < 0) {
      const next = entry.lapTimes ? lapTime(entry, lap + 1, false) : T;
      const vEnd = entry.lapTimes ? (2 * len) / (T + next) : len / T;
      timedStretch(c, len, T, c.vMps, vEnd);
      c.snap(t + T * 1e6, x0 + len);
      push({ tUs: c.tUs, car: ev.car, lap, plan: true });
      continue;
    }

    const cruise = len / T;
    if (red >= 0) {
      const releaseUs = redAt[red]! + scenario.redFlags[red]!.minutes * 60e6 + RED_RELEASE_GAP_S * 1e6 * redRank[red]!;
      redRank[red]!++;
      const atM = x0 + redStopM;
      const brakeM = (c.vMps * c.vMps) / (2 * RED_BRAKE_MPS2);
      c.holdTo(atM - brakeM);
      c.rampTo(0, atM);
      if (c.tUs < releaseUs) {
        const fromUs = c.tUs;
        c.standUntil(releaseUs);
        st.redStops.push({ redFlag: red, lap, fromUs, toUs: releaseUs, atM });
      } else {
        st.redStops.push({ redFlag: red, lap, fromUs: c.tUs, toUs: c.tUs, atM });
      }
      // Away again; when pit road comes next, only as fast as still lets it brake for the fork.
      let away = cruise;
      if (stopIndex !== undefined) {
        const room = x0 + track.pitRoad.entryM - c.xM - 20;
        away = Math.min(cruise, Math.sqrt(Math.max(1, room) / (1 / (2 * RED_ACCEL_MPS2) + 1 / (2 * TRACK_BRAKE_MPS2))));
      }
      c.accelTo(away, RED_ACCEL_MPS2);
    }

    // Visits to pit road, one after another while the truck stops on consecutive laps.
    let cur = lap;
    let cx0 = x0;
    let first = true;
    while (stopIndex !== undefined) {
      const stop = scenario.pitStops[stopIndex]!;
      const box = boxes.get(entry.box)!;
      const passThrough = stop.passThrough === true;
      const through = boxesThrough(stop, stopIndex, box, boxOrder, track);
      let visit: PitVisitPlan;
      try {
        visit = planPitVisit({
          segments,
          lengthM: track.pitRoad.lengthM,
          limitMph,
          box: passThrough ? null : box,
          vehicle: track.vehicle,
          pose: stop.pose,
          standS: Math.max(stop.serviceS, MIN_STAND_S),
          segmentMph: stop.segmentMph,
          noseOffsetM: entry.noseOffsetM,
          rng: createRng(hashSeed(scenario.seed, 0x5017, stopIndex)),
        });
      } catch (e) {
        if (e instanceof PitPlanError) throw new RacePlanError(`pitStops[${stopIndex}].segmentMph`, e.message);
        throw e;
      }
      // Run the lap's pace until braking for pit road (not already done after a red flag).
      if (!(first && red >= 0)) c.ramp(first ? cruise : len / lapTime(entry, cur, false), 0.2 * T);
      first = false;
      const forkM = cx0 + track.pitRoad.entryM;
      const mergeM = (spans ? cx0 + len : cx0) + track.pitRoad.exitM;
      const v = c.vMps;
      const brakeM = Math.max(0, (v * v - visit.entrySpeedMps ** 2) / (2 * TRACK_BRAKE_MPS2));
      c.holdTo(forkM - brakeM);
      c.rampTo(visit.entrySpeedMps, forkM);
      const forkUs = c.tUs;
      const off = entry.noseOffsetM;
      const pitFromUs = forkUs + visit.course.timeAt(off);
      const pitToUs = forkUs + visit.course.tUs;
      c.stretchTo(pitFromUs, forkM + off);
      st.active[st.active.length - 1]![1] = pitFromUs;
      c.stretchTo(pitToUs, mergeM + off);
      c.vMps = visit.exitSpeedMps;
      st.active.push([pitToUs, Infinity]);
      const commitmentUs = trackCrossing(st.course, cx0, commitment.positionM, len, forkM);
      const call = judgeBox(boxDef(box), track.vehicle, stop.pose, BOX_UNCERTAINTY_MM);
      st.stops.push({
        index: stopIndex,
        stop,
        box,
        passThrough,
        through,
        visit,
        forkUs,
        pitFromUs,
        pitToUs,
        motion: visit.course.motion(forkUs),
        commitmentUs,
        margins: call.margins,
        inBox: call.inBox,
        clause: call.clause,
        marginMm: call.marginMm,
        closeCall: call.closeCall,
      });
      if (spans) {
        // The lap is completed on pit road; the next one began there.
        push({ tUs: forkUs + visit.course.timeAt(pitSf!.positionM), car: ev.car, lap: cur, plan: false });
        cur++;
        cx0 += len;
        stopIndex = cur < laps ? stopAt(cur) : undefined;
      } else {
        stopIndex = undefined;
      }
    }
    // Back on the track: up to the next lap's speed, on to the line.
    const endM = cx0 + len;
    const nextV = len / lapTime(entry, cur + 1, false);
    const room = endM - c.xM;
    if ((nextV * nextV - c.vMps * c.vMps) / (2 * TRACK_ACCEL_MPS2) <= room) c.accelTo(nextV, TRACK_ACCEL_MPS2).holdTo(endM);
    else c.rampTo(Math.sqrt(c.vMps * c.vMps + 2 * TRACK_ACCEL_MPS2 * room), endM);
    c.snap(c.tUs, endM);
    push({ tUs: c.tUs, car: ev.car, lap: cur, plan: true });
  }

  // Stops the trucks never reached.
  states.forEach((st, i) => {
    const planned = new Set(st.stops.map((s) => s.index));
    scenario.pitStops.forEach((s, j) => {
      if (s.car === scenario.field[i]!.car && !planned.has(j)) st.skipped.push(j);
    });
  });

  const lastFinish = Math.max(...states.map((s) => s.finishUs));
  const roundCalls = qualifying ? qualifyingCalls(scenario, flags, leaderUs, lastFinish) : [];
  flags.sort((a, b) => a.atUs - b.atUs);
  const plan: RacePlan = {
    scenario,
    track,
    limitMph,
    toleranceMph,
    crewLimit: scenario.event?.crewLimit ?? DEFAULT_CREW_LIMIT,
    boxesThroughLimit: scenario.event?.boxesThroughLimit ?? DEFAULT_BOXES_THROUGH_LIMIT,
    cars: states.map((st, i) => ({
      entry: scenario.field[i]!,
      index: i,
      track: st.course.motion(),
      trackActive: st.active,
      crossings: st.crossings,
      stops: st.stops,
      skippedStops: st.skipped,
      redStops: st.redStops,
      finishLap: st.finishLap,
      finishUs: st.finishUs,
      cautionLaps: st.cautionLaps,
    })),
    flags,
    pitRoad: pitRoadTimeline(scenario, flags, leaderUs),
    leaderUs,
    roundCalls,
    startUs: -LEAD_IN_US,
    endUs: lastFinish + RUN_OUT_US,
  };
  // A box driven through must be free then (R-PIT-BOX-3 is about driving through, not into, a box).
  if (plan.cars.some((c) => c.stops.some((s) => s.through.entering.length + s.through.leaving.length > 0))) {
    const clash = boxClash(boxVisits(plan));
    if (clash) throw new RacePlanError(`pitStops[${clash.through.index}].boxesThrough`, describeClash(clash));
  }
  return plan;
}

/**
 * The boxes a stop drives through (R-PIT-BOX-3): the n just before its own along pit
 * road entering, the m just after leaving, vacant ones too (openings are no boxes).
 * Standing in its own box it must not be over one of them: it would stop there.
 */
function boxesThrough(stop: PitStop, index: number, own: TrackBox, order: readonly TrackBox[], track: Track): PlannedStop['through'] {
  const n = stop.boxesThrough?.entering ?? 0;
  const m = stop.boxesThrough?.leaving ?? 0;
  if (n === 0 && m === 0) return { entering: [], leaving: [] };
  const field = `pitStops[${index}].boxesThrough`;
  if (stop.passThrough) throw new RacePlanError(field, 'a pass-through does not stop in its box');
  const k = order.indexOf(own);
  if (k - n < 0 || k + m >= order.length) throw new RacePlanError(field, `box ${own.number} has ${k} boxes before it and ${order.length - 1 - k} after it on pit road, not ${n} and ${m}`);
  const through = { entering: order.slice(k - n, k), leaving: order.slice(k + 1, k + 1 + m) };
  for (const b of [...through.entering, ...through.leaving]) {
    if (standsOver(track.vehicle, own, stop.pose, b)) throw new RacePlanError(field, `standing at its pose in box ${own.number} the truck is over box ${b.number}: it would stop there, not drive through it`);
  }
  return through;
}

/**
 * A qualifying session's flags and round calls, as race control makes them (race.md):
 * each red flag at its time and green when it is over, both also called on the round
 * under way (R-QUAL-4: its clock stops); each round started at its time; the checkered
 * flag when the last truck has run its laps. Added to `flags`; the calls returned, in
 * the order made. Everything must happen while the session runs (up to the last truck's
 * last crossing): the rig makes no call after it.
 */
function qualifyingCalls(scenario: Scenario, flags: FlagChange[], leaderUs: readonly number[], lastFinishUs: number): RoundCall[] {
  const starts = scenario.roundStartsS!.map((s) => s * 1e6);
  const leaderLap = (t: number): number => Math.max(0, leaderUs.filter((x) => x <= t).length - 1);
  const calls: RoundCall[] = [];
  starts.forEach((atUs, k) => {
    if (atUs > lastFinishUs) throw new RacePlanError(`roundStartsS[${k}]`, `round ${k + 1} would start at ${atUs / 1e6} s, after the last truck has run its laps (${(lastFinishUs / 1e6).toFixed(3)} s)`);
    calls.push({ atUs, round: k + 1, call: 'start' });
  });
  scenario.redFlags.forEach((r, i) => {
    const fromUs = r.atS! * 1e6;
    const toUs = fromUs + r.minutes * 60e6;
    if (toUs > lastFinishUs) throw new RacePlanError(`redFlags[${i}]`, `out from ${r.atS} s until ${toUs / 1e6} s, after the last truck has run its laps (${(lastFinishUs / 1e6).toFixed(3)} s)`);
    flags.push({ atUs: fromUs, flag: 'red', leaderLap: leaderLap(fromUs), redFlag: i });
    flags.push({ atUs: toUs, flag: 'green', leaderLap: leaderLap(toUs), redFlag: i });
    // The round under way: the last one started (no round starts while a red is out).
    const round = starts.filter((s) => s <= fromUs).length;
    if (round === 0) return;
    calls.push({ atUs: fromUs, round, call: 'red' }, { atUs: toUs, round, call: 'green' });
  });
  flags.push({ atUs: lastFinishUs, flag: 'checkered', leaderLap: leaderLap(lastFinishUs) });
  const order = { start: 0, red: 1, green: 2 };
  return calls.sort((a, b) => a.atUs - b.atUs || order[a.call] - order[b.call] || a.round - b.round);
}

/** Shortest time standing in a box (s): a stop with no service still stops. */
export const MIN_STAND_S = 1;

/** When the nose crossed a track position of the lap starting at x0 (before the fork). */
function trackCrossing(course: Course, x0: number, positionM: number, len: number, forkM: number): number {
  const x = x0 + positionM <= forkM ? x0 + positionM : x0 + positionM - len;
  return course.timeAt(x);
}

/** Where the field stops under a red flag: the middle of the longest stretch without loops before pit entry. */
function redFlagSpot(loopsM: number[], len: number, entryM: number): number {
  const xs = [...loopsM.filter((x) => x < entryM), entryM].sort((a, b) => a - b);
  let best = { from: 0, to: 0 };
  for (let i = 1; i < xs.length; i++) if (xs[i]! - xs[i - 1]! > best.to - best.from) best = { from: xs[i - 1]!, to: xs[i]! };
  if (best.to - best.from < 40) throw new RacePlanError('track', `no stretch of 40 m without loops for the field to stop in under red (lap ${len} m)`);
  return (best.from + best.to) / 2;
}

/**
 * Pit road open and closed, as race control runs it (R-PIT-OPEN-1/3): open at the
 * green; closed the instant a caution is declared and opened again half a caution lap
 * later; closed under green when the leader starts the last two laps of a stage
 * (not the final one); closed while the red flag is out.
 */
function pitRoadTimeline(scenario: Scenario, flags: FlagChange[], leaderUs: number[]): PitRoadChange[] {
  const out: PitRoadChange[] = [{ atUs: 0, open: true, why: 'green' }];
  for (const f of flags) {
    if (f.flag === 'yellow' && f.caution !== undefined) {
      const c = scenario.cautions[f.caution]!;
      out.push({ atUs: f.atUs, open: false, why: 'caution' });
      const a = leaderUs[c.lap - 1];
      const b = leaderUs[c.lap];
      if (a !== undefined && b !== undefined) out.push({ atUs: a + (b - a) / 2, open: true, why: 'caution-open' });
    } else if (f.flag === 'red') {
      out.push({ atUs: f.atUs, open: false, why: 'red' });
    } else if (f.redFlag !== undefined) {
      out.push({ atUs: f.atUs, open: true, why: 'red-over' });
    } else if (f.flag === 'checkered') {
      out.push({ atUs: f.atUs, open: true, why: 'checkered' });
    }
  }
  scenario.stages.forEach((s, i) => {
    if (i === scenario.stages.length - 1) return;
    const at = leaderUs[s - 2];
    // R-PIT-OPEN-3 holds under green only: under a caution pit road follows the caution's calls.
    if (at !== undefined && racingAt(flags, at)) out.push({ atUs: at, open: false, why: 'stage-end' });
  });
  out.sort((a, b) => a.atUs - b.atUs);
  return out;
}

/** Green (or white) at an instant: the last of the green, yellow and red flags at or before it is green. */
function racingAt(flags: readonly FlagChange[], tUs: number): boolean {
  let racing = false;
  for (const f of flags) {
    if (f.atUs > tUs) continue;
    if (f.flag === 'green') racing = true;
    else if (f.flag === 'yellow' || f.flag === 'red') racing = false;
  }
  return racing;
}

/** Whether pit road was open at an instant (a change at that very instant counts). */
export function pitRoadOpenAt(changes: readonly PitRoadChange[], tUs: number): boolean {
  let open = false;
  for (const c of changes) {
    if (c.atUs > tUs) break;
    open = c.open;
  }
  return open;
}

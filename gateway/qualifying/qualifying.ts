// Qualifying (R-QUAL-1..5), joined up: from the format, race control's round calls and
// the trucks' line crossings, each round's clock, laps and order and the overall order.
// A pure function of its input: the same input, in any order of calls and crossings,
// gives the same document, with keys in one fixed order, times in whole µs and speeds to
// 0.001 mph. Format and rules in QUALIFYING.md.
import { seconds } from '../results.js';
import type { QualifyingFormat } from './qualifying-format.js';
import { advancing, bestTimes, overallOrder, rankRound, type Placing, type QualifyingEntry } from './qualifying-order.js';
import { elapsedUs, isRunning, roundClocks, type RoundCall } from './round-clock.js';
import { carRuns, lapsInRound, type JudgedLap, type LapWhy, type QualifyingCrossing, type TimingLines } from './timed-laps.js';

export { type QualifyingEntry } from './qualifying-order.js';
export { type RoundCall } from './round-clock.js';
export { timingLines, WHY } from './timed-laps.js';

export interface QualifyingInput {
  format: QualifyingFormat;
  /** Race control's round calls as logged, any order. */
  calls: readonly RoundCall[];
  /** The trucks' line crossings (crossings.ts), any order; cars not in the field are left out. */
  crossings: readonly QualifyingCrossing[];
  /** Which loops are the timing line and pit road's line: timingLines(setup.track.loops). */
  lines: TimingLines;
  trackLengthM: number;
  /** The field in entry order. */
  field: readonly QualifyingEntry[];
  /** Owner points before the event (R-QUAL-5), by car; 0 for a car not given. */
  ownerPoints?: Readonly<Record<string, number>>;
  /** The instant looked at (gateway clock µs): the clock of a running round. */
  nowUs: number;
}

export interface QualifyingLapRow {
  car: string;
  startUs: number;
  endUs: number;
  timeS: number;
  mph: number;
  counted: boolean;
  inferred: boolean;
  why: LapWhy | null;
}

export interface QualifyingOrderRow {
  pos: number;
  car: string;
  driver: string;
  timeS: number | null;
  mph: number | null;
  postedUs: number | null;
  ownerPoints: number;
}

export interface QualifyingOverallRow {
  pos: number;
  car: string;
  driver: string;
  /** The round whose order placed it; null before any round has begun. */
  round: number | null;
  timeS: number | null;
  mph: number | null;
  postedUs: number | null;
  ownerPoints: number;
}

export interface QualifyingRound {
  round: number;
  minutes: number;
  timedLaps: 1 | 2;
  /** Trucks that go on to the next round; null for the last. */
  advance: number | null;
  startUs: number | null;
  /** When the clock reaches the round's time (red periods excluded); null while red, before the start, or when ended first. */
  expiresUs: number | null;
  /** Race control's end, or the next round's start; null while neither. */
  endedUs: number | null;
  /** At nowUs: started, not ended, time not expired (under red too, its clock stopped). */
  running: boolean;
  elapsedS: number;
  remainingS: number;
  redPeriods: Array<{ fromUs: number; toUs: number | null }>;
  /** The laps ending from its start until the next round's, by end crossing. */
  laps: QualifyingLapRow[];
  /** Its entrants (the field in round 1, the top `advance` of the round before after it has begun; none until then) by R-QUAL-5. */
  order: QualifyingOrderRow[];
}

export interface Qualifying {
  /** The last round begun; null before any. */
  current: number | null;
  rounds: QualifyingRound[];
  order: QualifyingOverallRow[];
}

/** Metres per second in a mile per hour. */
const MPS_PER_MPH = 0.44704;

/** Lap speed (mph to 0.001) over a lap of the track. */
export function mphOf(trackLengthM: number, timeUs: number): number {
  return Math.round((trackLengthM / (timeUs / 1e6) / MPS_PER_MPH) * 1000) / 1000;
}

export function qualifying(input: QualifyingInput): Qualifying {
  const { format, field, trackLengthM } = input;
  const points = input.ownerPoints ?? {};
  const nowUs = Math.round(input.nowUs);
  const inField = new Set(field.map((e) => e.car));
  const fieldIndex = new Map(field.map((e, i) => [e.car, i]));
  const runs = carRuns(
    input.crossings.filter((c) => inField.has(c.car)),
    input.lines,
  );
  const clocks = roundClocks(format, input.calls);
  // A placing's time as shown, after its place (keys in this order).
  const timed = (p: Placing): Pick<QualifyingOrderRow, 'timeS' | 'mph' | 'postedUs' | 'ownerPoints'> => ({
    timeS: p.timeUs === null ? null : seconds(p.timeUs),
    mph: p.timeUs === null ? null : mphOf(trackLengthM, p.timeUs),
    postedUs: p.postedUs,
    ownerPoints: p.ownerPoints,
  });

  const rounds: QualifyingRound[] = [];
  const orders: Placing[][] = [];
  let entered = new Set(inField);
  clocks.forEach((k, i) => {
    const f = format.rounds[i]!;
    const laps: JudgedLap[] = [];
    for (const e of field) {
      const run = runs.get(e.car);
      if (run) laps.push(...lapsInRound(k, f.timedLaps, run, entered.has(e.car)));
    }
    laps.sort((a, b) => a.endUs - b.endUs || fieldIndex.get(a.car)! - fieldIndex.get(b.car)! || a.startUs - b.startUs);
    const order = rankRound(field, entered, bestTimes(laps), points);
    orders.push(order);
    const elapsed = elapsedUs(k, nowUs);
    rounds.push({
      round: k.round,
      minutes: f.minutes,
      timedLaps: f.timedLaps,
      advance: f.advance ?? null,
      startUs: k.startUs,
      expiresUs: k.expiresUs,
      endedUs: k.endedUs,
      running: isRunning(k, nowUs),
      elapsedS: seconds(elapsed),
      remainingS: seconds(k.durationUs - elapsed),
      redPeriods: k.redPeriods.map((p) => ({ fromUs: p.fromUs, toUs: p.toUs })),
      laps: laps.map((l) => ({
        car: l.car,
        startUs: l.startUs,
        endUs: l.endUs,
        timeS: seconds(l.timeUs),
        mph: mphOf(trackLengthM, l.timeUs),
        counted: l.counted,
        inferred: l.inferred,
        why: l.why,
      })),
      order: order.map((p) => ({ pos: p.pos, car: p.car, driver: p.driver, ...timed(p) })),
    });
    // Who goes on is known once this round has begun (provisional while it runs).
    entered = k.startUs !== null && f.advance !== undefined ? advancing(order, f.advance) : new Set();
  });

  const begun = clocks.filter((k) => k.startUs !== null).length;
  const overall = begun === 0 ? orders[0]!.map((p) => ({ ...p, round: null })) : overallOrder(orders.slice(0, begun));
  return {
    current: begun === 0 ? null : begun,
    rounds,
    order: overall.map((p) => ({ pos: p.pos, car: p.car, driver: p.driver, round: p.round, ...timed(p) })),
  };
}

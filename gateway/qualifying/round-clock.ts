// The round clock: race control starts a round, shows red and green (R-QUAL-4: the
// clock stops under red and runs again on green) and may end it early. From those calls
// alone, in any order of arrival, each round's start, red periods, end and the instant
// its time expires (R-QUAL-3), and the clock at any instant. Whole µs, gateway clock.
import type { ROUND_CALLS } from '../log-entry.js';
import type { QualifyingFormat } from './qualifying-format.js';

export type RoundCallName = (typeof ROUND_CALLS)[number];

/** A call of race control about a round, as logged. */
export interface RoundCall {
  /** Gateway clock (µs). */
  atUs: number;
  /** The log's sequence number: orders calls logged at the same instant. */
  seq: number;
  call: RoundCallName;
  /** 1-based, as in the format. */
  round: number;
}

export interface RedPeriod {
  fromUs: number;
  /** The green that ended it; null while red (or when the round ended under red). */
  toUs: number | null;
}

export interface RoundClock {
  round: number;
  /** The round's time (µs of clock). */
  durationUs: number;
  /** Race control's start; null until the round is started. */
  startUs: number | null;
  redPeriods: RedPeriod[];
  /** Race control's end call; null without one. */
  endCallUs: number | null;
  /** The next round's start: laps ending from then on are that round's. */
  nextStartUs: number | null;
  /** The end call or the next round's start, whichever came first; null while neither. */
  endedUs: number | null;
  /** When the clock reaches the round's time (red periods excluded); null while a red is out, or when the round was ended first. */
  expiresUs: number | null;
}

const CALL_ORDER: Record<RoundCallName, number> = { start: 0, red: 1, green: 2, end: 3 };

/** Calls in the order they were made: by time, then log sequence (then anything else, so any input order gives one order). */
function sortedCalls(calls: readonly RoundCall[]): RoundCall[] {
  return calls
    .map((c) => ({ ...c, atUs: Math.round(c.atUs) }))
    .sort((a, b) => a.atUs - b.atUs || a.seq - b.seq || CALL_ORDER[a.call] - CALL_ORDER[b.call] || a.round - b.round);
}

/**
 * Each round's clock from race control's calls. A call that does not fit where it falls
 * is ignored: a round number not in the format, a start of a round already started or
 * whose round before has not started (rounds run in order), red/green/end of a round not
 * under way, red while red, green while not red. A round's start ends the one before
 * if race control had not.
 */
export function roundClocks(format: QualifyingFormat, calls: readonly RoundCall[]): RoundClock[] {
  const clocks: RoundClock[] = format.rounds.map((r, i) => ({
    round: i + 1,
    durationUs: Math.round(r.minutes * 60e6),
    startUs: null,
    redPeriods: [],
    endCallUs: null,
    nextStartUs: null,
    endedUs: null,
    expiresUs: null,
  }));
  for (const c of sortedCalls(calls)) {
    if (!Number.isInteger(c.round) || c.round < 1 || c.round > clocks.length) continue;
    const k = clocks[c.round - 1]!;
    const underWay = k.startUs !== null && k.endCallUs === null && k.nextStartUs === null;
    const red = k.redPeriods.at(-1);
    const redOut = red !== undefined && red.toUs === null;
    switch (c.call) {
      case 'start': {
        const before = clocks[c.round - 2];
        if (k.startUs !== null || (before !== undefined && before.startUs === null)) break;
        k.startUs = c.atUs;
        if (before) before.nextStartUs = c.atUs;
        break;
      }
      case 'red':
        if (underWay && !redOut) k.redPeriods.push({ fromUs: c.atUs, toUs: null });
        break;
      case 'green':
        if (underWay && redOut) red.toUs = c.atUs;
        break;
      case 'end':
        if (underWay) k.endCallUs = c.atUs;
        break;
    }
  }
  for (const k of clocks) {
    const ends = [k.endCallUs, k.nextStartUs].filter((x): x is number => x !== null);
    k.endedUs = ends.length > 0 ? Math.min(...ends) : null;
    const expires = expiryUs(k);
    k.expiresUs = expires !== null && (k.endedUs === null || expires <= k.endedUs) ? expires : null;
  }
  return clocks;
}

/** Where the clock reaches the round's time, walking the green stretches between reds. */
function expiryUs(k: RoundClock): number | null {
  if (k.startUs === null) return null;
  let run = 0;
  let at = k.startUs;
  for (const p of k.redPeriods) {
    if (run + (p.fromUs - at) >= k.durationUs) break;
    run += p.fromUs - at;
    if (p.toUs === null) return null;
    at = p.toUs;
  }
  return at + (k.durationUs - run);
}

/** The round's clock at an instant (µs run, red periods excluded, at most its time). */
export function elapsedUs(k: RoundClock, atUs: number): number {
  if (k.startUs === null || atUs <= k.startUs) return 0;
  const stop = k.endedUs === null ? atUs : Math.min(atUs, k.endedUs);
  let run = stop - k.startUs;
  for (const p of k.redPeriods) run -= Math.max(0, Math.min(p.toUs ?? Infinity, stop) - Math.max(p.fromUs, k.startUs));
  return Math.max(0, Math.min(run, k.durationUs));
}

/** Was a red flag out at any time within (fromUs, toUs)? A red shown the instant a lap ends, or ended the instant it begins, is not. */
export function redDuring(k: RoundClock, fromUs: number, toUs: number): boolean {
  return k.redPeriods.some((p) => p.fromUs < toUs && (p.toUs === null || p.toUs > fromUs));
}

/** Started, not ended, time not yet expired (a round under red is running, its clock stopped). */
export function isRunning(k: RoundClock, atUs: number): boolean {
  return k.startUs !== null && k.startUs <= atUs && (k.endedUs === null || atUs < k.endedUs) && (k.expiresUs === null || atUs < k.expiresUs);
}

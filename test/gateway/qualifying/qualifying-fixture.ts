// Hand-built qualifying sessions on a short oval: race control's round calls and the
// trucks' line crossings, in seconds from the first round's start.
import type { QualifyingEntry, QualifyingInput } from '../../../gateway/qualifying/qualifying.js';
import type { QualifyingFormat } from '../../../gateway/qualifying/qualifying-format.js';
import type { RoundCall, RoundCallName } from '../../../gateway/qualifying/round-clock.js';
import type { QualifyingCrossing, TimingLines } from '../../../gateway/qualifying/timed-laps.js';

// The seeded shuffle of the scoring tests, kept in one place; the qualifying tests import it from here.
export { shuffled } from '../../support/scoring-log.js';

export const S = 1_000_000;
/** Round 1's start (µs, gateway clock). */
export const T0 = Date.UTC(2026, 2, 27, 22, 0, 0) * 1000;
/** A 0.526 mi oval, to the metre. */
export const LAP_M = 846;
export const LOOP = { line: 1, sector: 2, pitLine: 20, pitEntry: 10 } as const;
export const LINES: TimingLines = { track: [LOOP.line], pit: [LOOP.pitLine] };

export const at = (s: number): number => T0 + Math.round(s * S);

export function fieldOf(...cars: string[]): QualifyingEntry[] {
  return cars.map((car) => ({ car, driver: `Driver ${car}` }));
}

/** Crossings of the track's timing line at these seconds. */
export function line(car: string, ...s: number[]): QualifyingCrossing[] {
  return s.map((x) => ({ car, loop: LOOP.line, noseUs: at(x), inferred: false }));
}

/** A crossing of pit road's start/finish line. */
export function pitLine(car: string, s: number): QualifyingCrossing {
  return { car, loop: LOOP.pitLine, noseUs: at(s), inferred: false };
}

/** Race control's calls, numbered in the order written. */
export class Calls {
  readonly list: RoundCall[] = [];
  call(s: number, call: RoundCallName, round = 1): this {
    this.list.push({ atUs: at(s), seq: this.list.length + 1, call, round });
    return this;
  }
}

export const ONE_LAP: QualifyingFormat = { rounds: [{ minutes: 5, timedLaps: 1 }] };
export const TWO_LAPS: QualifyingFormat = { rounds: [{ minutes: 5, timedLaps: 2 }] };

export function input(over: Partial<QualifyingInput> & Pick<QualifyingInput, 'calls' | 'crossings'>): QualifyingInput {
  return {
    format: ONE_LAP,
    lines: LINES,
    trackLengthM: LAP_M,
    field: fieldOf('1', '2', '3'),
    nowUs: at(3600),
    ...over,
  };
}

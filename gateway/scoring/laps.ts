// Laps credited at the line. Lap 0 is each truck's first start/finish crossing at or
// after the green (the crossings before it are pace laps); every later crossing, of the
// track's line or pit road's, credits the next lap (R-SF-1). Once the leader has
// completed the race distance each truck finishes on its next crossing and nothing
// after it is credited (R-SF-3).
import { sameCrossing, type LineCrossing } from './crossings.js';

export interface CreditedLap extends LineCrossing {
  lap: number;
  /** The scored time of this lap (µs, gateway clock): the nose at the line, R-SF-1. */
  scoredUs: number;
  /** The truck's finishing crossing (R-SF-3). */
  finish: boolean;
}

export interface LapChart {
  greenUs: number | null;
  /** Credited laps of each truck, in lap order. */
  byCar: Map<string, CreditedLap[]>;
  /** When the leader completed the race distance (µs), if it has. */
  finishUs: number | null;
}

/**
 * A truck's crossings numbered from the green (before R-SF-3's finish): lap 0 is the
 * first whose transponder passing is at or after the green. `before` holds the laps
 * numbered from `xs` as it was: those from crossings before `from` stand, the rest are
 * numbered again.
 */
export function numberLaps(before: readonly CreditedLap[], xs: readonly LineCrossing[], greenUs: number, from: number): CreditedLap[] {
  // The transponder's own passing decides "at or after the green": the truck on the
  // pole crosses as the flag waves, and its nose time is only an estimate.
  let kept = 0;
  for (let i = 0; i < from && i < xs.length; i++) if (xs[i]!.passingUs >= greenUs) kept++;
  const numbered = before.slice(0, kept);
  for (let i = from; i < xs.length; i++) {
    const x = xs[i]!;
    if (x.passingUs >= greenUs) numbered.push({ ...x, lap: numbered.length, scoredUs: x.noseUs, finish: false });
  }
  return numbered;
}

/** When a truck completed the race distance (its finishing nose time), or null. `numbered` from numberLaps. */
export function distanceUs(numbered: readonly CreditedLap[], laps: number): number | null {
  const x = numbered[laps];
  return x ? x.finishNoseUs : null;
}

/** R-SF-3: once the leader has finished (finishUs), a truck finishes on its next crossing and nothing later is credited. */
export function creditedUpTo(numbered: CreditedLap[], finishUs: number | null): CreditedLap[] {
  if (finishUs === null) return numbered;
  const credited: CreditedLap[] = [];
  for (const x of numbered) {
    if (x.finishNoseUs >= finishUs) {
      credited.push({ ...x, scoredUs: x.finishNoseUs, finish: true });
      break;
    }
    credited.push(x);
  }
  return credited;
}

/** Two credited laps alike in everything scoring reads. */
export function sameLap(a: CreditedLap, b: CreditedLap): boolean {
  return a === b || (a.lap === b.lap && a.scoredUs === b.scoredUs && a.finish === b.finish && sameCrossing(a, b));
}

/** The last lap a truck had completed at an instant (its credited crossing), or null. */
export function lastLapAt(list: readonly CreditedLap[], atUs: number): CreditedLap | null {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.scoredUs <= atUs) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1]! : null;
}

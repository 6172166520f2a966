// Laps credited at the line. Lap 0 is each truck's first start/finish crossing at or
// after the green (the crossings before it are pace laps); every later crossing, of the
// track's line or pit road's, credits the next lap (R-SF-1). Once the leader has
// completed the race distance each truck finishes on its next crossing and nothing
// after it is credited (R-SF-3).
import type { LineCrossing } from './crossings.js';

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
 * `crossings`: each truck's line crossings in time order; `greenUs`: the first green
 * flag; `laps`: the race distance.
 */
export function creditLaps(crossings: ReadonlyMap<string, readonly LineCrossing[]>, greenUs: number | null, laps: number): LapChart {
  const byCar = new Map<string, CreditedLap[]>();
  if (greenUs === null) {
    for (const car of crossings.keys()) byCar.set(car, []);
    return { greenUs, byCar, finishUs: null };
  }
  const numbered = new Map<string, CreditedLap[]>();
  for (const [car, xs] of crossings) {
    // The transponder's own passing decides "at or after the green": the truck on the
    // pole crosses as the flag waves, and its nose time is only an estimate.
    const racing = xs.filter((x) => x.passingUs >= greenUs);
    numbered.set(
      car,
      racing.map((x, lap) => ({ ...x, lap, scoredUs: x.noseUs, finish: false })),
    );
  }
  // R-SF-3: the leader is the first to complete the race distance; that crossing is its finish.
  let finishUs: number | null = null;
  for (const list of numbered.values()) {
    const x = list[laps];
    if (x && (finishUs === null || x.finishNoseUs < finishUs)) finishUs = x.finishNoseUs;
  }
  for (const [car, list] of numbered) {
    if (finishUs === null) {
      byCar.set(car, list);
      continue;
    }
    const credited: CreditedLap[] = [];
    for (const x of list) {
      if (x.finishNoseUs >= finishUs) {
        credited.push({ ...x, scoredUs: x.finishNoseUs, finish: true });
        break;
      }
      credited.push(x);
    }
    byCar.set(car, credited);
  }
  return { greenUs, byCar, finishUs };
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

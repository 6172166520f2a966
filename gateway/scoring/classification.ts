// The finishing order (R-SF-2): most laps completed, then least time of the last
// credited crossing, running or not. Equal laps and equal time (to the µs) are broken
// by R-SF-4: most laps led; then most laps run in 2nd, then 3rd, ...; then the best
// position held on any lap, earliest first. The margin of victory is the time between
// the winner's and the runner-up's final crossings (R-SF-8). Officiating can adjust a
// truck: seconds added to its time (R-PEN-2), laps taken off (an unserved lap
// penalty), or no longer scored from an instant (R-PIT-DAMAGE-1/2): its laps stop there.
import type { SetupEntry } from '../event-setup.js';
import type { LapChart } from './laps.js';
import type { LapLeaders } from './laps-led.js';

export interface Classified {
  pos: number;
  car: string;
  driver: string;
  /** Laps completed (the lap number of its last credited crossing). */
  laps: number;
  /** Its last credited crossing, gateway clock (µs, whole). */
  lastUs: number | null;
  /** R-SF-2: last credited crossing − green (µs, whole). */
  timeUs: number | null;
  lapsLed: number;
  status: 'running' | 'not scored';
  /** Seconds added by penalties (R-PEN-2), laps taken off. */
  penaltyS: number;
  lapsOff: number;
  /** Why it is no longer scored. */
  why: string | null;
}

/** What officiating changes of a truck's classification. */
export interface Adjustment {
  addedS: number;
  lapsOff: number;
  /** No longer scored from this instant (µs); null: scored. */
  outUs: number | null;
  why: string | null;
}

export interface TieKey {
  lapsLed: number;
  /** counts[k]: laps run in position k. */
  counts: number[];
  best: number;
  bestLap: number;
}

/** What R-SF-4 reads of a truck's positions on every lap. */
export type PositionsKey = Omit<TieKey, 'lapsLed'>;

export function positionsKey(positions: readonly number[] | undefined): PositionsKey {
  const counts: number[] = [];
  let best = Infinity;
  let bestLap = Infinity;
  (positions ?? []).forEach((p, lap) => {
    if (p === undefined) return;
    counts[p] = (counts[p] ?? 0) + 1;
    if (p < best) {
      best = p;
      bestLap = lap;
    }
  });
  return { counts, best, bestLap };
}

/** R-SF-4, for two trucks level on laps and time: negative when a ranks ahead. */
export function compareTied(a: TieKey, b: TieKey): number {
  if (a.lapsLed !== b.lapsLed) return b.lapsLed - a.lapsLed;
  const n = Math.max(a.counts.length, b.counts.length);
  for (let k = 2; k < n; k++) {
    const d = (b.counts[k] ?? 0) - (a.counts[k] ?? 0);
    if (d !== 0) return d;
  }
  if (a.best !== b.best) return a.best - b.best;
  return a.bestLap - b.bestLap;
}

/** `keyOf`: positionsKey of a car's positions (a caller may keep them). */
export function classify(
  field: readonly SetupEntry[],
  chart: LapChart,
  leaders: LapLeaders,
  keyOf: (car: string) => PositionsKey = (car) => positionsKey(leaders.positions.get(car)),
  adjust: ReadonlyMap<string, Adjustment> = new Map(),
): Classified[] {
  const green = chart.greenUs ?? 0;
  const rows = field.map((e, index) => {
    const a = adjust.get(e.car);
    let list = chart.byCar.get(e.car) ?? [];
    if (a?.outUs != null) {
      const out = a.outUs;
      list = list.filter((x) => x.scoredUs <= out);
    }
    const last = list[list.length - 1];
    const addedUs = Math.round((a?.addedS ?? 0) * 1e6);
    const lastUs = last ? Math.round(last.scoredUs) + addedUs : null;
    const lapsLed = leaders.lapsLed.get(e.car) ?? 0;
    return {
      index,
      entry: e,
      // A truck never credited with the green crossing sorts after every truck that was.
      sortLaps: last ? Math.max(0, last.lap - (a?.lapsOff ?? 0)) : -1,
      lastUs,
      lapsLed,
      tie: { lapsLed, ...keyOf(e.car) },
      a,
    };
  });
  rows.sort((a, b) => {
    if (a.sortLaps !== b.sortLaps) return b.sortLaps - a.sortLaps; // R-SF-2: most laps
    if (a.lastUs !== null && b.lastUs !== null && a.lastUs !== b.lastUs) return a.lastUs - b.lastUs; // then least time
    return compareTied(a.tie, b.tie) || a.index - b.index; // R-SF-4
  });
  return rows.map((r, i) => ({
    pos: i + 1,
    car: r.entry.car,
    driver: r.entry.driver,
    laps: Math.max(0, r.sortLaps),
    lastUs: r.lastUs,
    timeUs: r.lastUs === null ? null : r.lastUs - Math.round(green),
    lapsLed: r.lapsLed,
    status: r.a?.outUs != null ? ('not scored' as const) : ('running' as const),
    penaltyS: r.a?.addedS ?? 0,
    lapsOff: r.a?.lapsOff ?? 0,
    why: r.a?.why ?? null,
  }));
}

/** R-SF-8: runner-up's final crossing − winner's (µs), once both have one. */
export function marginOfVictoryUs(classified: readonly Classified[]): number | null {
  const [first, second] = classified;
  if (!first || !second || first.lastUs === null || second.lastUs === null) return null;
  return second.lastUs - first.lastUs;
}

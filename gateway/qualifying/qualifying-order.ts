// The qualifying order (R-QUAL-5): a round's order by each truck's best timed lap, who
// goes on to the next round, and the overall order the last round decides.
import type { JudgedLap } from './timed-laps.js';

/** A truck of the field, in entry order. */
export interface QualifyingEntry {
  car: string;
  driver: string;
}

/** A truck's time for a round: its best timed lap, and when it was posted (the lap's end crossing). */
export interface RoundBest {
  timeUs: number;
  postedUs: number;
}

export interface Placing {
  pos: number;
  car: string;
  driver: string;
  /** Best timed lap (µs); null without one. */
  timeUs: number | null;
  postedUs: number | null;
  ownerPoints: number;
}

/** R-QUAL-2: a truck's time for the round is the best of its timed laps; of two equal ones, the first posted. */
export function bestTimes(laps: readonly JudgedLap[]): Map<string, RoundBest> {
  const best = new Map<string, RoundBest>();
  for (const lap of laps) {
    if (!lap.counted) continue;
    const b = best.get(lap.car);
    if (!b || lap.timeUs < b.timeUs || (lap.timeUs === b.timeUs && lap.endUs < b.postedUs)) best.set(lap.car, { timeUs: lap.timeUs, postedUs: lap.endUs });
  }
  return best;
}

/** Owner points of a car; 0 when not given. */
export function ownerPointsOf(points: Readonly<Record<string, number>>, car: string): number {
  return Object.hasOwn(points, car) ? points[car]! : 0;
}

/**
 * R-QUAL-5: a round's entrants by best speed, fastest first — the least lap time to the
 * µs, the track being the same length for all; identical times by owner points (more
 * first), then by who posted first (earlier end crossing). Trucks without a time last,
 * in field order; field order also settles whatever else is equal.
 */
export function rankRound(
  field: readonly QualifyingEntry[],
  entered: ReadonlySet<string>,
  best: ReadonlyMap<string, RoundBest>,
  points: Readonly<Record<string, number>>,
): Placing[] {
  const rows = field
    .map((e, i) => ({ e, i, b: best.get(e.car), p: ownerPointsOf(points, e.car) }))
    .filter((r) => entered.has(r.e.car));
  rows.sort((x, y) => {
    if (x.b && y.b) return x.b.timeUs - y.b.timeUs || y.p - x.p || x.b.postedUs - y.b.postedUs || x.i - y.i;
    if (x.b || y.b) return x.b ? -1 : 1;
    return x.i - y.i;
  });
  return rows.map((r, k) => ({ pos: k + 1, car: r.e.car, driver: r.e.driver, timeUs: r.b?.timeUs ?? null, postedUs: r.b?.postedUs ?? null, ownerPoints: r.p }));
}

/** The next round's entrants: the top `advance` of this round's order. */
export function advancing(order: readonly Placing[], advance: number): Set<string> {
  return new Set(order.slice(0, advance).map((p) => p.car));
}

export interface OverallPlacing extends Placing {
  /** The round whose order placed it. */
  round: number;
}

/**
 * The overall order: the trucks of the last round begun in its order, then those out
 * in the round before in that round's order, and so on back to the first. `orders`: each
 * round's order, first round first, up to the last one begun.
 */
export function overallOrder(orders: ReadonlyArray<readonly Placing[]>): OverallPlacing[] {
  const placed = new Set<string>();
  const out: OverallPlacing[] = [];
  for (let r = orders.length - 1; r >= 0; r--) {
    for (const p of orders[r]!) {
      if (placed.has(p.car)) continue;
      placed.add(p.car);
      out.push({ ...p, pos: out.length + 1, round: r + 1 });
    }
  }
  return out;
}

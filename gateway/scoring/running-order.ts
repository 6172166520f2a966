// The running order at an instant, as R-SF-5 freezes it: laps completed, then the last
// scoring loop passed (its place along the lap), then the time at that loop.
import type { SetupEntry } from '../event-setup.js';
import { lastLapAt, type LapChart } from './laps.js';
import type { Passing } from './passing.js';
import type { TrackMap } from './track-map.js';

export interface Position {
  pos: number;
  car: string;
  /** Laps completed (−1: not yet credited with the green crossing). */
  laps: number;
  /** The last scoring loop passed since (its start/finish loop when none). */
  loop: number | null;
  /** Time at that loop (µs, gateway clock). */
  atUs: number | null;
  /** Where that loop lies along the lap (m). */
  lapPositionM: number;
}

/** Index of the last passing at or before atUs in a time-ordered list, or −1. */
function lastAt(list: readonly Passing[], atUs: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.atUs <= atUs) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * `points`: each truck's passings of loops other than start/finish, time-ordered.
 * Field order (entry order) settles exact ties so nothing depends on arrival.
 */
export function runningOrder(atUs: number, field: readonly SetupEntry[], chart: LapChart, points: ReadonlyMap<string, readonly Passing[]>, map: TrackMap): Position[] {
  const rows = field.map((e, index) => {
    const lap = lastLapAt(chart.byCar.get(e.car) ?? [], atUs);
    if (!lap) return { index, p: { pos: 0, car: e.car, laps: -1, loop: null, atUs: null, lapPositionM: 0 } as Position };
    const list = points.get(e.car) ?? [];
    const i = lastAt(list, atUs);
    const q = i >= 0 ? list[i]! : null;
    const p: Position =
      q && q.atUs > lap.passingUs
        ? { pos: 0, car: e.car, laps: lap.lap, loop: q.loop, atUs: q.atUs, lapPositionM: map.lapPositionM(q.loop) }
        : { pos: 0, car: e.car, laps: lap.lap, loop: lap.loop, atUs: lap.scoredUs, lapPositionM: 0 };
    return { index, p };
  });
  // R-SF-5: laps, then the loop furthest along the lap, then the earliest there.
  rows.sort((a, b) => b.p.laps - a.p.laps || b.p.lapPositionM - a.p.lapPositionM || (a.p.atUs ?? 0) - (b.p.atUs ?? 0) || a.index - b.index);
  return rows.map((r, i) => ({ ...r.p, pos: i + 1 }));
}

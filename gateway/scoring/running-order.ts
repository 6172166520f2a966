// The running order at an instant, as R-SF-5 freezes it: laps completed, then the last
// scoring loop passed (its place along the lap), then the time at that loop.
import type { SetupEntry } from '../event-setup.js';
import { lastLapAt, type CreditedLap, type LapChart } from './laps.js';
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
  return ranked(field.map((e) => positionAt(atUs, e.car, chart.byCar.get(e.car) ?? [], points.get(e.car) ?? [], map)));
}

/** One truck's place at an instant (pos 0 until ranked): `laps` its credited laps, `points` as for runningOrder. */
export function positionAt(atUs: number, car: string, laps: readonly CreditedLap[], points: readonly Passing[], map: TrackMap): Position {
  const lap = lastLapAt(laps, atUs);
  if (!lap) return { pos: 0, car, laps: -1, loop: null, atUs: null, lapPositionM: 0 };
  const i = lastAt(points, atUs);
  const q = i >= 0 ? points[i]! : null;
  return q && q.atUs > lap.passingUs
    ? { pos: 0, car, laps: lap.lap, loop: q.loop, atUs: q.atUs, lapPositionM: map.lapPositionM(q.loop) }
    : { pos: 0, car, laps: lap.lap, loop: lap.loop, atUs: lap.scoredUs, lapPositionM: 0 };
}

/** The field's places (in entry order) ranked: R-SF-5's order. */
export function ranked(places: readonly Position[]): Position[] {
  const rows = places.map((p, index) => ({ index, p }));
  // R-SF-5: laps, then the loop furthest along the lap, then the earliest there.
  rows.sort((a, b) => b.p.laps - a.p.laps || b.p.lapPositionM - a.p.lapPositionM || (a.p.atUs ?? 0) - (b.p.atUs ?? 0) || a.index - b.index);
  return rows.map((r, i) => ({ ...r.p, pos: i + 1 }));
}

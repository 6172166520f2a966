// Crossings of a start/finish line, one truck at a time: the passings of a
// start/finish loop (track or pit road), and the crossings its loops missed, inferred
// from the loops before and after (R-SF-9). Each gets its scored time, the nose at the
// line (R-SF-1).
import type { SetupEntry } from '../event-setup.js';
import { byTime, elapsedUs, type Passing } from './passing.js';
import type { TrackMap } from './track-map.js';

export interface LineCrossing {
  car: string;
  /** The start/finish loop (for an inferred crossing, the one it was missed on). */
  loop: number;
  /** The transponder at the line, gateway clock (µs). */
  passingUs: number;
  /** The nose at the line (R-SF-1), speed from the loops on both sides. */
  noseUs: number;
  /** The nose at the line with the speed from the loops before it alone: for a finish (R-SF-3). */
  finishNoseUs: number;
  /** Speed at the line used for noseUs (m/s); null when nothing told it. */
  speedMps: number | null;
  /** R-SF-9: not read, inferred from the loops before and after. */
  inferred: boolean;
}

/** R-SF-9: two start/finish passings of one truck this close are one crossing (µs). */
export const DOUBLE_PASSING_US = 5_000_000;
/**
 * R-SF-1: the speeds on the two sides of the line are averaged (the stretch from the
 * loop before to the loop after) unless one is under this share of the other: then the
 * truck stood on that side (its box, a red flag) and the faster side alone tells its
 * speed at the line.
 */
export const EVEN_SPEED_RATIO = 0.5;
/** How far to look for the neighbouring loops of a crossing (passings). */
const NEIGHBOUR_REACH = 12;

interface Side {
  passing: Passing;
  distanceM: number;
}

function speedMps(from: Passing, to: Passing, distanceM: number): number | null {
  const dt = elapsedUs(from, to);
  return dt > 0 && distanceM > 0 ? distanceM / (dt / 1e6) : null;
}

/**
 * One truck's line crossings, kept as its passings change (update() with `from` null
 * walks them from the start). update() walks again only from where a change can reach. A read
 * crossing looks ahead for its speed at most NEIGHBOUR_REACH passings, and no further
 * than the first loop that is not a line; everything else depends on the passings
 * before it alone. So the walk resumes just before the read crossings that could see
 * the first changed passing, from the state it had there.
 */
export class CrossingTrack {
  /** The passings the walk uses: known loops, a loop heard twice within seconds once. */
  private readonly known: Passing[] = [];
  // The walk's state before known[i] (at known.length: after the last): the last line
  // crossing's time, the index in `known` of the last loop passing (not a line) or −1,
  // whether a line was heard since, how many crossings were found.
  private readonly lastLineAt: number[] = [-Infinity];
  private readonly lastPointAt: number[] = [-1];
  private readonly lineSinceAt: boolean[] = [false];
  private readonly foundAt: number[] = [0];
  /** Crossings as found, before a crossing with no speed takes its neighbour's. */
  private readonly found: LineCrossing[] = [];
  /** The truck's crossings in time order. */
  crossings: LineCrossing[] = [];

  constructor(
    private readonly entry: SetupEntry,
    private readonly map: TrackMap,
  ) {}

  /**
   * `passings`: the truck's passings of known loops in event-time order (byTime). Every
   * one before `from` (byTime) is as it was at the last update; null: from the start.
   * Returns the index of the first crossing that differs from the last update's, or −1
   * when none does.
   */
  update(passings: readonly Passing[], from: Passing | null): number {
    const known = this.known;
    const map = this.map;
    // The passings of `known` before `from` stand.
    let kept = 0;
    if (from !== null) {
      let hi = known.length;
      while (kept < hi) {
        const mid = (kept + hi) >> 1;
        if (byTime(known[mid]!, from) < 0) kept = mid + 1;
        else hi = mid;
      }
    }
    // The walk resumes after the last loop (not a line) before them: a read crossing
    // looks ahead no further than that, nor NEIGHBOUR_REACH passings.
    let r = Math.max(0, kept - NEIGHBOUR_REACH);
    for (let j = kept - 1; j >= r; j--) {
      if (!map.isLine(known[j]!.loop)) {
        r = j + 1;
        break;
      }
    }
    let k = 0;
    if (r > 0) {
      // The first passing after the last one kept.
      const last = known[r - 1]!;
      let hi = passings.length;
      while (k < hi) {
        const mid = (k + hi) >> 1;
        if (byTime(passings[mid]!, last) <= 0) k = mid + 1;
        else hi = mid;
      }
    }
    known.length = r;
    for (const a of [this.lastLineAt, this.lastPointAt, this.lineSinceAt, this.foundAt]) a.length = r + 1;
    const state = { lastLineUs: this.lastLineAt[r]!, lastPoint: this.lastPointAt[r]!, lineSince: this.lineSinceAt[r]! };
    this.found.length = this.foundAt[r]!;
    const save = (): void => {
      this.lastLineAt.push(state.lastLineUs);
      this.lastPointAt.push(state.lastPoint);
      this.lineSinceAt.push(state.lineSince);
      this.foundAt.push(this.found.length);
    };

    // R-SF-9: one loop (not a line) heard twice within seconds is one passing read twice.
    for (; k < passings.length; k++) {
      const p = passings[k]!;
      if (!map.isLine(p.loop) && heardJustBefore(known, p)) continue;
      known.push(p);
    }

    const off = this.entry.noseOffsetM;
    for (let i = r; i < known.length; i++) {
      if (i > r) save();
      const p = known[i]!;
      if (map.isLine(p.loop)) {
        state.lineSince = true;
        // R-SF-9: a second read of one crossing (a split passing, both lines hearing it) counts once.
        if (p.atUs - state.lastLineUs < DOUBLE_PASSING_US) continue;
        state.lastLineUs = p.atUs;
        this.found.push(readCrossing(this.entry, known, i, map));
        continue;
      }
      const lastPoint = state.lastPoint >= 0 ? known[state.lastPoint]! : null;
      if (lastPoint && !state.lineSince) {
        // R-SF-9: from a loop before the line to one after it with no line read between.
        const route = map.route(lastPoint.loop, p.loop);
        if (route && route.lines.length === 1) {
          const line = route.lines[0]!;
          const dt = elapsedUs(lastPoint, p);
          if (dt > 0) {
            const passingUs = lastPoint.atUs + (dt * line.atM) / route.distanceM;
            // Interpolated by distance; the nose is `off` metres ahead of the transponder (R-SF-1).
            const noseUs = lastPoint.atUs + (dt * (line.atM - off)) / route.distanceM;
            if (passingUs - state.lastLineUs >= DOUBLE_PASSING_US) {
              state.lastLineUs = passingUs;
              this.found.push({ car: this.entry.car, loop: line.loop.id, passingUs, noseUs, finishNoseUs: noseUs, speedMps: route.distanceM / (dt / 1e6), inferred: true });
            }
          }
        }
      }
      state.lastPoint = i;
      state.lineSince = false;
    }
    if (known.length > r) save();

    const before = this.crossings;
    const after = withSpeeds(this.found, off);
    // Unchanged crossings stay the same objects.
    let first = 0;
    while (first < after.length && first < before.length && sameCrossing(before[first]!, after[first]!)) first++;
    for (let i = first + 1; i < after.length && i < before.length; i++) if (sameCrossing(before[i]!, after[i]!)) after[i] = before[i]!;
    for (let i = 0; i < first; i++) after[i] = before[i]!;
    this.crossings = after;
    return first === after.length && first === before.length ? -1 : first;
  }
}

/** R-SF-9: the same loop heard for this truck less than DOUBLE_PASSING_US before `p` (`known` ends before it). */
function heardJustBefore(known: readonly Passing[], p: Passing): boolean {
  for (let j = known.length - 1; j >= 0; j--) {
    const q = known[j]!;
    if (p.atUs - q.atUs >= DOUBLE_PASSING_US) return false;
    if (q.loop === p.loop) return true;
  }
  return false;
}

/** Two crossings alike in every field. */
export function sameCrossing(a: LineCrossing, b: LineCrossing): boolean {
  return (
    a === b ||
    (a.car === b.car &&
      a.loop === b.loop &&
      a.passingUs === b.passingUs &&
      a.noseUs === b.noseUs &&
      a.finishNoseUs === b.finishNoseUs &&
      a.speedMps === b.speedMps &&
      a.inferred === b.inferred)
  );
}

/** R-SF-1 for a read crossing: the nearest loops before and after it on the truck's path. */
function readCrossing(entry: SetupEntry, known: readonly Passing[], i: number, map: TrackMap): LineCrossing {
  const p = known[i]!;
  const before = neighbour(known, i, -1, map);
  const after = neighbour(known, i, +1, map);
  const vb = before ? speedMps(before.passing, p, before.distanceM) : null;
  const va = after ? speedMps(p, after.passing, after.distanceM) : null;
  let v: number | null = vb ?? va;
  if (vb !== null && va !== null) {
    if (Math.min(vb, va) >= EVEN_SPEED_RATIO * Math.max(vb, va)) {
      // From the loop before to the loop after; on one board by its clock alone (offsets cancel).
      v = speedMps(before!.passing, after!.passing, before!.distanceM + after!.distanceM) ?? Math.max(vb, va);
    } else {
      v = Math.max(vb, va);
    }
  }
  // A finishing truck slows once past the line (R-SF-3): the loops before it alone,
  // unless it stood on that side (its box just before a pit road line).
  const vFinish = vb !== null && (va === null || vb >= EVEN_SPEED_RATIO * va) ? vb : v;
  const off = entry.noseOffsetM;
  return {
    car: entry.car,
    loop: p.loop,
    passingUs: p.atUs,
    noseUs: v === null ? p.atUs : p.atUs - (off / v) * 1e6,
    finishNoseUs: vFinish === null ? p.atUs : p.atUs - (off / vFinish) * 1e6,
    speedMps: v,
    inferred: false,
  };
}

/**
 * The nearest loop (not a start/finish loop) heard before (dir −1) or after (+1) the
 * line passing at i, on the way to or from that line with no other line between.
 */
function neighbour(known: readonly Passing[], i: number, dir: -1 | 1, map: TrackMap): Side | null {
  const p = known[i]!;
  for (let j = i + dir, n = 0; j >= 0 && j < known.length && n < NEIGHBOUR_REACH; j += dir, n++) {
    const q = known[j]!;
    if (map.isLine(q.loop)) {
      if (Math.abs(q.atUs - p.atUs) < DOUBLE_PASSING_US) continue; // the same crossing read twice
      return null;
    }
    const route = dir < 0 ? map.route(q.loop, p.loop) : map.route(p.loop, q.loop);
    if (!route || route.lines.length > 0 || route.distanceM >= map.lengthM) return null;
    return { passing: q, distanceM: route.distanceM };
  }
  return null;
}

/**
 * A crossing no loop around it timed takes the speed of the truck's nearest crossing
 * that has one (the nearer earlier one first, as filled). `found` is left as it is.
 */
function withSpeeds(found: readonly LineCrossing[], off: number): LineCrossing[] {
  const xs = found.slice();
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x.speedMps !== null) continue;
    let v: number | null = null;
    for (let d = 1; d < xs.length && v === null; d++) v = xs[i - d]?.speedMps ?? xs[i + d]?.speedMps ?? null;
    if (v === null) continue;
    const noseUs = x.passingUs - (off / v) * 1e6;
    xs[i] = { ...x, speedMps: v, noseUs, finishNoseUs: noseUs };
  }
  return xs;
}

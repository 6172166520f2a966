// Crossings of a start/finish line, one truck at a time: the passings of a
// start/finish loop (track or pit road), and the crossings its loops missed, inferred
// from the loops before and after (R-SF-9). Each gets its scored time, the nose at the
// line (R-SF-1).
import type { SetupEntry } from '../event-setup.js';
import { elapsedUs, type Passing } from './passing.js';
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

/** The passings of one truck in event-time order → its line crossings in time order. */
export function lineCrossings(entry: SetupEntry, passings: readonly Passing[], map: TrackMap): LineCrossing[] {
  const out: LineCrossing[] = [];
  const off = entry.noseOffsetM;
  const known = withoutRepeats(passings.filter((p) => map.loop(p.loop) !== undefined), map);
  let lastLineUs = -Infinity;
  let lastPoint: Passing | null = null;
  let lineSince = false;
  for (let i = 0; i < known.length; i++) {
    const p = known[i]!;
    if (map.isLine(p.loop)) {
      lineSince = true;
      // R-SF-9: a second read of one crossing (a split passing, both lines hearing it) counts once.
      if (p.atUs - lastLineUs < DOUBLE_PASSING_US) continue;
      lastLineUs = p.atUs;
      out.push(readCrossing(entry, known, i, map));
      continue;
    }
    if (lastPoint && !lineSince) {
      // R-SF-9: from a loop before the line to one after it with no line read between.
      const route = map.route(lastPoint.loop, p.loop);
      if (route && route.lines.length === 1) {
        const line = route.lines[0]!;
        const dt = elapsedUs(lastPoint, p);
        if (dt > 0) {
          const passingUs = lastPoint.atUs + (dt * line.atM) / route.distanceM;
          // Interpolated by distance; the nose is `off` metres ahead of the transponder (R-SF-1).
          const noseUs = lastPoint.atUs + (dt * (line.atM - off)) / route.distanceM;
          if (passingUs - lastLineUs >= DOUBLE_PASSING_US) {
            lastLineUs = passingUs;
            out.push({ car: entry.car, loop: line.loop.id, passingUs, noseUs, finishNoseUs: noseUs, speedMps: route.distanceM / (dt / 1e6), inferred: true });
          }
        }
      }
    }
    lastPoint = p;
    lineSince = false;
  }
  fillUnknownSpeeds(out, off);
  return out;
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
 * One loop (not a line) heard twice for one truck within seconds is one passing read
 * twice (a split passing): a repeat would otherwise look like a whole lap driven.
 */
function withoutRepeats(passings: readonly Passing[], map: TrackMap): Passing[] {
  const last = new Map<number, number>();
  return passings.filter((p) => {
    if (map.isLine(p.loop)) return true;
    const prev = last.get(p.loop);
    if (prev !== undefined && p.atUs - prev < DOUBLE_PASSING_US) return false;
    last.set(p.loop, p.atUs);
    return true;
  });
}

/** A crossing no loop around it timed takes the speed of the truck's nearest crossing that has one. */
function fillUnknownSpeeds(xs: LineCrossing[], off: number): void {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x.speedMps !== null) continue;
    let v: number | null = null;
    for (let d = 1; d < xs.length && v === null; d++) v = xs[i - d]?.speedMps ?? xs[i + d]?.speedMps ?? null;
    if (v === null) continue;
    x.speedMps = v;
    x.noseUs = x.passingUs - (off / v) * 1e6;
    x.finishNoseUs = x.noseUs;
  }
}

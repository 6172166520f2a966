// A vehicle's progress along a path (the track or pit road) as a function of time.
// Positions are metres along the path, times are µs (plain numbers), speeds m/s.
// Position never decreases, and every motion has an exact inverse, so the simulator
// can jump straight to the moment a vehicle reaches a loop instead of stepping.

export interface PathMotion {
  /** Metres along the path at time tUs. Non-decreasing in tUs. */
  positionAt(tUs: number): number;
  /**
   * The first time the position reaches positionM: inf { t : positionAt(t) >= positionM }.
   * -Infinity when the vehicle was always at or past it, +Infinity when it never gets there.
   */
  timeAt(positionM: number): number;
  /** m/s at time tUs. */
  speedAt(tUs: number): number;
}

const US_PER_S = 1e6;

function finite(what: string, x: number): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${what} must be a finite number (got ${String(x)})`);
}

function nonNegative(what: string, x: number): void {
  finite(what, x);
  if (x < 0) throw new RangeError(`${what} must be >= 0 (got ${x})`);
}

/** Constant speed through (startUs, startM), for all time. */
export function constantSpeed(startUs: number, startM: number, speedMps: number): PathMotion {
  finite('startUs', startUs);
  finite('startM', startM);
  nonNegative('speedMps', speedMps);
  return {
    positionAt: (tUs) => (speedMps === 0 ? startM : startM + (speedMps * (tUs - startUs)) / US_PER_S),
    timeAt: (positionM) => {
      if (speedMps === 0) return positionM <= startM ? -Infinity : Infinity;
      return startUs + ((positionM - startM) * US_PER_S) / speedMps;
    },
    speedAt: () => speedMps,
  };
}

/**
 * One constant-acceleration piece, from the speed the previous piece ended with to
 * `toSpeedMps`, over either a distance or a duration. `toSpeedMps` equal to the
 * current speed holds it (standing still when both are 0, which needs a duration).
 */
export type MotionSegment = { toSpeedMps: number; distanceM: number } | { toSpeedMps: number; durationUs: number };

export interface MotionStart {
  startUs: number;
  startM: number;
  /** Speed at startUs; also the speed before it (the motion extends backwards at it). */
  speedMps: number;
}

/**
 * Piecewise constant acceleration: before `start` and after the last segment the
 * vehicle keeps a constant speed. Pit road, for example: brake to the limit, hold it
 * along pit road, accelerate away.
 */
export function piecewiseMotion(start: MotionStart, segments: readonly MotionSegment[]): PathMotion {
  finite('start.startUs', start.startUs);
  finite('start.startM', start.startM);
  nonNegative('start.speedMps', start.speedMps);

  // Piece k starts at (t0[k], x0[k]) with speed v0[k] and acceleration acc[k] (m/s²);
  // piece 0 is the constant-speed lead-in, the last piece the constant-speed run-out.
  const pieces: MotionPiece[] = [];
  let t = start.startUs;
  let x = start.startM;
  let v = start.speedMps;
  segments.forEach((seg, i) => {
    const what = `segments[${i}]`;
    nonNegative(`${what}.toSpeedMps`, seg.toSpeedMps);
    const v1 = seg.toSpeedMps;
    let durS: number;
    let dist: number;
    if ('distanceM' in seg) {
      finite(`${what}.distanceM`, seg.distanceM);
      if (seg.distanceM <= 0) throw new RangeError(`${what}.distanceM must be > 0 (got ${seg.distanceM})`);
      if (v + v1 <= 0) throw new RangeError(`${what}: cannot cover ${seg.distanceM} m starting and ending at 0 m/s`);
      dist = seg.distanceM;
      durS = (2 * dist) / (v + v1);
    } else {
      finite(`${what}.durationUs`, seg.durationUs);
      if (seg.durationUs <= 0) throw new RangeError(`${what}.durationUs must be > 0 (got ${seg.durationUs})`);
      durS = seg.durationUs / US_PER_S;
      dist = ((v + v1) / 2) * durS;
    }
    pieces.push({ startUs: t, startM: x, speedMps: v, accelMps2: (v1 - v) / durS });
    t += durS * US_PER_S;
    x += dist;
    v = v1;
  });
  pieces.push({ startUs: t, startM: x, speedMps: v, accelMps2: 0 });
  return pieceMotion(pieces);
}

/** One piece of constant acceleration from its start until the next piece's start. */
export interface MotionPiece {
  startUs: number;
  startM: number;
  speedMps: number;
  accelMps2: number;
}

/**
 * Motion from absolute pieces, in time order, each starting where the one before
 * ends. Before the first piece the vehicle keeps the first piece's speed (backwards
 * in time); the last piece lasts for ever and must not brake. Starting every piece at
 * its own absolute (time, position) keeps long motions (a whole race) free of drift.
 */
export function pieceMotion(pieces: readonly MotionPiece[]): PathMotion {
  if (pieces.length === 0) throw new RangeError('a motion needs at least one piece');
  pieces.forEach((p, i) => {
    finite(`pieces[${i}].startUs`, p.startUs);
    finite(`pieces[${i}].startM`, p.startM);
    nonNegative(`pieces[${i}].speedMps`, p.speedMps);
    finite(`pieces[${i}].accelMps2`, p.accelMps2);
    if (i > 0 && (p.startUs < pieces[i - 1]!.startUs || p.startM < pieces[i - 1]!.startM)) {
      throw new RangeError(`pieces[${i}] starts before pieces[${i - 1}]`);
    }
  });
  const last = pieces[pieces.length - 1]!;
  if (last.accelMps2 !== 0) throw new RangeError('the last piece lasts for ever: it must hold its speed');
  const t0: number[] = [-Infinity];
  const x0: number[] = [-Infinity];
  const v0: number[] = [pieces[0]!.speedMps];
  const acc: number[] = [0];
  for (const p of pieces) {
    t0.push(p.startUs);
    x0.push(p.startM);
    v0.push(p.speedMps);
    acc.push(p.accelMps2);
  }
  const n = t0.length;
  const start = pieces[0]!;
  // Piece 0 is anchored at the start point, reached at the end of the lead-in.
  const endT = (k: number): number => (k + 1 < n ? t0[k + 1]! : Infinity);
  const endX = (k: number): number => (k + 1 < n ? x0[k + 1]! : Infinity);

  // The last piece k with t0[k] <= tUs (piece 0 has t0 = -Infinity).
  const pieceAtTime = (tUs: number): number => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (t0[mid]! <= tUs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  // The first piece whose end reaches positionM: standing pieces share their end
  // position with the piece before, so this finds the earliest arrival.
  const pieceAtPosition = (positionM: number): number => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (endX(mid) >= positionM) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  const startUs = start.startUs;
  const startM = start.startM;
  return {
    positionAt(tUs) {
      const k = pieceAtTime(tUs);
      if (k === 0) return v0[0] === 0 ? startM : startM + (v0[0]! * (tUs - startUs)) / US_PER_S;
      const dt = (tUs - t0[k]!) / US_PER_S;
      const p = x0[k]! + v0[k]! * dt + 0.5 * acc[k]! * dt * dt;
      // Clamp to the piece so rounding can never make the position step backwards.
      return Math.min(Math.max(p, x0[k]!), endX(k));
    },
    timeAt(positionM) {
      const k = pieceAtPosition(positionM);
      if (k === 0) {
        if (v0[0] === 0) return -Infinity;
        return startUs + ((positionM - startM) * US_PER_S) / v0[0]!;
      }
      const va = v0[k]!;
      const a = acc[k]!;
      if (k === n - 1 && va === 0) return positionM <= x0[k]! ? t0[k]! : Infinity;
      const d = positionM - x0[k]!;
      if (d <= 0) return t0[k]!;
      if (va === 0 && a === 0) return t0[k]!;
      // Root of a/2·dt² + va·dt − d = 0 in the form that stays accurate when a → 0.
      const disc = Math.max(0, va * va + 2 * a * d);
      const dt = (2 * d) / (va + Math.sqrt(disc));
      return Math.min(t0[k]! + dt * US_PER_S, endT(k));
    },
    speedAt(tUs) {
      const k = pieceAtTime(tUs);
      if (k === 0) return v0[0]!;
      const dt = (tUs - t0[k]!) / US_PER_S;
      const vEnd = k + 1 < n ? v0[k + 1]! : v0[k]!;
      const s = v0[k]! + acc[k]! * dt;
      return Math.min(Math.max(s, Math.min(v0[k]!, vEnd)), Math.max(v0[k]!, vEnd));
    },
  };
}

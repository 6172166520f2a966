// Builds a vehicle's motion along one path piece by piece, in absolute time and
// position: hold a speed, ramp to another, brake to a point, stand. Each piece
// starts at the (time, position) the previous one ended at; `snap` pins a point the
// plan knows exactly (a lap's end), so a 200-lap race carries no rounding drift.
import { pieceMotion, type MotionPiece, type PathMotion } from './motion.js';

const US = 1e6;

export class Course {
  readonly pieces: MotionPiece[] = [];
  tUs: number;
  xM: number;
  vMps: number;

  constructor(tUs: number, xM: number, vMps: number) {
    this.tUs = tUs;
    this.xM = xM;
    this.vMps = vMps;
  }

  private push(accel: number, durS: number): this {
    if (!(durS >= 0) || !Number.isFinite(durS)) throw new RangeError(`a motion piece needs a duration >= 0 (got ${durS})`);
    if (durS === 0) return this;
    this.pieces.push({ startUs: this.tUs, startM: this.xM, speedMps: this.vMps, accelMps2: accel });
    this.xM += this.vMps * durS + 0.5 * accel * durS * durS;
    this.vMps = Math.max(0, this.vMps + accel * durS);
    this.tUs += durS * US;
    return this;
  }

  /** Keep the speed for a time. */
  hold(durS: number): this {
    return this.push(0, durS);
  }

  /** Keep the speed until the position reaches xM. */
  holdTo(xM: number): this {
    if (xM <= this.xM) return this;
    if (this.vMps <= 0) throw new RangeError(`standing still, the vehicle never reaches ${xM} m`);
    this.push(0, (xM - this.xM) / this.vMps);
    this.xM = xM;
    return this;
  }

  /** Change speed evenly over a time. */
  ramp(toMps: number, durS: number): this {
    return durS > 0 ? this.push((toMps - this.vMps) / durS, durS) : this;
  }

  /** Constant acceleration to `toMps`, arriving exactly at xM. */
  rampTo(toMps: number, xM: number): this {
    const d = xM - this.xM;
    if (d <= 0) return this;
    if (this.vMps + toMps <= 0) throw new RangeError(`cannot cover ${d} m starting and ending at rest`);
    this.push((toMps * toMps - this.vMps * this.vMps) / (2 * d), (2 * d) / (this.vMps + toMps));
    this.xM = xM;
    this.vMps = toMps;
    return this;
  }

  /** Accelerate (or brake) at |accel| until the speed is `toMps`. */
  accelTo(toMps: number, accelMps2: number): this {
    const a = Math.abs(accelMps2) * Math.sign(toMps - this.vMps);
    if (a === 0) return this;
    this.push(a, (toMps - this.vMps) / a);
    this.vMps = toMps;
    return this;
  }

  /** Stand still until a time (the speed must be 0). */
  standUntil(tUs: number): this {
    if (this.vMps !== 0) throw new RangeError('only a vehicle at rest can stand');
    if (tUs > this.tUs) {
      this.pieces.push({ startUs: this.tUs, startM: this.xM, speedMps: 0, accelMps2: 0 });
      this.tUs = tUs;
    }
    return this;
  }

  /**
   * One piece of even acceleration from here to exactly (tUs, xM), whatever speed it
   * ends with: a stretch the plan does not see (the truck is on another path then).
   */
  stretchTo(tUs: number, xM: number): this {
    const dt = (tUs - this.tUs) / US;
    const d = xM - this.xM;
    if (!(dt > 0) || d < 0) throw new RangeError(`cannot stretch ${d} m over ${dt} s`);
    const accel = (2 * (d - this.vMps * dt)) / (dt * dt);
    // An end speed below 0 would run backwards: hold the distance evenly instead.
    if (this.vMps + accel * dt < 0) this.vMps = d / dt;
    this.push(this.vMps + accel * dt < 0 ? 0 : (2 * (d - this.vMps * dt)) / (dt * dt), dt);
    return this.snap(tUs, xM);
  }

  /** The first time the position reaches xM, from the pieces so far (the last one held). */
  timeAt(xM: number): number {
    for (let i = this.pieces.length - 1; i >= -1; i--) {
      const p = i >= 0 ? this.pieces[i]! : null;
      if (p && p.startM > xM) continue;
      const startUs = p ? p.startUs : this.tUs;
      const startM = p ? p.startM : this.xM;
      const v = p ? p.speedMps : this.vMps;
      const a = p ? p.accelMps2 : 0;
      // Does this piece (or the held end) reach xM before the next starts?
      const next = i + 1 < this.pieces.length ? this.pieces[i + 1]! : null;
      const endM = p ? (next ? next.startM : this.xM) : Infinity;
      if (p && xM > endM) return Infinity;
      const d = xM - startM;
      if (d <= 0) return startUs;
      const disc = Math.max(0, v * v + 2 * a * d);
      const dt = (2 * d) / (v + Math.sqrt(disc));
      const endUs = p ? (next ? next.startUs : this.tUs) : Infinity;
      return Math.min(startUs + dt * US, endUs);
    }
    return -Infinity;
  }

  /** Pins the current point to values the plan knows exactly (they differ by rounding only). */
  snap(tUs: number, xM: number): this {
    this.tUs = tUs;
    this.xM = xM;
    return this;
  }

  /** The motion so far, holding the final speed for ever after; `shiftUs` moves it in time. */
  motion(shiftUs = 0): PathMotion {
    const all = [...this.pieces, { startUs: this.tUs, startM: this.xM, speedMps: this.vMps, accelMps2: 0 }];
    return pieceMotion(shiftUs === 0 ? all : all.map((p) => ({ ...p, startUs: p.startUs + shiftUs })));
  }
}

/**
 * A stretch of `distanceM` in exactly `durationS`, from speed `fromMps` to `toMps`,
 * with a smooth middle: hold the entry speed briefly, ramp to a cruise speed, hold
 * it, ramp to the exit speed, hold briefly. Holding the speed around each end keeps
 * the vehicle at an even speed over the loops there. Returns the cruise speed.
 */
export function timedStretch(course: Course, distanceM: number, durationS: number, fromMps: number, toMps: number): number {
  const h = 0.06 * durationS;
  const tau = 0.18 * durationS;
  const cruise = (distanceM - (h + tau / 2) * (fromMps + toMps)) / (durationS - 2 * h - tau);
  if (!(cruise > 0)) throw new RangeError(`cannot run ${distanceM} m in ${durationS} s entering at ${fromMps} m/s and leaving at ${toMps} m/s`);
  course.hold(h).ramp(cruise, tau).hold(durationS - 2 * h - 2 * tau).ramp(toMps, tau).hold(h);
  return cruise;
}

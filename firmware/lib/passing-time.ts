// Finds when a transponder crossed a loop line from the hits of one crossing: the
// transponder's passing, from which race control scores the nose (R-SF-1).
//
// A loop is two wires across the track. The decoder hears |f(x)|, the vertical field
// of the two wires at the transponder: a main lobe between the wires, a null just
// outside each wire and weaker outer lobes beyond. With x = (t - c)·v, in units of
// half the wire spacing and with k = height / half spacing, the shape is
//     g(u) = (u + 1)/((u + 1)² + k²) − (u − 1)/((u − 1)² + k²),   u = (t − c)·w
// so a crossing is s(t) = A·|g((t − c)·w)| with four unknowns: amplitude A, the
// crossing time c, the rate w (speed over half the spacing) and k (height).
// The strongest hit is not the crossing time (hits come every ~1.5 ms, jittered,
// some lost), so the board fits the whole shape — main and outer lobes — by
// weighted least squares: a coarse search over (c, w) with A solved exactly,
// then Levenberg–Marquardt on all four. Only scratch buffers; nothing allocated.

/** Receiver noise model for the weights: σ² = (RHO·s)² + S0². */
const RHO: f64 = 0.03;
const S0: f64 = 5.0;
/** Main-lobe hits are those above this share of the peak. */
const MAIN_LOBE_SHARE: f64 = 0.3;
/** u where g(u)/g(0) = 0.3 for k = 1: the main lobe's 30% half-width in u. */
const MAIN_LOBE_U: f64 = 1.09;
const K_MIN: f64 = 0.3;
const K_MAX: f64 = 3.0;
const LM_ITERATIONS: i32 = 15;
/** Transponders transmit about this often (µs). */
const NOMINAL_INTERVAL_US: f64 = 1500.0;
/**
 * χ² per degree of freedom a fit must reach to skip the remaining starts. A right fit
 * exceeds 3 about once in 2,000 (11 degrees of freedom); a wrong local fit by far.
 */
const GOOD_CHI2: f64 = 3.0;
/** A centre step smaller than this (µs) counts as settled. */
const SETTLED_US: f64 = 1.0;

export const MAX_FIT_HITS: i32 = 128;
/** Hit times (µs, relative to the first hit) and strengths, filled by the caller. */
export const FIT_T = memory.data(MAX_FIT_HITS * 8);
export const FIT_S = memory.data(MAX_FIT_HITS * 8);
const FIT_W = memory.data(MAX_FIT_HITS * 8);

@inline function t(i: i32): f64 {
  return load<f64>(FIT_T + (<usize>i << 3));
}
@inline function s(i: i32): f64 {
  return load<f64>(FIT_S + (<usize>i << 3));
}
@inline function wt(i: i32): f64 {
  return load<f64>(FIT_W + (<usize>i << 3));
}

@inline function shapeOnly(u: f64, k: f64): f64 {
  const p = u + 1.0;
  const m = u - 1.0;
  const k2 = k * k;
  const dp = p * p + k2;
  const dm = m * m + k2;
  return (p * dm - m * dp) / (dp * dm);
}

/** Weighted cost at (c, w, k) with the best amplitude; sets `bestA`. */
let bestA: f64 = 0;
function projectedCost(n: i32, c: f64, w: f64, k: f64): f64 {
  let sgs: f64 = 0;
  let sgg: f64 = 0;
  let sss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const g = Math.abs(shapeOnly((t(i) - c) * w, k));
    const ww = wt(i);
    sgs += ww * g * s(i);
    sgg += ww * g * g;
    sss += ww * s(i) * s(i);
  }
  if (sgg <= 0) {
    bestA = 0;
    return sss;
  }
  bestA = sgs / sgg;
  return sss - (sgs * sgs) / sgg;
}

// Normal equations of one LM step, 4×4 symmetric, and the gradient.
const H = memory.data(16 * 8);
const G = memory.data(4 * 8);
const H2 = memory.data(16 * 8); // at the candidate point
const G2 = memory.data(4 * 8);
const D = memory.data(4 * 8);

@inline function h(r: i32, c: i32): f64 {
  return load<f64>(H + (<usize>(r * 4 + c) << 3));
}

/**
 * Solves (H + λ·diag H)·d = −G by Cholesky (the matrix is symmetric and, damped,
 * positive definite); false when it is not numerically. Unrolled in locals: it runs
 * once per LM step.
 */
function solve(lambda: f64): bool {
  const f = 1.0 + lambda;
  const a00 = h(0, 0) * f + 1e-12;
  const a11 = h(1, 1) * f + 1e-12;
  const a22 = h(2, 2) * f + 1e-12;
  const a33 = h(3, 3) * f + 1e-12;
  if (!(a00 > 0)) return false;
  const l00 = Math.sqrt(a00);
  const l10 = h(1, 0) / l00;
  const l20 = h(2, 0) / l00;
  const l30 = h(3, 0) / l00;
  const q11 = a11 - l10 * l10;
  if (!(q11 > 0)) return false;
  const l11 = Math.sqrt(q11);
  const l21 = (h(2, 1) - l20 * l10) / l11;
  const l31 = (h(3, 1) - l30 * l10) / l11;
  const q22 = a22 - l20 * l20 - l21 * l21;
  if (!(q22 > 0)) return false;
  const l22 = Math.sqrt(q22);
  const l32 = (h(3, 2) - l30 * l20 - l31 * l21) / l22;
  const q33 = a33 - l30 * l30 - l31 * l31 - l32 * l32;
  if (!(q33 > 0)) return false;
  const l33 = Math.sqrt(q33);
  // L·y = −G, then Lᵀ·d = y.
  const y0 = -load<f64>(G) / l00;
  const y1 = (-load<f64>(G + 8) - l10 * y0) / l11;
  const y2 = (-load<f64>(G + 16) - l20 * y0 - l21 * y1) / l22;
  const y3 = (-load<f64>(G + 24) - l30 * y0 - l31 * y1 - l32 * y2) / l33;
  const d3 = y3 / l33;
  const d2 = (y2 - l32 * d3) / l22;
  const d1 = (y1 - l21 * d2 - l31 * d3) / l11;
  const d0 = (y0 - l10 * d1 - l20 * d2 - l30 * d3) / l00;
  store<f64>(D, d0);
  store<f64>(D + 8, d1);
  store<f64>(D + 16, d2);
  store<f64>(D + 24, d3);
  return true;
}

/** Fitted rate w (µs⁻¹, speed over half the wire spacing) and k of the last fit; 0 when none. */
export let fittedRate: f64 = 0;
export let fittedK: f64 = 0;

/**
 * The crossing time (µs, on the FIT_T scale) of `n` hits in time order, and 0 ≤
 * result's offset within [first, last] hit. Falls back to the strongest hit when
 * there are too few hits to fit a shape.
 */
export function crossingTime(n: i32, hintRate: f64 = 0, hintK: f64 = 1): f64 {
  fittedK = 0;
  if (n <= 0) return 0;
  let peak = 0;
  for (let i = 1; i < n; i++) if (s(i) > s(peak)) peak = i;
  if (n < 4) {
    fittedRate = 0;
    return t(peak);
  }
  for (let i = 0; i < n; i++) {
    const si = s(i);
    store<f64>(FIT_W + (<usize>i << 3), 1.0 / (RHO * RHO * si * si + S0 * S0));
  }

  // Main lobe around the peak: its span gives a first rate, its top the centre.
  const floor = MAIN_LOBE_SHARE * s(peak);
  let lo = peak;
  while (lo > 0 && s(lo - 1) >= floor) lo--;
  let hi = peak;
  while (hi < n - 1 && s(hi + 1) >= floor) hi++;
  const span = t(hi) - t(lo) + NOMINAL_INTERVAL_US;
  const w0 = (2.0 * MAIN_LOBE_U) / (span > 1000.0 ? span : 1000.0);
  const c0 = parabolaTop(lo, hi, peak);

  // Several starts (rate and centre): a sparse main lobe has more than one local fit.
  let bestCost = Infinity;
  let bc = c0;
  let bw = w0;
  let bk: f64 = 1.0;
  // A fit whose residuals match the receiver noise (χ² per degree of freedom) is
  // the one: most crossings stop after the first start. The first start takes the
  // rate of this loop's last crossing when it agrees with the lobe's width (vehicles
  // pass a loop at similar speeds, so the fit needs fewer steps); the others spread
  // around the lobe's own estimate.
  const good = GOOD_CHI2 * <f64>(n - 4 > 1 ? n - 4 : 1);
  const hinted = hintRate > w0 * 0.5 && hintRate < w0 * 2.0;
  for (let start = hinted ? -1 : 0; start < 9 && bestCost > good; start++) {
    const iw = start < 0 ? 0 : start % 3;
    const ic = start < 0 ? 0 : start / 3 == 0 ? 0 : start / 3 == 1 ? -1 : 1;
    const w = start < 0 ? hintRate : w0 * (iw == 0 ? 1.0 : iw == 1 ? 0.6 : 1.6);
    const e = fit(n, c0 + (<f64>ic * 0.5) / w, w, start < 0 ? hintK : 1.0);
    if (e < bestCost) {
      bestCost = e;
      bc = fitC;
      bw = fitW;
      bk = fitK;
    }
  }
  const c = bc;
  const w = bw;
  // A fit that wandered off the hits is not believed: keep the strongest hit.
  if (!(c >= t(0) && c <= t(n - 1)) || !isFinite(c)) {
    fittedRate = w0;
    return c0;
  }
  fittedRate = w;
  fittedK = bk;
  return c;
}

/**
 * The top of a parabola fitted (least squares) through the main lobe's hits: a good
 * first guess of the centre. The strongest hit when the lobe has too few hits.
 */
function parabolaTop(lo: i32, hi: i32, peak: i32): f64 {
  if (hi - lo < 2) return t(peak);
  const t0 = t(peak);
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0, s4: f64 = 0;
  let y0: f64 = 0, y1: f64 = 0, y2: f64 = 0;
  for (let i = lo; i <= hi; i++) {
    const x = (t(i) - t0) * 1e-3; // ms keeps the sums well scaled
    const x2 = x * x;
    const y = s(i);
    s0 += 1;
    s1 += x;
    s2 += x2;
    s3 += x2 * x;
    s4 += x2 * x2;
    y0 += y;
    y1 += x * y;
    y2 += x2 * y;
  }
  // Normal equations for y = a + b·x + c·x², solved by Cramer's rule.
  const det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
  if (Math.abs(det) < 1e-12) return t0;
  const b = (s0 * (y1 * s4 - s3 * y2) - y0 * (s1 * s4 - s3 * s2) + s2 * (s1 * y2 - y1 * s2)) / det;
  const c = (s0 * (s2 * y2 - y1 * s3) - s1 * (s1 * y2 - y1 * s2) + y0 * (s1 * s3 - s2 * s2)) / det;
  if (c >= 0) return t0;
  const top = t0 - (b / (2.0 * c)) * 1e3;
  return top >= t(lo) - NOMINAL_INTERVAL_US && top <= t(hi) + NOMINAL_INTERVAL_US ? top : t0;
}

let fitC: f64 = 0;
let fitW: f64 = 0;
let fitK: f64 = 0;

/** Levenberg–Marquardt from (c, w, k) and the best amplitude; returns the cost. */
function fit(n: i32, c0: f64, w0: f64, k0: f64): f64 {
  projectedCost(n, c0, w0, k0);
  let a = bestA;
  let c = c0;
  let w = w0;
  let k = k0;
  // One pass over the hits gives both the cost at a point and its normal equations,
  // so a step is judged by the pass that also prepares the next one.
  let cur = normalEquations(n, a, c, w, k, H, G);
  let lambda: f64 = 1e-3;
  let rejected = 0;
  // Up to LM_ITERATIONS accepted steps; six rejections in a row end the fit.
  for (let it = 0; it < LM_ITERATIONS && rejected < 6; ) {
    if (!solve(lambda)) {
      lambda *= 8.0;
      rejected++;
      continue;
    }
    const na = a + load<f64>(D);
    const nc = c + load<f64>(D + 8);
    let nw = w + load<f64>(D + 16);
    let nk = k + load<f64>(D + 24);
    if (nk < K_MIN) nk = K_MIN;
    if (nk > K_MAX) nk = K_MAX;
    if (nw < w * 0.25) nw = w * 0.25;
    const e = na > 0 ? normalEquations(n, na, nc, nw, nk, H2, G2) : Infinity;
    if (!(e < cur)) {
      lambda *= 8.0;
      rejected++;
      continue;
    }
    const gain = cur - e;
    const moved = Math.abs(nc - c);
    a = na;
    c = nc;
    w = nw;
    k = nk;
    cur = e;
    memory.copy(H, H2, 16 * 8);
    memory.copy(G, G2, 4 * 8);
    lambda = lambda * 0.2 > 1e-9 ? lambda * 0.2 : 1e-9;
    rejected = 0;
    it++;
    // Done when the cost stalls, or the centre — all that is wanted — has settled.
    if (gain < cur * 1e-5 || moved < SETTLED_US) break;
  }
  fitC = c;
  fitW = w;
  fitK = k;
  return cur;
}

/** Weighted cost at (a, c, w, k); JᵀWJ into `h` (4×4) and JᵀWr into `g`. The hot loop. */
function normalEquations(n: i32, a: f64, c: f64, w: f64, k: f64, h: usize, g: usize): f64 {
  let h00: f64 = 0, h01: f64 = 0, h02: f64 = 0, h03: f64 = 0, h11: f64 = 0;
  let h12: f64 = 0, h13: f64 = 0, h22: f64 = 0, h23: f64 = 0, h33: f64 = 0;
  let g0: f64 = 0, g1: f64 = 0, g2: f64 = 0, g3: f64 = 0;
  let sum: f64 = 0;
  const k2 = k * k;
  for (let i = 0; i < n; i++) {
    const dt = t(i) - c;
    // g(u), dg/du and dg/dk, written out here: globals would not stay in registers.
    const u = dt * w;
    const p = u + 1.0;
    const m = u - 1.0;
    const dp = p * p + k2;
    const dm = m * m + k2;
    const inv = 1.0 / (dp * dm);
    const ip = dm * inv;
    const im = dp * inv;
    const g = p * ip - m * im;
    const gu = (k2 - p * p) * ip * ip - (k2 - m * m) * im * im;
    const gk = 2.0 * k * (m * im * im - p * ip * ip);
    const sg: f64 = g < 0 ? -1.0 : 1.0;
    const j0 = Math.abs(g);
    const as = a * sg;
    const j1 = -as * gu * w;
    const j2 = as * gu * dt;
    const j3 = as * gk;
    const ww = wt(i);
    const res = a * j0 - s(i);
    sum += ww * res * res;
    const r = res * ww;
    const a0 = ww * j0;
    const a1 = ww * j1;
    const a2 = ww * j2;
    const a3 = ww * j3;
    h00 += a0 * j0;
    h01 += a0 * j1;
    h02 += a0 * j2;
    h03 += a0 * j3;
    h11 += a1 * j1;
    h12 += a1 * j2;
    h13 += a1 * j3;
    h22 += a2 * j2;
    h23 += a2 * j3;
    h33 += a3 * j3;
    g0 += j0 * r;
    g1 += j1 * r;
    g2 += j2 * r;
    g3 += j3 * r;
  }
  store<f64>(h, h00);
  store<f64>(h + 8, h01);
  store<f64>(h + 16, h02);
  store<f64>(h + 24, h03);
  store<f64>(h + 32, h01);
  store<f64>(h + 40, h11);
  store<f64>(h + 48, h12);
  store<f64>(h + 56, h13);
  store<f64>(h + 64, h02);
  store<f64>(h + 72, h12);
  store<f64>(h + 80, h22);
  store<f64>(h + 88, h23);
  store<f64>(h + 96, h03);
  store<f64>(h + 104, h13);
  store<f64>(h + 112, h23);
  store<f64>(h + 120, h33);
  store<f64>(g, g0);
  store<f64>(g + 8, g1);
  store<f64>(g + 16, g2);
  store<f64>(g + 24, g3);
  return sum;
}

// The loop field sensor model: from vehicle motion to the raw transponder hits each
// loop's decoder receives (the loop board's input, firmware/ABI.md), plus the exact
// crossing times they come from. The physics and the measured figures are in
// loop-field.md. Deterministic given the seed.

import type { PathMotion } from './motion.js';
import { clampedNormal, createRng, hash32, hashSeed } from './random.js';

export interface LoopLine {
  /** Loop id 0..255 (the decoder's channel). */
  loop: number;
  /** The loop line's distance along the path (m). */
  positionM: number;
  /** Half the loop's length across the path (m); the profile's loopHalfWidthM when omitted. */
  halfWidthM?: number;
}

export interface Transponder {
  /** u32 */
  id: number;
  /** Coil height above the road (m). */
  heightM: number;
  /** Offset from the path's centreline (m). */
  lateralM: number;
  /** How far the transponder sits behind the vehicle's nose (m). */
  noseOffsetM: number;
}

/**
 * A transponder moving along the path. With `active`, it is on this path only within
 * those [from, to) µs ranges (ascending, not overlapping): a truck that leaves the
 * track for pit road is one entry per path. One transponder may then appear in
 * several entries whose ranges do not overlap.
 */
export interface FieldVehicle {
  transponder: Transponder;
  motion: PathMotion;
  active?: ReadonlyArray<readonly [number, number]>;
}

export interface LoopHit {
  /** Integer board µs. */
  timeUs: number;
  transponder: number;
  /** Decoder units, 0..4095. */
  strength: number;
  loop: number;
}

export interface LoopCrossingTruth {
  loop: number;
  transponder: number;
  /** When the transponder crosses the loop line: exact, fractional µs. */
  transponderUs: number;
  /** When the nose crosses it (the scoring point, R-SF-1). */
  noseUs: number;
  /** Speed at the transponder crossing. */
  speedMps: number;
}

export interface LoopFieldProfile {
  /** Distance between the loop's two wires (m). */
  wireSpacingM: number;
  /** Transponder height at which the peak is nominalPeak (m). */
  referenceHeightM: number;
  /** Noiseless strength at the loop line at the reference height (decoder units). */
  nominalPeak: number;
  /** Hits weaker than this are not reported (decoder units). */
  thresholdUnits: number;
  /** Relative (gain) noise, standard deviation as a fraction of the signal. */
  noiseRel: number;
  /** Additive noise, standard deviation in decoder units. */
  noiseAbs: number;
  /** Default half length of a loop across the path (m). */
  loopHalfWidthM: number;
  /** Over this distance before a loop's end the coupling tapers to 0 (m). */
  lateralTaperM: number;
  /** Mean time between a transponder's transmissions (µs). */
  intervalUs: number;
  /** Each interval is intervalUs·(1 + U(−j, j)). */
  intervalJitter: number;
  /** How long one transmission lasts (µs); overlapping ones over a loop collide. */
  burstUs: number;
  /** Standard deviation of the decoder's timestamp error (µs). */
  decoderJitterUs: number;
  /** Probability that a hit is lost on its own. */
  dropout: number;
  /** Probability that a collision destroys a transmission (see loop-field.md). */
  collisionLoss: number;
  /** Capture margin: the stronger of two colliding transmissions survives when it is more than this many dB above the weaker. */
  captureDb: number;
  /** makeTransponder draws heights uniformly from [heightMinM, heightMaxM] (m). */
  heightMinM: number;
  heightMaxM: number;
}

export const DEFAULT_PROFILE: Readonly<LoopFieldProfile> = Object.freeze({
  wireSpacingM: 0.6,
  referenceHeightM: 0.3,
  nominalPeak: 1000,
  thresholdUnits: 120,
  noiseRel: 0.03,
  noiseAbs: 4,
  loopHalfWidthM: 7.5,
  lateralTaperM: 0.5,
  intervalUs: 1500,
  intervalJitter: 0.5,
  burstUs: 100,
  decoderJitterUs: 1,
  dropout: 0.02,
  collisionLoss: 0.5,
  captureDb: 3,
  heightMinM: 0.3,
  heightMaxM: 0.3,
});

export const HARSH_PROFILE: Readonly<LoopFieldProfile> = Object.freeze({
  ...DEFAULT_PROFILE,
  noiseRel: 0.06,
  noiseAbs: 15,
  decoderJitterUs: 5,
  dropout: 0.15,
  collisionLoss: 0.9,
  heightMinM: 0.2,
  heightMaxM: 0.45,
});

/** Largest strength the 12-bit receiver reports (saturated). */
export const STRENGTH_MAX = 4095;
/** Default distance from the nose back to the transponder (m). */
export const DEFAULT_NOSE_OFFSET_M = 1.2;
/**
 * Every Gaussian draw of the model is clamped to ±this many standard deviations, so
 * the detection zone is a hard bound: no hit can come from outside it.
 */
export const NOISE_CLAMP_SIGMA = 5;
/**
 * A transponder's zone windows closer together than this many mean intervals are
 * simulated as one stretch of its transmission schedule (see loop-field.md).
 */
export const MERGE_GAP_INTERVALS = 20;

// ------------------------------------------------------------------ validation

type Check = (x: number, p: LoopFieldProfile) => string | undefined;
const positive: Check = (x) => (x > 0 ? undefined : 'must be > 0');
const nonNegative: Check = (x) => (x >= 0 ? undefined : 'must be >= 0');
const probability: Check = (x) => (x >= 0 && x <= 1 ? undefined : 'must be within 0..1');

const PROFILE_CHECKS: { [K in keyof LoopFieldProfile]: Check } = {
  wireSpacingM: positive,
  referenceHeightM: positive,
  nominalPeak: (x) => (x > 0 && x <= STRENGTH_MAX ? undefined : `must be within (0, ${STRENGTH_MAX}]`),
  thresholdUnits: (x) => (x >= 1 && x <= STRENGTH_MAX ? undefined : `must be within 1..${STRENGTH_MAX}`),
  noiseRel: (x) => (x >= 0 && x <= 1 ? undefined : 'must be within 0..1'),
  // Noise alone must not reach the threshold, otherwise hits could come from anywhere.
  noiseAbs: (x, p) =>
    x < 0
      ? 'must be >= 0'
      : NOISE_CLAMP_SIGMA * x >= p.thresholdUnits - 0.5
        ? `must be below (thresholdUnits - 0.5) / ${NOISE_CLAMP_SIGMA}: noise alone would reach the threshold`
        : undefined,
  loopHalfWidthM: positive,
  lateralTaperM: nonNegative,
  intervalUs: positive,
  intervalJitter: (x) => (x >= 0 && x < 1 ? undefined : 'must be within [0, 1)'),
  // A transponder's own transmissions must not overlap each other.
  burstUs: (x, p) =>
    x < 0 ? 'must be >= 0' : x >= p.intervalUs * (1 - p.intervalJitter) ? 'must be shorter than the shortest interval' : undefined,
  decoderJitterUs: nonNegative,
  dropout: probability,
  collisionLoss: probability,
  captureDb: nonNegative,
  heightMinM: positive,
  heightMaxM: (x, p) => (x > 0 && x >= p.heightMinM ? undefined : 'must be > 0 and >= heightMinM'),
};

/** Checks a profile; throws a RangeError naming the first bad field. Returns it unchanged. */
export function validateProfile(profile: LoopFieldProfile): LoopFieldProfile {
  if (typeof profile !== 'object' || profile === null) throw new RangeError('loop field profile must be an object');
  const known = new Set(Object.keys(PROFILE_CHECKS));
  for (const key of Object.keys(profile)) {
    if (!known.has(key)) throw new RangeError(`loop field profile: unknown field "${key}"`);
  }
  for (const key of Object.keys(PROFILE_CHECKS) as (keyof LoopFieldProfile)[]) {
    const x = profile[key];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new RangeError(`loop field profile: ${key} must be a finite number (got ${String(x)})`);
    }
  }
  for (const key of Object.keys(PROFILE_CHECKS) as (keyof LoopFieldProfile)[]) {
    const problem = PROFILE_CHECKS[key](profile[key], profile);
    if (problem) throw new RangeError(`loop field profile: ${key} ${problem} (got ${profile[key]})`);
  }
  return profile;
}

// ------------------------------------------------------------------ the field

/** Signed vertical field of two wires at ±a seen by a coil at height h, x from the loop line. */
function coupling(x: number, a: number, h: number): number {
  const u = x + a;
  const v = x - a;
  return u / (u * u + h * h) - v / (v * v + h * h);
}

/**
 * The decoder's noiseless response |f_h(x)| relative to the peak at the reference
 * height, f_ref(0) — strength is nominalPeak times this (before the lateral taper).
 */
export function fieldShape(xM: number, heightM: number, profile: LoopFieldProfile): number {
  const a = profile.wireSpacingM / 2;
  return Math.abs(coupling(xM, a, heightM)) / coupling(0, a, profile.referenceHeightM);
}

/** Where the response is 0, just outside each wire: ±sqrt(a² + h²). */
export function nullOffsetM(heightM: number, profile: LoopFieldProfile): number {
  const a = profile.wireSpacingM / 2;
  return Math.sqrt(a * a + heightM * heightM);
}

/** Position and shape value of the outer lobe's peak (beyond the null, x > 0). */
export function outerLobePeak(heightM: number, profile: LoopFieldProfile): { xM: number; shape: number } {
  const a = profile.wireSpacingM / 2;
  let lo = nullOffsetM(heightM, profile);
  let hi = lo + 20 * (a + heightM);
  // Golden-section search: the response rises from the null to one peak, then falls as 1/x².
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 100; i++) {
    const m1 = hi - g * (hi - lo);
    const m2 = lo + g * (hi - lo);
    if (fieldShape(m1, heightM, profile) < fieldShape(m2, heightM, profile)) lo = m1;
    else hi = m2;
  }
  const xM = (lo + hi) / 2;
  return { xM, shape: fieldShape(xM, heightM, profile) };
}

/**
 * Half length of the detection zone: beyond ±this distance from the loop line even
 * the strongest allowed draw (noise at +NOISE_CLAMP_SIGMA, no taper, rounding up)
 * stays below the threshold. 0 when the transponder can never be heard.
 */
export function zoneHalfLengthM(profile: LoopFieldProfile, heightM: number): number {
  const p = profile;
  const level = (p.thresholdUnits - 0.5 - NOISE_CLAMP_SIGMA * p.noiseAbs) / (p.nominalPeak * (1 + NOISE_CLAMP_SIGMA * p.noiseRel));
  const shape = (x: number): number => fieldShape(x, heightM, p);
  // Largest x in [lo, hi] with shape(x) >= level, shape falling over the interval.
  const lastAbove = (lo: number, hi: number): number => {
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (shape(mid) >= level) lo = mid;
      else hi = mid;
    }
    return hi; // the side below the level: errs on the wide side
  };
  const outer = outerLobePeak(heightM, p);
  if (outer.shape >= level) {
    let hi = outer.xM * 2;
    while (shape(hi) >= level) hi *= 2;
    return lastAbove(outer.xM, hi);
  }
  if (shape(0) >= level) return lastAbove(0, nullOffsetM(heightM, p));
  return 0;
}

/** Coupling across the path: 1 over the loop, a cosine taper over its last lateralTaperM, 0 beyond its end. */
export function lateralFactor(lateralM: number, halfWidthM: number, taperM: number): number {
  const y = Math.abs(lateralM);
  if (y >= halfWidthM) return 0;
  const taper = Math.min(taperM, halfWidthM);
  const flat = halfWidthM - taper;
  if (y <= flat) return 1;
  return 0.5 * (1 + Math.cos((Math.PI * (y - flat)) / taper));
}

/** A transponder with its height drawn from the profile's range (deterministic per seed and id). */
export function makeTransponder(
  id: number,
  profile: LoopFieldProfile,
  seed: number,
  placement: { lateralM?: number; noseOffsetM?: number } = {},
): Transponder {
  validateProfile(profile);
  const rng = createRng(hashSeed(seed, id, 0x6865));
  const heightM = profile.heightMinM + (profile.heightMaxM - profile.heightMinM) * rng.next();
  return { id, heightM, lateralM: placement.lateralM ?? 0, noseOffsetM: placement.noseOffsetM ?? DEFAULT_NOSE_OFFSET_M };
}

// ------------------------------------------------------------------ hits

/** One transmission as a loop's decoder receives it, before losses. */
interface Heard {
  sentUs: number;
  timeUs: number;
  strength: number;
  transponder: number;
  loop: number;
  /** Random tag; collision draws of a pair come from the two tags. */
  tag: number;
  /** Survived the independent dropout. */
  kept: boolean;
  lostToCollision: boolean;
}

function checkLines(lines: readonly LoopLine[]): void {
  lines.forEach((l, i) => {
    if (!Number.isInteger(l.loop) || l.loop < 0 || l.loop > 255) throw new RangeError(`lines[${i}].loop must be an integer 0..255 (got ${l.loop})`);
    if (!Number.isFinite(l.positionM)) throw new RangeError(`lines[${i}].positionM must be a finite number (got ${l.positionM})`);
    if (l.halfWidthM !== undefined && !(Number.isFinite(l.halfWidthM) && l.halfWidthM > 0)) {
      throw new RangeError(`lines[${i}].halfWidthM must be > 0 (got ${l.halfWidthM})`);
    }
  });
}

function checkTransponders(vehicles: ReadonlyArray<FieldVehicle>): void {
  // id → whether every entry so far is confined to active ranges
  const seen = new Map<number, boolean>();
  vehicles.forEach(({ transponder: t, active }, i) => {
    active?.forEach(([from, to], j) => {
      if (!(from <= to) || Number.isNaN(from) || Number.isNaN(to)) throw new RangeError(`vehicles[${i}].active[${j}] must have from <= to (got ${from}..${to})`);
      if (j > 0 && from < active[j - 1]![1]) throw new RangeError(`vehicles[${i}].active[${j}] overlaps the range before it`);
    });
    const what = `vehicles[${i}].transponder`;
    if (!Number.isInteger(t.id) || t.id < 0 || t.id > 0xffffffff) throw new RangeError(`${what}.id must be a u32 (got ${t.id})`);
    const before = seen.get(t.id);
    if (before !== undefined && !(before && active)) throw new RangeError(`${what}.id ${t.id} is used by two vehicles (give both active ranges if they are one vehicle on this path at different times)`);
    seen.set(t.id, active !== undefined && (before ?? true));
    if (!(Number.isFinite(t.heightM) && t.heightM > 0)) throw new RangeError(`${what}.heightM must be > 0 (got ${t.heightM})`);
    if (!Number.isFinite(t.lateralM)) throw new RangeError(`${what}.lateralM must be a finite number (got ${t.lateralM})`);
    if (!(Number.isFinite(t.noseOffsetM) && t.noseOffsetM >= 0)) throw new RangeError(`${what}.noseOffsetM must be >= 0 (got ${t.noseOffsetM})`);
  });
}

/** First index with a[i] >= x. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with a[i] > x. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The raw hits every loop hears from the given vehicles, and the true crossings.
 *
 * With a window, only hits with fromUs <= timeUs < toUs and crossings with
 * fromUs <= transponderUs < toUs are returned; they are the same as the matching part
 * of a run without a window (same seed), so a race can be generated in chunks.
 * Without a window every vehicle must leave every loop's zone it enters.
 */
export function loopHits(
  lines: LoopLine[],
  vehicles: Array<FieldVehicle>,
  profile: LoopFieldProfile,
  seed: number,
  window?: { fromUs: number; toUs: number },
): { hits: LoopHit[]; truth: LoopCrossingTruth[] } {
  const p = validateProfile(profile);
  checkLines(lines);
  checkTransponders(vehicles);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number (got ${seed})`);
  if (window && !(Number.isFinite(window.fromUs) && Number.isFinite(window.toUs) && window.fromUs <= window.toUs)) {
    throw new RangeError(`window must have finite fromUs <= toUs (got ${window.fromUs}..${window.toUs})`);
  }

  const sorted = lines.map((l, i) => ({ l, i })).sort((x, y) => x.l.positionM - y.l.positionM || x.i - y.i).map((x) => x.l);
  const linePos = Float64Array.from(sorted, (l) => l.positionM);
  const n = sorted.length;

  // Transmissions this close to the window can still collide with, or jitter into,
  // hits inside it, so their zones are simulated too.
  const margin = p.burstUs + NOISE_CLAMP_SIGMA * p.decoderJitterUs + 1;
  const genFrom = window ? window.fromUs - margin : -Infinity;
  const genTo = window ? window.toUs + margin : Infinity;
  const mergeGapUs = MERGE_GAP_INTERVALS * p.intervalUs;
  const minInterval = p.intervalUs * (1 - p.intervalJitter);
  const maxInterval = p.intervalUs * (1 + p.intervalJitter);
  const zones = new Map<number, number>();

  const heard: Heard[] = [];
  const truth: LoopCrossingTruth[] = [];

  for (const { transponder: tr, motion, active } of vehicles) {
    let zone = zones.get(tr.heightM);
    if (zone === undefined) {
      zone = zoneHalfLengthM(p, tr.heightM);
      zones.set(tr.heightM, zone);
    }
    const Z = zone;

    // Lines this vehicle can be near during the generation window (a superset).
    let lo = 0;
    let hi = n;
    if (window) {
      const slack = 1e-6 + 1e-12 * Math.abs(linePos[0] ?? 0);
      lo = lowerBound(linePos, motion.positionAt(genFrom) - Z - slack);
      hi = upperBound(linePos, motion.positionAt(genTo) + Z + slack);
    }

    for (let k = lo; k < hi; k++) {
      const line = sorted[k]!;
      const transponderUs = motion.timeAt(line.positionM);
      if (!Number.isFinite(transponderUs)) continue;
      if (window && !(transponderUs >= window.fromUs && transponderUs < window.toUs)) continue;
      if (active && !active.some(([from, to]) => transponderUs >= from && transponderUs < to)) continue;
      truth.push({
        loop: line.loop,
        transponder: tr.id,
        transponderUs,
        noseUs: motion.timeAt(line.positionM - tr.noseOffsetM),
        speedMps: motion.speedAt(transponderUs),
      });
    }
    if (Z <= 0 || lo >= hi) continue;

    // Zone windows in time; sorted lines give sorted starts and ends.
    const zoneStart = (k: number): number => motion.timeAt(linePos[k]! - Z);
    const zoneEnd = (k: number): number => motion.timeAt(linePos[k]! + Z);
    const joined = (k: number): boolean => zoneStart(k) - zoneEnd(k - 1) <= mergeGapUs; // k−1 and k share a stretch
    // Whole stretches only, whatever the window, so chunked runs draw the same numbers.
    while (lo > 0 && joined(lo)) lo--;
    while (hi < n && joined(hi)) hi++;

    for (let first = lo; first < hi; ) {
      let last = first;
      while (last + 1 < hi && joined(last + 1)) last++;
      const startUs = zoneStart(first);
      const endUs = zoneEnd(last);
      const from = first;
      first = last + 1;
      // Never reached, or always already past: nothing to hear.
      if (startUs === Infinity || endUs === -Infinity || !(startUs <= genTo && endUs >= genFrom)) continue;
      if (!window && !active && !(Number.isFinite(startUs) && Number.isFinite(endUs))) {
        throw new RangeError(`transponder ${tr.id} never leaves the zone of loop ${sorted[from]!.loop}: pass a window`);
      }
      // The stretch, cut to where the vehicle is on this path.
      const spans: Array<readonly [number, number]> = [];
      const s0 = Number.isFinite(startUs) ? startUs : genFrom;
      const s1 = Number.isFinite(endUs) ? endUs : genTo;
      if (!active) spans.push([s0, s1]);
      else for (const [a, b] of active) if (a < s1 && b > s0) spans.push([Math.max(a, s0), Math.min(b, s1)]);
      if (spans.some(([a, b]) => !(Number.isFinite(a) && Number.isFinite(b)))) {
        throw new RangeError(`transponder ${tr.id} never leaves the zone of loop ${sorted[from]!.loop}: pass a window or finite active ranges`);
      }
      for (const [t0, t1] of spans) {
        // The transponder's own schedule over this stretch, shared by every loop in it.
        const rng = createRng(hashSeed(seed, tr.id, Math.floor(t0)));
        const lateral: number[] = [];
        for (let k = from; k <= last; k++) lateral.push(lateralFactor(tr.lateralM, sorted[k]!.halfWidthM ?? p.loopHalfWidthM, p.lateralTaperM));
        // Start in the renewal process's stationary state: the wait to the next
        // transmission is a uniform fraction of a length-biased interval.
        const biased = Math.sqrt(minInterval * minInterval + rng.next() * (maxInterval * maxInterval - minInterval * minInterval));
        let t = t0 + rng.next() * biased;
        while (t <= t1) {
          const at = motion.positionAt(t);
          for (let k = from; k <= last; k++) {
            const x = at - linePos[k]!;
            if (x < -Z) break; // lines further on are further away
            if (x > Z || lateral[k - from]! <= 0) continue;
            const gain = 1 + p.noiseRel * clampedNormal(rng, NOISE_CLAMP_SIGMA);
            const extra = p.noiseAbs * clampedNormal(rng, NOISE_CLAMP_SIGMA);
            const jitter = p.decoderJitterUs * clampedNormal(rng, NOISE_CLAMP_SIGMA);
            const kept = rng.next() >= p.dropout;
            const tag = rng.u32();
            const raw = p.nominalPeak * fieldShape(x, tr.heightM, p) * lateral[k - from]! * gain + extra;
            heard.push({
              sentUs: t,
              timeUs: Math.round(t + jitter),
              strength: Math.min(STRENGTH_MAX, Math.max(0, Math.round(raw))),
              transponder: tr.id,
              loop: sorted[k]!.loop,
              tag,
              kept,
              lostToCollision: false,
            });
          }
          t += p.intervalUs * (1 + p.intervalJitter * (2 * rng.next() - 1));
        }
      }
    }
  }

  if (p.collisionLoss > 0 && p.burstUs > 0) resolveCollisions(heard, p);

  const hits: LoopHit[] = [];
  for (const h of heard) {
    if (!h.kept || h.lostToCollision || h.strength < p.thresholdUnits) continue;
    if (window && !(h.timeUs >= window.fromUs && h.timeUs < window.toUs)) continue;
    hits.push({ timeUs: h.timeUs, transponder: h.transponder, strength: h.strength, loop: h.loop });
  }
  hits.sort((x, y) => x.timeUs - y.timeUs || x.loop - y.loop || x.transponder - y.transponder);
  truth.sort((x, y) => x.transponderUs - y.transponderUs || x.loop - y.loop || x.transponder - y.transponder);
  return { hits, truth };
}

/**
 * Transmissions of different transponders over the same loop that overlap in time
 * collide. Each overlapping pair collides destructively with probability
 * collisionLoss; then the weaker is lost, or both when they are within captureDb.
 */
function resolveCollisions(heard: Heard[], p: LoopFieldProfile): void {
  const byLoop = new Map<number, Heard[]>();
  for (const h of heard) {
    let list = byLoop.get(h.loop);
    if (!list) byLoop.set(h.loop, (list = []));
    list.push(h);
  }
  const captureRatio = 10 ** (p.captureDb / 20); // strength is an amplitude
  for (const list of byLoop.values()) {
    list.sort((x, y) => x.sentUs - y.sentUs || x.transponder - y.transponder);
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      for (let j = i + 1; j < list.length && list[j]!.sentUs - a.sentUs < p.burstUs; j++) {
        const b = list[j]!;
        if (b.transponder === a.transponder) continue;
        // The pair's draw depends only on the two transmissions, not on the order found.
        const lo = Math.min(a.tag, b.tag);
        const hiTag = Math.max(a.tag, b.tag);
        if (hash32(lo ^ hash32(hiTag + 0x5bd1e995)) / 4294967296 >= p.collisionLoss) continue;
        const strong = a.strength >= b.strength ? a : b;
        const weak = strong === a ? b : a;
        weak.lostToCollision = true;
        if (strong.strength <= weak.strength * captureRatio) strong.lostToCollision = true;
      }
    }
  }
}

/** The loop board's input records (firmware/ABI.md): 16 bytes each, little endian. */
export function encodeHitRecords(hits: LoopHit[]): Uint8Array {
  const out = new Uint8Array(hits.length * 16);
  const view = new DataView(out.buffer);
  hits.forEach((h, i) => {
    if (!Number.isSafeInteger(h.timeUs) || h.timeUs < 0) throw new RangeError(`hits[${i}].timeUs must be a non-negative integer (got ${h.timeUs})`);
    if (!Number.isInteger(h.transponder) || h.transponder < 0 || h.transponder > 0xffffffff) {
      throw new RangeError(`hits[${i}].transponder must be a u32 (got ${h.transponder})`);
    }
    if (!Number.isInteger(h.strength) || h.strength < 0 || h.strength > 0xffff) throw new RangeError(`hits[${i}].strength must be a u16 (got ${h.strength})`);
    if (!Number.isInteger(h.loop) || h.loop < 0 || h.loop > 255) throw new RangeError(`hits[${i}].loop must be an integer 0..255 (got ${h.loop})`);
    const o = i * 16;
    view.setUint32(o, h.timeUs % 4294967296, true);
    view.setUint32(o + 4, Math.floor(h.timeUs / 4294967296), true);
    view.setUint32(o + 8, h.transponder, true);
    view.setUint16(o + 12, h.strength, true);
    view.setUint8(o + 14, h.loop);
    // byte 15 is reserved and stays 0
  });
  return out;
}

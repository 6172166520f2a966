// Seeded randomness for the simulator. Every draw comes from a seed so a run can be
// repeated hit for hit; Math.random is never used.
//
// The generator is sfc32 (32-bit "small fast counting" generator, 128 bits of state),
// seeded through a splitmix32-style mixer. Gaussians use Box–Muller.

export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n), n an integer in 1..2^32. */
  int(n: number): number;
  /** Uniform unsigned 32-bit integer. */
  u32(): number;
}

const TWO_32 = 4294967296;

/** A 32-bit avalanche mix (the murmur3 finaliser): nearby inputs give unrelated outputs. */
export function hash32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Float64 bits of a number, so any finite number (not only small integers) is a key.
const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

function checkFinite(what: string, x: number): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${what} must be a finite number (got ${String(x)})`);
}

/**
 * One 32-bit seed from several numbers (a run seed, an id, a time...). The order of the
 * parts matters; -0 and 0 are the same key.
 */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    checkFinite('hashSeed part', part);
    f64[0] = part === 0 ? 0 : part;
    h = hash32(h ^ f64Words[0]!) + 0x7f4a7c15;
    h = hash32(h ^ f64Words[1]!) + 0x165667b1;
  }
  return hash32(h ^ parts.length);
}

/** A generator from a seed (any finite number; equal seeds give equal streams). */
export function createRng(seed: number): Rng {
  checkFinite('seed', seed);
  let s = hashSeed(seed);
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    return hash32(s);
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = 1;

  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of sfc32 still show the seed's structure: discard them.
  for (let i = 0; i < 15; i++) u32();

  const next = (): number => u32() / TWO_32;

  // Box–Muller gives two independent normals per pair of uniforms: keep the second.
  let spare = 0;
  let hasSpare = false;
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    const u1 = 1 - next(); // (0, 1]: log stays finite
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    spare = r * Math.sin(theta);
    hasSpare = true;
    return r * Math.cos(theta);
  };

  const int = (n: number): number => {
    if (!Number.isInteger(n) || n < 1 || n > TWO_32) throw new RangeError(`int(n) needs an integer n in 1..2^32 (got ${n})`);
    // Reject the top partial block so every residue is equally likely.
    const limit = TWO_32 - (TWO_32 % n);
    let x = u32();
    while (x >= limit) x = u32();
    return x % n;
  };

  return { next, normal, int, u32 };
}

/** A standard normal draw clamped to ±limit (sensor noise never runs away). */
export function clampedNormal(rng: Rng, limit: number): number {
  const n = rng.normal();
  return n > limit ? limit : n < -limit ? -limit : n;
}

// The simulator's seeded generator: reproducible, well spread, and refusing
// seeds that cannot be reproduced.

import { describe, expect, test } from 'vitest';
import { createRng, hash32, hashSeed } from '../../sim-hardware/random.js';

describe('createRng', () => {
  test('the same seed gives the same stream, another seed another one', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 50 }, () => a.u32());
    expect(Array.from({ length: 50 }, () => b.u32())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.u32())).not.toEqual(sa);
  });

  test('non-integer and large seeds are keys too; non-finite seeds are refused', () => {
    expect(createRng(0.5).next()).not.toBe(createRng(1.5).next());
    expect(createRng(2 ** 40).next()).not.toBe(createRng(0).next());
    expect(() => createRng(Number.NaN)).toThrow(/seed/);
    expect(() => createRng(Infinity)).toThrow(/seed/);
  });

  test('next() is uniform in [0, 1)', () => {
    const rng = createRng(1);
    const n = 40_000;
    let sum = 0;
    let sq = 0;
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      sq += x * x;
      bins[Math.floor(x * 10)]!++;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    for (const b of bins) expect(Math.abs(b - n / 10)).toBeLessThan(0.05 * (n / 10));
  });

  test('normal() has mean 0, sd 1 and Gaussian tails', () => {
    const rng = createRng(2);
    const n = 40_000;
    let sum = 0;
    let sq = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      sum += x;
      sq += x * x;
      if (Math.abs(x) > 2) beyond2++;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.sqrt(sq / n)).toBeCloseTo(1, 1);
    expect(beyond2 / n).toBeGreaterThan(0.040);
    expect(beyond2 / n).toBeLessThan(0.051); // 4.55 % for N(0, 1)
  });

  test('int(n) covers 0..n-1 evenly and refuses a bad n', () => {
    const rng = createRng(3);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 7000; i++) {
      const k = rng.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      counts[k]!++;
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
    expect(rng.int(1)).toBe(0);
    expect(() => rng.int(0)).toThrow(/int/);
    expect(() => rng.int(2.5)).toThrow(/int/);
  });
});

describe('hashSeed and hash32', () => {
  test('order matters, -0 is 0, every part must be finite', () => {
    expect(hashSeed(1, 2)).not.toBe(hashSeed(2, 1));
    expect(hashSeed(1, 2)).toBe(hashSeed(1, 2));
    expect(hashSeed(-0, 5)).toBe(hashSeed(0, 5));
    expect(hashSeed(1)).not.toBe(hashSeed(1, 0));
    expect(() => hashSeed(1, Number.NaN)).toThrow(/finite/);
  });

  test('hash32 is a 32-bit avalanche of its input', () => {
    expect(hash32(0)).toBe(0);
    const h1 = hash32(1);
    const h2 = hash32(2);
    expect(h1).toBeGreaterThan(0);
    expect(h1).toBeLessThan(2 ** 32);
    // about half the bits differ between neighbouring inputs
    let diff = h1 ^ h2;
    let bits = 0;
    while (diff) {
      bits += diff & 1;
      diff >>>= 1;
    }
    expect(bits).toBeGreaterThan(8);
  });
});

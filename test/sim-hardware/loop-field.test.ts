// The loop field sensor model: deterministic hits, exact truth, the shape of the
// field (main lobe, nulls, outer lobes), hit counts per crossing as documented in
// sim-hardware/loop-field.md, dropouts, collisions, and the ABI's hit records.

import { describe, expect, test } from 'vitest';
import {
  DEFAULT_PROFILE,
  HARSH_PROFILE,
  encodeHitRecords,
  fieldShape,
  lateralFactor,
  loopHits,
  makeTransponder,
  nullOffsetM,
  outerLobePeak,
  validateProfile,
  zoneHalfLengthM,
  type LoopFieldProfile,
  type LoopHit,
  type Transponder,
} from '../../sim-hardware/loop-field.js';
import { constantSpeed, piecewiseMotion, type PathMotion } from '../../sim-hardware/motion.js';

const MPH = 0.44704;
const QUIET: LoopFieldProfile = { ...DEFAULT_PROFILE, noiseRel: 0, noiseAbs: 0, decoderJitterUs: 0, dropout: 0 };

function transponder(id: number, extra: Partial<Transponder> = {}): Transponder {
  return { id, heightM: 0.3, lateralM: 0, noseOffsetM: 1.2, ...extra };
}

function countBy(hits: LoopHit[], key: (h: LoopHit) => number): Map<number, number> {
  const m = new Map<number, number>();
  for (const h of hits) m.set(key(h), (m.get(key(h)) ?? 0) + 1);
  return m;
}

/** n vehicles crossing one loop a second apart (never together): hits per crossing. */
function crossingCounts(profile: LoopFieldProfile, mph: number, n: number, seed: number): number[] {
  const vehicles = Array.from({ length: n }, (_, i) => ({
    transponder: makeTransponder(i + 1, profile, seed),
    motion: constantSpeed(i * 1e6, 0, mph * MPH),
  }));
  const { hits } = loopHits([{ loop: 1, positionM: 50 }], vehicles, profile, seed);
  const counts = countBy(hits, (h) => h.transponder);
  return vehicles.map((v) => counts.get(v.transponder.id) ?? 0);
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('profiles', () => {
  test('both built-in profiles are valid', () => {
    expect(validateProfile(DEFAULT_PROFILE)).toBe(DEFAULT_PROFILE);
    expect(validateProfile(HARSH_PROFILE)).toBe(HARSH_PROFILE);
  });

  test.each([
    [{ dropout: 1.5 }, /dropout must be within 0\.\.1/],
    [{ wireSpacingM: Number.NaN }, /wireSpacingM must be a finite number/],
    [{ thresholdUnits: 5000 }, /thresholdUnits/],
    [{ noiseAbs: 30 }, /noiseAbs .*noise alone would reach the threshold/],
    [{ burstUs: 800 }, /burstUs must be shorter than the shortest interval/],
    [{ intervalJitter: 1 }, /intervalJitter/],
    [{ heightMinM: 0.4, heightMaxM: 0.3 }, /heightMaxM/],
    [{ collisionLoss: -0.1 }, /collisionLoss/],
    [{ nominalPeak: 0 }, /nominalPeak/],
  ])('refuses %j naming the field', (change, message) => {
    const bad = { ...DEFAULT_PROFILE, ...change } as LoopFieldProfile;
    expect(() => validateProfile(bad)).toThrow(message);
    expect(() => loopHits([], [], bad, 1)).toThrow(message);
  });

  test('refuses unknown and missing fields', () => {
    expect(() => validateProfile({ ...DEFAULT_PROFILE, dropOut: 0.1 } as LoopFieldProfile)).toThrow(/unknown field "dropOut"/);
    const { captureDb: _, ...missing } = DEFAULT_PROFILE;
    expect(() => validateProfile(missing as LoopFieldProfile)).toThrow(/captureDb must be a finite number/);
  });

  test('makeTransponder draws harsh heights per vehicle within 0.2..0.45 m', () => {
    const hs = Array.from({ length: 200 }, (_, i) => makeTransponder(i, HARSH_PROFILE, 5).heightM);
    expect(Math.min(...hs)).toBeGreaterThanOrEqual(0.2);
    expect(Math.max(...hs)).toBeLessThanOrEqual(0.45);
    expect(Math.max(...hs) - Math.min(...hs)).toBeGreaterThan(0.2);
    expect(makeTransponder(7, HARSH_PROFILE, 5)).toEqual(makeTransponder(7, HARSH_PROFILE, 5));
    expect(makeTransponder(7, DEFAULT_PROFILE, 5)).toEqual({ id: 7, heightM: 0.3, lateralM: 0, noseOffsetM: 1.2 });
  });
});

describe('the field', () => {
  test('main lobe, nulls just outside the wires, outer lobes of about 20 %', () => {
    const p = DEFAULT_PROFILE;
    expect(fieldShape(0, 0.3, p)).toBeCloseTo(1, 12);
    expect(nullOffsetM(0.3, p)).toBeCloseTo(Math.sqrt(0.18), 12);
    expect(fieldShape(Math.sqrt(0.18), 0.3, p)).toBeLessThan(1e-12);
    const outer = outerLobePeak(0.3, p);
    expect(outer.shape).toBeCloseTo((Math.SQRT2 - 1) / 2, 6); // 0.2071 for h = a
    expect(outer.xM).toBeCloseTo(0.659, 3);
    // 1/x² far away
    expect(fieldShape(20, 0.3, p) / fieldShape(40, 0.3, p)).toBeCloseTo(4, 2);
    // lower is stronger
    expect(fieldShape(0, 0.2, p)).toBeGreaterThan(1.3);
    expect(zoneHalfLengthM(p, 0.3)).toBeCloseTo(1.3645, 3);
    expect(zoneHalfLengthM(HARSH_PROFILE, 0.3)).toBeCloseTo(2.2506, 3);
  });

  test('lateral coupling tapers to 0 at the loop ends', () => {
    expect(lateralFactor(0, 7.5, 0.5)).toBe(1);
    expect(lateralFactor(-7, 7.5, 0.5)).toBe(1);
    expect(lateralFactor(7.25, 7.5, 0.5)).toBeCloseTo(0.5, 12);
    expect(lateralFactor(7.5, 7.5, 0.5)).toBe(0);
    expect(lateralFactor(9, 7.5, 0.5)).toBe(0);
  });

  test('noise off, hits trace the field: symmetric, nulls at ±sqrt(a²+h²), outer lobe ratio', () => {
    const v = 0.5; // slow, so the transmissions sample the field every ~0.75 mm
    const motion = constantSpeed(0, -2, v);
    const profile = { ...QUIET, thresholdUnits: 1 };
    const { hits, truth } = loopHits([{ loop: 3, positionM: 0 }], [{ transponder: transponder(9), motion }], profile, 11);
    expect(truth).toHaveLength(1);
    const x = (h: LoopHit): number => (v * (h.timeUs - truth[0]!.transponderUs)) / 1e6;
    const worst = Math.max(...hits.map((h) => Math.abs(h.strength - 1000 * fieldShape(x(h), 0.3, profile))));
    expect(worst).toBeLessThanOrEqual(0.5 + 1e-9);

    const nul = Math.sqrt(0.18);
    const left = hits.filter((h) => x(h) < -nul);
    const right = hits.filter((h) => x(h) > nul);
    const top = hits.filter((h) => h.strength === 1000);
    expect(top.length).toBeGreaterThan(2);
    expect(Math.abs(mean(top.map(x)))).toBeLessThan(0.002);
    const maxOf = (hs: LoopHit[]): number => Math.max(...hs.map((h) => h.strength));
    expect(maxOf(left)).toBe(207);
    expect(maxOf(right)).toBe(207);
    // The weakest hits around each wire sit at the nulls.
    for (const side of [-1, 1]) {
      const near = hits.filter((h) => side * x(h) > 0.3 && side * x(h) < 0.6);
      const weakest = near.reduce((a, b) => (b.strength < a.strength ? b : a));
      expect(Math.abs(Math.abs(x(weakest)) - nul)).toBeLessThan(0.002);
    }
    // Symmetric about the true crossing.
    const mirrored = Math.max(...hits.map((h) => Math.abs(h.strength - 1000 * fieldShape(-x(h), 0.3, profile))));
    expect(mirrored).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(Math.abs(left.length - right.length) / left.length).toBeLessThan(0.05);
  });

  test('no hit ever comes from outside the detection zone (harsh noise, low transponder)', () => {
    const v = 10;
    const h = 0.2;
    const vehicles = Array.from({ length: 40 }, (_, i) => ({ transponder: transponder(i + 1, { heightM: h }), motion: constantSpeed(i * 1e6, 0, v) }));
    const { hits, truth } = loopHits([{ loop: 0, positionM: 30 }], vehicles, HARSH_PROFILE, 3);
    const crossing = new Map(truth.map((t) => [t.transponder, t.transponderUs]));
    const zone = zoneHalfLengthM(HARSH_PROFILE, h);
    let widest = 0;
    for (const hit of hits) widest = Math.max(widest, Math.abs((v * (hit.timeUs - crossing.get(hit.transponder)!)) / 1e6));
    expect(widest).toBeLessThanOrEqual(zone + (v * 26) / 1e6);
    expect(widest).toBeGreaterThan(0.8); // outer lobes are heard
  });

  test('strength saturates at 4095', () => {
    const profile = { ...QUIET, nominalPeak: 4000 };
    const { hits } = loopHits([{ loop: 0, positionM: 10 }], [{ transponder: transponder(1, { heightM: 0.1 }), motion: constantSpeed(0, 0, 5) }], profile, 1);
    expect(Math.max(...hits.map((h) => h.strength))).toBe(4095);
  });

  test('a transponder beyond the loop end is not heard; in the taper it is weaker', () => {
    const lines = [{ loop: 0, positionM: 10, halfWidthM: 4 }];
    const run = (lateralM: number): LoopHit[] =>
      loopHits(lines, [{ transponder: transponder(1, { lateralM }), motion: constantSpeed(0, 0, 20) }], QUIET, 2).hits;
    expect(run(4.1)).toHaveLength(0);
    const full = Math.max(...run(1).map((h) => h.strength));
    const taper = Math.max(...run(3.8).map((h) => h.strength));
    expect(taper).toBeLessThan(full * 0.5);
    expect(taper).toBeGreaterThan(0);
  });
});

describe('hits and truth', () => {
  const lines = [
    { loop: 0, positionM: 100 },
    { loop: 1, positionM: 400 },
    { loop: 2, positionM: 401 },
  ];
  const pit = piecewiseMotion({ startUs: 0, startM: 0, speedMps: 60 }, [
    { toSpeedMps: 55 * MPH, distanceM: 200 },
    { toSpeedMps: 55 * MPH, distanceM: 300 },
  ]);
  const vehicles = [
    { transponder: transponder(10), motion: constantSpeed(0, 0, 80) as PathMotion },
    { transponder: transponder(11, { noseOffsetM: 2 }), motion: pit },
  ];

  test('the same seed gives the same hits; another seed other hits', () => {
    const a = loopHits(lines, vehicles, HARSH_PROFILE, 99);
    const b = loopHits(lines, vehicles, HARSH_PROFILE, 99);
    const c = loopHits(lines, vehicles, HARSH_PROFILE, 100);
    expect(a).toEqual(b);
    expect(c.hits).not.toEqual(a.hits);
    expect(c.truth).toEqual(a.truth);
  });

  test('hits are integer µs, sorted by time, loop, transponder', () => {
    const { hits } = loopHits(lines, vehicles, DEFAULT_PROFILE, 4);
    expect(hits.length).toBeGreaterThan(50);
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i]!;
      expect(Number.isInteger(h.timeUs)).toBe(true);
      expect(h.strength).toBeGreaterThanOrEqual(DEFAULT_PROFILE.thresholdUnits);
      if (i > 0) {
        const g = hits[i - 1]!;
        expect(g.timeUs < h.timeUs || (g.timeUs === h.timeUs && (g.loop < h.loop || (g.loop === h.loop && g.transponder < h.transponder)))).toBe(true);
      }
    }
  });

  test('truth is exact: transponder time from the motion, nose ahead by offset / speed', () => {
    const { truth } = loopHits(lines, vehicles, DEFAULT_PROFILE, 4);
    expect(truth).toHaveLength(6);
    for (const t of truth) {
      const v = vehicles.find((x) => x.transponder.id === t.transponder)!;
      const line = lines.find((l) => l.loop === t.loop)!;
      expect(t.transponderUs).toBe(v.motion.timeAt(line.positionM));
      expect(t.noseUs).toBe(v.motion.timeAt(line.positionM - v.transponder.noseOffsetM));
      expect(t.speedMps).toBe(v.motion.speedAt(t.transponderUs));
      expect(t.noseUs).toBeLessThan(t.transponderUs);
    }
    const steady = truth.find((t) => t.transponder === 10 && t.loop === 0)!;
    expect(steady.transponderUs - steady.noseUs).toBeCloseTo((1.2 / 80) * 1e6, 6);
    const atLimit = truth.find((t) => t.transponder === 11 && t.loop === 1)!;
    expect(atLimit.speedMps).toBeCloseTo(55 * MPH, 9);
    expect(atLimit.transponderUs - atLimit.noseUs).toBeCloseTo((2 / (55 * MPH)) * 1e6, 3);
  });

  test('two loops 1 m apart hear one transmission schedule', () => {
    const profile = { ...DEFAULT_PROFILE, decoderJitterUs: 0, dropout: 0 };
    const { hits } = loopHits(lines, vehicles, profile, 8);
    for (const id of [10, 11]) {
      const at = (loop: number): number[] => hits.filter((h) => h.transponder === id && h.loop === loop).map((h) => h.timeUs);
      const one = at(1);
      const two = at(2);
      const shared = one.filter((t) => two.includes(t));
      expect(shared.length).toBeGreaterThan(3);
      // Together they are one renewal process: every gap is 1 to a few intervals.
      const all = [...new Set([...one, ...two])].sort((a, b) => a - b);
      for (let i = 1; i < all.length; i++) expect(all[i]! - all[i - 1]!).toBeGreaterThanOrEqual(749);
    }
  });

  test('a window returns exactly that part of the whole run', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ transponder: transponder(20 + i, { lateralM: (i % 3) - 1 }), motion: constantSpeed(i * 40_000, 0, 70) }));
    const whole = loopHits(lines, many, HARSH_PROFILE, 5);
    const chunks = [0, 1.5e6, 5.71e6, 5.8e6, 6.3e6, 7e6];
    const hits: LoopHit[] = [];
    const truth: typeof whole.truth = [];
    for (let i = 0; i + 1 < chunks.length; i++) {
      const part = loopHits(lines, many, HARSH_PROFILE, 5, { fromUs: chunks[i]!, toUs: chunks[i + 1]! });
      hits.push(...part.hits);
      truth.push(...part.truth);
    }
    expect(hits).toEqual(whole.hits);
    expect(truth).toEqual(whole.truth);
  });

  test('a vehicle parked over a loop needs a window', () => {
    const parked = [{ transponder: transponder(1), motion: constantSpeed(0, 100, 0) }];
    expect(() => loopHits(lines, parked, DEFAULT_PROFILE, 1)).toThrow(/never leaves the zone of loop 0: pass a window/);
    const { hits } = loopHits(lines, parked, DEFAULT_PROFILE, 1, { fromUs: 0, toUs: 1e6 });
    expect(hits.length).toBeGreaterThan(600);
    expect(hits.length).toBeLessThan(700);
  });

  test('refuses bad lines, transponders and windows', () => {
    const ok = [{ transponder: transponder(1), motion: constantSpeed(0, 0, 1) }];
    expect(() => loopHits([{ loop: 256, positionM: 0 }], ok, DEFAULT_PROFILE, 1)).toThrow(/lines\[0\]\.loop/);
    expect(() => loopHits(lines, [...ok, ...ok], DEFAULT_PROFILE, 1)).toThrow(/id 1 is used by two vehicles/);
    expect(() => loopHits(lines, [{ ...ok[0]!, transponder: transponder(2 ** 32) }], DEFAULT_PROFILE, 1)).toThrow(/\.id must be a u32/);
    expect(() => loopHits(lines, [{ ...ok[0]!, transponder: transponder(1, { heightM: 0 }) }], DEFAULT_PROFILE, 1)).toThrow(/heightM/);
    expect(() => loopHits(lines, ok, DEFAULT_PROFILE, 1, { fromUs: 5, toUs: 1 })).toThrow(/window/);
  });
});

describe('hits per crossing (the table in loop-field.md)', () => {
  // mph → [mean, 5th percentile, 95th percentile] over 2000 crossings (seed 1)
  const documented: Record<string, Record<number, [number, number, number]>> = {
    default: { 30: [99.1, 93, 105], 45: [66.0, 61, 71], 55: [54.0, 50, 58], 120: [24.7, 22, 28], 160: [18.6, 16, 21], 200: [14.9, 13, 17] },
    harsh: { 30: [75.7, 40, 100], 45: [50.5, 27, 68], 55: [41.2, 22, 56], 120: [18.8, 10, 26], 160: [14.2, 7, 20], 200: [11.3, 5, 16] },
  };
  for (const [name, profile] of [['default', DEFAULT_PROFILE], ['harsh', HARSH_PROFILE]] as const) {
    test(`${name} profile`, () => {
      for (const mph of [30, 45, 55, 120, 160, 200]) {
        // Another seed and a smaller sample than the table: the figures must hold up.
        const counts = crossingCounts(profile, mph, 200, 42).sort((a, b) => a - b);
        const [m, p5, p95] = documented[name]![mph]!;
        expect(Math.abs(mean(counts) - m)).toBeLessThan(0.05 * m);
        expect(Math.abs(counts[10]! - p5)).toBeLessThanOrEqual(Math.max(2, 0.1 * p5));
        expect(Math.abs(counts[190]! - p95)).toBeLessThanOrEqual(Math.max(2, 0.1 * p95));
        expect(counts[0]).toBeGreaterThan(0);
      }
    });
  }
});

describe('losses', () => {
  test('dropouts remove the configured share of hits', () => {
    const base = crossingCounts({ ...DEFAULT_PROFILE, dropout: 0 }, 120, 100, 6);
    const lossy = crossingCounts({ ...DEFAULT_PROFILE, dropout: 0.3 }, 120, 100, 6);
    const ratio = mean(lossy) / mean(base);
    expect(ratio).toBeGreaterThan(0.66);
    expect(ratio).toBeLessThan(0.74);
    lossy.forEach((c, i) => expect(c).toBeLessThanOrEqual(base[i]!));
  });

  // A restart: 36 vehicles two-wide over one loop within 1.5 s.
  const restart = Array.from({ length: 36 }, (_, i) => ({
    transponder: transponder(500 + i, { lateralM: i % 2 === 0 ? -2 : 2 }),
    motion: constantSpeed(Math.floor(i / 2) * 83_000, 0, 40),
  }));
  const line = [{ loop: 7, positionM: 20 }];
  const counts = (profile: LoopFieldProfile): { total: number; perVehicle: number[]; hits: LoopHit[] } => {
    const { hits } = loopHits(line, restart, profile, 21);
    const by = countBy(hits, (h) => h.transponder);
    return { total: hits.length, perVehicle: restart.map((v) => by.get(v.transponder.id) ?? 0), hits };
  };

  test('collisions in a two-wide restart cost some hits, never a whole vehicle', () => {
    const none = counts({ ...DEFAULT_PROFILE, collisionLoss: 0 });
    const some = counts(DEFAULT_PROFILE);
    const all = counts({ ...DEFAULT_PROFILE, collisionLoss: 1 });
    expect(some.total).toBeLessThan(none.total);
    expect(all.total).toBeLessThan(some.total);
    expect(none.total - all.total).toBeGreaterThan(0.03 * none.total);
    expect(none.total - all.total).toBeLessThan(0.3 * none.total);
    for (const c of all.perVehicle) expect(c).toBeGreaterThanOrEqual(10);
    some.perVehicle.forEach((c, i) => expect(c).toBeLessThanOrEqual(none.perVehicle[i]!));
  });

  test('with certain collisions no two overlapping transmissions both survive', () => {
    const { hits } = counts({ ...DEFAULT_PROFILE, collisionLoss: 1, decoderJitterUs: 0, dropout: 0 });
    for (let i = 1; i < hits.length; i++) {
      const a = hits[i - 1]!;
      const b = hits[i]!;
      if (a.transponder !== b.transponder) expect(b.timeUs - a.timeUs).toBeGreaterThanOrEqual(DEFAULT_PROFILE.burstUs - 1);
    }
  });

  test('capture: the clearly stronger transmission survives, near-equal ones both die', () => {
    // Same moment, one transponder much lower (stronger) than the other.
    const pair = (h2: number): Map<number, number> => {
      const vs = [
        { transponder: transponder(1, { heightM: 0.3, lateralM: -1 }), motion: constantSpeed(0, 0, 40) },
        { transponder: transponder(2, { heightM: h2, lateralM: 1 }), motion: constantSpeed(0, 0, 40) },
      ];
      const p = { ...QUIET, collisionLoss: 1, burstUs: 700 };
      return countBy(loopHits([{ loop: 0, positionM: 10 }], vs, p, 3).hits, (h) => h.transponder);
    };
    const alone = (id: number, h: number): number =>
      loopHits([{ loop: 0, positionM: 10 }], [{ transponder: transponder(id, { heightM: h }), motion: constantSpeed(0, 0, 40) }], { ...QUIET, burstUs: 700 }, 3).hits.length;
    const equal = pair(0.3);
    expect((equal.get(1) ?? 0) + (equal.get(2) ?? 0)).toBeLessThan(alone(1, 0.3) + alone(2, 0.3));
    const unequal = pair(0.6);
    expect(unequal.get(1) ?? 0).toBeGreaterThan(equal.get(1) ?? 0);
  });
});

describe('encodeHitRecords', () => {
  test('16-byte little-endian records as firmware/ABI.md lays them out', () => {
    const hits: LoopHit[] = [
      { timeUs: 1_700_000_000_123_456, transponder: 0xdeadbeef, strength: 4095, loop: 200 },
      { timeUs: 1, transponder: 2, strength: 3, loop: 4 },
    ];
    const bytes = encodeHitRecords(hits);
    expect(bytes.length).toBe(32);
    const view = new DataView(bytes.buffer);
    expect(view.getBigUint64(0, true)).toBe(1_700_000_000_123_456n);
    expect(view.getUint32(8, true)).toBe(0xdeadbeef);
    expect(view.getUint16(12, true)).toBe(4095);
    expect(view.getUint8(14)).toBe(200);
    expect(view.getUint8(15)).toBe(0);
    expect(Buffer.from(bytes.subarray(16)).toString('hex')).toBe('0100000000000000' + '02000000' + '0300' + '04' + '00');
    expect(encodeHitRecords([])).toEqual(new Uint8Array(0));
  });

  test('refuses values the record cannot hold', () => {
    const ok: LoopHit = { timeUs: 1, transponder: 2, strength: 3, loop: 4 };
    expect(() => encodeHitRecords([ok, { ...ok, timeUs: 1.5 }])).toThrow(/hits\[1\]\.timeUs/);
    expect(() => encodeHitRecords([{ ...ok, timeUs: -1 }])).toThrow(/timeUs/);
    expect(() => encodeHitRecords([{ ...ok, loop: 256 }])).toThrow(/loop/);
    expect(() => encodeHitRecords([{ ...ok, transponder: -1 }])).toThrow(/transponder/);
    expect(() => encodeHitRecords([{ ...ok, strength: 70000 }])).toThrow(/strength/);
  });
});

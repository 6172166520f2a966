// Vehicle motion along a path: positions never go back, and timeAt is the exact
// inverse of positionAt (including braking to a lower speed and standing still).

import { describe, expect, test } from 'vitest';
import { constantSpeed, piecewiseMotion, type PathMotion } from '../../sim-hardware/motion.js';

const MPH = 0.44704;

function expectInverse(m: PathMotion, fromUs: number, toUs: number, steps: number): void {
  let prev = -Infinity;
  for (let i = 0; i <= steps; i++) {
    const t = fromUs + ((toUs - fromUs) * i) / steps;
    const p = m.positionAt(t);
    expect(p).toBeGreaterThanOrEqual(prev);
    prev = p;
    if (m.speedAt(t) > 0) {
      expect(Math.abs(m.timeAt(p) - t)).toBeLessThan(1e-6); // µs
    }
    expect(Math.abs(m.positionAt(m.timeAt(p)) - p)).toBeLessThan(1e-9); // m
  }
}

describe('constantSpeed', () => {
  test('position, time and speed agree, before and after the start point', () => {
    const m = constantSpeed(1_000_000, 100, 80);
    expect(m.positionAt(1_000_000)).toBe(100);
    expect(m.positionAt(2_000_000)).toBe(180);
    expect(m.positionAt(0)).toBe(20);
    expect(m.timeAt(180)).toBe(2_000_000);
    expect(m.timeAt(100 + 0.08)).toBeCloseTo(1_001_000, 6);
    expect(m.speedAt(123)).toBe(80);
    expectInverse(m, -5e6, 5e6, 997);
  });

  test('standing still: every position behind it was always reached, none ahead ever is', () => {
    const m = constantSpeed(0, 10, 0);
    expect(m.positionAt(1e9)).toBe(10);
    expect(m.timeAt(5)).toBe(-Infinity);
    expect(m.timeAt(11)).toBe(Infinity);
  });

  test('refuses a negative or non-finite speed', () => {
    expect(() => constantSpeed(0, 0, -1)).toThrow(/speedMps/);
    expect(() => constantSpeed(0, Number.NaN, 1)).toThrow(/startM/);
  });
});

describe('piecewiseMotion', () => {
  // Pit road at 55 mph: brake from racing speed, hold the limit, accelerate away.
  const limit = 55 * MPH;
  const pit = piecewiseMotion({ startUs: 0, startM: 0, speedMps: 70 }, [
    { toSpeedMps: limit, distanceM: 150 },
    { toSpeedMps: limit, distanceM: 600 },
    { toSpeedMps: 60, distanceM: 300 },
  ]);
  const brakeUs = (2 * 150) / (70 + limit) * 1e6;
  const holdUs = (600 / limit) * 1e6;
  const accelUs = (2 * 300) / (limit + 60) * 1e6;

  test('segment ends fall where the kinematics put them', () => {
    expect(pit.timeAt(150)).toBeCloseTo(brakeUs, 6);
    expect(pit.timeAt(750)).toBeCloseTo(brakeUs + holdUs, 6);
    expect(pit.timeAt(1050)).toBeCloseTo(brakeUs + holdUs + accelUs, 5);
    expect(pit.positionAt(brakeUs)).toBeCloseTo(150, 9);
    expect(pit.speedAt(brakeUs / 2)).toBeCloseTo((70 + limit) / 2, 9);
    expect(pit.speedAt(brakeUs + holdUs / 2)).toBe(limit);
    expect(pit.speedAt(brakeUs + holdUs + accelUs + 1e6)).toBe(60);
    // half the braking time covers more than half the distance (decelerating)
    expect(pit.positionAt(brakeUs / 2)).toBeGreaterThan(75);
  });

  test('timeAt inverts positionAt everywhere, decelerating included', () => {
    expectInverse(pit, -2e6, brakeUs + holdUs + accelUs + 2e6, 2003);
    for (let p = -50; p <= 1200; p += 0.37) {
      expect(Math.abs(pit.positionAt(pit.timeAt(p)) - p)).toBeLessThan(1e-9);
    }
  });

  test('a stop, a stand and a restart: arriving is the first time at the spot', () => {
    const m = piecewiseMotion({ startUs: 0, startM: 0, speedMps: 20 }, [
      { toSpeedMps: 0, distanceM: 20 }, // 2 s to stop
      { toSpeedMps: 0, durationUs: 5e6 },
      { toSpeedMps: 10, durationUs: 2e6 }, // 10 m
    ]);
    expect(m.timeAt(20)).toBeCloseTo(2e6, 6);
    expect(m.positionAt(4e6)).toBe(20);
    expect(m.speedAt(4e6)).toBe(0);
    expect(m.timeAt(20 + 1e-6)).toBeGreaterThan(7e6);
    expect(m.timeAt(30)).toBeCloseTo(9e6, 6);
    expect(m.timeAt(19.999)).toBeLessThan(2e6);
    expectInverse(m, -1e6, 10e6, 1101);
  });

  test('a motion that ends stopped never reaches what lies beyond', () => {
    const m = piecewiseMotion({ startUs: 0, startM: 0, speedMps: 10 }, [{ toSpeedMps: 0, distanceM: 5 }]);
    expect(m.timeAt(5)).toBeCloseTo(1e6, 6);
    expect(m.timeAt(5.01)).toBe(Infinity);
    expect(m.positionAt(1e12)).toBe(5);
  });

  test('no segments is a constant speed', () => {
    const m = piecewiseMotion({ startUs: 5e6, startM: 10, speedMps: 40 }, []);
    expect(m.positionAt(6e6)).toBe(50);
    expect(m.timeAt(10)).toBe(5e6);
    expect(m.positionAt(4e6)).toBe(-30);
  });

  test('refuses impossible segments, naming them', () => {
    const start = { startUs: 0, startM: 0, speedMps: 0 };
    expect(() => piecewiseMotion(start, [{ toSpeedMps: 0, distanceM: 10 }])).toThrow(/segments\[0\]/);
    expect(() => piecewiseMotion(start, [{ toSpeedMps: -1, durationUs: 10 }])).toThrow(/segments\[0\]\.toSpeedMps/);
    expect(() => piecewiseMotion(start, [{ toSpeedMps: 5, durationUs: 1e6 }, { toSpeedMps: 5, distanceM: 0 }])).toThrow(/segments\[1\]\.distanceM/);
    expect(() => piecewiseMotion({ ...start, speedMps: Number.NaN }, [])).toThrow(/start\.speedMps/);
  });
});

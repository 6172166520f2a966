// The loop board against the loop field model's ground truth (deterministic, seeded):
// passing times (R-SF-1 starts from them), a restart's full field over one loop,
// pit road segment speeds and the speeding flag (R-PIT-SPEED-1), pit-in and pit-out
// (R-PIT-EXIT-1), and what the board does when its tables are full.
import { describe, expect, it } from 'vitest';
import type { LoopConfig, SegmentSpeed } from '../../protocol/schema.js';
import { DEFAULT_PROFILE, makeTransponder, type LoopLine } from '../../sim-hardware/loop-field.js';
import { constantSpeed, piecewiseMotion } from '../../sim-hardware/motion.js';
import { HEALTH_COUNTERS } from '../../protocol/schema.js';
import { MPH, matchPassings, percentile, pitRoadLayout, runLoops, segmentSpeedErrors } from '../support/loop-run.js';

const T0 = 1_763_726_400_000_000;
const SF: LoopConfig = { kind: 'loop', loops: [{ id: 1, role: 'start-finish', distanceMm: 0 }], quietGapUs: 20_000, minHits: 3 };
const SF_LINE: LoopLine[] = [{ loop: 1, positionM: 100 }];

/** Vehicles crossing the start/finish loop one at a time, `gapUs` apart. */
function singleFile(count: number, speedMps: number, gapUs: number, seed: number) {
  return Array.from({ length: count }, (_, i) => ({
    transponder: makeTransponder(1000 + i, DEFAULT_PROFILE, seed),
    motion: constantSpeed(T0 + i * gapUs, 100, speedMps),
  }));
}

describe('loop board passings vs truth (default profile)', () => {
  it('times 2,000 crossings at 200 mph with p99 error <= 100 µs, none missed or doubled', () => {
    const run = runLoops({ config: SF, lines: SF_LINE, vehicles: singleFile(2000, 200 * MPH, 400_000, 11), profile: DEFAULT_PROFILE, seed: 11 });
    const m = matchPassings(run);
    expect(m.missed).toBe(0);
    expect(m.extra).toBe(0);
    const e = m.errorsUs.sort((a, b) => a - b);
    expect(percentile(e, 0.99)).toBeLessThanOrEqual(100);
  });

  it('a restart: 36 vehicles over one loop within 1.5 s, 10,080 crossings, 0 missed and 0 duplicates', () => {
    const vehicles = [];
    for (let restart = 0; restart < 280; restart++) {
      for (let v = 0; v < 36; v++) {
        const row = Math.floor(v / 2);
        vehicles.push({
          transponder: makeTransponder(restart * 100 + v + 1, DEFAULT_PROFILE, 5, { lateralM: v % 2 === 0 ? -1.6 : 1.6 }),
          motion: constantSpeed(T0 + restart * 5_000_000 + row * 83_000 + (v % 2) * 7_000, 100, 120 * MPH),
        });
      }
    }
    const run = runLoops({ config: SF, lines: SF_LINE, vehicles, profile: DEFAULT_PROFILE, seed: 5 });
    const m = matchPassings(run);
    expect(run.truth.length).toBe(10_080);
    expect(m.missed).toBe(0);
    expect(m.extra).toBe(0);
    expect(run.counters[HEALTH_COUNTERS.tableFull] ?? 0).toBe(0);
  });

  it('a vehicle crawling over a loop (3 mph) still gives one passing, near its crossing', () => {
    // The quiet gap must outlast the nulls at crawling speed: a config matter for loops near the boxes.
    const slow: LoopConfig = { ...SF, quietGapUs: 800_000 };
    const run = runLoops({ config: slow, lines: SF_LINE, vehicles: singleFile(1, 3 * MPH, 0, 3), profile: DEFAULT_PROFILE, seed: 3 });
    const m = matchPassings(run);
    expect(m.missed + m.extra).toBe(0);
    expect(m.errorsUs[0]).toBeLessThan(15_000); // 15 ms is 2 cm at 1.34 m/s: crawling costs precision
  });
});

const { lines: PIT_LINES, config: PIT, segmentM: SEG_M } = pitRoadLayout();

function segments(events: ReturnType<typeof runLoops>['events']): SegmentSpeed[] {
  return events.filter((e): e is SegmentSpeed => e.kind === 'segment-speed');
}

describe('pit road at the edge (R-PIT-SPEED-1, R-PIT-EXIT-1)', () => {
  it('segment speed error p99 <= 0.01 mph at 30-55 mph', () => {
    const vehicles = Array.from({ length: 120 }, (_, i) => ({
      transponder: makeTransponder(500 + i, DEFAULT_PROFILE, 21),
      motion: constantSpeed(T0 + i * 20_000_000, 0, (30 + (25 * i) / 119) * MPH),
    }));
    const run = runLoops({ config: PIT, lines: PIT_LINES, vehicles, profile: DEFAULT_PROFILE, seed: 21 });
    const segs = segments(run.events);
    expect(segs.length).toBe(120 * 10);
    const errs = segmentSpeedErrors(run, SEG_M);
    expect(percentile(errs, 0.99)).toBeLessThanOrEqual(0.01);
    expect(segs.every((s) => s.limit === 4500 && s.over === s.speed > 5000)).toBe(true);
  });

  it('flags a vehicle 0.06 mph over limit + tolerance in that segment and in no other', () => {
    const legal = 49.9 * MPH;
    const fast = 50.06 * MPH;
    // Speed up just after line 3, slow down just after line 4: segment 4 is the fast one.
    const motion = piecewiseMotion({ startUs: T0, startM: 0, speedMps: legal }, [
      { toSpeedMps: legal, distanceM: 50 + 3 * SEG_M + 0.5 },
      { toSpeedMps: fast, distanceM: 0.2 },
      { toSpeedMps: fast, distanceM: SEG_M - 0.4 },
      { toSpeedMps: legal, distanceM: 0.2 },
    ]);
    const run = runLoops({ config: PIT, lines: PIT_LINES, vehicles: [{ transponder: makeTransponder(77, DEFAULT_PROFILE, 9), motion }], profile: DEFAULT_PROFILE, seed: 9 });
    const segs = segments(run.events);
    expect(segs.map((s) => s.segment)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(segs.filter((s) => s.over).map((s) => s.segment)).toEqual([4]);
    expect(segs.find((s) => s.segment === 4)!.speed).toBeGreaterThanOrEqual(5005);
    const kinds = run.events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'pit-in').length).toBe(1);
    expect(kinds.filter((k) => k === 'pit-out').length).toBe(1);
  });
});

describe('loop board tables', () => {
  it('counts readings for loops it does not own and refuses them', () => {
    const run = runLoops({ config: SF, lines: [{ loop: 7, positionM: 100 }], vehicles: singleFile(3, 100 * MPH, 500_000, 4), profile: DEFAULT_PROFILE, seed: 4 });
    expect(run.events.filter((e) => e.kind === 'passing')).toEqual([]);
    expect(run.counters[HEALTH_COUNTERS.badReadings]).toBe(run.hits);
  });

  it('when more crossings are in progress than the table holds, refuses and counts the rest, and never doubles a passing', () => {
    // Eight loops 100 m apart, 20 vehicles reaching each at the same moment: 160 crossings at once.
    const lines: LoopLine[] = Array.from({ length: 8 }, (_, i) => ({ loop: i + 1, positionM: 100 + 100 * i }));
    const config: LoopConfig = { ...SF, loops: lines.map((l) => ({ id: l.loop, role: 'sector' as const, distanceMm: l.positionM * 1000 })) };
    const vehicles = Array.from({ length: 160 }, (_, i) => ({
      transponder: makeTransponder(9000 + i, DEFAULT_PROFILE, 8, { lateralM: -6 + (i % 20) * 0.6 }),
      motion: constantSpeed(T0 + (i % 20) * 500, 100 + 100 * Math.floor(i / 20), 60 * MPH),
    }));
    // No collisions: this is about the table, not the radio channel.
    const run = runLoops({ config, lines, vehicles, profile: { ...DEFAULT_PROFILE, collisionLoss: 0 }, seed: 8 });
    expect(run.counters[HEALTH_COUNTERS.tableFull]).toBeGreaterThan(0);
    const m = matchPassings(run);
    expect(m.extra).toBe(0);
    expect(run.truth.length - m.missed).toBeGreaterThanOrEqual(128);
  });
});

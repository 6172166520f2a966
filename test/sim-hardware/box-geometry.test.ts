// R-PIT-BOX-2 geometry, the truth box verdicts are judged against: margins of a square
// vehicle by hand, every clause exactly on its line / 1 mm inside / 1 mm outside, a
// yawed vehicle decided by (c), nose over the front line (b), rear tires on the back
// line (d), ties, close calls and the 1 mm readings a board works from.

import { describe, expect, test } from 'vitest';
import type { BoxClause, BoxDef } from '../../protocol/schema.js';
import {
  CENTRED,
  CLAUSES,
  DEFAULT_BOX,
  DEFAULT_BOX_CONFIG,
  DEFAULT_UNCERTAINTY_MM,
  DEFAULT_VEHICLE,
  callFromMargins,
  clauseMargins,
  footprint,
  judgeBox,
  marginsFromExtents,
  noseDistanceMm,
  oneBoxMm,
  overBox,
  poseForMargin,
  quantiseExtents,
  quantiseMm,
  roundedMargins,
  validatePose,
  validateVehicle,
  type Pose,
} from '../../sim-hardware/box-geometry.js';

const BOX = DEFAULT_BOX;
const VEH = DEFAULT_VEHICLE;
const INDEX: Record<BoxClause, number> = { a: 0, b: 1, c: 2, d: 3 };
/** Nose toward the wall far enough that the inside rear tire is further out than the outside front one. */
const TAIL_OUT: Pose = { xMm: 0, yMm: 0, yawDeg: -35 };

describe('defaults', () => {
  test('a Truck Series-like box and vehicle, the vehicle comfortably inside when centred', () => {
    expect(BOX).toMatchObject({ lengthMm: 6700, widthMm: 3700, lineMm: 100 });
    expect(VEH).toEqual({
      trackMm: 1600,
      wheelbaseMm: 2845,
      tireWidthMm: 300,
      patchMm: 200,
      frontOverhangMm: 1050,
      rearOverhangMm: 1200,
      bodyWidthMm: 2000,
    });
    expect(DEFAULT_UNCERTAINTY_MM).toBe(10);
    expect(DEFAULT_BOX_CONFIG).toMatchObject({ kind: 'box', uncertaintyMm: 10, sampleUs: 10_000, boxes: [BOX], vehicle: VEH });
    const j = judgeBox(BOX, VEH, CENTRED);
    expect(j.inBox).toBe(true);
    expect(Math.min(...j.margins)).toBeGreaterThan(500);
    // The whole body fits too: 5095 mm in 6700, 2000 mm in 3700.
    const body = j.footprint.body.extents;
    expect(body.minXMm).toBeGreaterThan(-BOX.lengthMm / 2);
    expect(body.minYMm).toBeGreaterThan(-BOX.widthMm / 2);
    expect(oneBoxMm(BOX)).toBe(6900);
  });
});

describe('footprint', () => {
  test('centred: patches and body by hand', () => {
    const fp = footprint(VEH, CENTRED);
    // Patch centres at (±1422.5, ±800); patches 200 long, 300 wide.
    expect(fp.tires.map((t) => t.extents)).toEqual([
      { minXMm: 1322.5, maxXMm: 1522.5, minYMm: 650, maxYMm: 950 },
      { minXMm: 1322.5, maxXMm: 1522.5, minYMm: -950, maxYMm: -650 },
      { minXMm: -1522.5, maxXMm: -1322.5, minYMm: 650, maxYMm: 950 },
      { minXMm: -1522.5, maxXMm: -1322.5, minYMm: -950, maxYMm: -650 },
    ]);
    expect(fp.tires[0].corners).toEqual([
      { xMm: 1322.5, yMm: 650 },
      { xMm: 1522.5, yMm: 650 },
      { xMm: 1522.5, yMm: 950 },
      { xMm: 1322.5, yMm: 950 },
    ]);
    // Body from −(1422.5 + 1200) to +(1422.5 + 1050), ±1000.
    expect(fp.body.extents).toEqual({ minXMm: -2622.5, maxXMm: 2472.5, minYMm: -1000, maxYMm: 1000 });
    expect(fp.foremostXMm).toBe(2472.5);
    expect(noseDistanceMm(BOX, fp)).toBe(-3350 - 2472.5);
  });

  test('yaw turns the nose toward +y about the centre; a translation moves everything', () => {
    const fp = footprint(VEH, { xMm: 100, yMm: -50, yawDeg: 90 - 1e-9 });
    // Nearly 90°: the nose points at +y, the outside (+y) tires end up at −x.
    expect(fp.body.extents.maxYMm).toBeCloseTo(-50 + 2472.5, 3);
    expect(fp.body.extents.minXMm).toBeCloseTo(100 - 1000, 3);
    expect(fp.tires[0].extents.maxXMm).toBeCloseTo(100 - 650, 3);
    const a = footprint(VEH, { xMm: 0, yMm: 0, yawDeg: 12 });
    const b = footprint(VEH, { xMm: 250, yMm: -75, yawDeg: 12 });
    a.tires.forEach((t, i) => {
      expect(b.tires[i]!.extents.minXMm - t.extents.minXMm).toBeCloseTo(250, 9);
      expect(b.tires[i]!.extents.maxYMm - t.extents.maxYMm).toBeCloseTo(-75, 9);
    });
  });
});

describe('margins', () => {
  test('centred vehicle: margins by hand, (b) decides', () => {
    const j = judgeBox(BOX, VEH, CENTRED);
    // (a) 1850 − 950; (b) 3350 − 2472.5; (c) 1850 − (−650); (d) −1522.5 + 3350.
    expect(j.margins).toEqual([900, 877.5, 2500, 1827.5]);
    expect(j).toMatchObject({ inBox: true, clause: 'b', marginMm: 877.5, closeCall: false });
    // From 1 mm readings: the foremost 2472.5 reads 2473, the rear patches' −1522.5 read −1523.
    expect(j.rounded).toMatchObject({ margins: [900, 877, 2500, 1827], inBox: true, clause: 'b', marginMm: 877 });
  });

  test.each(CLAUSES.map((c) => [c]))('clause (%s): exactly on the line is out, 1 mm inside is in, 1 mm outside is out', (clause) => {
    const base = clause === 'c' ? TAIL_OUT : CENTRED;
    const i = INDEX[clause];
    for (const [target, inBox] of [
      [0, false],
      [1, true],
      [-1, false],
    ] as const) {
      const pose = poseForMargin(BOX, VEH, clause, target, base);
      // Only the clause's axis moves.
      if (clause === 'a' || clause === 'c') expect([pose.xMm, pose.yawDeg]).toEqual([base.xMm, base.yawDeg]);
      else expect([pose.yMm, pose.yawDeg]).toEqual([base.yMm, base.yawDeg]);
      const j = judgeBox(BOX, VEH, pose);
      expect(j.margins[i]).toBeCloseTo(target, 9);
      expect(j.inBox).toBe(inBox);
      expect(j.clause).toBe(clause);
      expect(j.closeCall).toBe(true);
      if (target === 0) expect(j.margins[i]).toBeLessThanOrEqual(0);
    }
  });

  test('square poses land exactly on the line', () => {
    expect(poseForMargin(BOX, VEH, 'a', 0)).toEqual({ xMm: 0, yMm: 900, yawDeg: 0 });
    expect(poseForMargin(BOX, VEH, 'b', 0)).toEqual({ xMm: 877.5, yMm: 0, yawDeg: 0 });
    expect(poseForMargin(BOX, VEH, 'd', 0)).toEqual({ xMm: -1827.5, yMm: 0, yawDeg: 0 });
    expect(judgeBox(BOX, VEH, { xMm: 877.5, yMm: 0, yawDeg: 0 }).margins[1]).toBe(0);
  });

  test('on the line at any yaw: the verdict is never "in" by a rounding error', () => {
    for (const clause of CLAUSES) {
      for (let yaw = -40; yaw <= 40; yaw += 3.7) {
        const pose = poseForMargin(BOX, VEH, clause, 0, { xMm: 0, yMm: 0, yawDeg: yaw });
        const m = judgeBox(BOX, VEH, pose).margins[INDEX[clause]]!;
        expect(m).toBeLessThanOrEqual(0);
        expect(m).toBeGreaterThan(-1e-9);
      }
    }
  });

  test('yawed tail out: only the inside rear tire reaches the outside line, (c) decides', () => {
    const pose = poseForMargin(BOX, VEH, 'c', 0, TAIL_OUT);
    const j = judgeBox(BOX, VEH, pose);
    expect(j).toMatchObject({ inBox: false, clause: 'c' });
    const [a, b, c, d] = j.margins;
    expect(c).toBeCloseTo(0, 9);
    // The outside front tire is well inside the outside line; nose and rear tires too.
    expect(a).toBeGreaterThan(300);
    expect(b).toBeGreaterThan(700);
    expect(d).toBeGreaterThan(1500);
    // The rear outside tire is further out still, but no clause looks at it.
    expect(j.footprint.tires[2].extents.maxYMm).toBeGreaterThan(BOX.widthMm / 2 + 1000);
    // (c) can only decide beyond atan(track / wheelbase) ≈ 29.4° of yaw toward the wall;
    // below that the outside front tire reaches the line first.
    expect(judgeBox(BOX, VEH, poseForMargin(BOX, VEH, 'c', 0, { xMm: 0, yMm: 0, yawDeg: -30 })).clause).toBe('c');
    expect(judgeBox(BOX, VEH, poseForMargin(BOX, VEH, 'c', 0, { xMm: 0, yMm: 0, yawDeg: -29 })).clause).toBe('a');
    // 1 mm back inside, the same vehicle is in the box.
    expect(judgeBox(BOX, VEH, poseForMargin(BOX, VEH, 'c', 1, TAIL_OUT)).inBox).toBe(true);
  });

  test('nose over the front line with every tire inside: (b) alone', () => {
    const pose = poseForMargin(BOX, VEH, 'b', -50);
    const j = judgeBox(BOX, VEH, pose);
    expect(j).toMatchObject({ inBox: false, clause: 'b', marginMm: -50 });
    expect(j.margins.filter((m) => m <= 0)).toEqual([-50]);
    for (const t of j.footprint.tires) {
      expect(t.extents.maxXMm).toBeLessThan(BOX.lengthMm / 2);
      expect(t.extents.minXMm).toBeGreaterThan(-BOX.lengthMm / 2);
      expect(t.extents.maxYMm).toBeLessThan(BOX.widthMm / 2);
    }
  });

  test('rear tires on the back line: (d)', () => {
    const j = judgeBox(BOX, VEH, poseForMargin(BOX, VEH, 'd', 0));
    expect(j).toMatchObject({ inBox: false, clause: 'd', marginMm: 0 });
    expect(j.footprint.tires[2].extents.minXMm).toBe(-BOX.lengthMm / 2);
    expect(j.footprint.tires[3].extents.minXMm).toBe(-BOX.lengthMm / 2);
    expect(j.margins.filter((m) => m <= 0)).toEqual([0]);
    // Nose toward the outside swings the rear outside tire back: it alone touches.
    const yawed = judgeBox(BOX, VEH, poseForMargin(BOX, VEH, 'd', 0, { xMm: 0, yMm: 0, yawDeg: 8 }));
    expect(yawed.clause).toBe('d');
    expect(yawed.footprint.tires[2].extents.minXMm).toBeCloseTo(-BOX.lengthMm / 2, 9);
    expect(yawed.footprint.tires[3].extents.minXMm).toBeGreaterThan(-BOX.lengthMm / 2 + 100);
  });

  test('ties go to the earliest clause; close call is |margin| ≤ uncertainty', () => {
    expect(callFromMargins([5, 5, 5, 5], 10).clause).toBe('a');
    expect(callFromMargins([10, 3, 3, 9], 10).clause).toBe('b');
    expect(callFromMargins([10, 4, 3, 3], 10).clause).toBe('c');
    expect(callFromMargins([1, 1, 1, 0], 0)).toMatchObject({ inBox: false, clause: 'd', closeCall: true });
    const at = (m: number): boolean => judgeBox(BOX, VEH, poseForMargin(BOX, VEH, 'b', m), 10).closeCall;
    expect([at(10), at(10.5), at(-10), at(-10.5), at(0)]).toEqual([true, false, true, false, true]);
  });

  test('1 mm readings: rounded margins come from quantised extents and keep their verdict', () => {
    // An odd box leaves half millimetres in the margins.
    const odd: BoxDef = { ...BOX, lengthMm: 6701, widthMm: 3701 };
    for (let i = 0; i < 200; i++) {
      const pose: Pose = { xMm: -900 + i * 9.37, yMm: ((i * 37) % 700) - 350, yawDeg: ((i * 7) % 21) - 10 };
      for (const box of [BOX, odd]) {
        const fp = footprint(VEH, pose);
        const fromReadings = marginsFromExtents(
          box,
          fp.tires.map((t) => quantiseExtents(t.extents)),
          quantiseMm(fp.foremostXMm),
        );
        const rounded = roundedMargins(box, fp);
        rounded.forEach((m, k) => {
          expect(Number.isInteger(m)).toBe(true);
          expect(Math.abs(m - fromReadings[k]!)).toBeLessThanOrEqual(0.5);
          expect(m > 0).toBe(fromReadings[k]! > 0);
          // Never more than a millimetre from the exact margin.
          expect(Math.abs(m - clauseMargins(box, fp)[k]!)).toBeLessThanOrEqual(1);
        });
      }
    }
    // Under a millimetre inside, the readings already touch the line.
    const j = judgeBox(BOX, VEH, poseForMargin(BOX, VEH, 'b', 0.4));
    expect(j.inBox).toBe(true);
    expect(j.rounded).toMatchObject({ inBox: false, marginMm: 0 });
    expect([quantiseMm(2.5), quantiseMm(-2.5), quantiseMm(-0.4), quantiseMm(0.5)]).toEqual([3, -3, 0, 1]);
    expect(Object.is(quantiseMm(-0.4), -0)).toBe(false);
  });

  test('over the box: the body overlaps the inside area along x', () => {
    expect(overBox(BOX, footprint(VEH, CENTRED))).toBe(true);
    // Nose exactly on the back line: touching, not over yet.
    expect(overBox(BOX, footprint(VEH, { xMm: -3350 - 2472.5, yMm: 0, yawDeg: 0 }))).toBe(false);
    expect(overBox(BOX, footprint(VEH, { xMm: -3350 - 2472.5 + 1, yMm: 0, yawDeg: 0 }))).toBe(true);
    expect(overBox(BOX, footprint(VEH, { xMm: 3350 + 2622.5, yMm: 0, yawDeg: 0 }))).toBe(false);
  });

  test('bad input is refused with the field named', () => {
    expect(() => validatePose({ xMm: 0, yMm: 0, yawDeg: 90 })).toThrow(/yawDeg/);
    expect(() => validatePose({ xMm: Number.NaN, yMm: 0, yawDeg: 0 })).toThrow(/xMm/);
    expect(() => validateVehicle({ ...VEH, tireWidthMm: 1600 })).toThrow(/tireWidthMm/);
    expect(() => validateVehicle({ ...VEH, wheelbaseMm: 0 })).toThrow(/wheelbaseMm/);
    expect(() => judgeBox({ ...BOX, widthMm: -1 }, VEH, CENTRED)).toThrow(/widthMm/);
    expect(() => poseForMargin(BOX, VEH, 'e' as BoxClause, 0)).toThrow(/clause/);
  });
});

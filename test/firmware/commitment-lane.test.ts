// The commitment lane through the real box board image (R-PIT-COMMIT-1): a vehicle
// crossing the commitment line with all four tires inside the painted box, each tire
// exactly on a boundary line (a line belongs to the outside: out), one millimetre either
// side, close calls with sensor noise (R-PEN-3), two vehicles in the lane at once, the
// table of vehicles full, and a lane config the board refuses.
import { encode as cborgEncode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { toDataModel } from '../../protocol/codec.js';
import { DEFAULT_VEHICLE } from '../../sim-hardware/box-geometry.js';
import { DEFAULT_BOX_SENSOR_PROFILE } from '../../sim-hardware/box-sensors.js';
import { offsetForMargin } from '../../sim-hardware/commitment-lane.js';
import { createRng } from '../../sim-hardware/random.js';
import { LaneBoard, TEST_LANE, crossing, handMadeRecords, laneConfig, runCrossings } from '../support/lane-run.js';

const W2 = TEST_LANE.widthMm / 2; // 1500: the boundary lines' inner edges at y = ±1500
const TABLE_FULL = 1; // health counter (protocol/schema.ts HEALTH_COUNTERS)
const BAD_READINGS = 3;

describe('R-PIT-COMMIT-1: one vehicle, noise off', () => {
  it('centred: all four tires 550 mm inside, one event with the vehicle named and the front tires’ moment', () => {
    const run = runCrossings([crossing({ transponder: 4242 })]);
    expect(run.commitments).toHaveLength(1);
    const [c] = run.commitments;
    expect(c).toMatchObject({ kind: 'commitment', lane: 7, transponder: 4242, inside: true, marginMm: 550, closeCall: false, margins: [550, 550, 550, 550] });
    expect(Math.abs(c!.timeUs - run.truth[0]!.frontUs)).toBeLessThanOrEqual(1);
    expect(run.truth[0]).toMatchObject({ inside: true, marginMm: 550, margins: [550, 550, 550, 550] });
    expect(run.taken).toBe(run.samples);
  });

  for (const [tire, side] of [
    [0, 'the +y line, front'],
    [1, 'the −y line, front'],
    [2, 'the +y line, rear'],
    [3, 'the −y line, rear'],
  ] as const) {
    for (const [margin, inside] of [
      [0, false],
      [1, true],
      [-1, false],
    ] as const) {
      it(`tire ${tire} alone on ${side}, ${margin} mm: ${inside ? 'inside' : 'a violation'}`, () => {
        // Tires 0 and 2 on the +y side, 1 and 3 on −y; the others 550 mm inside.
        const ys: [number, number, number, number] = [800, -800, 800, -800];
        const edge = W2 - 150 - margin;
        ys[tire] = tire % 2 === 0 ? edge : -edge;
        const board = new LaneBoard();
        board.feed(handMadeRecords(ys, { transponder: 77 }));
        const cs = board.commitments();
        expect(cs).toHaveLength(1);
        const want = [550, 550, 550, 550];
        want[tire] = margin;
        expect(cs[0]).toMatchObject({ lane: 7, transponder: 77, inside, marginMm: margin, closeCall: true, margins: want });
      });
    }
  }

  it('a whole side on its line (offset for margin 0): out, tires 0 and 2 at 0, 1 and 3 at 1100', () => {
    const run = runCrossings([crossing({ offsetMm: offsetForMargin(TEST_LANE, DEFAULT_VEHICLE, 0, 1) })]);
    expect(run.commitments[0]).toMatchObject({ inside: false, marginMm: 0, margins: [0, 1100, 0, 1100] });
    expect(run.truth[0]).toMatchObject({ inside: false, marginMm: 0 });
  });

  it('yawed: a tire’s margin is the farther of its patch’s y extents from the centre', () => {
    // Held yaw turns the nose toward +y: tire 0 reaches furthest out on +y, tire 3 on −y.
    const run = runCrossings([crossing({ yawDeg: 4, offsetMm: 200 })]);
    const t = run.truth[0]!;
    expect(t.margins[0]).toBeLessThan(t.margins[2]);
    expect(t.margins[3]).toBeLessThan(t.margins[1]);
    expect(run.commitments[0]!.margins).toEqual(t.rounded.margins);
    expect(run.commitments[0]).toMatchObject({ inside: t.inside, marginMm: t.rounded.marginMm });
  });
});

describe('close calls with the default sensor noise (R-PEN-3)', () => {
  it('within the uncertainty of a line is a close call either side; well inside is not', () => {
    for (const [margin, inside, close] of [
      [6, true, true],
      [-6, false, true],
      [40, true, false],
      [-40, false, false],
    ] as const) {
      const run = runCrossings([crossing({ offsetMm: offsetForMargin(TEST_LANE, DEFAULT_VEHICLE, margin, -1) })], DEFAULT_BOX_SENSOR_PROFILE, 11);
      const [c] = run.commitments;
      expect(c!.closeCall, `margin ${margin}`).toBe(close);
      if (!close) expect(c!.inside, `margin ${margin}`).toBe(inside);
      // Tires 1 and 3 decide (the −y side); each reading within 4σ, interpolated.
      expect(Math.abs(c!.marginMm - margin)).toBeLessThanOrEqual(12);
    }
  });

  it('400 noisy crossings within ±40 mm of a line: never a confident wrong call', () => {
    const rng = createRng(2026);
    const crossings = Array.from({ length: 400 }, (_, i) =>
      crossing({
        transponder: 1 + i,
        atUs: 1_000_000 + i * 2_000_000,
        speedMps: 10 + rng.next() * 30,
        yawDeg: (rng.next() - 0.5) * 4,
        offsetMm: offsetForMargin(TEST_LANE, DEFAULT_VEHICLE, (rng.next() - 0.5) * 80, i % 2 === 0 ? 1 : -1),
      }),
    );
    const run = runCrossings(crossings, DEFAULT_BOX_SENSOR_PROFILE, 5);
    expect(run.commitments).toHaveLength(400);
    let wrong = 0;
    for (const c of run.commitments) {
      const t = run.truth.find((x) => x.transponder === c.transponder)!;
      if (c.inside !== t.inside) {
        wrong++;
        expect(c.closeCall).toBe(true);
      }
      expect(Math.abs(c.marginMm - t.marginMm)).toBeLessThanOrEqual(12);
      expect(Math.abs(c.timeUs - t.frontUs)).toBeLessThanOrEqual(2_000);
    }
    expect(wrong).toBeLessThan(run.commitments.filter((c) => c.closeCall).length);
  });
});

describe('several vehicles', () => {
  it('two vehicles in the lane at once each get their own event', () => {
    const a = crossing({ transponder: 11, atUs: 1_000_000 });
    const b = crossing({ transponder: 22, atUs: 1_150_000, offsetMm: offsetForMargin(TEST_LANE, DEFAULT_VEHICLE, -30, 1) });
    const run = runCrossings([a, b]);
    // The second is 3 m behind the first: both over the lane's sensors together.
    expect(run.truth[1]!.sensedFromUs).toBeLessThan(run.truth[0]!.sensedToUs);
    expect(run.commitments.map((c) => [c.transponder, c.inside, c.marginMm])).toEqual([
      [11, true, 550],
      [22, false, -30],
    ]);
  });

  it('the table full: a fifth vehicle at once is not followed, counted once (table full); the four are', () => {
    const five = [0, 1, 2, 3, 4].map((i) => crossing({ transponder: 100 + i, atUs: 1_000_000 + i * 60_000 }));
    const run = runCrossings(five);
    expect(run.truth[4]!.sensedFromUs).toBeLessThan(run.truth[0]!.sensedToUs);
    expect(run.commitments.map((c) => c.transponder)).toEqual([100, 101, 102, 103]);
    expect(run.health.at(-1)!.counters[TABLE_FULL]).toBe(1);
    // Once one has left, the next vehicle is followed again.
    const later = runCrossings([...five, crossing({ transponder: 200, atUs: 3_000_000 })]);
    expect(later.commitments.map((c) => c.transponder)).toEqual([100, 101, 102, 103, 200]);
  });

  it('a vehicle whose "left" record never comes gives its slot up to a new one after 2 s', () => {
    const board = new LaneBoard();
    // Four vehicles whose records stop before they leave (the last, "left", record lost)...
    for (let n = 0; n < 4; n++) {
      const recs = handMadeRecords([800, -800, 800, -800], { number: n, transponder: 10 + n, startUs: 1_000_000 });
      board.feed(recs.subarray(0, recs.length - 64));
    }
    expect(board.commitments()).toHaveLength(4);
    // ...a fifth one 3 s later is still followed.
    board.feed(handMadeRecords([800, -800, 800, -800], { number: 9, transponder: 99, startUs: 4_500_000 }));
    expect(board.commitments().map((c) => c.transponder)).toEqual([10, 11, 12, 13, 99]);
    expect(board.health().at(-1)!.counters[TABLE_FULL]).toBeUndefined();
  });
});

describe('config and records', () => {
  it('records of a lane the board does not have are counted as bad readings', () => {
    const board = new LaneBoard();
    const recs = handMadeRecords([800, -800, 800, -800], { laneId: 8 });
    board.feed(recs);
    expect(board.taken).toBe(0);
    expect(board.commitments()).toHaveLength(0);
    expect(board.health().at(-1)!.counters[BAD_READINGS]).toBe(recs.length / 64);
  });

  it('refuses a lane whose id is one of its box numbers, two lanes with one id, a lane narrower than the vehicle', () => {
    const board = new LaneBoard();
    const rejected = () => board.events.filter((e) => e.kind === 'config-rejected').at(-1);
    expect(board.command(laneConfig([{ ...TEST_LANE, id: 1 }]))).toBe(2);
    expect(rejected()).toMatchObject({ code: 'inconsistent', reason: 'a commitment lane id is a box number' });
    expect(board.command(laneConfig([TEST_LANE, { ...TEST_LANE, widthMm: 4000 }]))).toBe(2);
    expect(rejected()).toMatchObject({ code: 'inconsistent', reason: 'two commitment lanes share an id' });
    expect(board.command(laneConfig([{ ...TEST_LANE, widthMm: 1900 }]))).toBe(2);
    expect(rejected()).toMatchObject({ code: 'inconsistent', reason: 'commitment lane narrower than the vehicle' });
    // The lane in force still works.
    board.feed(handMadeRecords([800, -800, 800, -800]));
    expect(board.commitments()).toHaveLength(1);
  });

  it('three lanes do not decode (at most two: bad-count); two lanes each see their own crossings', () => {
    const board = new LaneBoard();
    const two = laneConfig([TEST_LANE, { ...TEST_LANE, id: 8 }]);
    // The TS encoder refuses a third lane: add it to the data model by hand.
    const model = toDataModel('command', { board: 'box-lane', id: 2, body: { kind: 'config', config: two } });
    const lanes = ((model.get(3) as [number, Map<number, unknown>])[1].get(5) as unknown[][]);
    lanes.push([9, ...lanes[0]!.slice(1)]);
    expect(board.host.command(cborgEncode(model))).toBe(-10); // -(bad-count)
    const twoLanes = new LaneBoard(two);
    twoLanes.feed(handMadeRecords([800, -800, 800, -800], { laneId: 8, transponder: 5 }));
    twoLanes.feed(handMadeRecords([1300, -800, 800, -800], { laneId: 7, transponder: 6, startUs: 3_000_000 }));
    expect(twoLanes.commitments().map((c) => [c.lane, c.transponder, c.marginMm])).toEqual([
      [8, 5, 550],
      [7, 6, 50],
    ]);
  });

  it('passes its built-in selftest, lane golden cases included', () => {
    expect(new LaneBoard().host.selftest()).toBe(0);
  });
});

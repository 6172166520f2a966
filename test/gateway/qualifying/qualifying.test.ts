// Qualifying joined up: a two-round session worked out by hand — the document, its
// live clock, and the same document whatever the order of the calls and crossings.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { mphOf, qualifying, WHY, type QualifyingInput } from '../../../gateway/qualifying/qualifying.js';
import type { QualifyingFormat } from '../../../gateway/qualifying/qualifying-format.js';
import type { QualifyingCrossing } from '../../../gateway/qualifying/timed-laps.js';
import { at, Calls, fieldOf, input, LAP_M, line, ONE_LAP, pitLine, S, shuffled, TWO_LAPS } from './qualifying-fixture.js';

const TWO_ROUNDS: QualifyingFormat = { rounds: [{ minutes: 5, timedLaps: 1, advance: 2 }, { minutes: 3, timedLaps: 1 }] };
const FIELD = fieldOf('1', '2', '3', '4');
const POINTS = { '1': 50, '3': 100 };

/** Round 1 at 0 s (5 min), round 2 at 600 s (3 min, a red 650..660). */
function session(nowS = 3600): QualifyingInput {
  const calls = new Calls().call(0, 'start', 1).call(600, 'start', 2).call(650, 'red', 2).call(660, 'green', 2);
  const crossings: QualifyingCrossing[] = [
    // Each run from pit road and back, past pit road's line.
    pitLine('1', 2),
    ...line('1', 10, 30, 50), // 20 s, then a lap beyond its one
    pitLine('1', 70),
    pitLine('2', 3),
    ...line('2', 12, 31.5), // 19.5 s
    pitLine('2', 51),
    pitLine('3', 4),
    ...line('3', 15, 35), // 20 s, like 1, more owner points
    pitLine('3', 55),
    pitLine('4', 5), // out and back in: no time
    pitLine('4', 60),
    pitLine('3', 601),
    ...line('3', 610, 629), // 19 s
    pitLine('2', 602),
    ...line('2', 612, 632), // 20 s
    pitLine('1', 603),
    ...line('1', 615, 634), // did not advance
    ...line('99', 615, 634), // not in the field
  ];
  return input({ format: TWO_ROUNDS, calls: calls.list, crossings, field: FIELD, ownerPoints: POINTS, nowUs: at(nowS) });
}

describe('qualifying', () => {
  test('R-QUAL-1..5: a two-round session, the whole document', () => {
    const q = qualifying(session());
    const row = (pos: number, car: string, timeS: number | null, postedS: number | null, ownerPoints = 0) => ({
      pos,
      car,
      driver: `Driver ${car}`,
      timeS,
      mph: timeS === null ? null : mphOf(LAP_M, timeS * S),
      postedUs: postedS === null ? null : at(postedS),
      ownerPoints,
    });
    const lap = (car: string, fromS: number, toS: number, why: string | null = null) => ({
      car,
      startUs: at(fromS),
      endUs: at(toS),
      timeS: Math.round((toS - fromS) * S) / S,
      mph: mphOf(LAP_M, Math.round((toS - fromS) * S)),
      counted: why === null,
      inferred: false,
      why,
    });
    expect(q).toEqual({
      current: 2,
      rounds: [
        {
          round: 1,
          minutes: 5,
          timedLaps: 1,
          advance: 2,
          startUs: at(0),
          expiresUs: at(300),
          endedUs: at(600),
          running: false,
          elapsedS: 300,
          remainingS: 0,
          redPeriods: [],
          laps: [lap('1', 10, 30), lap('2', 12, 31.5), lap('3', 15, 35), lap('1', 30, 50, WHY.beyondTimedLaps)],
          order: [row(1, '2', 19.5, 31.5), row(2, '3', 20, 35, 100), row(3, '1', 20, 30, 50), row(4, '4', null, null)],
        },
        {
          round: 2,
          minutes: 3,
          timedLaps: 1,
          advance: null,
          startUs: at(600),
          expiresUs: at(790),
          endedUs: null,
          running: false,
          elapsedS: 180,
          remainingS: 0,
          redPeriods: [{ fromUs: at(650), toUs: at(660) }],
          laps: [lap('3', 610, 629), lap('2', 612, 632), lap('1', 615, 634, WHY.notInRound)],
          order: [row(1, '3', 19, 629, 100), row(2, '2', 20, 632)],
        },
      ],
      order: [
        { ...row(1, '3', 19, 629, 100), round: 2 },
        { ...row(2, '2', 20, 632), round: 2 },
        { ...row(3, '1', 20, 30, 50), round: 1 },
        { ...row(4, '4', null, null), round: 1 },
      ],
    });
    // The speeds by hand: 846 m in 20 s and 19 s.
    expect(q.rounds[0]!.order[2]!.mph).toBe(94.622);
    expect(q.rounds[1]!.order[0]!.mph).toBe(99.603);
  });

  test('keys in one fixed order', () => {
    const q = qualifying(session());
    expect(Object.keys(q)).toEqual(['current', 'rounds', 'order']);
    expect(Object.keys(q.rounds[0]!)).toEqual(['round', 'minutes', 'timedLaps', 'advance', 'startUs', 'expiresUs', 'endedUs', 'running', 'elapsedS', 'remainingS', 'redPeriods', 'laps', 'order']);
    expect(Object.keys(q.rounds[0]!.laps[0]!)).toEqual(['car', 'startUs', 'endUs', 'timeS', 'mph', 'counted', 'inferred', 'why']);
    expect(Object.keys(q.rounds[0]!.order[0]!)).toEqual(['pos', 'car', 'driver', 'timeS', 'mph', 'postedUs', 'ownerPoints']);
    expect(Object.keys(q.order[0]!)).toEqual(['pos', 'car', 'driver', 'round', 'timeS', 'mph', 'postedUs', 'ownerPoints']);
    expect(Object.keys(q.rounds[1]!.redPeriods[0]!)).toEqual(['fromUs', 'toUs']);
  });

  test('R-QUAL-4: the live clock — elapsed and remaining as the round runs, stopped under red', () => {
    const live = (s: number) => {
      const r = qualifying(session(s)).rounds[1]!;
      return [r.running, r.elapsedS, r.remainingS];
    };
    expect(live(599.999999)).toEqual([false, 0, 180]);
    expect(live(600)).toEqual([true, 0, 180]);
    expect(live(649.5)).toEqual([true, 49.5, 130.5]);
    expect(live(655)).toEqual([true, 50, 130]);
    expect(live(660.000001)).toEqual([true, 50.000001, 129.999999]);
    expect(live(789.999999)).toEqual([true, 179.999999, 0.000001]);
    expect(live(790)).toEqual([false, 180, 0]);
    // Round 1 while it runs, before round 2 began.
    const q = qualifying(session(120));
    expect([q.rounds[0]!.running, q.rounds[0]!.elapsedS, q.rounds[0]!.remainingS]).toEqual([true, 120, 180]);
  });

  test('before any round: no current round, the field in entry order, later rounds without entrants', () => {
    const q = qualifying(input({ format: TWO_ROUNDS, calls: [], crossings: line('1', 10, 30), field: FIELD, nowUs: at(0) }));
    expect(q.current).toBeNull();
    expect(q.rounds.map((r) => [r.startUs, r.running, r.elapsedS, r.remainingS, r.laps.length, r.order.length])).toEqual([
      [null, false, 0, 300, 0, 4],
      [null, false, 0, 180, 0, 0],
    ]);
    expect(q.order.map((o) => [o.pos, o.car, o.round, o.timeS])).toEqual([
      [1, '1', null, null],
      [2, '2', null, null],
      [3, '3', null, null],
      [4, '4', null, null],
    ]);
  });

  test('while round 1 runs, round 2 shows who would go on as it stands', () => {
    const q = qualifying({ ...session(100) });
    expect(q.current).toBe(2); // the calls are all known: round 2 began
    const early = qualifying(input({ format: TWO_ROUNDS, calls: new Calls().call(0, 'start').list, crossings: line('3', 10, 30), field: FIELD, nowUs: at(100) }));
    expect(early.current).toBe(1);
    // The top two of round 1 so far: 3 with a time, then 1 first of the rest in field order; no round 2 times yet.
    expect(early.rounds[1]!.order.map((o) => [o.car, o.timeS])).toEqual([
      ['1', null],
      ['3', null],
    ]);
  });

  test('R-QUAL-5: identical times to the µs → owner points → posted first; 1 µs apart → the faster, though the mph reads the same', () => {
    const crossings = [...line('1', 10, 30), ...line('2', 11, 31), ...line('3', 12, 32), ...line('4', 13, 32.999999)];
    const q = qualifying(input({ calls: new Calls().call(0, 'start').list, crossings, field: FIELD, ownerPoints: { '1': 10, '2': 10, '3': 20, '4': 0 } }));
    expect(q.rounds[0]!.order.map((o) => [o.car, o.timeS, o.mph, o.ownerPoints])).toEqual([
      ['4', 19.999999, 94.622, 0],
      ['3', 20, 94.622, 20],
      ['1', 20, 94.622, 10],
      ['2', 20, 94.622, 10],
    ]);
  });

  test('R-QUAL-2: 1 vs 2 timed laps — a faster second lap is the time only with two', () => {
    const crossings = line('1', 10, 30.5, 50.5);
    const one = qualifying(input({ format: ONE_LAP, calls: new Calls().call(0, 'start').list, crossings }));
    const two = qualifying(input({ format: TWO_LAPS, calls: new Calls().call(0, 'start').list, crossings }));
    expect([one.order[0]!.timeS, one.order[0]!.postedUs]).toEqual([20.5, at(30.5)]);
    expect([two.order[0]!.timeS, two.order[0]!.postedUs]).toEqual([20, at(50.5)]);
  });

  test('R-QUAL-3: a truck crossing twice after expiry keeps its first lap after, not its second', () => {
    const q = qualifying(input({ format: TWO_LAPS, calls: new Calls().call(0, 'start').list, crossings: line('2', 285, 304, 322) }));
    expect(q.rounds[0]!.laps.map((l) => [l.timeS, l.counted, l.why])).toEqual([
      [19, true, null],
      [18, false, WHY.afterExpiry],
    ]);
    expect(q.order[0]).toMatchObject({ car: '2', timeS: 19, postedUs: at(304) });
  });

  test('R-QUAL-1: a truck timed only across pit road gets no time', () => {
    const q = qualifying(input({ calls: new Calls().call(0, 'start').list, crossings: [...line('1', 10), pitLine('1', 29), ...line('1', 50)] }));
    expect(q.rounds[0]!.laps).toEqual([]);
    expect(q.order[0]).toMatchObject({ car: '1', timeS: null });
  });

  test('R-QUAL-4: a lap across a red is listed disallowed and is no time', () => {
    const calls = new Calls().call(0, 'start').call(20, 'red').call(40, 'green').list;
    const q = qualifying(input({ calls, crossings: [...line('1', 10, 45, 65)] }));
    expect(q.rounds[0]!.laps.map((l) => [l.timeS, l.why])).toEqual([
      [35, WHY.redFlag],
      [20, null],
    ]);
    expect(q.rounds[0]!.expiresUs).toBe(at(320));
    expect(q.order[0]!.timeS).toBe(20);
  });

  test('R-QUAL-2: a lap begun in one round and ended in the next is the next round’s, begun before its start', () => {
    const calls = new Calls().call(0, 'start', 1).call(600, 'start', 2).list;
    const q = qualifying(input({ format: TWO_ROUNDS, calls, crossings: line('1', 590, 610, 630), field: FIELD }));
    expect(q.rounds[0]!.laps).toEqual([]); // 590 ends no lap
    expect(q.rounds[1]!.laps.map((l) => [l.startUs, l.endUs, l.why])).toEqual([
      [at(590), at(610), WHY.begunBeforeStart],
      [at(610), at(630), null],
    ]);
  });

  test('the same document whatever the order of the calls and the crossings (property)', () => {
    const base = session();
    const want = JSON.stringify(qualifying(base));
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.integer({ min: 0, max: 900 }), (s1, s2, nowS) => {
        const at_ = { ...base, nowUs: at(nowS) };
        const a = qualifying(at_);
        const b = qualifying({ ...at_, calls: shuffled(base.calls, s1), crossings: shuffled(base.crossings, s2) });
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: 200 },
    );
    expect(JSON.stringify(qualifying({ ...base, calls: [...base.calls].reverse(), crossings: [...base.crossings].reverse() }))).toBe(want);
  });

  test('random sessions (property): order independence, counted laps within the rules, order consistent with the laps', () => {
    const cars = ['1', '2', '3', '4', '5', '6'];
    const crossingArb = fc.record({ car: fc.constantFrom(...cars), t: fc.integer({ min: -30 * S, max: 1000 * S }), pit: fc.boolean(), inferred: fc.boolean() });
    const callArb = fc.record({ t: fc.integer({ min: -10 * S, max: 1000 * S }), call: fc.constantFrom('start' as const, 'red' as const, 'green' as const, 'end' as const), round: fc.integer({ min: 1, max: 2 }) });
    fc.assert(
      fc.property(fc.array(crossingArb, { maxLength: 60 }), fc.array(callArb, { maxLength: 12 }), fc.integer(), (xs, cs, seed) => {
        const q0: QualifyingInput = input({
          format: { rounds: [{ minutes: 5, timedLaps: 2, advance: 3 }, { minutes: 3, timedLaps: 1 }] },
          calls: cs.map((c, i) => ({ atUs: at(0) + c.t, seq: i, call: c.call, round: c.round })),
          crossings: xs.map((x) => ({ car: x.car, loop: x.pit ? 20 : 1, noseUs: at(0) + x.t, inferred: x.inferred })),
          field: fieldOf(...cars),
          ownerPoints: { '2': 5, '4': 5 },
          nowUs: at(500),
        });
        const q = qualifying(q0);
        expect(JSON.stringify(qualifying({ ...q0, calls: shuffled(q0.calls, seed), crossings: shuffled(q0.crossings, seed + 1) }))).toBe(JSON.stringify(q));
        for (const r of q.rounds) {
          const counted = new Map<string, number>();
          for (const l of r.laps) {
            expect(l.counted).toBe(l.why === null);
            if (!l.counted) continue;
            counted.set(l.car, (counted.get(l.car) ?? 0) + 1);
            expect(l.startUs).toBeGreaterThanOrEqual(r.startUs!);
            for (const p of r.redPeriods) expect(p.fromUs >= l.endUs || (p.toUs !== null && p.toUs <= l.startUs)).toBe(true);
          }
          for (const n of counted.values()) expect(n).toBeLessThanOrEqual(r.timedLaps);
          // Every time in the order is the best counted lap of its truck.
          for (const o of r.order) {
            const mine = r.laps.filter((l) => l.car === o.car && l.counted).map((l) => l.timeS);
            expect(o.timeS).toBe(mine.length ? Math.min(...mine) : null);
          }
          const timed = r.order.filter((o) => o.timeS !== null);
          for (let i = 1; i < timed.length; i++) expect(timed[i]!.timeS!).toBeGreaterThanOrEqual(timed[i - 1]!.timeS!);
        }
        expect(new Set(q.order.map((o) => o.car)).size).toBe(cars.length);
      }),
      { numRuns: 300 },
    );
  });
});

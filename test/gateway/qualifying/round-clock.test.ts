// The round clock from race control's calls (R-QUAL-4: a red flag stops it, green runs it
// again; R-QUAL-3: when its time expires), exact to the µs and the same in any order of
// the calls.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { QualifyingFormat } from '../../../gateway/qualifying/qualifying-format.js';
import { elapsedUs, isRunning, redDuring, roundClocks, type RoundCall } from '../../../gateway/qualifying/round-clock.js';
import { at, Calls, ONE_LAP, S, shuffled, T0 } from './qualifying-fixture.js';

const TWO_ROUNDS: QualifyingFormat = { rounds: [{ minutes: 5, timedLaps: 1, advance: 2 }, { minutes: 3, timedLaps: 1 }] };

describe('the round clock', () => {
  test('a round without a red: expires its minutes after the start, the clock running till then', () => {
    const [k] = roundClocks(ONE_LAP, new Calls().call(0, 'start').list);
    expect(k).toEqual({ round: 1, durationUs: 300 * S, startUs: T0, redPeriods: [], endCallUs: null, nextStartUs: null, endedUs: null, expiresUs: at(300) });
    expect(elapsedUs(k!, at(-1))).toBe(0);
    expect(elapsedUs(k!, at(0))).toBe(0);
    expect(elapsedUs(k!, at(299.999999))).toBe(300 * S - 1);
    expect(elapsedUs(k!, at(300))).toBe(300 * S);
    expect(elapsedUs(k!, at(900))).toBe(300 * S);
    expect(isRunning(k!, at(-1))).toBe(false);
    expect(isRunning(k!, at(0))).toBe(true);
    expect(isRunning(k!, at(299.999999))).toBe(true);
    expect(isRunning(k!, at(300))).toBe(false);
  });

  test('a round not started: no clock', () => {
    const [k] = roundClocks(ONE_LAP, []);
    expect(k!.startUs).toBeNull();
    expect(k!.expiresUs).toBeNull();
    expect(elapsedUs(k!, at(100))).toBe(0);
    expect(isRunning(k!, at(100))).toBe(false);
  });

  test('R-QUAL-4: a red flag stops the clock and green runs it again, exact to the µs', () => {
    // Red 60 s in, green 30.5 s later, red again for 1 µs at 100.5 s.
    const calls = new Calls().call(0, 'start').call(60, 'red').call(90.5, 'green').call(100.5, 'red').call(100.500001, 'green').list;
    const [k] = roundClocks(ONE_LAP, calls);
    expect(k!.redPeriods).toEqual([
      { fromUs: at(60), toUs: at(90.5) },
      { fromUs: at(100.5), toUs: at(100.500001) },
    ]);
    // 300 s of clock + 30.5 s + 1 µs of red.
    expect(k!.expiresUs).toBe(at(330.500001));
    expect(elapsedUs(k!, at(60))).toBe(60 * S);
    expect(elapsedUs(k!, at(75))).toBe(60 * S);
    expect(elapsedUs(k!, at(90.5))).toBe(60 * S);
    expect(elapsedUs(k!, at(90.500001))).toBe(60 * S + 1);
    expect(elapsedUs(k!, at(100.500001))).toBe(70 * S);
    expect(elapsedUs(k!, at(330.5))).toBe(300 * S - 1);
    expect(elapsedUs(k!, k!.expiresUs!)).toBe(300 * S);
    // Under red the round is still running, its clock stopped.
    expect(isRunning(k!, at(75))).toBe(true);
    expect(redDuring(k!, at(50), at(60))).toBe(false); // red shown the instant the lap ends
    expect(redDuring(k!, at(50), at(60.000001))).toBe(true);
    expect(redDuring(k!, at(90.5), at(100))).toBe(false); // green the instant the lap begins
    expect(redDuring(k!, at(90.499999), at(100))).toBe(true);
    expect(redDuring(k!, at(65), at(70))).toBe(true); // wholly under red
  });

  test('R-QUAL-4: while a red is out the time of expiry is not known; the clock stands', () => {
    const [k] = roundClocks(ONE_LAP, new Calls().call(0, 'start').call(120, 'red').list);
    expect(k!.redPeriods).toEqual([{ fromUs: at(120), toUs: null }]);
    expect(k!.expiresUs).toBeNull();
    expect(elapsedUs(k!, at(500))).toBe(120 * S);
    expect(isRunning(k!, at(500))).toBe(true);
    expect(redDuring(k!, at(400), at(420))).toBe(true);
  });

  test('R-QUAL-4: a red after the time expired (trucks on their last lap) does not move the expiry', () => {
    const [k] = roundClocks(ONE_LAP, new Calls().call(0, 'start').call(300, 'red').call(310, 'green').call(320, 'red').list);
    expect(k!.expiresUs).toBe(at(300));
    expect(k!.redPeriods).toHaveLength(2);
    expect(elapsedUs(k!, at(400))).toBe(300 * S);
  });

  test('race control ends a round early: the clock stops there and never reaches its time', () => {
    const [k] = roundClocks(ONE_LAP, new Calls().call(0, 'start').call(120, 'end').call(130, 'red').list);
    expect(k!.endCallUs).toBe(at(120));
    expect(k!.endedUs).toBe(at(120));
    expect(k!.expiresUs).toBeNull();
    expect(k!.redPeriods).toEqual([]); // a red after the end is no call about the round
    expect(elapsedUs(k!, at(200))).toBe(120 * S);
    expect(isRunning(k!, at(119))).toBe(true);
    expect(isRunning(k!, at(120))).toBe(false);
  });

  test('an end at the very instant of expiry: the time did expire', () => {
    const [k] = roundClocks(ONE_LAP, new Calls().call(0, 'start').call(300, 'end').list);
    expect(k!.expiresUs).toBe(at(300));
    expect(k!.endedUs).toBe(at(300));
  });

  test("the next round's start ends the round before; each round has its own calls", () => {
    const calls = new Calls().call(0, 'start', 1).call(600, 'start', 2).call(660, 'red', 2).call(700, 'green', 2).list;
    const [r1, r2] = roundClocks(TWO_ROUNDS, calls);
    expect(r1).toMatchObject({ startUs: at(0), expiresUs: at(300), nextStartUs: at(600), endedUs: at(600), redPeriods: [] });
    expect(r2).toMatchObject({ startUs: at(600), expiresUs: at(600 + 180 + 40), endedUs: null });
    expect(roundClocks(TWO_ROUNDS, new Calls().call(0, 'start', 1).call(100, 'start', 2).list)[0]).toMatchObject({ endedUs: at(100), expiresUs: null });
  });

  test('calls that do not fit where they fall are ignored', () => {
    const calls = new Calls()
      .call(-10, 'red') // before the start
      .call(-5, 'start', 2) // round 2 before round 1
      .call(0, 'start')
      .call(5, 'green') // no red out
      .call(10, 'start') // started already
      .call(20, 'red')
      .call(25, 'red') // red already
      .call(30, 'green')
      .call(40, 'red', 0)
      .call(40, 'red', 3)
      .call(40, 'red', 1.5)
      .call(50, 'end')
      .call(60, 'end')
      .call(70, 'red')
      .call(80, 'green').list;
    const [r1, r2] = roundClocks(TWO_ROUNDS, calls);
    expect(r1).toEqual({
      round: 1,
      durationUs: 300 * S,
      startUs: at(0),
      redPeriods: [{ fromUs: at(20), toUs: at(30) }],
      endCallUs: at(50),
      nextStartUs: null,
      endedUs: at(50),
      expiresUs: null,
    });
    expect(r2!.startUs).toBeNull();
  });

  test('calls at one instant go by their log sequence', () => {
    const redThenGreen: RoundCall[] = [
      { atUs: at(0), seq: 1, call: 'start', round: 1 },
      { atUs: at(50), seq: 3, call: 'green', round: 1 },
      { atUs: at(50), seq: 2, call: 'red', round: 1 },
    ];
    expect(roundClocks(ONE_LAP, redThenGreen)[0]!.redPeriods).toEqual([{ fromUs: at(50), toUs: at(50) }]);
    const greenThenRed = redThenGreen.map((c) => (c.seq === 3 ? { ...c, seq: 1.5 } : c));
    expect(roundClocks(ONE_LAP, greenThenRed)[0]!.redPeriods).toEqual([{ fromUs: at(50), toUs: null }]);
  });

  test('times are taken to the whole µs', () => {
    const [k] = roundClocks({ rounds: [{ minutes: 1 / 3, timedLaps: 1 }] }, [{ atUs: T0 + 0.25, seq: 1, call: 'start', round: 1 }]);
    expect(k!.startUs).toBe(T0);
    expect(k!.durationUs).toBe(20 * S);
    expect(k!.expiresUs).toBe(T0 + 20 * S);
  });

  test('R-QUAL-4: property — any order of arrival gives the same clocks, and the clock reads the round time exactly at expiry', () => {
    const callArb = fc.record({
      t: fc.integer({ min: -60 * S, max: 1200 * S }),
      call: fc.constantFrom('start' as const, 'red' as const, 'green' as const, 'end' as const),
      round: fc.integer({ min: 1, max: 2 }),
    });
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 20 }), fc.integer(), (raw, seed) => {
        const calls: RoundCall[] = raw.map((c, i) => ({ atUs: T0 + c.t, seq: i + 1, call: c.call, round: c.round }));
        const clocks = roundClocks(TWO_ROUNDS, calls);
        expect(roundClocks(TWO_ROUNDS, shuffled(calls, seed))).toEqual(clocks);
        for (const k of clocks) {
          if (k.expiresUs === null) continue;
          expect(elapsedUs(k, k.expiresUs)).toBe(k.durationUs);
          expect(elapsedUs(k, k.expiresUs - 1)).toBe(k.durationUs - 1);
        }
      }),
      { numRuns: 300 },
    );
  });
});

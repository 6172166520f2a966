// Timed laps: laps at the track's timing line only (R-QUAL-1), a truck's first N in a
// round timed (R-QUAL-2), one more crossing after time expires (R-QUAL-3), none with a
// red flag out (R-QUAL-4).
import { describe, expect, test } from 'vitest';
import type { SetupLoop } from '../../../gateway/event-setup.js';
import { roundClocks } from '../../../gateway/qualifying/round-clock.js';
import { carRuns, lapsInRound, timingLines, WHY, type JudgedLap, type QualifyingCrossing } from '../../../gateway/qualifying/timed-laps.js';
import { at, Calls, LINES, line, LOOP, ONE_LAP, pitLine, S, shuffled } from './qualifying-fixture.js';

/** A truck's laps in round 1 as [start s, end s, why]. */
function judged(crossings: QualifyingCrossing[], calls: Calls, timedLaps: 1 | 2 = 1, entered = true): JudgedLap[] {
  const [k] = roundClocks(ONE_LAP, calls.list);
  const run = carRuns(crossings, LINES).get(crossings[0]!.car);
  return run ? lapsInRound(k!, timedLaps, run, entered) : [];
}
const brief = (laps: JudgedLap[]): Array<[number, number, string | null]> => laps.map((l) => [(l.startUs - at(0)) / S, (l.endUs - at(0)) / S, l.why]);
const started = (): Calls => new Calls().call(0, 'start');

describe('R-QUAL-1 timed laps at the timing line, never on pit road', () => {
  test('R-QUAL-1: the timing line is the track start/finish loop; pit road start/finish is not', () => {
    const loops: SetupLoop[] = [
      { id: 1, name: 'start/finish', role: 'start-finish', path: 'track', positionM: 0, board: 'loop-sf' },
      { id: 2, name: 'sector 1', role: 'sector', path: 'track', positionM: 250, board: 'loop-sectors' },
      { id: 20, name: 'start/finish (pit road)', role: 'start-finish', path: 'pit', positionM: 150, board: 'loop-pit' },
      { id: 10, name: 'pit entry', role: 'pit-entry', path: 'pit', positionM: 20, board: 'loop-pit' },
    ];
    expect(timingLines(loops)).toEqual({ track: [1], pit: [20] });
  });

  test('R-QUAL-1: a lap is from one timing-line crossing to the next, its time the difference to the µs', () => {
    const runs = carRuns(line('1', 10, 30.123456, 50.5), LINES);
    expect(runs.get('1')).toEqual({
      car: '1',
      lineUs: [at(10), at(30.123456), at(50.5)],
      laps: [
        { car: '1', startUs: at(10), endUs: at(30.123456), timeUs: 20_123_456, inferred: false },
        { car: '1', startUs: at(30.123456), endUs: at(50.5), timeUs: 20_376_544, inferred: false },
      ],
    });
  });

  test('R-QUAL-1: a crossing of pit road start/finish never times a lap: no lap starts or ends on pit road, and none runs across it', () => {
    // Out of the pits (pit line at 5), a flying lap 10 → 30, in to pit road (pit line at 48), out again, 70 → 90.
    const xs = [pitLine('1', 5), ...line('1', 10, 30), pitLine('1', 48), ...line('1', 70, 90)];
    const run = carRuns(xs, LINES).get('1')!;
    expect(run.laps.map((l) => [l.startUs, l.endUs])).toEqual([
      [at(10), at(30)],
      [at(70), at(90)],
    ]);
    expect(run.lineUs).toEqual([at(10), at(30), at(70), at(90)]);
    expect(carRuns([pitLine('1', 5), pitLine('1', 25)], LINES).get('1')!.laps).toEqual([]);
  });

  test('R-QUAL-1: crossings of other loops are no line; the same crossing twice is one', () => {
    const xs: QualifyingCrossing[] = [...line('1', 10, 30, 30), { car: '1', loop: LOOP.sector, noseUs: at(20), inferred: false }, { car: '1', loop: LOOP.line, noseUs: at(30), inferred: true }];
    expect(carRuns(xs, LINES).get('1')!.laps).toEqual([{ car: '1', startUs: at(10), endUs: at(30), timeUs: 20 * S, inferred: false }]);
  });

  test('R-SF-9: a lap timed from an inferred crossing is marked inferred, and still counts', () => {
    const xs: QualifyingCrossing[] = [...line('1', 10), { car: '1', loop: LOOP.line, noseUs: at(30), inferred: true }, ...line('1', 50)];
    const laps = judged(xs, started(), 2);
    expect(laps.map((l) => [l.inferred, l.counted])).toEqual([
      [true, true],
      [true, true],
    ]);
  });

  test('crossings in any order give the same laps', () => {
    const xs = [pitLine('1', 5), ...line('1', 10, 30), pitLine('1', 48), ...line('1', 70, 90)];
    const want = carRuns(xs, LINES);
    for (let seed = 1; seed < 20; seed++) expect(carRuns(shuffled(xs, seed), LINES)).toEqual(want);
  });
});

describe('R-QUAL-2 timed laps per round', () => {
  test('R-QUAL-2: one timed lap — the first lap completed in the round counts, later ones not', () => {
    expect(brief(judged(line('1', 10, 30, 50), started(), 1))).toEqual([
      [10, 30, null],
      [30, 50, WHY.beyondTimedLaps],
    ]);
  });

  test('R-QUAL-2: two timed laps — the first two count, a third not', () => {
    expect(brief(judged(line('1', 10, 30, 50, 70), started(), 2))).toEqual([
      [10, 30, null],
      [30, 50, null],
      [50, 70, WHY.beyondTimedLaps],
    ]);
  });

  test('R-QUAL-2: a lap begun before the green does not count, nor use up a timed lap; one begun at the green does', () => {
    expect(brief(judged(line('1', -10, 10, 30, 50), started(), 1))).toEqual([
      [-10, 10, WHY.begunBeforeStart],
      [10, 30, null],
      [30, 50, WHY.beyondTimedLaps],
    ]);
    expect(brief(judged(line('1', 0, 20), started(), 1))).toEqual([[0, 20, null]]);
    // A lap ended before the round started is none of the round's.
    expect(brief(judged(line('1', -40, -20, 1), started(), 1))).toEqual([[-20, 1, WHY.begunBeforeStart]]);
  });

  test('R-QUAL-2: timed laps are counted per round, not per run out of the pits', () => {
    // Two laps, pit, two more: with one timed lap only the first counts.
    const xs = [...line('1', 10, 30), pitLine('1', 48), ...line('1', 70, 90)];
    expect(brief(judged(xs, started(), 1))).toEqual([
      [10, 30, null],
      [70, 90, WHY.beyondTimedLaps],
    ]);
  });

  test('a truck not in the round (did not advance): its laps are listed, none counts', () => {
    expect(brief(judged(line('1', 10, 30), started(), 1, false))).toEqual([[10, 30, WHY.notInRound]]);
  });
});

describe('R-QUAL-3 one more crossing after time expires', () => {
  test('R-QUAL-3: the lap ending at the first crossing after expiry counts; one ending at a later crossing is disallowed and kept', () => {
    // Time expires at 300 s.
    expect(brief(judged(line('1', 290, 310, 330), started(), 2))).toEqual([
      [290, 310, null],
      [310, 330, WHY.afterExpiry],
    ]);
  });

  test('R-QUAL-3: a crossing exactly at expiry is in time; the truck still has its one more crossing after', () => {
    expect(brief(judged(line('1', 280, 300, 320, 340), started(), 2))).toEqual([
      [280, 300, null],
      [300, 320, null],
      [320, 340, WHY.afterExpiry],
    ]);
    // 1 µs after expiry is the one more crossing; the next is not.
    expect(brief(judged(line('1', 280, 300.000001, 320), started(), 2))).toEqual([
      [280, 300.000001, null],
      [300.000001, 320, WHY.afterExpiry],
    ]);
  });

  test('R-QUAL-3: the one more crossing is still bound by the timed laps', () => {
    expect(brief(judged(line('1', 270, 290, 310), started(), 1))).toEqual([
      [270, 290, null],
      [290, 310, WHY.beyondTimedLaps],
    ]);
  });

  test('R-QUAL-3: a truck on pit road when time expires gets no timed lap: its first crossing after is no lap end, its next is too late', () => {
    expect(brief(judged([pitLine('1', 295), ...line('1', 305, 325)], started(), 1))).toEqual([[305, 325, WHY.afterExpiry]]);
  });

  test('R-QUAL-3: the expiry counts red periods out: a crossing after the nominal time is in time when a red stopped the clock', () => {
    // Red 100..130: time expires at 330 s.
    const calls = started().call(100, 'red').call(130, 'green');
    expect(brief(judged(line('1', 300, 320, 340, 360), calls, 2))).toEqual([
      [300, 320, null],
      [320, 340, null],
      [340, 360, WHY.afterExpiry],
    ]);
  });

  test('a lap ending after race control ended the round does not count; one ending at its instant does', () => {
    expect(brief(judged(line('1', 100, 120, 140), started().call(120, 'end'), 2))).toEqual([
      [100, 120, null],
      [120, 140, WHY.afterEnd],
    ]);
  });
});

describe('R-QUAL-4 red flag', () => {
  test('R-QUAL-4: a lap with a red flag out during it is disallowed and does not use up a timed lap', () => {
    // Red 25..60 (the truck stops on track and goes again on green).
    const calls = started().call(25, 'red').call(60, 'green');
    expect(brief(judged(line('1', 10, 75, 95, 115), calls, 1))).toEqual([
      [10, 75, WHY.redFlag],
      [75, 95, null],
      [95, 115, WHY.beyondTimedLaps],
    ]);
  });

  test('R-QUAL-4: a red shown the instant a lap ends, or a green the instant one begins, does not touch it', () => {
    const calls = started().call(30, 'red').call(50, 'green');
    expect(brief(judged(line('1', 10, 30), calls, 1))).toEqual([[10, 30, null]]);
    expect(brief(judged(line('1', 50, 70), calls, 1))).toEqual([[50, 70, null]]);
    expect(brief(judged(line('1', 49.999999, 70), calls, 1))).toEqual([[49.999999, 70, WHY.redFlag]]);
  });

  test('R-QUAL-4: a red still out disallows every lap from it on', () => {
    expect(brief(judged(line('1', 10, 30, 50), started().call(35, 'red'), 2))).toEqual([
      [10, 30, null],
      [30, 50, WHY.redFlag],
    ]);
  });

  test('R-QUAL-4: a red during the one more lap after expiry disallows it', () => {
    expect(brief(judged(line('1', 290, 310), started().call(305, 'red'), 1))).toEqual([[290, 310, WHY.redFlag]]);
  });
});

// The race state as a pure reducer over hand-built logs on a small oval
// (test/support/scoring-log.ts): every scoring rule it decides, with numbers worked
// out by hand, and the log's order of arrival making no difference.
import { describe, expect, test } from 'vitest';
import { RaceState, replay } from '../../gateway/race-state.js';
import type { LogEntry } from '../../gateway/log-entry.js';
import { entry, GREEN_US, LOOP, ScoringLog, shuffled, tinySetup, type DriveOptions } from '../support/scoring-log.js';

const S = 1_000_000;

/** Each lap's nose-at-the-line time (µs after the green) → every loop's passing, at an even speed within each lap. */
function lapLines(log: ScoringLog, car: string, linesS: number[]): void {
  const e = log.setup.field.find((f) => f.car === car)!;
  const track = log.setup.track.loops.filter((l) => l.path === 'track').sort((a, b) => a.positionM - b.positionM);
  linesS.forEach((t0, k) => {
    const next = linesS[k + 1];
    if (k === 0) log.passing(LOOP.line, e.transponder, GREEN_US + t0 * S + (e.noseOffsetM / 40) * S);
    if (next === undefined) return;
    const v = 1000 / (next - t0);
    for (const l of track) {
      // The transponder is noseOffsetM behind the nose: it passes loop p when the nose is at p + offset.
      const x = (l.positionM === 0 ? 1000 : l.positionM) + e.noseOffsetM;
      log.passing(l.id, e.transponder, GREEN_US + (t0 + x / v) * S);
    }
  });
}

describe('R-SF-1 nose correction and laps', () => {
  test('R-SF-1: even speed — scored time is the passing minus offset/speed, laps from the green', () => {
    const log = new ScoringLog(tinySetup([entry('11', 101, 2)], 3));
    log.flag(GREEN_US, 'green');
    // 40 m/s: 25 s a lap; the transponder passes the line 50 ms after the nose.
    log.drive('11', { lineUs: GREEN_US, speedMps: 40, paceLap: true });
    const r = replay(log.entries).results();
    expect(r.classification).toEqual([{ pos: 1, car: '11', driver: 'Driver 11', laps: 3, timeS: 75, lapsLed: 3, status: 'running', penaltyS: 0, lapsOff: 0, why: null }]);
  });

  test('R-SF-1: speed over the stretch from the loop before the line to the loop after it', () => {
    const log = new ScoringLog(tinySetup([entry('11', 101, 2)], 10));
    log.flag(GREEN_US, 'green');
    const tx = 101;
    log.passing(LOOP.line, tx, GREEN_US + 50_000);
    log.passing(LOOP.commitment, tx, GREEN_US + 20.05 * S);
    log.passing(LOOP.line, tx, GREEN_US + 25.05 * S);
    // 200 m in 5 s before the line, 250 m in 5 s after: 450 m / 10 s = 45 m/s at the line.
    log.passing(LOOP.sector1, tx, GREEN_US + 30.05 * S);
    const r = replay(log.entries).results();
    expect(r.classification[0]!.laps).toBe(1);
    expect(r.classification[0]!.timeS).toBe(25.005556); // 25.05 s − 2 m / 45 m/s, to the µs
  });

  test('R-SF-1: a truck that stood on one side of the line takes its speed from the other side', () => {
    const log = new ScoringLog(tinySetup([entry('11', 101, 2)], 10));
    log.flag(GREEN_US, 'green');
    log.passing(LOOP.line, 101, GREEN_US + 50_000);
    log.passing(LOOP.commitment, 101, GREEN_US + 20.05 * S);
    log.passing(LOOP.line, 101, GREEN_US + 25.05 * S);
    // A red flag: 250 m in 60 s after the line says nothing of the speed at it.
    log.passing(LOOP.sector1, 101, GREEN_US + 85.05 * S);
    expect(replay(log.entries).results().classification[0]!.timeS).toBe(25);
  });

  test('R-SF-1: board clocks are brought onto the gateway clock by time checks', () => {
    const build = (aheadUs: number, check: boolean): LogEntry[] => {
      const log = new ScoringLog(tinySetup([entry('11', 101, 2)], 3));
      log.flag(GREEN_US, 'green');
      if (check) {
        // Sent at −30 s, back 4 ms later: the board read its clock halfway, aheadUs ahead.
        log.timeCheck('loop-sf', 1, GREEN_US - 30 * S);
        log.clockReply('loop-sf', 1, GREEN_US - 30 * S + 2_000 + aheadUs, GREEN_US - 30 * S + 4_000);
      }
      // 40 m/s; the start/finish board's clock runs aheadUs ahead of the others'.
      for (let k = 0; k <= 3; k++) {
        const lineUs = GREEN_US + k * 25 * S;
        log.passing(LOOP.line, 101, lineUs + 50_000 + aheadUs);
        if (k === 3) continue;
        log.passing(LOOP.sector1, 101, lineUs + (252 / 40) * S);
        log.passing(LOOP.sector2, 101, lineUs + (502 / 40) * S);
        log.passing(LOOP.commitment, 101, lineUs + (802 / 40) * S);
      }
      return log.entries;
    };
    const truth = replay(build(0, false)).results();
    expect(truth.classification[0]!.timeS).toBe(75);
    expect(replay(build(10 * S, true)).results()).toEqual(truth);
    // Without a check a board 200 ms ahead shows in the time (and in the speed before the line).
    expect(replay(build(0.2 * S, false)).results().classification[0]!.timeS).toBeCloseTo(75.25 - 2 / (200 / 5.2), 5);
  });

  test('laps: pace laps are not laps; lap 0 is the crossing at the green; pit road\'s line credits a lap (R-SF-1)', () => {
    const log = new ScoringLog(tinySetup([entry('11', 101, 2), entry('22', 202, 1.5)], 10));
    log.flag(GREEN_US, 'green');
    log.drive('11', { lineUs: GREEN_US, speedMps: 40, laps: 4, paceLap: true });
    // Truck 22 completes lap 2 on pit road: commitment, pit road's loops, back on at sector 2.
    const tx = 202;
    log.drive('22', { lineUs: GREEN_US + 1 * S, speedMps: 40, laps: 2, paceLap: true });
    const lap2 = GREEN_US + 51 * S;
    log.passing(LOOP.commitment, tx, lap2 + (801.5 / 40) * S);
    log.passing(LOOP.pitEntry, tx, lap2 + 23 * S);
    log.passing(LOOP.pitLine, tx, lap2 + 30 * S);
    log.passing(LOOP.pitExit, tx, lap2 + 40 * S);
    log.passing(LOOP.pitOut, tx, lap2 + 41 * S);
    log.passing(LOOP.sector2, tx, lap2 + 50 * S);
    log.passing(LOOP.commitment, tx, lap2 + 57.5 * S);
    log.passing(LOOP.line, tx, lap2 + 62.5 * S);
    const r = replay(log.entries).results();
    expect(r.classification.map((c) => [c.car, c.laps])).toEqual([
      ['11', 4],
      ['22', 4],
    ]);
    expect(r.inferred).toEqual([]);
  });
});

describe('R-SF-9 missed reads', () => {
  test('R-SF-9: a missed start/finish read is inferred from the loops around it, marked, and no lap is lost', () => {
    const o: DriveOptions = { lineUs: GREEN_US, speedMps: 40, laps: 5, miss: [`${LOOP.line}@3`] };
    const log = new ScoringLog(tinySetup([entry('11', 101, 2)], 10));
    log.flag(GREEN_US, 'green');
    log.drive('11', o);
    const r = replay(log.entries).results();
    expect(r.inferred).toEqual([{ car: '11', lap: 3, loop: LOOP.line }]);
    expect(r.classification[0]!.laps).toBe(5);
    expect(r.classification[0]!.timeS).toBe(125);
  });

  test('R-SF-9: an inferred crossing is interpolated by distance (the last credited one here)', () => {
    const log = new ScoringLog(tinySetup([entry('11', 101, 2)], 10));
    log.flag(GREEN_US, 'green');
    log.drive('11', { lineUs: GREEN_US, speedMps: 40, laps: 3, miss: [`${LOOP.line}@3`] });
    // Heard again at sector 1 of lap 4: the line lies 198 m past the commitment read, 250 m before it.
    log.passing(LOOP.sector1, 101, ScoringLog.lineUs({ lineUs: GREEN_US, speedMps: 40 }, 3) + (252 / 40) * S);
    const r = replay(log.entries).results();
    expect(r.inferred).toEqual([{ car: '11', lap: 3, loop: LOOP.line }]);
    expect(r.classification[0]!.timeS).toBe(75);
  });

  test('R-SF-9: no read of a sector after the line, no inference: a lap is never invented', () => {
    const log = new ScoringLog(tinySetup([entry('11', 101, 2)], 10));
    log.flag(GREEN_US, 'green');
    log.drive('11', { lineUs: GREEN_US, speedMps: 40, laps: 3, miss: [`${LOOP.sector1}@2`, `${LOOP.sector2}@2`] });
    const r = replay(log.entries).results();
    expect(r.inferred).toEqual([]);
    expect(r.classification[0]!.laps).toBe(3);
  });

  test('R-SF-9: two start/finish passings of one truck within seconds count once', () => {
    const log = new ScoringLog(tinySetup([entry('11', 101, 2)], 10));
    log.flag(GREEN_US, 'green');
    log.drive('11', { lineUs: GREEN_US, speedMps: 40, laps: 4 });
    // A split passing 30 ms later, and pit road's line hearing it a second after.
    log.passing(LOOP.line, 101, GREEN_US + 50.08 * S);
    log.passing(LOOP.pitLine, 101, GREEN_US + 51.05 * S);
    const r = replay(log.entries).results();
    expect(r.classification[0]!.laps).toBe(4);
    expect(r.classification[0]!.timeS).toBe(100);
  });
});

describe('R-SF-2/3/4/7/8 classification', () => {
  test('R-SF-3: once the leader completes the distance each truck finishes on its next crossing; R-SF-8 margin', () => {
    const log = new ScoringLog(tinySetup([entry('3', 3), entry('1', 1), entry('2', 2)], 3));
    log.flag(GREEN_US, 'green');
    // All run on for two laps past the finish: those crossings are not credited.
    log.drive('1', { lineUs: GREEN_US, speedMps: 40, laps: 5 }); // finishes at 75 s
    log.drive('2', { lineUs: GREEN_US + 0.2 * S, speedMps: 38, laps: 5 }); // 3 laps at 79.147368 s
    log.drive('3', { lineUs: GREEN_US + 0.4 * S, speedMps: 20, laps: 5 }); // 100.4 s is its next crossing: 2 laps
    const r = replay(log.entries).results();
    expect(r.classification.map((c) => [c.pos, c.car, c.laps])).toEqual([
      [1, '1', 3],
      [2, '2', 3],
      [3, '3', 2],
    ]);
    expect(r.classification[0]!.timeS).toBe(75);
    expect(r.classification[1]!.timeS).toBeCloseTo(0.2 + 3000 / 38, 5);
    expect(r.classification[2]!.timeS).toBeCloseTo(100.4, 5);
    expect(r.marginOfVictoryS).toBeCloseTo(0.2 + 3000 / 38 - 75, 5);
    expect(r.stages).toEqual([{ stage: 1, endLap: 3, top10: ['1', '2', '3'] }]);
  });

  test('R-SF-7: laps led, lead changes and leaders counted at the line', () => {
    const log = new ScoringLog(tinySetup([entry('1', 1), entry('2', 2)], 4));
    log.flag(GREEN_US, 'green');
    lapLines(log, '1', [0, 25, 50.2, 75.3, 100]);
    lapLines(log, '2', [0.3, 25.1, 50, 75, 100.2]);
    const r = replay(log.entries).results();
    // Laps 1 and 4 to truck 1, laps 2 and 3 to truck 2: changes at laps 2 and 4.
    expect(r.classification.map((c) => [c.car, c.lapsLed])).toEqual([
      ['1', 2],
      ['2', 2],
    ]);
    expect(r.leadChanges).toBe(2);
    expect(r.leaders).toBe(2);
  });

  test('R-SF-4: level on laps and time — most laps led first', () => {
    // Truck 2 is entered first: only the tie rule puts truck 1 ahead.
    const log = new ScoringLog(tinySetup([entry('2', 2), entry('1', 1)], 3));
    log.flag(GREEN_US, 'green');
    lapLines(log, '1', [0, 25, 50, 75]);
    lapLines(log, '2', [0.5, 25.5, 50.5, 75]);
    const r = replay(log.entries).results();
    expect(r.classification.map((c) => [c.car, c.timeS])).toEqual([
      ['1', 75],
      ['2', 75],
    ]);
    expect(r.classification[0]!.lapsLed).toBeGreaterThan(r.classification[1]!.lapsLed);
  });

  test('R-SF-4: level on laps, time and laps led — most laps run in 2nd', () => {
    const log = new ScoringLog(tinySetup([entry('7', 7), entry('8', 8), entry('9', 9)], 4));
    log.flag(GREEN_US, 'green');
    lapLines(log, '9', [0.4, 25.2, 50.1, 74.0, 98.0]);
    lapLines(log, '8', [0.0, 25.0, 50.05, 74.5, 99.0]);
    lapLines(log, '7', [0.2, 25.3, 50.0, 74.8, 99.0]);
    const r = replay(log.entries).results();
    // 9 leads laps 3 and 4 and wins; 8 and 7 lead a lap each and finish together; 8 ran 2nd on laps 2 and 3.
    expect(r.classification.map((c) => [c.car, c.laps, c.timeS, c.lapsLed])).toEqual([
      ['9', 4, 98, 2],
      ['8', 4, 99, 1],
      ['7', 4, 99, 1],
    ]);
  });

  test('R-SF-3: a stage ends with its leader; the others on their next crossing, by laps then time', () => {
    const cars = Array.from({ length: 10 }, (_, i) => entry(String(10 + i), 100 + i, 2));
    const log = new ScoringLog(tinySetup([...cars, entry('99', 999, 2)], 6, [3, 6]));
    log.flag(GREEN_US, 'green');
    cars.forEach((c, i) => log.drive(c.car, { lineUs: GREEN_US + 0.3 * i * S, speedMps: 40 - 0.1 * i, laps: 4 }));
    // A lap down and right behind the leader at the stage's end: 2 laps at 75.5 s.
    log.drive('99', { lineUs: GREEN_US + 0.5 * S, speedMps: 1000 / 37.5, laps: 3 });
    const r = replay(log.entries).results();
    expect(r.stages).toEqual([{ stage: 1, endLap: 3, top10: cars.map((c) => c.car) }]);
  });
});

describe('R-SF-5 freeze the field, flags and pit road', () => {
  function frozenLog(): ScoringLog {
    const log = new ScoringLog(tinySetup([entry('A', 1), entry('B', 2), entry('C', 3), entry('D', 4), entry('E', 5)], 10, [5, 10]));
    log.flag(GREEN_US, 'green');
    const drive = (car: string, lineS: number): ScoringLog => log.drive(car, { lineUs: GREEN_US + lineS * S, speedMps: 40, laps: 6 });
    drive('D', 0); // at the caution: 4 laps, just past the line
    drive('B', 12); // 3 laps, past sector 2 at 99.55 s
    drive('C', 12.4); // 3 laps, past sector 2 at 99.95 s
    drive('A', 16); // 3 laps, past sector 1 only
    drive('E', 30); // 2 laps, past the commitment line
    log.flag(GREEN_US + 101 * S, 'yellow');
    // A red flag and the yellow after it continue that caution: no second freeze.
    log.flag(GREEN_US + 120 * S, 'red');
    log.flag(GREEN_US + 140 * S, 'yellow');
    log.flag(GREEN_US + 160 * S, 'green');
    return log;
  }

  test('R-SF-5: frozen by laps, then the last scoring loop passed, then the time at that loop', () => {
    const r = replay(frozenLog().entries).results();
    expect(r.cautions).toEqual([{ atUs: GREEN_US + 101 * S, leaderLap: 4, order: ['D', 'B', 'C', 'A', 'E'] }]);
    expect(replay(frozenLog().entries).snapshot().cautions).toEqual(r.cautions);
  });

  test('R-PIT-OPEN-1/3: pit road closes at a caution and two laps before a stage end under green', () => {
    const log = new ScoringLog(tinySetup([entry('1', 1)], 10, [5, 10]));
    log.flag(GREEN_US, 'green');
    log.pitRoad(GREEN_US, true, 'green');
    log.drive('1', { lineUs: GREEN_US, speedMps: 40, laps: 4 });
    const s = replay(log.entries).snapshot();
    // The leader completed lap 3 (stage end 5 − 2) at 75 s.
    expect(s.pitRoad).toMatchObject({ open: false, rule: 'R-PIT-OPEN-3', atUs: GREEN_US + 75 * S });
    expect(s.flag).toBe('green');
    expect(s.stage).toBe(1);
    expect(s.leaderLap).toBe(4);

    log.flag(GREEN_US + 110 * S, 'yellow');
    log.pitRoad(GREEN_US + 120 * S, true, 'caution-open');
    const later = replay(log.entries).snapshot();
    expect(later.pitRoad.history.map((c) => [c.open, c.rule])).toEqual([
      [true, null],
      [false, 'R-PIT-OPEN-3'],
      [false, 'R-PIT-OPEN-1'],
      [true, null],
    ]);
    expect(later.pitRoad).toMatchObject({ open: true, why: 'caution-open' });

    // Under caution at that lap R-PIT-OPEN-3 has nothing to close.
    const yellow = new ScoringLog(tinySetup([entry('1', 1)], 10, [5, 10]));
    yellow.flag(GREEN_US, 'green').flag(GREEN_US + 60 * S, 'yellow');
    yellow.drive('1', { lineUs: GREEN_US, speedMps: 40, laps: 4 });
    expect(replay(yellow.entries).snapshot().pitRoad.history.map((c) => c.rule)).toEqual(['R-PIT-OPEN-1']);
  });
});

describe('a pure reducer over the log', () => {
  function busyLog(): LogEntry[] {
    const log = new ScoringLog(tinySetup([entry('1', 1), entry('2', 2, 1.2), entry('3', 3, 2.4)], 5, [3, 5]));
    log.flag(GREEN_US, 'green');
    log.pitRoad(GREEN_US, true, 'green');
    log.timeCheck('loop-sectors', 9, GREEN_US - 5 * S);
    log.clockReply('loop-sectors', 9, GREEN_US - 5 * S + 1_000, GREEN_US - 5 * S + 2_000);
    log.drive('1', { lineUs: GREEN_US, speedMps: 40, paceLap: true });
    log.drive('2', { lineUs: GREEN_US + 0.4 * S, speedMps: 39.5, paceLap: true, miss: [`${LOOP.line}@2`] });
    log.drive('3', { lineUs: GREEN_US + 0.8 * S, speedMps: 39, paceLap: true });
    log.flag(GREEN_US + 60 * S, 'yellow');
    log.pitRoad(GREEN_US + 70 * S, true, 'caution-open');
    log.flag(GREEN_US + 85 * S, 'green');
    return log.entries;
  }

  test('the order entries arrive in does not matter: shuffled logs give byte-identical results and snapshot', () => {
    const entries = busyLog();
    const results = JSON.stringify(replay(entries).results());
    const snapshot = JSON.stringify(replay(entries).snapshot());
    expect(JSON.parse(results).inferred).toEqual([{ car: '2', lap: 2, loop: LOOP.line }]);
    for (const seed of [1, 2, 3, 42]) {
      const state = replay(shuffled(entries, seed));
      expect(JSON.stringify(state.results())).toBe(results);
      expect(JSON.stringify(state.snapshot())).toBe(snapshot);
    }
  });

  test('a resend (the same messages again) and a payload that does not decode change nothing', () => {
    const entries = busyLog();
    const want = JSON.stringify(replay(entries).results());
    const state = new RaceState();
    for (const e of entries) state.apply(e);
    const boards = entries.filter((e) => e.source === 'board');
    boards.forEach((e, i) => state.apply({ ...e, seq: 10_000 + i, atUs: e.atUs + 30 * S }));
    state.apply({ seq: 20_000, atUs: GREEN_US, source: 'board', topic: 'pitwall/v1/test/loop-sf/evt', board: 'loop-sf', channel: 'evt', payload: new Uint8Array([0xa1, 0xff, 0x00]) });
    expect(JSON.stringify(state.results())).toBe(want);
  });

  test('results() and snapshot() follow apply(): a later entry is reflected', () => {
    const entries = busyLog();
    const state = new RaceState();
    expect(state.results().classification).toEqual([]);
    expect(state.snapshot().atUs).toBeNull();
    for (const e of entries) state.apply(e);
    const before = state.results();
    state.apply({ seq: 99_999, atUs: GREEN_US + 200 * S, source: 'race-control', action: { action: 'flag', flag: 'yellow' } });
    expect(state.results().cautions.length).toBe(before.cautions.length + 1);
    expect(state.snapshot().flag).toBe('yellow');
  });
});

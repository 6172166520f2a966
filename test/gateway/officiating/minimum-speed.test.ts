// Minimum speed after repairs (R-PIT-DAMAGE-2) on a one-mile oval, where mph is
// 3600 / lap seconds: 40 s is 90 mph, 36 s exactly 100 mph, 35 s 102.86 mph. The
// minimum is 100 mph within three green-flag laps.
import { describe, expect, test } from 'vitest';
import { greenLap, lapMph, minimumSpeedWatch, type MinimumSpeedInput, type WatchLap } from '../../../gateway/officiating/minimum-speed.js';
import type { FlagCall } from '../../../gateway/scoring/freeze-field.js';

const S = 1_000_000;
const T0 = 7_000_000_000;
const MILE_M = 1609.344;
const RULES = { minimumSpeedMph: 100, minimumSpeedLaps: 3 };
const at = (s: number): number => T0 + Math.round(s * S);
const flag = (s: number, seq: number, f: FlagCall['flag']): FlagCall => ({ atUs: at(s), seq, flag: f });
const GREEN = [flag(-1000, 1, 'green')];

/**
 * Lap 10 is the in-lap (ends on pit road at 60 s), lap 11 the out-lap (60 → 150 s, the
 * pit exit at 120 s), then `after` laps of the given seconds from 150 s, lap 12 on.
 */
function laps(after: Array<number | { s: number; pit: boolean }>): WatchLap[] {
  const out: WatchLap[] = [
    { lap: 10, startUs: at(0), endUs: at(60), onPitRoad: true },
    { lap: 11, startUs: at(60), endUs: at(150), onPitRoad: true },
  ];
  let t = 150;
  after.forEach((x, i) => {
    const s = typeof x === 'number' ? x : x.s;
    out.push({ lap: 12 + i, startUs: at(t), endUs: at(t + s), onPitRoad: typeof x === 'number' ? false : x.pit });
    t += s;
  });
  return out;
}

function watch(p: Partial<MinimumSpeedInput> & { laps: WatchLap[] }) {
  return minimumSpeedWatch({ car: '11', exitsUs: p.exitsUs ?? [at(120)], flags: p.flags ?? GREEN, trackLengthM: p.trackLengthM ?? MILE_M, laps: p.laps }, RULES);
}

describe('R-PIT-DAMAGE-2 minimum speed', () => {
  test('R-PIT-DAMAGE-2: met on the second green lap after repairs', () => {
    const w = watch({ laps: laps([40, 35, 40]) });
    expect(w).toEqual({
      car: '11',
      status: 'met',
      laps: [
        { lap: 11, mph: 40, green: true, counts: false }, // the out-lap
        { lap: 12, mph: 90, green: true, counts: true },
        { lap: 13, mph: 102.86, green: true, counts: true },
      ],
      metUs: at(225),
      failedUs: null,
    });
    expect(Object.keys(w)).toEqual(['car', 'status', 'laps', 'metUs', 'failedUs']);
    expect(Object.keys(w.laps[0]!)).toEqual(['lap', 'mph', 'green', 'counts']);
  });

  test('R-PIT-DAMAGE-2: failed after three green laps under the minimum, from the end of the third', () => {
    const w = watch({ laps: laps([40, 40, 40, 35]) });
    expect(w).toMatchObject({ status: 'failed', metUs: null, failedUs: at(270) });
    expect(w.laps.map((l) => l.lap)).toEqual([11, 12, 13, 14]);
    // Still watching after two.
    expect(watch({ laps: laps([40, 40]) })).toMatchObject({ status: 'watching', metUs: null, failedUs: null });
  });

  test('R-PIT-DAMAGE-2: caution laps in between neither count nor start the count again', () => {
    // Yellow at 200 s (in lap 13, 190 → 230), green at 250 s (in lap 14, 230 → 270): laps 13 and 14 are not green.
    const flags = [...GREEN, flag(200, 2, 'yellow'), flag(250, 3, 'green')];
    const w = watch({ laps: laps([40, 40, 40, 40, 40]), flags });
    expect(w.laps).toEqual([
      { lap: 11, mph: 40, green: true, counts: false }, // the out-lap, green but not counted
      { lap: 12, mph: 90, green: true, counts: true },
      { lap: 13, mph: 90, green: false, counts: false },
      { lap: 14, mph: 90, green: false, counts: false },
      { lap: 15, mph: 90, green: true, counts: true },
      { lap: 16, mph: 90, green: true, counts: true },
    ]);
    expect(w).toMatchObject({ status: 'failed', failedUs: at(350) });
    // The third green lap at exactly the minimum meets it.
    expect(watch({ laps: laps([40, 40, 40, 40, 36]), flags })).toMatchObject({ status: 'met', metUs: at(346) });
  });

  test('R-PIT-DAMAGE-2: a red flag lap does not count; white counts as green running, checkered does not', () => {
    const red = [...GREEN, flag(160, 2, 'red'), flag(170, 3, 'green')];
    expect(watch({ laps: laps([40, 40, 40, 40]), flags: red })).toMatchObject({ status: 'failed', failedUs: at(310) });
    const white = [...GREEN, flag(200, 2, 'white')];
    expect(watch({ laps: laps([40, 40, 40]), flags: white })).toMatchObject({ status: 'failed', failedUs: at(270) });
    const t = { startUs: at(0), endUs: at(40) };
    expect(greenLap([flag(-1, 1, 'white')], t)).toBe(true);
    expect(greenLap([flag(-1, 1, 'green'), flag(40, 2, 'checkered')], t)).toBe(false);
    expect(greenLap([flag(0, 1, 'green')], t)).toBe(true); // the green at the lap's very start
    expect(greenLap([], t)).toBe(false);
  });

  test('R-PIT-DAMAGE-2: going back onto pit road before meeting it restarts the watch after that visit', () => {
    // Laps 12, 13 slow; lap 14 ends on pit road, lap 15 starts there (exit at 290 s); then 16, 17, 18.
    const l = laps([40, 40, { s: 40, pit: true }, { s: 60, pit: true }, 40, 40, 40]);
    const w = watch({ laps: l, exitsUs: [at(120), at(290)] });
    expect(w.laps.map((x) => [x.lap, x.counts])).toEqual([
      [11, false], [12, true], [13, true], [14, false], [15, false], [16, true], [17, true], [18, true],
    ]);
    expect(w).toMatchObject({ status: 'failed', failedUs: at(450) });
    // The same when only the first visit is given as damaged: the lap on pit road starts the count again.
    expect(watch({ laps: l, exitsUs: [at(120)] })).toMatchObject({ status: 'failed', failedUs: at(450) });
  });

  test('R-PIT-DAMAGE-2: the out-lap from pit road does not count, however fast', () => {
    // Pit road leaves the track before the line: the out-lap (first to end after the exit) starts on the track.
    const l: WatchLap[] = [
      { lap: 11, startUs: at(100), endUs: at(130), onPitRoad: false },
      { lap: 12, startUs: at(130), endUs: at(170), onPitRoad: false },
      { lap: 13, startUs: at(170), endUs: at(210), onPitRoad: false },
      { lap: 14, startUs: at(210), endUs: at(250), onPitRoad: false },
    ];
    const w = watch({ laps: l, exitsUs: [at(120)] });
    expect(w.laps[0]).toEqual({ lap: 11, mph: 120, green: true, counts: false });
    expect(w).toMatchObject({ status: 'failed', failedUs: at(250) });
  });

  test('R-PIT-DAMAGE-2: a new damaged visit opens a new watch; a failure stands; no visit yet, nothing to watch', () => {
    // Met on lap 12; a second damaged visit exits at 400 s, after the latest lap: watching again.
    expect(watch({ laps: laps([35, 40]), exitsUs: [at(120), at(400)] })).toMatchObject({ status: 'watching', metUs: null, failedUs: null });
    // Failed at 270 s: a later visit does not bring it back.
    expect(watch({ laps: laps([40, 40, 40, 35, 35]), exitsUs: [at(120), at(275)] })).toMatchObject({ status: 'failed', failedUs: at(270) });
    expect(watch({ laps: laps([35, 35]), exitsUs: [] })).toEqual({ car: '11', status: 'watching', laps: [], metUs: null, failedUs: null });
  });

  test('R-PIT-DAMAGE-2: lap speed to 0.01 mph, the figure shown being the one compared; order of inputs irrelevant', () => {
    // Martinsville, 0.526 mi: a 20 s lap.
    expect(lapMph({ startUs: 0, endUs: 20 * S }, 846.5)).toBe(94.68);
    expect(lapMph({ startUs: 5, endUs: 5 }, MILE_M)).toBe(0);
    // 36.001 s is 99.997 mph: shown as 100.00, it meets 100.
    expect(watch({ laps: laps([36.001]) })).toMatchObject({ status: 'met', laps: [{ lap: 11 }, { lap: 12, mph: 100 }] });
    expect(watch({ laps: laps([36.01]) }).laps[1]).toMatchObject({ mph: 99.97 });
    const flags = [...GREEN, flag(200, 2, 'yellow'), flag(250, 3, 'green')];
    const l = laps([40, 40, 40, { s: 40, pit: true }, 40, 36]);
    const want = JSON.stringify(watch({ laps: l, flags, exitsUs: [at(120), at(120)] }));
    expect(JSON.stringify(watch({ laps: [...l].reverse(), flags: [...flags].reverse(), exitsUs: [at(120)] }))).toBe(want);
  });
});

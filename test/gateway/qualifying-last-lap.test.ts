// A known problem of the gateway's qualifying, found by the simulator
// (test/gateway/qualifying-truth.test.ts, race.md "Qualifying"), not fixed here: this
// test fails until it is.
//
// A truck's last timed lap: it lifts as soon as it has crossed the line (its run is
// over, as a finisher slows after the checkered flag). R-SF-1's nose correction of that
// crossing takes the average speed from the loop before the line to the loop after it
// (scoring/crossings.ts noseUs), which the slowing truck pulls down, so the nose is put
// at the line too early and the lap comes out too fast: 9.3 ms here, 10.4 ms through the
// firmware at Martinsville (43 m/s, slowing to 20 m/s over 5 s). A race's finish is
// scored from the stretch before the line alone for this very reason (finishNoseUs,
// SCORING.md "Nose correction"); qualifying (race-state.ts qualify() → qualifying/
// timed-laps.ts carRuns) times every lap from noseUs.
import { describe, expect, test } from 'vitest';
import { replay } from '../../gateway/race-state.js';
import { entry, GREEN_US, LAP_M, LOOP, ScoringLog, tinySetup } from '../support/scoring-log.js';

const at = (s: number): number => GREEN_US + Math.round(s * 1e6);

/**
 * One truck, one round of 5 minutes, one timed lap: at 40 m/s (25 s a lap), its nose on
 * the line at 10 s and 35 s; after the second crossing it averages `afterMps` to
 * sector 1 (250 m on).
 */
function lastLap(afterMps: number) {
  const setup = { ...tinySetup([entry('11', 101)], 10), session: 'qualifying' as const, qualifying: { rounds: [{ minutes: 5, timedLaps: 1 as const }] } };
  const log = new ScoringLog(setup);
  log.action(at(0), { action: 'qualifying-round', round: 1, call: 'start' });
  log.drive('11', { lineUs: at(10), speedMps: 40, laps: 1, paceLap: true });
  // The transponder (2 m behind the nose) passes the line at 35.05 s, then sector 1.
  const lineTx = at(35) + (2 / 40) * 1e6;
  log.passing(LOOP.sector1, 101, lineTx + (250 / afterMps) * 1e6);
  const round = replay(log.entries).results().qualifying!.rounds[0]!;
  return round.laps.find((l) => l.counted)!;
}

describe('qualifying: a truck slowing after its last timed lap (R-SF-1, R-QUAL-2)', () => {
  test('holding its speed past the line, its lap is timed right (the set-up is sound)', () => {
    expect(LAP_M).toBe(1000);
    const lap = lastLap(40);
    expect(Math.abs(lap.timeS - 25)).toBeLessThanOrEqual(0.001);
  });

  test('KNOWN GATEWAY PROBLEM (fails until fixed): slowing to 30 m/s on average after the line, its lap is still 25 s to within 1 ms', () => {
    const lap = lastLap(30);
    // Today: 24.990741 s, the nose put at the line 9.26 ms early.
    expect(Math.abs(lap.timeS - 25), `lap time ${lap.timeS} s`).toBeLessThanOrEqual(0.001);
  });
});

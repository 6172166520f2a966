// The acceptance test of scoring: whole races through the real board firmware (memory
// boards, no broker; `npm run build` first), their messages turned into the gateway's
// event log with race control's set-up, flags and pit road calls, replayed into the
// race state — and results.json held against what the test works out on its own from
// truth.json (test/support/truth-results.ts): classification and laps (R-SF-2), laps
// led and lead changes (R-SF-7), stage top tens (R-SF-3), margin of victory (R-SF-8),
// each truck's time (R-SF-1 nose correction), freezes (R-SF-5), pit road closing
// before a stage end (R-PIT-OPEN-3) and missed start/finish reads (R-SF-9).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { replay } from '../../gateway/race-state.js';
import type { Results } from '../../gateway/results.js';
import { repoPath } from '../../protocol/repo-root.js';
import { runSimulation } from '../../sim-hardware/simulation.js';
import { raceLog } from '../support/race-log.js';
import { randomScenario, writeScenario, type RandomScenarioOptions, type ScenarioJson } from '../support/random-scenario.js';
import { asTruth, missTheLine, type Truth } from '../support/truth.js';
import { EVEN_SPEED_US, orderDisagreements, photoFinishLaps, scoringToleranceUs, truthResults, type Placed } from '../support/truth-results.js';

const dir = mkdtempSync(join(tmpdir(), 'pitwall-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Measured accuracy over every run, printed at the end (SCORING.md quotes it). */
const accuracy = { evenTimeUs: 0, anyTimeUs: 0, marginUs: 0, evenCount: 0, anyCount: 0 };
afterAll(() => {
  console.log(
    `scoring vs truth: timeS max |Δ| ${accuracy.evenTimeUs.toFixed(0)} µs over ${accuracy.evenCount} even finishes, ` +
      `${accuracy.anyTimeUs.toFixed(0)} µs over all ${accuracy.anyCount}; margin of victory max |Δ| ${accuracy.marginUs.toFixed(0)} µs`,
  );
});


/** The clock drift of a board-faults scenario moved onto one board. */
function driftOn(board: string, ppm: number) {
  return (value: ScenarioJson): ScenarioJson => ({ ...value, faults: value.faults.map((f) => (f.kind === 'clock-drift' ? { ...f, board, ppm } : f)) });
}

interface Run {
  name: string;
  file: () => string;
  /** What the run's name promises, checked on the truth. */
  premise?: (truth: Truth, lineLoops: ReadonlySet<number>) => boolean;
}

const shipped = (name: string): Run => ({ name, file: () => repoPath('sim-hardware', 'scenarios', `${name}.json`) });
const random = (name: string, seed: number, opts: RandomScenarioOptions = {}, edit: (v: ScenarioJson) => ScenarioJson = (v) => v, premise?: Run['premise']): Run => ({
  name,
  file: () => writeScenario(dir, edit(randomScenario(seed, opts)), `random-${seed}.json`),
  premise,
});
const missedLine = (truth: Truth, lines: ReadonlySet<number>): boolean => truth.crossings.some((c) => c.missed && lines.has(c.loop));
const drifting = (board: string) => (truth: Truth): boolean => truth.faults.some((f) => f.kind === 'clock-drift' && f.board === board);

const RUNS: Run[] = [
  shipped('martinsville-10'),
  shipped('martinsville-200'),
  random('random 3: a sector loop misses a read', 3, { missedRead: true }, undefined, (t, lines) => t.crossings.some((c) => c.missed && !lines.has(c.loop))),
  random('random 6: the start/finish loop misses a read (R-SF-9)', 6, { missedRead: true }, missTheLine, missedLine),
  random('random 4: board faults, the start/finish board 250 ppm fast, a missed line read', 4, { boardFaults: true }, (v) => missTheLine(driftOn('loop-sf', 250)(v)), (t, l) => missedLine(t, l) && drifting('loop-sf')(t)),
  random('random 5: board faults, the sector board 300 ppm slow', 5, { boardFaults: true }, driftOn('loop-sectors', -300), drifting('loop-sectors')),
  random('random 11: a caution ends one lap from the finish', 11, {}, undefined, (t) => t.flags.some((f) => f.flag === 'green' && f.caution !== undefined && f.leaderLap === t.scenario.laps - 1)),
  random('random 21: a dead heat for the lead of lap 1', 21, {}, undefined, (t, lines) => photoFinishLaps(t, lines).includes(1)),
  random('random 40: a red flag, a truck finishing on pit road', 40, {}, undefined, (t) => t.redStops.length > 0 && t.finish.some((f) => t.laps.some((l) => l.car === f.car && l.noseUs === f.noseUs && l.onPitRoad))),
];

function check(truth: Truth, lineLoops: ReadonlySet<number>, results: Results): void {
  const want = truthResults(truth);
  const finishUs = new Map(truth.finish.map((f) => [f.car, f.noseUs]));
  const tol = (car: string, noseUs: number): number => scoringToleranceUs(truth, lineLoops, car, noseUs, finishUs.get(car) === noseUs);

  // R-SF-2: the order, up to photo finishes closer than the scoring can tell; laps exactly.
  const placed: Placed[] = want.classification.map((c) => ({ car: c.car, laps: c.laps, us: c.lastUs, tolUs: tol(c.car, c.lastUs) }));
  expect(orderDisagreements(results.classification.map((c) => c.car), placed), 'classification').toEqual([]);
  for (const c of results.classification) {
    const w = want.classification.find((x) => x.car === c.car)!;
    expect(c.laps, `laps of car ${c.car} (R-SF-9: none lost, none invented)`).toBe(w.laps);
    // R-SF-1: the time of its last credited crossing.
    const delta = Math.abs(c.timeS! - w.timeS) * 1e6;
    const allowed = tol(c.car, w.lastUs);
    expect(delta, `timeS of car ${c.car}: ${c.timeS} s, truth ${w.timeS} s (allowed ${allowed.toFixed(0)} µs)`).toBeLessThanOrEqual(allowed);
    accuracy.anyTimeUs = Math.max(accuracy.anyTimeUs, delta);
    accuracy.anyCount++;
    if (allowed === EVEN_SPEED_US) {
      accuracy.evenTimeUs = Math.max(accuracy.evenTimeUs, delta);
      accuracy.evenCount++;
    }
  }

  // R-SF-8.
  const [p1, p2] = placed;
  const marginDelta = Math.abs(results.marginOfVictoryS! - want.marginS!) * 1e6;
  expect(marginDelta, `margin of victory ${results.marginOfVictoryS} s, truth ${want.marginS} s`).toBeLessThanOrEqual(p1!.tolUs + p2!.tolUs - EVEN_SPEED_US);
  accuracy.marginUs = Math.max(accuracy.marginUs, marginDelta);

  // R-SF-7: exact, but for laps whose lead was a photo finish (each can move one lap led).
  const photos = photoFinishLaps(truth, lineLoops).length;
  let moved = 0;
  for (const c of results.classification) moved += Math.abs(c.lapsLed - want.lapsLed.get(c.car)!);
  expect(moved, `laps led (${photos} photo-finish laps)`).toBeLessThanOrEqual(2 * photos);
  expect(Math.abs(results.leadChanges - want.leadChanges), `lead changes: ${results.leadChanges}, truth ${want.leadChanges}`).toBeLessThanOrEqual(2 * photos);
  expect(Math.abs(results.leaders - want.leaders), `leaders: ${results.leaders}, truth ${want.leaders}`).toBeLessThanOrEqual(photos);

  // R-SF-3: stage top tens, decided at the line.
  expect(results.stages.map((s) => [s.stage, s.endLap])).toEqual(want.stages.map((s) => [s.stage, s.endLap]));
  for (const [i, s] of want.stages.entries()) {
    const endUs = Math.min(...truth.laps.filter((l) => l.lap === s.endLap).map((l) => l.noseUs));
    const atLine: Placed[] = truth.field.map((f) => {
      const list = truth.laps.filter((l) => l.car === f.car).sort((a, b) => a.lap - b.lap);
      const x = list.find((l) => l.noseUs >= endUs) ?? list[list.length - 1]!;
      return { car: f.car, laps: x.lap, us: x.noseUs, tolUs: tol(f.car, x.noseUs) };
    });
    atLine.sort((a, b) => b.laps - a.laps || a.us - b.us);
    const got = results.stages[i]!.top10;
    expect(got).toHaveLength(s.top10.length);
    // Only a photo finish at tenth may change who is in it.
    const inTen = atLine.filter((p) => got.includes(p.car));
    expect(orderDisagreements(got, inTen), `stage ${s.stage} top ten`).toEqual([]);
    const out = atLine.slice(10).filter((p) => got.includes(p.car));
    for (const p of out) expect(orderDisagreements(got, [p, atLine[9]!]), `stage ${s.stage}: ${p.car} in the top ten`).toEqual([]);
  }
}

/** R-SF-5 from the truth: trucks on the track at each declared caution, in frozen order. */
function checkFreezes(truth: Truth, lineLoops: ReadonlySet<number>, trackLoops: ReadonlyMap<number, number>, results: Results): void {
  const finishUs = new Map(truth.finish.map((f) => [f.car, f.noseUs]));
  const tol = (car: string, noseUs: number): number => scoringToleranceUs(truth, lineLoops, car, noseUs, finishUs.get(car) === noseUs);
  const flags = truth.flags.filter((f) => f.flag !== 'stage-end');
  const declared = flags.filter((f, i) => f.flag === 'yellow' && i > 0 && (flags[i - 1]!.flag === 'green' || flags[i - 1]!.flag === 'white'));
  expect(results.cautions.map((c) => c.atUs)).toEqual(declared.map((f) => Math.round(truth.clock.epochUs + f.atUs)));
  declared.forEach((f, k) => {
    const T = f.atUs;
    const rows = truth.field.flatMap((e) => {
      const laps = truth.laps.filter((l) => l.car === e.car && l.noseUs <= T);
      const lap = laps[laps.length - 1];
      if (!lap) return [];
      const mine = truth.crossings.filter((c) => c.car === e.car);
      const line = mine.find((c) => lineLoops.has(c.loop) && Math.abs(c.noseUs - lap.noseUs) < 1)!;
      // The loops that heard it: a missed read is no evidence.
      const since = mine.filter((c) => !c.missed && !lineLoops.has(c.loop) && c.transponderUs > line.transponderUs && c.transponderUs <= T);
      const last = since[since.length - 1];
      if (last && last.path !== 'track') return []; // on pit road: compared among trucks on the track only
      if (!last && line.path !== 'track') return [];
      // A truck on the line at that very instant (within what the scoring can tell) may fall either side of it.
      if (truth.laps.some((l) => l.car === e.car && Math.abs(l.noseUs - T) <= tol(e.car, l.noseUs))) return [];
      return [{ car: e.car, laps: lap.lap, at: last ? trackLoops.get(last.loop)! : 0, us: last ? last.transponderUs : lap.noseUs }];
    });
    rows.sort((a, b) => b.laps - a.laps || b.at - a.at || a.us - b.us);
    const cars = new Set(rows.map((r) => r.car));
    const got = results.cautions[k]!;
    expect(got.order.filter((c) => cars.has(c)), `freeze at the caution of lap ${f.leaderLap + 1}`).toEqual(rows.map((r) => r.car));
    // The simulator shows the yellow the instant the leader crosses: either side of the line will do.
    expect([f.leaderLap - 1, f.leaderLap]).toContain(got.leaderLap);
  });
}

describe('results.json against the truth', () => {
  for (const run of RUNS) {
    test(run.name, async () => {
      const sim = await runSimulation({ scenarioFile: run.file() });
      const truth = asTruth(sim.truth);
      const lineLoops = new Set(sim.track.loops.filter((l) => l.role === 'start-finish').map((l) => l.id));
      const trackLoops = new Map(sim.track.loops.filter((l) => l.path === 'track').map((l) => [l.id, l.positionM]));
      if (run.premise) expect(run.premise(truth, lineLoops), 'the scenario is what its name says').toBe(true);
      const log = raceLog({ scenario: sim.scenario, track: sim.track, truth, messages: sim.messages });
      const state = replay(log);
      const results = state.results();

      check(truth, lineLoops, results);
      checkFreezes(truth, lineLoops, trackLoops, results);

      // R-SF-9: every missed line read comes back as an inferred crossing of that lap, on that loop.
      const missed = truth.crossings.filter((c) => c.missed && lineLoops.has(c.loop));
      const inferred = results.inferred.map((x) => `${x.car}/${x.lap}/${x.loop}`);
      expect(inferred.sort()).toEqual(missed.map((c) => `${c.car}/${c.lap}/${c.loop}`).sort());

      // R-PIT-OPEN-3: pit road closes under green when the leader completes stageEnd − 2
      // (left out where a flag came out that very instant: either rule closes it then).
      const flags = truth.flags.filter((f) => f.flag !== 'stage-end');
      const flagAt = (t: number): string => flags.filter((f) => f.atUs <= t).at(-1)!.flag;
      const clear = (t: number): boolean => !flags.some((f) => Math.abs(f.atUs - t) <= 50_000);
      const pitRoad = state.snapshot().pitRoad.history.filter((c) => c.rule === 'R-PIT-OPEN-3' && clear(c.atUs - truth.clock.epochUs));
      const closes = truth.pitRoad.filter((p) => p.why === 'stage-end' && clear(p.atUs) && flagAt(p.atUs) === 'green');
      expect(pitRoad).toHaveLength(closes.length);
      const finishUs = new Map(truth.finish.map((f) => [f.car, f.noseUs]));
      const tol = (car: string, noseUs: number): number => scoringToleranceUs(truth, lineLoops, car, noseUs, finishUs.get(car) === noseUs);
      closes.forEach((p, i) => {
        // At the leader's crossing, as well as the scoring can tell it (or a truck's in a photo finish for that lap).
        const lap = truth.laps.find((l) => Math.abs(l.noseUs - p.atUs) < 1)!;
        const close = truth.laps.filter((l) => l.lap === lap.lap && l.noseUs - lap.noseUs <= tol(lap.car, lap.noseUs) + tol(l.car, l.noseUs));
        const allowed = Math.max(...close.map((l) => l.noseUs - lap.noseUs + tol(l.car, l.noseUs)));
        expect(Math.abs(pitRoad[i]!.atUs - (truth.clock.epochUs + p.atUs)), `pit road closes for stage ${i + 1}`).toBeLessThanOrEqual(allowed);
      });

      // One log, one document, byte for byte.
      expect(JSON.stringify(replay(log).results())).toBe(JSON.stringify(results));
    }, 120_000);
  }
});

// The acceptance test of pit road officiating: whole races through the real board
// firmware (memory boards, no broker; `npm run build` first), their messages turned into
// the gateway's event log with race control's set-up, flags and pit road calls,
// replayed into the race state, and results.json's violations held against truth.json's
// (sim-hardware/race-truth.ts, pit-violations.ts) by test/support/truth-violations.ts:
// - every violation of the truth is proposed, for the same car, visit and rule, with the
//   truth's evidence: the speeding segments (R-PIT-SPEED-1/2), the clause and margin
//   (R-PIT-BOX-2), the crew's distance (R-PIT-CREW-1) and count (R-PIT-CREW-2), the boxes
//   driven through (R-PIT-BOX-3), the closed pit road (R-PIT-OPEN-2);
// - nothing is proposed that the truth does not hold, except as a close call (R-PEN-3);
// - each lands in the card column the truth's flags give (R-PIT-OPEN-1).
// Officials confirm every certain proposal as it comes (decisions in the log), so a
// pass-through driven after one serves it and speeding on it is R-PIT-SPEED-2.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { LogEntry } from '../../gateway/log-entry.js';
import { replay } from '../../gateway/race-state.js';
import type { Results } from '../../gateway/results.js';
import { repoPath } from '../../protocol/repo-root.js';
import type { PitRule } from '../../sim-hardware/pit-violations.js';
import { runSimulation } from '../../sim-hardware/simulation.js';
import { raceLog } from '../support/race-log.js';
import { randomScenario, writeScenario, type ScenarioJson } from '../support/random-scenario.js';
import { asTruth } from '../support/truth.js';
import { asTruthWithViolations, checkViolations, confirmAll, PIT_RULES, type TruthWithViolations, type ViolationCheck } from '../support/truth-violations.js';

const dir = mkdtempSync(join(tmpdir(), 'pitwall-officiating-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Scored {
  truth: TruthWithViolations;
  results: Results;
  check: ViolationCheck;
  ms: number;
}

const run = (log: readonly LogEntry[]): Results => replay(log).results();

/** A scenario file run through the boards, scored, every certain proposal confirmed, and checked against its truth. */
async function score(file: string): Promise<Scored> {
  const t0 = performance.now();
  const sim = await runSimulation({ scenarioFile: file });
  const truth = asTruthWithViolations(asTruth(sim.truth));
  const log = raceLog({ scenario: sim.scenario, track: sim.track, truth, messages: sim.messages });
  const { results } = confirmAll(log, run);
  return { truth, results, check: checkViolations(truth, results), ms: performance.now() - t0 };
}

/** The truth and results agree: nothing missing, nothing wrong, nothing extra but close calls. */
function expectAgreement(c: ViolationCheck): void {
  expect(c.missing, 'truth violations not proposed').toEqual([]);
  expect(c.wrong, 'proposals that disagree with the truth').toEqual([]);
  expect(c.extra, 'certain proposals the truth does not hold').toEqual([]);
}

const shipped = (name: string): string => repoPath('sim-hardware', 'scenarios', `${name}.json`);

/** Tallies per group of runs, printed at the end (the random group's also asserted). */
interface Tally {
  runs: number;
  ms: number;
  held: Map<PitRule, number>;
  paired: Map<PitRule, number>;
  closeCallsPaired: number;
  closeCallsOnly: string[];
  speed2Served: number;
  speed2WithoutPenalty: number;
  caution: number;
  columnsEitherSide: number;
  notHeld: string[];
}
const tallies = new Map<string, Tally>();
function tallyOf(group: string): Tally {
  let t = tallies.get(group);
  if (!t) {
    t = { runs: 0, ms: 0, held: new Map(PIT_RULES.map((r) => [r, 0])), paired: new Map(PIT_RULES.map((r) => [r, 0])), closeCallsPaired: 0, closeCallsOnly: [], speed2Served: 0, speed2WithoutPenalty: 0, caution: 0, columnsEitherSide: 0, notHeld: [] };
    tallies.set(group, t);
  }
  return t;
}
function count(group: string, s: Scored): void {
  const t = tallyOf(group);
  t.runs++;
  t.ms += s.ms;
  for (const [r, n] of s.check.held) t.held.set(r, t.held.get(r)! + n);
  for (const p of s.check.pairs) {
    t.paired.set(p.truth.rule, t.paired.get(p.truth.rule)! + 1);
    if (p.proposal.confidence === 'close-call') t.closeCallsPaired++;
    if (p.proposal.rule === 'R-PIT-SPEED-2') t.speed2Served++;
    if (p.proposal.column === 'caution') t.caution++;
  }
  t.closeCallsOnly.push(...s.check.closeCallsOnly.map((p) => `${p.rule} close call, not in the truth: ${p.summary}`));
  t.speed2WithoutPenalty += s.check.speed2WithoutPenalty.length;
  t.columnsEitherSide += s.check.columnsEitherSide;
  t.notHeld.push(...s.check.excluded.map((x) => x.why), ...s.check.afterEnd);
}
afterAll(() => {
  for (const [group, t] of tallies) {
    console.log(
      `officiating vs truth, ${group}: ${t.runs} races in ${(t.ms / 1000).toFixed(1)} s; truth violations held (proposed): ` +
        PIT_RULES.map((r) => `${r} ${t.held.get(r)} (${t.paired.get(r)})`).join(', ') +
        `; R-PIT-SPEED-2 on a pass-through serving a confirmed one ${t.speed2Served}, serving none (called R-PIT-SPEED-1) ${t.speed2WithoutPenalty}` +
        `; caution column ${t.caution}, either column (a flag change at the instant) ${t.columnsEitherSide}` +
        `; close calls paired with the truth ${t.closeCallsPaired}, not in the truth ${t.closeCallsOnly.length}${t.closeCallsOnly.map((x) => `\n  ${x}`).join('')}` +
        `; the truth's own, not held: ${t.notHeld.length}${t.notHeld.map((x) => `\n  ${x}`).join('')}`,
    );
  }
});

describe('shipped scenarios: exactly the scripted violations', () => {
  test('martinsville-10: car 98 speeding in segment 2 (R-PIT-SPEED-1) and car 9 out of its box by clause (b) (R-PIT-BOX-2), nothing else', async () => {
    const s = await score(shipped('martinsville-10'));
    count('shipped', s);
    expect(s.truth.violations.map((v) => [v.car, v.rule])).toEqual([
      ['98', 'R-PIT-SPEED-1'],
      ['9', 'R-PIT-BOX-2'],
    ]);
    expectAgreement(s.check);
    expect(s.results.violations.map((v) => ({ car: v.car, rule: v.rule, confidence: v.confidence }))).toEqual([
      { car: '98', rule: 'R-PIT-SPEED-1', confidence: 'certain' },
      { car: '9', rule: 'R-PIT-BOX-2', confidence: 'certain' },
    ]);
    const [speeding, box] = s.results.violations;
    expect(speeding!.evidence.over).toEqual([2]);
    expect(s.check.pairs.find((p) => p.proposal === box)!.truth).toMatchObject({ clause: 'b' });
    expect((box!.evidence.verdicts as Array<{ clause: string; inBox: boolean }>).every((v) => v.clause === 'b' && !v.inBox)).toBe(true);
    // R-PIT-OPEN-1: car 98 pitted under green; car 9 committed and stopped under the caution of lap 6.
    expect([speeding!.column, box!.column]).toEqual(['green', 'caution']);
  }, 60_000);

  test('martinsville-200: exactly the truth violations (R-PIT-SPEED-1, R-PIT-BOX-2, R-PIT-CREW-1, R-PIT-OPEN-2), nothing else', async () => {
    const s = await score(shipped('martinsville-200'));
    count('shipped', s);
    expect(s.truth.violations.length).toBeGreaterThan(0);
    expectAgreement(s.check);
    expect(s.results.violations.map((v) => v.confidence).filter((c) => c !== 'certain'), 'close calls').toEqual([]);
    expect(s.results.violations).toHaveLength(s.truth.violations.length);
  }, 60_000);

  // The simulator's scenario of every kind of violation, once it is shipped.
  test.skipIf(!existsSync(shipped('martinsville-pit-violations')))(
    'martinsville-pit-violations: exactly the truth violations, every kind (R-PIT-SPEED-1/2, R-PIT-BOX-2/3, R-PIT-CREW-1/2, R-PIT-OPEN-2, R-PIT-COMMIT-1)',
    async () => {
      const s = await score(shipped('martinsville-pit-violations'));
      count('shipped', s);
      expect(new Set(s.truth.violations.map((v) => v.rule))).toEqual(new Set(PIT_RULES));
      expectAgreement(s.check);
      expect(s.results.violations.map((v) => v.confidence).filter((c) => c !== 'certain'), 'close calls').toEqual([]);
      expect(s.results.violations).toHaveLength(s.truth.violations.length);
    },
    60_000,
  );
});

/** One truck, three laps, one stop at the end of lap 1: the smallest race a pit road call needs. */
function oneStop(box: number, stop: Partial<ScenarioJson['pitStops'][number]>, event?: ScenarioJson['event']): ScenarioJson {
  const value: ScenarioJson = {
    track: 'martinsville',
    session: 'race',
    laps: 3,
    stages: [3],
    seed: 7,
    gridGapS: 0.4,
    field: [{ car: '1', driver: 'Solo Driver', transponder: 4001, box, noseOffsetM: 1.5, paceS: 20.2 }],
    pitStops: [{ car: '1', lap: 1, serviceS: 8, ...stop }],
    cautions: [],
    redFlags: [],
    faults: [],
  };
  if (event) value.event = event;
  return value;
}

describe('the smallest races for what the random scenarios found', () => {
  test('R-PIT-BOX-3: box 4, whose tail-clear (box-transit) comes after the truck reaches its own box 5, counts entering', async () => {
    const s = await score(writeScenario(dir, oneStop(5, { boxesThrough: { entering: 4 } }), 'box-3-entering.json'));
    count('smallest', s);
    expect(s.truth.violations.map((v) => [v.rule, 'entering' in v ? v.entering : null])).toEqual([['R-PIT-BOX-3', 4]]);
    expectAgreement(s.check);
  }, 60_000);

  test('R-PIT-CREW-1/2: crew over the wall before the truck crosses the entry line belongs to its visit', async () => {
    // Box 1 is nearest pit entry: three boxes early, all seven are over before the transponder crosses the entry line.
    const s = await score(writeScenario(dir, oneStop(1, { crew: 7, crewEarlyBoxes: 3 }), 'crew-before-pit-in.json'));
    count('smallest', s);
    const stop = s.truth.pitStops[0]!;
    expect(stop.stop.crewOverUs!).toBeLessThan(stop.pitInUs);
    expect(s.truth.violations.map((v) => v.rule)).toEqual(['R-PIT-CREW-1', 'R-PIT-CREW-2']);
    expectAgreement(s.check);
  }, 60_000);

  test('R-PIT-CREW-2: the scenario event crewLimit 7 is the gateway event set-up limit (seven crew is no violation)', async () => {
    const s = await score(writeScenario(dir, oneStop(10, { crew: 7 }, { crewLimit: 7 }), 'crew-limit-7.json'));
    count('smallest', s);
    expect(s.truth.violations).toEqual([]);
    expectAgreement(s.check);
  }, 60_000);
});

/** Seeds of randomScenario(seed, { officiating: true }) at its own sizes (12..30 laps, 4..12 trucks). */
const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

describe('random scenarios with officiating: every truth violation proposed, nothing else but close calls', () => {
  for (const seed of SEEDS) {
    test(`seed ${seed} (R-PIT-SPEED-1/2, R-PIT-BOX-2/3, R-PIT-CREW-1/2, R-PIT-OPEN-2, R-PIT-COMMIT-1, R-PIT-OPEN-1 column)`, async () => {
      const value: ScenarioJson = randomScenario(seed, { officiating: true });
      const s = await score(writeScenario(dir, value, `officiating-${seed}.json`));
      count('random', s);
      expectAgreement(s.check);
    }, 60_000);
  }

  test('every kind of violation was held at least once across the seeds (R-PIT-SPEED-1/2, R-PIT-BOX-2/3, R-PIT-CREW-1/2, R-PIT-OPEN-2, R-PIT-COMMIT-1)', () => {
    const t = tallyOf('random');
    expect(t.runs).toBe(SEEDS.length);
    const never = PIT_RULES.filter((r) => t.held.get(r)! === 0);
    expect(never, `kinds the truth never had: ${PIT_RULES.map((r) => `${r} ${t.held.get(r)}`).join(', ')}`).toEqual([]);
    const unproposed = PIT_RULES.filter((r) => t.paired.get(r)! === 0);
    expect(unproposed, `kinds never proposed: ${PIT_RULES.map((r) => `${r} ${t.paired.get(r)}`).join(', ')}`).toEqual([]);
    expect(t.caution, 'violations in the caution column (R-PIT-OPEN-1)').toBeGreaterThan(0);
    // R-PIT-SPEED-2 as the gateway calls it, speeding while serving a confirmed pass-through: here or in the shipped scenarios.
    expect([...tallies.values()].reduce((n, x) => n + x.speed2Served, 0), 'R-PIT-SPEED-2 on a served pass-through').toBeGreaterThan(0);
  });
});

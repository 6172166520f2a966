// The race state kept at the live edge: results() and snapshot() after every entry, as
// the gateway asks for them, work in only what came since the last look (race-state.ts
// Derivation). Whatever the order entries arrive in — a board's resend after an outage,
// a late time check that moves a board's clock, a flag entered after the fact — the
// state must be exactly what a fresh replay() of the same entries gives: byte-identical
// results.json and snapshot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LogEntry } from '../../gateway/log-entry.js';
import { RaceState, replay } from '../../gateway/race-state.js';
import { decode } from '../../protocol/codec.js';
import { repoPath } from '../../protocol/repo-root.js';
import { runSimulation } from '../../sim-hardware/simulation.js';
import { raceLog } from '../support/race-log.js';
import { randomScenario, writeScenario, type ScenarioJson } from '../support/random-scenario.js';
import { entry, GREEN_US, LOOP, ScoringLog, shuffled, tinySetup } from '../support/scoring-log.js';
import { asTruth } from '../support/truth.js';

const S = 1_000_000;

/**
 * Feeds `entries` one by one, looking at the snapshot after each (the gateway's push);
 * at `points` of them (and at the end) compares results() and snapshot() with a fresh
 * replay of the entries so far. Returns how many points were compared.
 */
function feedAndCompare(entries: readonly LogEntry[], points: number): number {
  const at = new Set<number>([entries.length]);
  for (let k = 1; k <= points; k++) at.add(Math.max(1, Math.round((k * entries.length) / points)));
  const state = new RaceState();
  let compared = 0;
  entries.forEach((e, i) => {
    state.apply(e);
    state.snapshot();
    if (!at.has(i + 1)) return;
    const fresh = replay(entries.slice(0, i + 1));
    expect(JSON.stringify(state.results()), `results after ${i + 1} of ${entries.length} entries`).toBe(JSON.stringify(fresh.results()));
    expect(JSON.stringify(state.snapshot()), `snapshot after ${i + 1} of ${entries.length} entries`).toBe(JSON.stringify(fresh.snapshot()));
    compared++;
  });
  return compared;
}

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * A log as it might really arrive: some board messages late, three outages (a board's
 * messages over a stretch arriving after it, in any order: its resend), some messages
 * twice, race control's flags and pit road calls and the gateway's time checks entered
 * late, and `heldBoard`'s time checks all held back to 60 % of the way (its clock's
 * offset known late, moving its passings so far).
 */
function perturbed(log: readonly LogEntry[], seed: number, heldBoard?: string): LogEntry[] {
  const r = random(seed);
  const n = log.length;
  const at = log.map((_, i) => i);
  const outage = Math.min(500, Math.floor(n / 10));
  for (const board of ['loop-sf', 'loop-sectors', 'loop-pit']) {
    const from = Math.floor(r() * (n - outage));
    for (let i = from; i < from + outage; i++) {
      const e = log[i]!;
      if (e.source === 'board' && e.board === board) at[i] = from + outage + r() * 20;
    }
  }
  const again: Array<{ e: LogEntry; at: number }> = [];
  log.forEach((e, i) => {
    if (e.source === 'board') {
      if (r() < 0.03) at[i]! += 1 + r() * Math.min(400, n / 10);
      if (r() < 0.01) again.push({ e, at: i + r() * Math.min(2000, n / 4) });
    } else if (e.action.action !== 'event-setup' && r() < 0.3) {
      at[i]! += 1 + r() * Math.min(1500, n / 4);
    }
    if (heldBoard !== undefined && e.source === 'gateway' && e.action.action === 'time-check' && e.action.board === heldBoard && i < 0.6 * n) at[i] = 0.6 * n + r();
  });
  const items = [...log.map((e, i) => ({ e, at: at[i]!, i })), ...again.map((x, k) => ({ e: x.e, at: x.at, i: n + k }))];
  items.sort((a, b) => a.at - b.at || a.i - b.i);
  return items.map((x) => x.e);
}

/** Board messages with their decoded payload at hand, as ingest logs them (a replay decodes the same). */
function decoded(log: readonly LogEntry[]): LogEntry[] {
  return log.map((e) => {
    if (e.source !== 'board' || e.channel !== 'evt') return e;
    try {
      return { ...e, value: decode('envelope', e.payload) };
    } catch {
      return e;
    }
  });
}

/** A small race with everything the scoring decides: missed and split reads, pit road's line, clocks, flags, stages, the finish. */
function handLog(): LogEntry[] {
  const log = new ScoringLog(tinySetup([entry('1', 1), entry('2', 2, 1.2), entry('3', 3, 2.4), entry('4', 4, 0.5)], 5, [3, 5]));
  log.flag(GREEN_US, 'green');
  log.pitRoad(GREEN_US, true, 'green');
  // The sector board's clock: 1 ms ahead, then 1.3 ms (it drifts).
  log.timeCheck('loop-sectors', 9, GREEN_US - 5 * S);
  log.clockReply('loop-sectors', 9, GREEN_US - 5 * S + 2_000, GREEN_US - 5 * S + 2_000);
  log.timeCheck('loop-sectors', 10, GREEN_US + 100 * S);
  log.clockReply('loop-sectors', 10, GREEN_US + 100 * S + 2_300, GREEN_US + 100 * S + 2_000);
  log.drive('1', { lineUs: GREEN_US, speedMps: 40, paceLap: true });
  log.drive('2', { lineUs: GREEN_US + 0.4 * S, speedMps: 39.5, paceLap: true, miss: [`${LOOP.line}@2`] });
  log.drive('3', { lineUs: GREEN_US + 0.8 * S, speedMps: 39, paceLap: true, laps: 2 });
  // Truck 3 completes lap 3 on pit road and stands in its box, then runs on.
  const lap3 = GREEN_US + 0.8 * S + (2000 / 39) * S;
  log.passing(LOOP.commitment, 3, lap3 + (802.4 / 39) * S);
  log.passing(LOOP.pitEntry, 3, lap3 + 24 * S);
  log.passing(LOOP.pitLine, 3, lap3 + 31 * S);
  log.passing(LOOP.pitExit, 3, lap3 + 58 * S);
  log.passing(LOOP.pitOut, 3, lap3 + 59 * S);
  log.passing(LOOP.sector2, 3, lap3 + 68 * S);
  log.passing(LOOP.commitment, 3, lap3 + 75.5 * S);
  log.passing(LOOP.line, 3, lap3 + 80.5 * S);
  log.passing(LOOP.sector1, 3, lap3 + 86.8 * S);
  // Truck 4: a split passing at the line, a sector read twice.
  log.drive('4', { lineUs: GREEN_US + 1.2 * S, speedMps: 38, paceLap: true, laps: 4 });
  log.passing(LOOP.line, 4, GREEN_US + 1.2 * S + (1000 / 38) * S + 40_000);
  log.passing(LOOP.sector1, 4, GREEN_US + 1.2 * S + (1250.5 / 38) * S + 20_000);
  log.flag(GREEN_US + 60 * S, 'yellow');
  log.pitRoad(GREEN_US + 70 * S, true, 'caution-open');
  log.flag(GREEN_US + 85 * S, 'green');
  log.flag(GREEN_US + 110 * S, 'red');
  log.flag(GREEN_US + 130 * S, 'yellow');
  log.flag(GREEN_US + 140 * S, 'green');
  return log.entries;
}

describe('the race state at the live edge equals a fresh replay', () => {
  test('a hand-built race fed entry by entry, in any order, compared after every entry', () => {
    const entries = handLog();
    const byTime = [...entries].sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
    expect(replay(entries).results().inferred).toEqual([{ car: '2', lap: 2, loop: LOOP.line }]);
    for (const order of [entries, byTime, ...[1, 2, 3, 4, 5, 6].map((seed) => shuffled(entries, seed)), perturbed(byTime, 7)]) {
      expect(feedAndCompare(order, order.length)).toBe(order.length);
    }
  });

  describe('martinsville-200, message by message', () => {
    let log: LogEntry[] = [];
    beforeAll(async () => {
      const sim = await runSimulation({ scenarioFile: repoPath('sim-hardware', 'scenarios', 'martinsville-200.json') });
      log = decoded(raceLog({ scenario: sim.scenario, track: sim.track, truth: asTruth(sim.truth), messages: sim.messages }));
    }, 120_000);

    test('in the order it arrived: 50 points along the way and the end', () => {
      expect(log.length).toBeGreaterThan(100_000);
      expect(feedAndCompare(log, 50)).toBe(50);
    }, 180_000);

    test('delayed, resent, shuffled, time checks and flags late: 50 points along the way and the end', () => {
      // loop-sectors' clock drifts (20 ppm): its offset, known late, moves its passings.
      const fed = perturbed(log, 11, 'loop-sectors');
      expect(fed.length).toBeGreaterThan(log.length);
      expect(feedAndCompare(fed, 50)).toBe(50);
    }, 180_000);
  });

  describe('random races, message by message, delayed and shuffled', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-live-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const cases: Array<{ name: string; seed: number; value: () => ScenarioJson; held: string }> = [
      {
        name: 'board faults, the start/finish board 250 ppm fast',
        seed: 4,
        value: () => {
          const v = randomScenario(4, { boardFaults: true });
          return { ...v, faults: v.faults.map((f) => (f.kind === 'clock-drift' ? { ...f, board: 'loop-sf', ppm: 250 } : f)) };
        },
        held: 'loop-sf',
      },
      { name: 'a red flag, a truck finishing on pit road', seed: 40, value: () => randomScenario(40), held: 'loop-pit' },
    ];
    for (const c of cases) {
      test(`random ${c.seed}: ${c.name}`, async () => {
        const sim = await runSimulation({ scenarioFile: writeScenario(dir, c.value(), `random-${c.seed}.json`) });
        const log = decoded(raceLog({ scenario: sim.scenario, track: sim.track, truth: asTruth(sim.truth), messages: sim.messages }));
        expect(feedAndCompare(log, 100)).toBe(100);
        expect(feedAndCompare(perturbed(log, c.seed, c.held), 200)).toBe(200);
      }, 120_000);
    }
  });
});

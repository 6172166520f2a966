// R-AUDIT-1: the event log alone scores the race again, byte for byte. `pitwall sim
// --out` runs a race with a gateway scoring it and writes results.json and events.db;
// `pitwall results --db` reads the log back and must print the same bytes, `--format
// csv` the classification, `pitwall replay --db` a summary. A missed start/finish read
// (R-SF-9) is inferred and costs the truck no lap. The same race through the embedded
// MQTT broker logs what the boards said in memory and scores the same. A gateway
// restarted on its log file rebuilds the same state before it takes anything new.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmbeddedBroker } from '../../gateway/broker.js';
import { simulateWithGateway, type ScoredSimulation } from '../../gateway/commands/sim-gateway.js';
import { resultsJson } from '../../gateway/results.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { LogEntry } from '../../gateway/log-entry.js';
import { replay } from '../../gateway/race-state.js';
import { decode } from '../../protocol/codec.js';
import type { Results } from '../../gateway/results.js';
import { repoPath } from '../../protocol/repo-root.js';
import { loadTrack } from '../../sim-hardware/track.js';
import { directGateway, entryRow, feedAll, feedEntry, tenLapFeed, type RaceFeed } from '../support/gateway-feed.js';
import { pitwallCli } from '../support/pitwall-cli.js';
import { randomScenario, writeScenario } from '../support/random-scenario.js';
import { asTruth, missTheLine, type Truth } from '../support/truth.js';
import { scoringToleranceUs, truthResults } from '../support/truth-results.js';

const TEN = repoPath('sim-hardware', 'scenarios', 'martinsville-10.json');
const dir = mkdtempSync(join(tmpdir(), 'pitwall-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = pitwallCli();
const { pitwall } = cli;

const readJson = (file: string): any => JSON.parse(readFileSync(file, 'utf8'));

/** `pitwall sim --out DIR` and then `pitwall results` / `replay` against its event log. */
function cliRun(name: string, scenario: () => string): void {
  const outDir = join(dir, name);
  const db = join(outDir, 'events.db');

  test(`${name}: pitwall sim --out writes results.json, events.db and truth.json`, async () => {
    expect(await pitwall(['sim', '--scenario', scenario(), '--out', outDir, '--quiet'])).toBe(0);
    expect(cli.out.join('\n')).toMatch(/gateway: \d+ messages logged, 0 quarantined; winner by the results #\d+/);
    const results = readJson(join(outDir, 'results.json')) as Results;
    expect(results.format).toBe('pitwall-results/1');
    expect(readJson(join(outDir, 'truth.json')).format).toBe('pitwall-truth/1');
  });

  test(`${name}: pitwall results --db prints results.json byte for byte (R-AUDIT-1)`, async () => {
    expect(await pitwall(['results', '--db', db])).toBe(0);
    expect(cli.stdout.join('')).toBe(readFileSync(join(outDir, 'results.json'), 'utf8'));
    cli.stdout = [];
    expect(await pitwall(['results', '--db', db, '--format', 'json'])).toBe(0);
    expect(cli.stdout.join('')).toBe(readFileSync(join(outDir, 'results.json'), 'utf8'));
  });

  test(`${name}: pitwall results --format csv: a header and one row per truck`, async () => {
    expect(await pitwall(['results', '--db', db, '--format', 'csv'])).toBe(0);
    const lines = cli.stdout.join('').trimEnd().split('\n');
    const results = readJson(join(outDir, 'results.json')) as Results;
    const trucks = readJson(join(outDir, 'truth.json')).field.length as number;
    expect(lines[0]).toBe('pos,car,driver,laps,timeS,lapsLed,status,penaltyS,lapsOff,why');
    expect(lines).toHaveLength(1 + trucks);
    expect(lines.slice(1)).toEqual(results.classification.map((c) => [c.pos, c.car, c.driver, c.laps, c.timeS, c.lapsLed, c.status, c.penaltyS, c.lapsOff, c.why ?? ''].join(',')));
  });

  test(`${name}: pitwall replay --db summarises the log`, async () => {
    expect(await pitwall(['replay', '--db', db])).toBe(0);
    const text = cli.out.join('\n');
    const results = readJson(join(outDir, 'results.json')) as Results;
    expect(text).toMatch(new RegExp(`events\\.db: \\d+ entries, 0 quarantined`));
    expect(text).toContain(`${results.event.name}: leader lap ${results.event.laps}/${results.event.laps}, ${results.leaders} leaders, ${results.leadChanges} lead changes`);
    expect(cli.out.filter((l) => /^ {2}board [a-z0-9-]+: (online|offline), boot \d+$/.test(l))).toHaveLength(13);
    const winner = results.classification[0]!;
    expect(text).toMatch(new RegExp(`^ +1\\. #${winner.car} +${winner.driver} +${winner.laps} laps +${winner.timeS} s +led ${winner.lapsLed}$`, 'm'));
  });

  test(`${name}: every truck has the laps the truth gives it, none lost (R-SF-9)`, () => {
    const truth = asTruth(readJson(join(outDir, 'truth.json')));
    const results = readJson(join(outDir, 'results.json')) as Results;
    const want = truthResults(truth);
    expect(results.classification.map((c) => [c.car, c.laps]).sort()).toEqual(want.classification.map((c) => [c.car, c.laps]).sort());
    // Every missed start/finish read comes back as an inferred crossing of that truck, lap and loop.
    const lines = lineLoops(truth);
    const missed = truth.crossings.filter((c) => c.missed && lines.has(c.loop)).map((c) => `${c.car}/${c.lap}/${c.loop}`);
    expect(results.inferred.map((x) => `${x.car}/${x.lap}/${x.loop}`).sort()).toEqual(missed.sort());
  });

  test(`${name}: each truck's time in results.json is the truth's to within what the scoring can tell (R-SF-1)`, () => {
    const truth = asTruth(readJson(join(outDir, 'truth.json')));
    expect(timeErrors(truth, readJson(join(outDir, 'results.json')) as Results)).toEqual([]);
  });
}

/** Trucks whose timeS is further from the truth than the scoring can honestly tell (R-SF-1). */
function timeErrors(truth: Truth, results: Results): string[] {
  const lines = lineLoops(truth);
  const finishUs = new Map(truth.finish.map((f) => [f.car, f.noseUs]));
  const want = truthResults(truth);
  const bad: string[] = [];
  for (const c of results.classification) {
    const w = want.classification.find((x) => x.car === c.car)!;
    const allowed = scoringToleranceUs(truth, lines, c.car, w.lastUs, finishUs.get(c.car) === w.lastUs);
    const errorUs = Math.abs(c.timeS! - w.timeS) * 1e6;
    if (c.laps !== w.laps || errorUs > allowed) bad.push(`#${c.car}: ${c.laps} laps in ${c.timeS} s, truth ${w.laps} in ${w.timeS} s (${errorUs.toFixed(0)} µs off, ${allowed.toFixed(0)} allowed)`);
  }
  return bad;
}

/** The start/finish loops of the race's track (on the track and on pit road). */
function lineLoops(truth: Truth): Set<number> {
  return new Set(loadTrack(truth.scenario.track).loops.filter((l) => l.role === 'start-finish').map((l) => l.id));
}

describe('pitwall sim --out, then pitwall results and replay on its event log (R-AUDIT-1)', () => {
  cliRun('martinsville-10', () => TEN);

  let missedFile = '';
  let missedTruck = '';
  beforeAll(() => {
    const value = missTheLine(randomScenario(6, { missedRead: true }));
    const fault = value.faults.find((f) => f.kind === 'missed-read')!;
    missedTruck = String(fault.car);
    missedFile = writeScenario(dir, value, 'random-6-missed-line.json');
  });
  cliRun('random-6 with a missed start/finish read', () => missedFile);

  test('random-6: the missed start/finish read is in results.json inferred[] and its truck loses no lap (R-SF-9)', () => {
    const outDir = join(dir, 'random-6 with a missed start/finish read');
    const truth = asTruth(readJson(join(outDir, 'truth.json')));
    const results = readJson(join(outDir, 'results.json')) as Results;
    const line = lineLoops(truth);
    const missed = truth.crossings.filter((c) => c.missed && line.has(c.loop));
    expect(missed, 'the scenario misses one start/finish read').toHaveLength(1);
    expect(missed[0]!.car).toBe(missedTruck);
    expect(results.inferred).toEqual([{ car: missed[0]!.car, lap: missed[0]!.lap, loop: missed[0]!.loop }]);
    const truthLaps = truthResults(truth).classification.find((c) => c.car === missedTruck)!.laps;
    expect(results.classification.find((c) => c.car === missedTruck)!.laps).toBe(truthLaps);
  });

  test('pitwall results refuses a bad format and a missing log clearly', async () => {
    expect(await pitwall(['results', '--db', join(dir, 'martinsville-10', 'events.db'), '--format', 'xml'])).toBe(2);
    expect(cli.err.join('\n')).toContain("pitwall results: --format must be json or csv, not 'xml'");
    expect(await pitwall(['results', '--db', join(dir, 'nowhere.db')])).toBe(2);
    expect(await pitwall(['replay'])).toBe(2);
    expect(cli.err.join('\n')).toMatch(/no event log .*nowhere\.db/);
    expect(cli.err.join('\n')).toContain('pitwall replay: --db FILE is required');
    expect(cli.stdout).toEqual([]);
  });
});

describe('the race through the embedded MQTT broker scores as in memory', () => {
  let memory: ScoredSimulation;
  let viaBroker: ScoredSimulation;
  beforeAll(async () => {
    memory = await simulateWithGateway({ scenarioFile: TEN, db: ':memory:', keepGateway: true });
    const broker = await startEmbeddedBroker();
    try {
      viaBroker = await simulateWithGateway({ scenarioFile: TEN, db: join(dir, 'broker.db'), broker: broker.url, keepGateway: true });
    } finally {
      await broker.close();
    }
  }, 120_000);
  afterAll(async () => {
    await memory?.gateway?.stop();
    await viaBroker?.gateway?.stop();
  });

  /** What the boards said in a log: every event but health and clock replies, by board and boot, sorted. */
  const boardEvents = (gw: Gateway): string[] => {
    const out: string[] = [];
    for (const e of gw.log.entries()) {
      if (e.source !== 'board' || e.channel !== 'evt') continue;
      const env = decode('envelope', e.payload);
      for (const ev of env.events) if (ev.kind !== 'health' && ev.kind !== 'clock-reply') out.push(`${env.board} ${env.boot} ${JSON.stringify(ev)}`);
    }
    return out.sort();
  };
  /** The log's entries without the gateway's time checks: scoring on the boards' clocks as they are. */
  const withoutTimeChecks = (gw: Gateway): LogEntry[] => [...gw.log.entries()].filter((e) => !(e.source === 'gateway' && e.action.action === 'time-check'));

  test('martinsville-10 over MQTT: every message logged, none quarantined; the boards said what they said in memory', () => {
    expect(viaBroker.quarantined).toBe(0);
    expect(viaBroker.accepted).toBe(viaBroker.sim.messages.length);
    expect(memory.accepted).toBe(memory.sim.messages.length);
    const events = boardEvents(viaBroker.gateway!);
    expect(events.length).toBeGreaterThan(300);
    expect(events).toEqual(boardEvents(memory.gateway!));
    const calls = (gw: Gateway) => [...gw.log.entries()].flatMap((e) => (e.source === 'race-control' ? [JSON.stringify(e.action)] : []));
    expect(calls(viaBroker.gateway!)).toEqual(calls(memory.gateway!));
  });

  test('martinsville-10: the two logs, scored on the board clocks, give byte-identical results.json (R-AUDIT-1)', () => {
    const a = resultsJson(replay(withoutTimeChecks(memory.gateway!)).results());
    const b = resultsJson(replay(withoutTimeChecks(viaBroker.gateway!)).results());
    expect(b).toBe(a);
  });

  test('martinsville-10: same classification, laps led, leaders, lead changes and stage top tens; margin within 1 ms', () => {
    const a = memory.results;
    const b = viaBroker.results;
    expect(b.event).toEqual(a.event);
    expect(b.classification.map((c) => [c.pos, c.car, c.driver, c.laps, c.lapsLed, c.status])).toEqual(a.classification.map((c) => [c.pos, c.car, c.driver, c.laps, c.lapsLed, c.status]));
    for (const [i, c] of b.classification.entries()) expect(Math.abs(c.timeS! - a.classification[i]!.timeS!), `timeS of #${c.car}`).toBeLessThanOrEqual(0.001);
    expect([b.leaders, b.leadChanges]).toEqual([a.leaders, a.leadChanges]);
    expect(b.stages).toEqual(a.stages);
    expect(Math.abs(b.marginOfVictoryS! - a.marginOfVictoryS!)).toBeLessThanOrEqual(0.001);
    expect(b.inferred).toEqual(a.inferred);
    expect(b.cautions.map((c) => [c.leaderLap, c.order])).toEqual(a.cautions.map((c) => [c.leaderLap, c.order]));
  });
});

describe('a gateway restarted on its event log file (R-AUDIT-1)', () => {
  let feed: RaceFeed;
  beforeAll(async () => {
    feed = await tenLapFeed();
  });

  test('rebuilds the same state, results and boards before it takes anything new, and refuses what it logged already', async () => {
    const db = join(dir, 'restart.db');
    const first = await directGateway({ db });
    feedAll(first, feed.entries);
    // One bad message, so the quarantine counts have something to carry over.
    const sf = feed.entries.find((e) => e.source === 'board' && e.channel === 'evt')!;
    if (sf.source !== 'board') throw new Error('unreachable');
    first.gw.receive(sf.topic, sf.payload);
    const before = { results: resultsJson(first.gw.results()), state: first.gw.state(), boards: first.gw.boards(), accepted: first.gw.ingest.accepted, counts: first.gw.ingest.counts() };
    expect(before.counts.duplicate).toBe(1);
    await first.gw.stop();

    const second = await directGateway({ db });
    try {
      // Nothing received yet: all of it comes from the log.
      expect(second.gw.ingest.accepted).toBe(before.accepted);
      expect(resultsJson(second.gw.results())).toBe(before.results);
      expect(second.gw.state()).toEqual(before.state);
      expect(second.gw.boards()).toEqual(before.boards);
      expect(second.gw.ingest.counts()).toEqual(before.counts);
      expect([...second.gw.log.entries()].map(entryRow)).toEqual(feed.entries.map(entryRow));
      // What the log holds is a duplicate after the restart too.
      second.gw.receive(sf.topic, sf.payload);
      second.gw.flush();
      expect(second.gw.ingest.counts().duplicate).toBe(2);
      expect(second.gw.ingest.accepted).toBe(before.accepted);
      expect(resultsJson(second.gw.results())).toBe(before.results);
    } finally {
      await second.gw.stop();
    }
  });

  test('restarted mid-race, it carries on to the same results as a gateway that never stopped', async () => {
    const db = join(dir, 'restart-mid-race.db');
    const half = Math.floor(feed.entries.length / 2);
    const first = await directGateway({ db });
    for (const e of feed.entries.slice(0, half)) feedEntry(first, e);
    const midway = resultsJson(first.gw.results());
    await first.gw.stop();

    const second = await directGateway({ db });
    try {
      expect(resultsJson(second.gw.results())).toBe(midway);
      for (const e of feed.entries.slice(half)) feedEntry(second, e);
      second.gw.flush();
      const nonstop = await directGateway({ db: ':memory:' });
      feedAll(nonstop, feed.entries);
      expect(resultsJson(second.gw.results())).toBe(resultsJson(nonstop.gw.results()));
      expect(second.gw.state()).toEqual(nonstop.gw.state());
      expect(second.gw.ingest.quarantined).toBe(0);
      await nonstop.gw.stop();
    } finally {
      await second.gw.stop();
    }
  });
});

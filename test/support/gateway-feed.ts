// A simulated race fed to a live gateway (Gateway.direct) entry by entry, with the
// gateway's clock at each entry's time: the boards' messages on their topics
// (boardTopic), race control's set-up, flags and pit road calls through
// gw.raceControl, and the gateway's own time checks through its ingest, as its board
// keeper logs them. The entries are test/support/race-log.ts's, so the gateway's log
// should come out equal to them, seq for seq, and its results equal to a replay of them.
import { Gateway } from '../../gateway/gateway.js';
import type { LogEntry } from '../../gateway/log-entry.js';
import { repoPath } from '../../protocol/repo-root.js';
import { runSimulation, type SimulationResult } from '../../sim-hardware/simulation.js';
import { raceLog } from './race-log.js';
import { asTruth, type Truth } from './truth.js';

export interface RaceFeed {
  sim: SimulationResult;
  truth: Truth;
  /** The race as log entries, in the order a gateway takes them (seq 1, 2, …). */
  entries: LogEntry[];
}

/** The shipped 10-lap race, run through the board firmware in memory (no broker). */
export async function tenLapFeed(): Promise<RaceFeed> {
  const sim = await runSimulation({ scenarioFile: repoPath('sim-hardware', 'scenarios', 'martinsville-10.json') });
  const truth = asTruth(sim.truth);
  return { sim, truth, entries: raceLog({ scenario: sim.scenario, track: sim.track, truth, messages: sim.messages }) };
}

/** A clock the test moves: the gateway's `clock` option. */
export class TestClock {
  nowUs = 0;
  readonly clock = (): number => this.nowUs;
}

export interface FedGateway {
  gw: Gateway;
  time: TestClock;
  /** What the gateway published (commands, control state, live topics). */
  published: Array<{ topic: string; payload: Uint8Array | string }>;
}

/** A Gateway.direct on `db` with a test clock; http: 0 for the API on a free port, false for none. */
export async function directGateway(opts: { db: string; http?: number | false; site?: string }): Promise<FedGateway> {
  const time = new TestClock();
  const published: FedGateway['published'] = [];
  const gw = await Gateway.direct({ db: opts.db, site: opts.site ?? 'sim', http: opts.http ?? false, clock: time.clock }, (topic, payload) => {
    published.push({ topic, payload });
  });
  return { gw, time, published };
}

/** Hands one entry to the gateway at its time, as the broker, race control or the board keeper would. */
export function feedEntry(fed: FedGateway, e: LogEntry): void {
  fed.time.nowUs = e.atUs;
  if (e.source === 'board') fed.gw.receive(e.topic, e.payload);
  else if (e.source === 'race-control') fed.gw.raceControl(e.action);
  else {
    // The keeper's way: commit what is open, log the action, apply it.
    fed.gw.flush();
    fed.gw.ingest.action('gateway', e.action, e.atUs);
    fed.gw.flush();
  }
}

export function feedAll(fed: FedGateway, entries: readonly LogEntry[]): void {
  for (const e of entries) feedEntry(fed, e);
  fed.gw.flush();
}

/** An entry as a comparable row (payload as hex, action as JSON). */
export function entryRow(e: LogEntry): string {
  if (e.source === 'board') return `${e.seq} ${e.atUs} board ${e.topic} ${Buffer.from(e.payload).toString('hex')}`;
  return `${e.seq} ${e.atUs} ${e.source} ${JSON.stringify(e.action)}`;
}

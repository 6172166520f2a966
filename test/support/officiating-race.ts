// A small simulated race for the officiating tests through the HTTP API: the scenario
// written as JSON to a folder of the test's, run through the board firmware in memory,
// and turned into the gateway's log entries (race-log.ts). The test feeds the entries
// to a Gateway.direct a stretch at a time (gateway-feed.ts) and acts between the
// stretches as race control would, over HTTP.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntry } from '../../gateway/log-entry.js';
import { runSimulation, type SimulationResult } from '../../sim-hardware/simulation.js';
import { feedEntry, type FedGateway } from './gateway-feed.js';
import { raceLog } from './race-log.js';
import { asTruth, type Truth } from './truth.js';

export interface OfficiatingRace {
  sim: SimulationResult;
  truth: Truth;
  entries: LogEntry[];
  /** The green flag's board clock reading (µs since the epoch): truth times are from it. */
  epochUs: number;
}

/** Writes `scenario` to `dir/name.json`, runs it, and makes its log entries. */
export async function officiatingRace(dir: string, name: string, scenario: unknown): Promise<OfficiatingRace> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(scenario, null, 2) + '\n');
  const sim = await runSimulation({ scenarioFile: file });
  const truth = asTruth(sim.truth);
  const entries = raceLog({ scenario: sim.scenario, track: sim.track, truth, messages: sim.messages });
  return { sim, truth, entries, epochUs: truth.clock.epochUs };
}

/** Feeds entries from index `from` while their time is at most `untilUs`; returns the index of the next one. */
export function feedUntil(fed: FedGateway, entries: readonly LogEntry[], from: number, untilUs: number, skip: (e: LogEntry) => boolean = () => false): number {
  let i = from;
  for (; i < entries.length && entries[i]!.atUs <= untilUs; i++) if (!skip(entries[i]!)) feedEntry(fed, entries[i]!);
  fed.gw.flush();
  return i;
}

export interface Reply {
  status: number;
  text: string;
  json: () => any;
}

/** Plain HTTP against the gateway's API. */
export class Api {
  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: unknown): Promise<Reply> {
    const res = await fetch(this.base + path, {
      method,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  }

  get(path: string): Promise<Reply> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown): Promise<Reply> {
    return this.request('POST', path, body);
  }

  /** GET that must answer 200; its JSON. */
  async read(path: string): Promise<any> {
    const r = await this.get(path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
    return r.json();
  }
}

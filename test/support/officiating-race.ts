// A small simulated race for the officiating tests through the HTTP API: the scenario
// written as JSON to a folder of the test's, run through the board firmware in memory,
// and turned into the gateway's log entries (race-log.ts). The test feeds the entries
// to a Gateway.direct a stretch at a time (gateway-feed.ts) and acts between the
// stretches as race control would, over HTTP.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Action, LogEntry } from '../../gateway/log-entry.js';
import { runSimulation, type SimulationResult } from '../../sim-hardware/simulation.js';
import { directGateway, feedEntry, type FedGateway } from './gateway-feed.js';
import { raceLog } from './race-log.js';
import { asTruth, type Truth } from './truth.js';

export interface OfficiatingRace {
  sim: SimulationResult;
  truth: Truth;
  entries: LogEntry[];
  /** The green flag's board clock reading (µs since the epoch): truth times are from it. */
  epochUs: number;
  /** A truth time (µs of race time) on the gateway clock. */
  at(raceUs: number): number;
}

/** Writes `scenario` to `dir/name.json`, runs it, and makes its log entries. */
export async function officiatingRace(dir: string, name: string, scenario: unknown): Promise<OfficiatingRace> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(scenario, null, 2) + '\n');
  const sim = await runSimulation({ scenarioFile: file });
  const truth = asTruth(sim.truth);
  const entries = raceLog({ scenario: sim.scenario, track: sim.track, truth, messages: sim.messages });
  const epochUs = truth.clock.epochUs;
  return { sim, truth, entries, epochUs, at: (raceUs) => epochUs + Math.round(raceUs) };
}

/** When the truck of a truth visit crossed the pit exit yellow line (loop 30) after its entry (µs of race time). */
export function exitLineUs(race: OfficiatingRace, visit: { car: string; pitInUs: number }): number {
  return race.truth.crossings.find((c) => c.car === visit.car && c.loop === 30 && c.transponderUs > visit.pitInUs)!.transponderUs;
}

/** Feeds entries from index `from` while their time is at most `untilUs`; returns the index of the next one. */
export function feedUntil(fed: FedGateway, entries: readonly LogEntry[], from: number, untilUs: number, skip: (e: LogEntry) => boolean = () => false): number {
  let i = from;
  for (; i < entries.length && entries[i]!.atUs <= untilUs; i++) if (!skip(entries[i]!)) feedEntry(fed, entries[i]!);
  fed.gw.flush();
  return i;
}

/** A Gateway.direct on `db` with its API on a free port, and a client for that API. */
export async function apiGateway(db: string): Promise<{ fed: FedGateway; api: Api }> {
  const fed = await directGateway({ db, http: 0 });
  return { fed, api: new Api(fed.gw.apiUrl!) };
}

/** Race control's logged actions of one kind, with their times: what the API wrote to the log. */
export function loggedActions<K extends Action['action']>(entries: Iterable<LogEntry>, kind: K): Array<{ atUs: number; action: Extract<Action, { action: K }> }> {
  return [...entries].flatMap((e) => (e.source === 'race-control' && e.action.action === kind ? [{ atUs: e.atUs, action: e.action as Extract<Action, { action: K }> }] : []));
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

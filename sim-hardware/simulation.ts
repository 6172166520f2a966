// A whole simulated race: scenario → plan → sensors → boards (in memory, on MQTT in
// this process, or as their own processes) → ground truth and what the boards said.
// `pitwall sim` and the benchmarks are thin layers over runSimulation().
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { decode, encode } from '../protocol/codec.js';
import { configHash } from '../protocol/config-hash.js';
import type { BoardConfig, BoxConfig, LoopConfig } from '../protocol/schema.js';
import { boardTopic, parseTopic, siteFilter } from '../protocol/topics.js';
import type { BoardImageKind, LogLevel } from './board-host.js';
import { MemoryBoard } from './memory-board.js';
import { MqttBoard } from './mqtt-board.js';
import { ProcessBoard } from './process-board.js';
import { planRace, type RacePlan } from './race-plan.js';
import { bootId, boardClockUs, runRig, type RigStats } from './race-rig.js';
import { DEFAULT_SENSORS, RaceSensors, type SensorProfiles } from './race-sensors.js';
import { buildTruth, faultWindows, missedCrossings, raceCrossings } from './race-truth.js';
import { loadScenario, type Scenario } from './scenario.js';
import type { BoardMessage, SimBoard } from './sim-board.js';
import { boardConfigs, loadTrack, type Track } from './track.js';
import type { Credentials } from './credentials.js';

/** Board clocks read this at the green flag (2026-04-18T19:30:00Z, µs since the epoch). */
export const GREEN_EPOCH_US = Date.UTC(2026, 3, 18, 19, 30, 0) * 1000;
export const DEFAULT_SITE = 'sim';

export type BoardPlacement = 'in-process' | 'process';

export interface SimulationOptions {
  scenarioFile: string;
  /** Broker URL; without one the boards run in memory (no MQTT at all). */
  broker?: string;
  boards?: BoardPlacement;
  speed?: number | 'max';
  site?: string;
  outDir?: string;
  sensors?: SensorProfiles;
  /** MQTT logins: one per board and one for the simulator's client (credentials.ts). */
  credentials?: Credentials;
  onProgress?: (simUs: number, plan: RacePlan) => void;
  log?: (level: LogLevel, text: string) => void;
  /** Called with the planned race before any board starts; may return timed actions (race control) for the rig. */
  onPlan?: (plan: RacePlan) => ReadonlyArray<{ atUs: number; run: () => Promise<void> | void }> | void;
  /** Told the race time as the run goes (µs from the green). */
  onTime?: (simUs: number) => void;
  /** Stops the race early (Ctrl-C); the boards still stop cleanly. */
  signal?: AbortSignal;
  /** Boards on MQTT in this process: told of every message just before it goes to the broker. */
  onPublish?: (board: string, channel: string, bytes: Uint8Array) => void;
  /** Every message a board puts on the wire, as it is seen. */
  onMessage?: (message: BoardMessage) => void;
  /** The boards, once started (a gateway in the same run sends them commands). */
  onBoards?: (boards: ReadonlyMap<string, SimBoard>) => void;
  /** Runs after the boards have stopped and their messages have arrived, before the output is written. */
  beforeWrite?: (result: SimulationResult) => Promise<void> | void;
}

export interface SimulationResult {
  scenario: Scenario;
  track: Track;
  plan: RacePlan;
  truth: Record<string, unknown>;
  /** Every message the boards put on the wire, as seen (births, envelopes, deaths). */
  messages: BoardMessage[];
  stats: RigStats;
  /** Milliseconds planning the race and building the box samples. */
  planMs: number;
}

/** Plans the race and prepares its sensors and truth, without any board. */
export function prepareRace(scenarioFile: string, sensors: SensorProfiles = DEFAULT_SENSORS) {
  const scenario = loadScenario(scenarioFile);
  const track = loadTrack(scenario.track);
  const plan = planRace(scenario, track);
  const crossings = raceCrossings(plan);
  const missed = missedCrossings(plan, crossings);
  const raceSensors = new RaceSensors(
    plan,
    sensors,
    [...missed.values()].map((i) => crossings[i]!),
  );
  const truth = buildTruth({
    plan,
    crossings,
    stopTruth: raceSensors.stopTruth,
    faults: faultWindows(plan, crossings, missed),
    epochUs: GREEN_EPOCH_US,
    scenarioFile,
  });
  return { scenario, track, plan, sensors: raceSensors, truth };
}

export async function runSimulation(opts: SimulationOptions): Promise<SimulationResult> {
  const t0 = performance.now();
  const { scenario, track, plan, sensors, truth } = prepareRace(opts.scenarioFile, opts.sensors);
  const planMs = performance.now() - t0;
  const site = opts.site ?? DEFAULT_SITE;
  const configs = boardConfigs(track, scenario.event);
  const startClock = BigInt(boardClockUs(GREEN_EPOCH_US, 0, plan.startUs));
  const messages: BoardMessage[] = [];
  const boards = new Map<string, SimBoard>();
  const log = opts.log ?? (() => {});
  let network: Network;
  if (!opts.broker) {
    if (opts.boards === 'process') throw new Error('boards as processes talk MQTT: give a broker');
    network = new MemoryNetwork(messages, opts.onMessage);
  } else {
    network = await MqttNetwork.connect(opts.broker, site, messages, opts.credentials, opts.onMessage);
  }
  const extra = opts.onPlan?.(plan) ?? [];
  try {
    for (const [i, b] of track.boards.entries()) {
      const login = opts.credentials?.boards.get(b.id);
      const spec: BoardSpec = { kind: b.kind as BoardImageKind, id: b.id, boot: bootId(scenario.seed, i, 0), startClockUs: startClock, log, onPublish: opts.onPublish };
      if (login) Object.assign(spec, login);
      boards.set(b.id, await network.start(spec, opts.boards ?? 'in-process'));
    }
    opts.onBoards?.(boards);
    for (const [id, board] of boards) await network.provision(board, configs.get(id)!);
    const stats = await runRig({
      plan,
      sensors,
      boards,
      configs,
      provision: (board, config) => network.provision(board, config),
      epochUs: GREEN_EPOCH_US,
      speed: opts.speed ?? 'max',
      syncEveryUs: opts.broker ? 1_000_000 : 0,
      onProgress: opts.onProgress,
      actions: extra,
      onTime: opts.onTime,
      signal: opts.signal,
    });
    for (const board of boards.values()) await board.stop();
    await network.settle();
    const result: SimulationResult = { scenario, track, plan, truth, messages, stats, planMs };
    await opts.beforeWrite?.(result);
    if (opts.outDir) writeOutput(opts.outDir, result);
    return result;
  } finally {
    await network.close();
  }
}

export function writeOutput(dir: string, r: SimulationResult): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'truth.json'), JSON.stringify(r.truth) + '\n');
  const lines = r.messages.map((m) => JSON.stringify({ board: m.board, channel: m.channel, ...identity(m), cbor: Buffer.from(m.bytes).toString('base64') }));
  writeFileSync(join(dir, 'boards.jsonl'), lines.join('\n') + (lines.length ? '\n' : ''));
}

/** Boot and sequence of a message, for sorting and reading by eye. */
export function identity(m: BoardMessage): { boot?: number; seq?: number } {
  try {
    if (m.channel === 'evt') {
      const e = decode('envelope', m.bytes);
      return { boot: e.boot, seq: e.seq };
    }
    if (m.channel === 'birth') {
      const b = decode('birth', m.bytes);
      return { boot: b.boot, seq: b.seq };
    }
    return { boot: decode('death', m.bytes).boot };
  } catch {
    return {};
  }
}

interface BoardSpec {
  kind: BoardImageKind;
  id: string;
  boot: number;
  startClockUs: bigint;
  log: (level: LogLevel, text: string) => void;
  username?: string;
  password?: string;
  onPublish?: (board: string, channel: string, bytes: Uint8Array) => void;
}

interface Network {
  start(spec: BoardSpec, placement: BoardPlacement): Promise<SimBoard>;
  provision(board: SimBoard, config: LoopConfig | BoxConfig): Promise<void>;
  /** Resolves once what the boards sent has arrived. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

function commandBytes(board: string, config: BoardConfig, id: number): Uint8Array {
  return encode('command', { board, id, body: { kind: 'config', config } });
}

/** No broker: boards deliver straight into the message list. */
class MemoryNetwork implements Network {
  private commandId = 1;
  constructor(
    private readonly messages: BoardMessage[],
    private readonly onMessage?: (m: BoardMessage) => void,
  ) {}

  async start(spec: BoardSpec): Promise<SimBoard> {
    return new MemoryBoard({
      ...spec,
      deliver: (m) => {
        this.messages.push(m);
        this.onMessage?.(m);
      },
    });
  }

  async provision(board: SimBoard, config: LoopConfig | BoxConfig): Promise<void> {
    const rc = (board as MemoryBoard).command(commandBytes(board.id, config, this.commandId++));
    if (rc !== 0) throw new Error(`board ${board.id} refused its config (result ${rc})`);
  }

  async settle(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Boards on a broker; the simulator watches the site's topics and sends configs as the track's set-up would. */
class MqttNetwork implements Network {
  private commandId = 1;
  private readonly births = new Map<string, { boot: number; configHash: number }>();
  private readonly waiters = new Set<() => void>();
  private received = 0;

  private constructor(
    private readonly client: MqttClient,
    private readonly broker: string,
    private readonly site: string,
    private readonly messages: BoardMessage[],
    private readonly onMessage?: (m: BoardMessage) => void,
  ) {}

  static async connect(broker: string, site: string, messages: BoardMessage[], credentials?: Credentials, onMessage?: (m: BoardMessage) => void): Promise<MqttNetwork> {
    const client = await mqtt.connectAsync(broker, {
      clientId: `pitwall-sim-${site}-${process.pid}`,
      clean: true,
      reconnectPeriod: 1000,
      username: credentials?.simulator?.username,
      password: credentials?.simulator?.password,
    });
    const net = new MqttNetwork(client, broker, site, messages, onMessage);
    client.on('message', (topic, payload) => net.seen(topic, payload));
    await client.subscribeAsync(siteFilter(site), { qos: 1 });
    return net;
  }

  private seen(topic: string, payload: Buffer): void {
    let parsed;
    try {
      parsed = parseTopic(topic);
    } catch {
      return;
    }
    if (parsed.board === undefined || (parsed.channel !== 'birth' && parsed.channel !== 'evt' && parsed.channel !== 'death')) return;
    if (payload.length === 0) return; // a cleared retained message
    const bytes = new Uint8Array(payload);
    const message: BoardMessage = { board: parsed.board, channel: parsed.channel, bytes };
    this.messages.push(message);
    this.onMessage?.(message);
    this.received++;
    if (parsed.channel === 'birth') {
      try {
        const b = decode('birth', bytes);
        this.births.set(parsed.board, { boot: b.boot, configHash: b.configHash });
      } catch {
        // not ours to judge here; the gateway quarantines it
      }
    }
    for (const w of this.waiters) w();
  }

  async start(spec: BoardSpec, placement: BoardPlacement): Promise<SimBoard> {
    const opts = { ...spec, site: this.site, broker: this.broker };
    if (placement === 'process') {
      const { onPublish: _unused, ...rest } = opts;
      return ProcessBoard.start({ ...rest, log: (line: string) => spec.log('info', line) });
    }
    return MqttBoard.start(opts);
  }

  async provision(board: SimBoard, config: LoopConfig | BoxConfig): Promise<void> {
    const want = configHash(config);
    const done = (): boolean => {
      const b = this.births.get(board.id);
      return b !== undefined && b.boot === board.boot && b.configHash === want;
    };
    await this.client.publishAsync(boardTopic(this.site, board.id, 'cmd'), Buffer.from(commandBytes(board.id, config, this.commandId++)), { qos: 1 });
    await this.until(done, 10_000, `board ${board.id} did not take its config`);
  }

  private until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${what} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  async settle(): Promise<void> {
    // Quiet for 200 ms: everything the boards had acknowledged has come round to us.
    for (;;) {
      const before = this.received;
      await new Promise((r) => setTimeout(r, 200));
      if (this.received === before) return;
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

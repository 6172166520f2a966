// The race-control gateway: subscribes to the site's boards on a broker (or starts the
// embedded one), checks every message (ingest.ts), writes the accepted ones to the
// event log before applying them (R-AUDIT-1), keeps the race state and the boards'
// state, asks boards for what it missed and for their clocks, republishes race
// control's state for the boards and the live feed for broadcasters and apps, and
// serves the API.
import mqtt from 'mqtt';
import { decode, encode } from '../protocol/codec.js';
import type { BoardEvent, Envelope } from '../protocol/schema.js';
import { boardsFilter, controlStateTopic, liveTopic } from '../protocol/topics.js';
import { ApiError, startApi, type ApiBackend, type ApiServer, type LiveMessage } from './api.js';
import { BoardKeeper, BoardsState } from './boards.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import { EventLog } from './event-log.js';
import { Ingest, type MessageOptions } from './ingest.js';
import type { Action, LogEntry } from './log-entry.js';
import { RaceState } from './race-state.js';
import { resultsCsv } from './results-csv.js';

export interface GatewayOptions {
  /** Broker URL; without one the embedded broker starts (on brokerPort, default a free port). */
  broker?: string;
  brokerPort?: number;
  /** SQLite event log file, or ':memory:'. */
  db: string;
  site: string;
  /** HTTP port for the API (0: a free port); false: no API. */
  http?: number | false;
  /** Gateway clock, µs since the epoch; the system clock unless a simulator drives it. */
  clock?: () => number;
  /** How often the board keeper looks for gaps and time checks (wall ms). */
  keeperEveryMs?: number;
  /** Publish the state on the live topics and the WebSocket at most this often (wall ms). */
  statePushMs?: number;
  username?: string;
  password?: string;
  /** Time check period per board (gateway µs; default 10 s); Infinity: none. */
  timeCheckEveryUs?: number;
  /** MQTT protocol version: 4 (3.1.1, the default) or 5. */
  protocolVersion?: 4 | 5;
  log?: (text: string) => void;
}

const CHANNEL_TOPICS = ['birth', 'evt', 'death'] as const;
/**
 * The live state goes out at most this often (wall ms), when something changed: 20 a
 * second, so a page shows the field moving smoothly (WEB.md); a state read costs
 * ~0.1 ms with a full field.
 */
export const STATE_PUSH_MS = 50;
/** Most accepted messages in one group commit (the rest of a burst goes in the next ones). */
const MAX_GROUP = 1024;
const RETAINED: MessageOptions = { retained: true };
const LIVE: MessageOptions = { retained: false };

/** How the gateway reaches the boards and subscribers: MQTT, or straight to boards in this process. */
export interface Transport {
  publish(topic: string, payload: Uint8Array | string, opts: { qos: 0 | 1; retain: boolean }): void;
  close(): Promise<void>;
}

export class Gateway implements ApiBackend {
  readonly log: EventLog;
  readonly ingest: Ingest;
  readonly race = new RaceState();
  readonly boardsState = new BoardsState();
  readonly brokerUrl: string;
  apiUrl: string | undefined;
  private readonly keeper: BoardKeeper;
  private readonly listeners = new Set<(m: LiveMessage) => void>();
  private readonly timers: NodeJS.Timeout[] = [];
  private stateDirty = true;
  /** Accepted entries of the open group commit: applied once it is committed. */
  private readonly pending: LogEntry[] = [];
  private readonly liveEvents: string;
  private flushScheduled = false;
  private api: ApiServer | undefined;

  private constructor(
    private readonly opts: GatewayOptions,
    private readonly transport: Transport,
    brokerUrl: string,
  ) {
    this.brokerUrl = brokerUrl;
    this.liveEvents = liveTopic(opts.site, 'events');
    this.log = EventLog.open(opts.db);
    const clock = this.clock;
    // A restarted gateway rebuilds its state from the log before it takes anything new.
    for (const e of this.log.entries()) this.applyQuietly(e);
    this.ingest = new Ingest(this.log, opts.site, (e) => this.pending.push(e));
    this.keeper = new BoardKeeper({
      site: opts.site,
      state: this.boardsState,
      clock,
      publish: (topic, payload) => this.transport.publish(topic, payload, { qos: 1, retain: false }),
      // The keeper's actions go straight in: it reads its own command ids back from the state.
      ...(opts.timeCheckEveryUs !== undefined ? { timeCheckEveryUs: opts.timeCheckEveryUs } : {}),
      logAction: (a) => {
        this.flush();
        this.ingest.action('gateway', a, clock());
        this.flush();
      },
    });
  }

  static async start(opts: GatewayOptions): Promise<Gateway> {
    let embedded: EmbeddedBroker | undefined;
    let url = opts.broker;
    if (!url) {
      embedded = await startEmbeddedBroker({ port: opts.brokerPort ?? 0 });
      url = embedded.url;
    }
    const client = await mqtt.connectAsync(url, {
      clientId: `pitwall-gateway-${opts.site}-${process.pid}`,
      clean: true,
      reconnectPeriod: 1000,
      username: opts.username,
      password: opts.password,
      protocolVersion: opts.protocolVersion ?? 4,
    });
    const transport: Transport = {
      publish: (topic, payload, o) => void client.publish(topic, typeof payload === 'string' ? payload : Buffer.from(payload), o),
      close: async () => {
        await client.endAsync();
        await embedded?.close();
      },
    };
    const gw = new Gateway(opts, transport, url);
    client.on('message', (topic, payload, packet) => gw.receive(topic, new Uint8Array(payload), packet.retain));
    await client.subscribeAsync(
      CHANNEL_TOPICS.map((c) => boardsFilter(opts.site, c)),
      { qos: 1 },
    );
    gw.timers.push(setInterval(() => gw.tick(), opts.keeperEveryMs ?? 100));
    gw.timers.push(setInterval(() => gw.pushState(), opts.statePushMs ?? STATE_PUSH_MS));
    await gw.startApi();
    return gw;
  }

  /**
   * A gateway wired straight to boards in this process, no broker: the caller hands it
   * every board message (receive) and calls tick() as its clock advances; what the
   * gateway publishes (commands, control state, live feed) goes to `publish`.
   */
  static async direct(opts: Omit<GatewayOptions, 'broker' | 'brokerPort' | 'username' | 'password'>, publish: Transport['publish']): Promise<Gateway> {
    const gw = new Gateway(opts, { publish, close: async () => {} }, 'direct');
    await gw.startApi();
    return gw;
  }

  private async startApi(): Promise<void> {
    if (this.opts.http === false) return;
    this.api = await startApi(this, { port: this.opts.http ?? 0 });
    this.apiUrl = this.api.url;
  }

  /** One message from the broker (or straight from a board). */
  receive(topic: string, payload: Uint8Array, retained = false): void {
    this.log.begin();
    this.ingest.message(topic, payload, this.clock(), retained ? RETAINED : LIVE);
    // A burst is committed and applied a group at a time, not all at its end.
    if (this.pending.length >= MAX_GROUP) this.flush();
    else this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Commits the open group of log entries, then applies them (R-AUDIT-1: logged before applied). */
  flush(): void {
    this.flushScheduled = false;
    try {
      this.log.commit();
    } catch (e) {
      // The group was rolled back: none of it is in the log, so none of it is applied.
      this.pending.length = 0;
      throw e;
    }
    if (this.pending.length === 0) return;
    for (const e of this.pending.splice(0)) this.applied(e);
  }

  /** Asks boards for missing envelopes and their clocks when due. */
  tick(): void {
    this.flush();
    this.keeper.poll();
  }

  readonly clock = (): number => (this.opts.clock ? this.opts.clock() : Date.now() * 1000);

  private applyQuietly(e: LogEntry): void {
    this.race.apply(e);
    this.boardsState.apply(e);
  }

  /** An entry is in the log: apply it, tell the live feed. */
  private applied(e: LogEntry): void {
    this.applyQuietly(e);
    this.stateDirty = true;
    if (e.source === 'board') return this.republishEvents(e);
    this.emit({ type: 'action', action: e.action, atUs: e.atUs });
    if (e.action.action === 'flag' || e.action.action === 'pit-road') this.publishControl();
  }

  private republishEvents(e: LogEntry): void {
    if (e.source !== 'board' || e.channel !== 'evt') return;
    // Nobody to tell in a run without listeners and without a broker.
    if (this.listeners.size === 0 && !this.opts.broker) return;
    let env: Envelope;
    try {
      env = e.value !== undefined ? (e.value as Envelope) : decode('envelope', e.payload);
    } catch {
      return;
    }
    for (const ev of env.events) {
      if (ev.kind === 'health') continue;
      const event = { board: env.board, boot: env.boot, seq: env.seq, ...(ev as BoardEvent) } as Record<string, unknown>;
      this.emit({ type: 'event', event });
    }
  }

  private emit(m: LiveMessage): void {
    for (const l of this.listeners) l(m);
    if (m.type === 'event' && this.opts.broker !== undefined) this.transport.publish(this.liveEvents, JSON.stringify(m.event), { qos: 0, retain: false });
  }

  pushState(): void {
    if (!this.stateDirty) return;
    this.stateDirty = false;
    const state = this.state();
    for (const l of this.listeners) l({ type: 'state', state });
    this.transport.publish(liveTopic(this.opts.site, 'state'), JSON.stringify(state), { qos: 0, retain: true });
  }

  /** Race control's state for the boards (retained, so a board that comes up learns it). */
  private publishControl(): void {
    const s = this.race.snapshot();
    const bytes = encode('control-state', { timeUs: this.clock(), flag: s.flag ?? 'none', pitOpen: s.pitRoad.open });
    this.transport.publish(controlStateTopic(this.opts.site), bytes, { qos: 1, retain: true });
  }

  // ------------------------------------------------------------------ ApiBackend

  state(): unknown {
    this.flush();
    return this.race.snapshot();
  }

  laps(car?: string): unknown {
    this.flush();
    return this.race.laps(car);
  }

  results() {
    this.flush();
    return this.race.results();
  }

  resultsCsv(): string {
    // Through results(), which commits and applies what is open, as the JSON does.
    return resultsCsv(this.results());
  }

  boards(): unknown {
    this.flush();
    return { boards: this.boardsState.snapshot(this.ingest.quarantinedByBoard()), quarantine: this.ingest.counts() };
  }

  quarantine(limit: number, offset: number): unknown {
    return {
      counts: this.ingest.counts(),
      messages: this.log.quarantined(limit, offset).map((q) => ({ ...q, payload: Buffer.from(q.payload).toString('hex') })),
    };
  }

  officiating(): unknown {
    this.flush();
    const o = this.race.officiating();
    if (!o) return { visits: {}, proposals: [], penalties: [], damaged: [], minimumSpeed: [], orphanDecisions: [] };
    return { visits: Object.fromEntries(o.visits), proposals: o.proposals, penalties: o.penalties, damaged: o.damaged, minimumSpeed: o.minimumSpeed, orphanDecisions: o.orphanDecisions };
  }

  raceControl(action: Action): void {
    this.flush();
    this.checkAction(action);
    this.ingest.action('race-control', action, this.clock());
    this.flush();
  }

  /** What race control asks must name what the race has: a proposal to decide, a car in the field. */
  private checkAction(a: Action): void {
    const setup = this.race.eventSetup();
    if (a.action === 'decision') {
      const o = this.race.officiating();
      if (!o?.proposals.some((p) => p.id === a.proposal)) throw new ApiError(404, `no proposal '${a.proposal}'`);
    } else if (a.action === 'damaged' || a.action === 'release') {
      if (!setup) throw new ApiError(409, 'no event set up yet');
      if (!setup.field.some((e) => e.car === a.car)) throw new ApiError(400, `car '${a.car}' is not in the field`);
    } else if (a.action === 'qualifying-round') {
      if (setup?.session !== 'qualifying' || !setup.qualifying) throw new ApiError(409, 'not a qualifying session');
      if (a.round > setup.qualifying.rounds.length) throw new ApiError(400, `the session has ${setup.qualifying.rounds.length} rounds`);
    }
  }

  onLive(listener: (m: LiveMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Lets everything the broker holds for us arrive: resolves after `quietMs` without a message. */
  async settle(quietMs = 200): Promise<void> {
    for (;;) {
      const before = this.ingest.accepted + this.ingest.quarantined;
      await new Promise((r) => setTimeout(r, quietMs));
      if (this.ingest.accepted + this.ingest.quarantined === before) return;
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.flush();
    await this.api?.close();
    await this.transport.close();
    this.log.close();
  }
}

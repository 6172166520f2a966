// A board image hosted in this process on its own MQTT connection, as a board's
// network stack would run it (firmware/ABI.md, "Life of a board"): its death as the
// will, birth and events on its topics, commands and race-control state delivered to
// it, link up/down reported to it. The clock is the driver's: the board reads the
// value `clock()` last set and time passes for it only when the driver calls `tick()`
// — no wall clock, no timer, so a simulated race replays byte for byte. BoardLink
// puts a live clock and a timer on top for boards that run in real time.
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { boardTopic, controlTopic } from '../protocol/topics.js';
import { BoardHost, COMMAND_RESULT, type BoardImageKind, type ChannelName, type LogLevel } from './board-host.js';
import type { SimBoard } from './sim-board.js';

export interface MqttBoardOptions {
  kind: BoardImageKind;
  /** Board id, also its MQTT topic level. */
  id: string;
  site: string;
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  broker: string;
  /** Boot id (u32). */
  boot: number;
  /** The board clock until the driver sets another, µs since the UTC epoch. */
  startClockUs: bigint;
  username?: string;
  password?: string;
  log?: (level: LogLevel, text: string) => void;
  /** Told the boot id whenever the board starts: at start, on reboot, on a reboot race control asks for. */
  onBoot?: (boot: number) => void;
  /** A clock the board reads itself (BoardLink: the system clock) instead of the one `clock()` sets. */
  liveClock?: () => bigint;
  /** A board image other than the built one. */
  wasmFile?: string;
  /** Told of every message just before it is handed to the MQTT client (latency measurements). */
  onPublish?: (board: string, channel: ChannelName, bytes: Uint8Array) => void;
}

/** The broker could not be reached or refused the board (a wrong URL or credentials, most often). */
export class BrokerConnectError extends Error {
  override readonly name = 'BrokerConnectError';
}

/** A fresh random boot id, as a board's hardware random number would give. */
export function randomBoot(): number {
  return randomBytes(4).readUInt32LE(0);
}

const RETAINED: Readonly<Record<ChannelName, boolean>> = { birth: true, death: true, evt: false, will: true };

/** One MQTT connection; a reboot makes a new one, registering the new board's will. */
interface Session {
  client: MqttClient;
  /** Subscribed: the board may be told the link is up. */
  ready: boolean;
  /** Replaced or closed: its events are ignored. */
  retired: boolean;
  /** Publishes handed to this client and not acknowledged yet. */
  pending: number;
  /** Cut off: its unacknowledged publishes are lost, no longer waited for. */
  dropped: boolean;
}

export class MqttBoard implements SimBoard {
  readonly id: string;
  readonly kind: BoardImageKind;
  private readonly opts: MqttBoardOptions;
  private current: BoardHost;
  private session!: Session;
  private now: bigint;
  /** The driver's link state (a partition when false). */
  private up = true;
  /** What the board was last told. */
  private linked = false;
  private pending = 0;
  private waiters: Array<() => void> = [];
  private restarting: Promise<void> | undefined;
  private stopped = false;

  private constructor(opts: MqttBoardOptions) {
    checkBoot(opts.boot);
    this.opts = opts;
    this.id = opts.id;
    this.kind = opts.kind;
    this.now = opts.startClockUs;
    this.current = this.boardHost(opts.boot);
  }

  /** Starts the board and connects it; resolves once it was told the link is up (its birth is out). */
  static async start(opts: MqttBoardOptions): Promise<MqttBoard> {
    const board = new MqttBoard(opts);
    try {
      await board.connect();
    } catch (err) {
      board.session.retired = true;
      await board.session.client.endAsync(true);
      throw new BrokerConnectError(`board ${opts.id} could not connect to ${opts.broker}: ${(err as Error).message}`);
    }
    return board;
  }

  get boot(): number {
    return this.current.boot;
  }

  /** The hosted board now; a reboot replaces it. */
  get host(): BoardHost {
    return this.current;
  }

  clock(us: bigint): void {
    if (this.opts.liveClock) throw new Error(`board ${this.id} reads its own clock`);
    if (us < this.now) throw new RangeError(`the board clock cannot go backwards (from ${this.now} to ${us} µs)`);
    this.now = us;
  }

  hits(records: Uint8Array): void {
    this.input(records, 16, 'loop', (chunk) => this.current.hits(chunk));
  }

  samples(records: Uint8Array): void {
    this.input(records, 64, 'box', (chunk) => this.current.samples(chunk));
  }

  tick(): void {
    this.alive();
    this.safely(() => this.current.tick());
  }

  /** A partition shorter than the keepalive: the board is told, the TCP connection stays (no will). */
  link(up: boolean): void {
    this.alive();
    this.up = up;
    this.updateLink();
  }

  sync(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * A power cycle: the connection is dropped without DISCONNECT (the broker publishes
   * the will), then the board boots with `boot` on a new connection. A new connection
   * also ends a partition. Resolves once the new birth is out.
   */
  async reboot(boot: number): Promise<void> {
    this.alive();
    checkBoot(boot);
    await this.restarting;
    this.linked = false;
    await this.cut(this.session);
    this.up = true;
    this.current = this.boardHost(boot);
    await this.connect();
  }

  /**
   * Graceful (the default): the board's death is published, then DISCONNECT. Otherwise
   * the connection is dropped and the broker publishes the will, as after a power loss.
   */
  async stop(graceful = true): Promise<void> {
    if (this.stopped) return;
    await this.restarting;
    this.stopped = true;
    this.linked = false;
    const s = this.session;
    const will = this.current.will;
    if (graceful && s.client.connected && will && !this.current.crashed) {
      s.retired = true;
      await s.client.publishAsync(boardTopic(this.opts.site, this.id, 'death'), Buffer.from(will), { qos: 1, retain: true });
      await s.client.endAsync();
    } else await this.cut(s);
    this.settle();
  }

  private boardHost(boot: number): BoardHost {
    const host = BoardHost.create({
      kind: this.kind,
      id: this.id,
      boot,
      clock: this.opts.liveClock ?? (() => this.now),
      publish: (channel, bytes, qos) => this.publish(channel, bytes, qos),
      log: this.opts.log,
      wasmFile: this.opts.wasmFile,
    });
    if (!host.will) throw new Error(`board ${this.id} gave no death message for its will`);
    this.opts.onBoot?.(boot);
    return host;
  }

  /** Connects with the current board's will; resolves once subscribed and the board told. */
  private connect(): Promise<void> {
    const { site, broker } = this.opts;
    const client = mqtt.connect(broker, {
      clientId: `pitwall-${site}-${this.id}`,
      username: this.opts.username,
      password: this.opts.password,
      clean: true,
      reconnectPeriod: 1000,
      will: { topic: boardTopic(site, this.id, 'death'), payload: Buffer.from(this.current.will!), qos: 1, retain: true },
    });
    const s: Session = { client, ready: false, retired: false, pending: 0, dropped: false };
    this.session = s;
    client.on('message', (topic, payload) => {
      if (!s.retired) this.deliver(topic, payload);
    });
    client.on('close', () => {
      if (s.retired || !s.ready) return;
      this.opts.log?.('warning', `lost the broker ${broker}; reconnecting`);
      s.ready = false;
      this.updateLink();
    });
    client.on('error', (err) => {
      if (!s.retired) this.opts.log?.('warning', `broker: ${err.message}`);
    });
    // Every (re)connect starts a clean session: subscribe again, then tell the board.
    const topics = [boardTopic(site, this.id, 'cmd'), controlTopic(site, 'state')];
    return new Promise<void>((resolve, reject) => {
      client.once('error', reject);
      client.on('connect', () => {
        client.subscribe(topics, { qos: 1 }, (err) => {
          if (err) {
            this.opts.log?.('error', `subscribing to ${topics.join(', ')}: ${err.message}`);
            return reject(err);
          }
          client.off('error', reject);
          if (s.retired) return resolve();
          s.ready = true;
          this.updateLink();
          resolve();
        });
      });
    });
  }

  private publish(channel: ChannelName, bytes: Uint8Array, qos: number): boolean {
    if (!this.linked) return false; // the board keeps it and sends it again on link up
    const s = this.session;
    s.pending++;
    this.pending++;
    const done = () => {
      if (s.dropped) return;
      s.pending--;
      this.pending--;
      this.settle();
    };
    this.opts.onPublish?.(this.id, channel, bytes);
    s.client.publish(
      boardTopic(this.opts.site, this.id, channel === 'will' ? 'death' : channel),
      Buffer.from(bytes),
      { qos: qos === 0 ? 0 : 1, retain: RETAINED[channel] },
      done,
    );
    return true;
  }

  private deliver(topic: string, payload: Buffer): void {
    if (this.stopped) return;
    try {
      this.safely(() => {
        if (topic === controlTopic(this.opts.site, 'state')) this.current.control(payload);
        else if (this.current.command(payload) === COMMAND_RESULT.reboot) this.rebootRequested();
      });
    } catch (err) {
      this.opts.log?.('warning', `message on ${topic} not delivered: ${(err as Error).message}`);
    }
  }

  /**
   * Race control asked for a reboot: the board has published its death, so the old
   * connection closes with DISCONNECT (no will) and the board boots again with the
   * next boot id on a new one. The new board takes input at once; its link comes up
   * with the connection.
   */
  private rebootRequested(): void {
    const boot = (this.current.boot + 1) >>> 0;
    this.opts.log?.('info', `reboot requested by race control: booting again as boot ${boot}`);
    const old = this.session;
    old.retired = true;
    this.linked = false;
    this.current = this.boardHost(boot);
    this.restarting = (async () => {
      await old.client.endAsync(); // waits for the death's PUBACK
      if (!this.stopped) await this.connect();
    })()
      .catch((err: Error) => this.opts.log?.('error', `reboot failed: ${err.message}`))
      .finally(() => (this.restarting = undefined));
  }

  /** Drops a connection without DISCONNECT and waits for the socket to close. */
  private async cut(s: Session): Promise<void> {
    s.retired = true;
    s.ready = false;
    s.dropped = true;
    this.pending -= s.pending;
    s.pending = 0;
    await s.client.endAsync(true);
    this.settle();
  }

  private updateLink(): void {
    const want = this.up && this.session.ready && !this.stopped;
    if (want === this.linked) return;
    this.linked = want;
    this.safely(() => this.current.link(want));
  }

  /** Runs the board; an abort marks it crashed and it stays down, its will telling race control. */
  private safely(fn: () => void): void {
    const host = this.current;
    if (host.crashed) return;
    try {
      fn();
    } catch (err) {
      if (!host.crashed) throw err;
      this.opts.log?.('error', `board stopped: ${(err as Error).message}`);
      this.linked = false;
      void this.cut(this.session);
    }
  }

  private input(records: Uint8Array, size: number, kind: BoardImageKind, call: (chunk: Uint8Array) => number): void {
    this.alive();
    if (this.kind !== kind) throw new Error(`a ${this.kind} board takes no ${kind === 'loop' ? 'loop hits' : 'box samples'}`);
    if (records.length % size !== 0) throw new Error(`records are ${size} bytes each, not ${records.length} bytes in all`);
    const step = Math.floor(this.current.inputCapacity / size) * size;
    for (let at = 0; at < records.length; at += step) this.safely(() => void call(records.subarray(at, at + step)));
  }

  private settle(): void {
    if (this.pending !== 0) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private alive(): void {
    if (this.stopped) throw new Error(`board ${this.id} is stopped`);
  }
}

function checkBoot(boot: number): void {
  if (!Number.isInteger(boot) || boot < 0 || boot > 0xffffffff) throw new RangeError(`boot id must be a u32, not ${boot}`);
}

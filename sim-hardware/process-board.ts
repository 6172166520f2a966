// A board in its own process (`pitwall board --feed stdin`), driven over the board
// feed (board-feed.md): the hardware-in-the-loop shape. The process is the board as
// the broker sees it — its own connection, its own will — so killing it is a power
// loss, and a rig or a real board on a serial line could take its place.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { repoPath } from '../protocol/repo-root.js';
import type { BoardImageKind } from './board-host.js';
import { BOARD_FRAMES, clockFrame, encodeFrame, FRAME, FrameReader, linkFrame, MAX_PAYLOAD, payloadU32, syncFrame } from './board-feed.js';
import type { SimBoard } from './sim-board.js';
import type { MqttBoardOptions } from './mqtt-board.js';

/** A board in its own process takes what a board on MQTT does, but its log is the process's standard error. */
export type ProcessBoardOptions = Pick<MqttBoardOptions, 'kind' | 'id' | 'site' | 'broker' | 'boot' | 'startClockUs' | 'username' | 'password'> & {
  /** The board process's log lines (its standard error), prefixed with the board id. */
  log?: (line: string) => void;
};

/** How long a board process gets to stop by itself after END before it is killed. */
const STOP_GRACE_MS = 5000;
/** Bytes of records per HITS or SAMPLES frame, well under the feed's limit. */
const RECORD_FRAME_BYTES = 1024 * 1024;
const LAST_WORDS = 20;

/** One board process: its pipes, the SYNCs it owes, what it said last. */
class Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  exitCode: number | null = null;
  private readonly syncs = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextToken = 0;
  private readonly queue: Uint8Array[] = [];
  private blocked = false;
  private drainWaiters: Array<() => void> = [];
  private readonly lastWords: string[] = [];
  private failure: Error | undefined;

  constructor(
    args: string[],
    private readonly id: string,
    log: ((line: string) => void) | undefined,
    onBoot: (boot: number) => void,
  ) {
    this.proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const { stdin, stdout, stderr } = this.proc;
    stdin!.on('error', () => {}); // a dead board's pipe: its exit says why
    createInterface({ input: stderr! }).on('line', (line) => {
      this.lastWords.push(line);
      if (this.lastWords.length > LAST_WORDS) this.lastWords.shift();
      log?.(`[${id}] ${line}`);
    });
    const reader = new FrameReader(BOARD_FRAMES);
    stdout!.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) {
          const n = payloadU32(frame.payload);
          if (frame.type === FRAME.boot) onBoot(n);
          else this.answer(n);
        }
      } catch (err) {
        this.fail(new Error(`board ${id} process sent a bad frame: ${(err as Error).message}`));
        this.proc.kill('SIGKILL');
      }
    });
    this.exited = new Promise((resolve) => {
      this.proc.once('error', (err) => {
        this.fail(new Error(`board ${id} process did not start: ${err.message}`));
        resolve();
      });
      this.proc.once('close', (code, signal) => {
        this.exitCode = code;
        this.fail(new Error(`board ${id} process exited (${signal ?? `code ${code}`})${this.lastWordsText()}`));
        resolve();
      });
    });
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  /** Writes a frame; past a full pipe, frames queue here in order until it drains. */
  send(frame: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.blocked) {
      this.queue.push(frame);
      return;
    }
    if (!this.proc.stdin!.write(frame)) this.block();
  }

  async sync(): Promise<void> {
    await this.drained();
    const token = this.nextToken;
    this.nextToken = (this.nextToken + 1) >>> 0;
    const answered = new Promise<void>((resolve, reject) => this.syncs.set(token, { resolve, reject }));
    this.send(syncFrame(token));
    return answered;
  }

  private answer(token: number): void {
    const waiter = this.syncs.get(token);
    if (!waiter) return this.fail(new Error(`board ${this.id} process answered a SYNC it was not sent (${token})`));
    this.syncs.delete(token);
    waiter.resolve();
  }

  private block(): void {
    this.blocked = true;
    this.proc.stdin!.once('drain', () => {
      this.blocked = false;
      while (this.queue.length > 0) {
        if (!this.proc.stdin!.write(this.queue.shift()!)) return this.block();
      }
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    });
  }

  private drained(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.blocked) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Everything owed fails with `err`; the first failure is the one kept. */
  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.syncs.values()) w.reject(this.failure);
    this.syncs.clear();
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private lastWordsText(): string {
    return this.lastWords.length === 0 ? '' : `; it said:\n  ${this.lastWords.join('\n  ')}`;
  }
}

export class ProcessBoard implements SimBoard {
  readonly id: string;
  readonly kind: BoardImageKind;
  private readonly opts: ProcessBoardOptions;
  private readonly cli: string;
  private child!: Child;
  private currentBoot: number;
  private now: bigint;

  private constructor(opts: ProcessBoardOptions, cli: string) {
    this.opts = opts;
    this.cli = cli;
    this.id = opts.id;
    this.kind = opts.kind;
    this.currentBoot = opts.boot;
    this.now = opts.startClockUs;
  }

  /** Starts the board process; resolves once it is connected and its birth is out. */
  static async start(opts: ProcessBoardOptions): Promise<ProcessBoard> {
    const cli = repoPath('dist', 'gateway', 'cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'npm run build' first`);
    const board = new ProcessBoard(opts, cli);
    await board.spawn(opts.boot);
    return board;
  }

  /** The boot id now; after `sync()` it includes a reboot race control asked for. */
  get boot(): number {
    return this.currentBoot;
  }

  clock(us: bigint): void {
    if (us < this.now) throw new RangeError(`the board clock cannot go backwards (from ${this.now} to ${us} µs)`);
    this.now = us;
    this.child.send(clockFrame(us));
  }

  hits(records: Uint8Array): void {
    this.records(FRAME.hits, records, 16, 'loop');
  }

  samples(records: Uint8Array): void {
    this.records(FRAME.samples, records, 64, 'box');
  }

  tick(): void {
    this.child.send(encodeFrame(FRAME.tick));
  }

  link(up: boolean): void {
    this.child.send(linkFrame(up));
  }

  sync(): Promise<void> {
    return this.child.sync();
  }

  /** Kills the process (the broker publishes its will when the socket drops) and starts a new one with `boot`. */
  async reboot(boot: number): Promise<void> {
    this.child.proc.kill('SIGKILL');
    await this.child.exited;
    this.currentBoot = boot;
    await this.spawn(boot);
  }

  /** END: the board publishes its death and exits; killed if it has not after 5 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.alive) child.send(encodeFrame(FRAME.end));
    const timer = setTimeout(() => child.proc.kill('SIGKILL'), STOP_GRACE_MS);
    await child.exited;
    clearTimeout(timer);
    if (child.exitCode !== 0) this.opts.log?.(`[${this.id}] board process ended with ${child.exitCode ?? 'a signal'}`);
  }

  private async spawn(boot: number): Promise<void> {
    const o = this.opts;
    const args = [this.cli, 'board', '--feed', 'stdin', '--kind', o.kind, '--id', o.id, '--site', o.site, '--broker', o.broker];
    args.push('--boot', String(boot), '--clock-us', String(this.now));
    if (o.username !== undefined) args.push('--username', o.username);
    if (o.password !== undefined) args.push('--password', o.password);
    this.child = new Child(args, o.id, o.log, (b) => (this.currentBoot = b));
    try {
      await this.child.sync(); // answered only once the board is connected and its birth is out
    } catch (err) {
      this.child.proc.kill('SIGKILL');
      await this.child.exited;
      throw err;
    }
  }

  private records(type: typeof FRAME.hits | typeof FRAME.samples, records: Uint8Array, size: number, kind: BoardImageKind): void {
    if (this.kind !== kind) throw new Error(`a ${this.kind} board takes no ${kind === 'loop' ? 'loop hits' : 'box samples'}`);
    if (records.length % size !== 0) throw new Error(`records are ${size} bytes each, not ${records.length} bytes in all`);
    const step = Math.min(RECORD_FRAME_BYTES, MAX_PAYLOAD);
    for (let at = 0; at < records.length; at += step) this.child.send(encodeFrame(type, records.subarray(at, at + step)));
  }
}

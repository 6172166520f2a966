// A board hosted in this process with no broker at all: what it publishes goes
// straight to a listener, commands come straight in. The fastest way to run a race
// through real firmware (benchmarks, tests); the will is handed over on a power cycle
// as a broker would publish it.
import { BoardHost, type BoardImageKind, type LogLevel } from './board-host.js';
import type { BoardMessage, SimBoard } from './sim-board.js';

export interface MemoryBoardOptions {
  kind: BoardImageKind;
  id: string;
  boot: number;
  startClockUs: bigint;
  /** Every message the board puts on the wire. */
  deliver: (message: BoardMessage) => void;
  log?: (level: LogLevel, text: string) => void;
}

export class MemoryBoard implements SimBoard {
  readonly id: string;
  readonly kind: BoardImageKind;
  private host: BoardHost;
  private now: bigint;
  private up = true;
  private readonly opts: MemoryBoardOptions;

  constructor(opts: MemoryBoardOptions) {
    this.opts = opts;
    this.id = opts.id;
    this.kind = opts.kind;
    this.now = opts.startClockUs;
    this.host = this.boot_(opts.boot);
  }

  private boot_(boot: number): BoardHost {
    const host = BoardHost.create({
      kind: this.kind,
      id: this.id,
      boot,
      clock: () => this.now,
      publish: (channel, bytes) => {
        if (!this.up) return false;
        if (channel !== 'will') this.opts.deliver({ board: this.id, channel, bytes });
        return true;
      },
      log: this.opts.log ?? (() => {}),
    });
    host.link(this.up);
    return host;
  }

  get boot(): number {
    return this.host.boot;
  }

  clock(us: bigint): void {
    if (us > this.now) this.now = us;
  }

  hits(records: Uint8Array): void {
    this.feed(records, 16, (chunk) => this.host.hits(chunk));
  }

  samples(records: Uint8Array): void {
    this.feed(records, 64, (chunk) => this.host.samples(chunk));
  }

  private feed(records: Uint8Array, size: number, call: (chunk: Uint8Array) => number): void {
    const step = Math.floor(this.host.inputCapacity / size) * size;
    for (let i = 0; i < records.length; i += step) call(records.subarray(i, Math.min(records.length, i + step)));
  }

  tick(): void {
    this.host.tick();
  }

  link(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    this.host.link(up);
  }

  /** A command as if it came on the board's cmd topic; see COMMAND_RESULT. */
  command(bytes: Uint8Array): number {
    if (!this.up) return -1;
    const rc = this.host.command(bytes);
    if (rc === 1) this.host = this.boot_((this.host.boot + 1) >>> 0);
    return rc;
  }

  control(bytes: Uint8Array): number {
    return this.up ? this.host.control(bytes) : -1;
  }

  async sync(): Promise<void> {}

  async reboot(boot: number): Promise<void> {
    const will = this.host.will;
    if (will && this.up) this.opts.deliver({ board: this.id, channel: 'death', bytes: will });
    this.host = this.boot_(boot);
  }

  async stop(): Promise<void> {
    const will = this.host.will;
    if (will && this.up) this.opts.deliver({ board: this.id, channel: 'death', bytes: will });
  }
}

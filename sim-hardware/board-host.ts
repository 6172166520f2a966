// Hosts a board image (firmware/ABI.md) in Node: the module gets a clock, a way to
// publish and a log, and nothing else. The same host serves the simulator (many
// boards in one process, simulated clocks), `pitwall board` (one board per process,
// the hardware-in-the-loop shape) and `npm start`.
import { readFileSync } from 'node:fs';
import { instantiateSync } from '@assemblyscript/loader';
import { repoPath } from '../protocol/repo-root.js';

export type BoardImageKind = 'loop' | 'box';

/** Publish channels of the ABI. */
export const CHANNEL = { birth: 0, evt: 1, death: 2, will: 3 } as const;
export type ChannelName = keyof typeof CHANNEL;
const CHANNEL_NAMES: readonly ChannelName[] = ['birth', 'evt', 'death', 'will'];

/** Results of `command` (ABI.md). */
export const COMMAND_RESULT = { applied: 0, reboot: 1, refused: 2 } as const;

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

interface BoardExports {
  memory: WebAssembly.Memory;
  input_ptr(): number;
  input_cap(): number;
  init(boot: number, idLen: number): number;
  link(up: number): void;
  command(len: number): number;
  control(len: number): number;
  tick(): void;
  selftest(): number;
  hits?(n: number): number;
  samples?(n: number): number;
}

export interface BoardHostOptions {
  kind: BoardImageKind;
  /** Board id, also its MQTT topic level. */
  id: string;
  /** Boot id; a fresh random one when omitted. */
  boot?: number;
  /** Board clock in µs since the UTC epoch. */
  clock: () => bigint;
  /**
   * Called for every publish: return true when the bytes were taken (the board
   * keeps what was not taken and sends it again later).
   */
  publish: (channel: ChannelName, bytes: Uint8Array, qos: number) => boolean;
  log?: (level: LogLevel, text: string) => void;
  /** A board image other than the built one. */
  wasmFile?: string;
}

/** Path of a built board image (`npm run build` makes them). */
export function boardImagePath(kind: BoardImageKind): string {
  return repoPath('build', 'firmware', `${kind}.wasm`);
}

const moduleCache = new Map<string, WebAssembly.Module>();

export class BoardHost {
  readonly kind: BoardImageKind;
  readonly id: string;
  readonly boot: number;
  /** The board's death message, for the MQTT will. */
  will: Uint8Array | undefined;
  /** Set when the image aborted: the board is dead until restarted. */
  crashed: Error | undefined;
  private readonly exports: BoardExports;

  private constructor(opts: BoardHostOptions, exports: BoardExports, boot: number) {
    this.kind = opts.kind;
    this.id = opts.id;
    this.boot = boot;
    this.exports = exports;
  }

  /** Instantiates the image and starts the board (`init`). */
  static create(opts: BoardHostOptions): BoardHost {
    const file = opts.wasmFile ?? boardImagePath(opts.kind);
    let mod = moduleCache.get(file);
    if (!mod) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        throw new Error(`board image ${file} is missing: run 'npm run build' first`);
      }
      mod = new WebAssembly.Module(new Uint8Array(bytes));
      moduleCache.set(file, mod);
    }
    const boot = opts.boot ?? (Math.random() * 0x1_0000_0000) >>> 0;
    let host: BoardHost | undefined;
    const memory = () => new Uint8Array(host!.exports.memory.buffer);
    const env = {
      clock_us: () => opts.clock(),
      publish: (channel: number, ptr: number, len: number, qos: number): number => {
        const bytes = memory().slice(ptr, ptr + len);
        const name = CHANNEL_NAMES[channel];
        if (name === undefined) return 1;
        if (name === 'will') {
          host!.will = bytes;
          return 0;
        }
        return opts.publish(name, bytes, qos) ? 0 : 1;
      },
      log: (level: number, ptr: number, len: number): void => {
        const text = new TextDecoder().decode(memory().subarray(ptr, ptr + len));
        (opts.log ?? defaultLog(opts.id))(LOG_LEVELS[level] ?? 'info', text);
      },
    };
    // The ABI's imports are not in the loader's idea of `env`; the loader adds its abort decoder.
    const { exports } = instantiateSync<Record<string, unknown>>(mod, { env: env as Record<string, unknown> });
    host = new BoardHost(opts, exports as unknown as BoardExports, boot);
    const rc = host.call(() => host!.exports.init(boot, host!.writeInput(new TextEncoder().encode(opts.id))));
    if (rc !== 0) throw new Error(`board refused its id '${opts.id}' (ids are [a-z0-9][a-z0-9-]{0,31})`);
    return host;
  }

  /** The broker connection went up or down. */
  link(up: boolean): void {
    this.call(() => this.exports.link(up ? 1 : 0));
  }

  /** A message from the board's command topic; see COMMAND_RESULT. */
  command(bytes: Uint8Array): number {
    return this.call(() => this.exports.command(this.writeInput(bytes)));
  }

  /** A race-control state message. */
  control(bytes: Uint8Array): number {
    return this.call(() => this.exports.control(this.writeInput(bytes)));
  }

  tick(): void {
    this.call(() => this.exports.tick());
  }

  selftest(): number {
    return this.call(() => this.exports.selftest());
  }

  /** Raw loop hits (ABI.md record format, 16 bytes each). */
  hits(records: Uint8Array): number {
    const fn = this.exports.hits;
    if (!fn) throw new Error(`a ${this.kind} board takes no loop hits`);
    if (records.length % 16 !== 0) throw new Error('loop hit records are 16 bytes each');
    return this.call(() => fn(this.writeInput(records) / 16));
  }

  /** Box sensor samples (firmware/BOX-BOARD.md record format, 64 bytes each). */
  samples(records: Uint8Array): number {
    const fn = this.exports.samples;
    if (!fn) throw new Error(`a ${this.kind} board takes no box samples`);
    if (records.length % 64 !== 0) throw new Error('box sample records are 64 bytes each');
    return this.call(() => fn(this.writeInput(records) / 64));
  }

  /** Bytes the input buffer holds. */
  get inputCapacity(): number {
    return this.exports.input_cap();
  }

  private writeInput(bytes: Uint8Array): number {
    const cap = this.exports.input_cap();
    if (bytes.length > cap) throw new Error(`input of ${bytes.length} bytes is over the board's ${cap}-byte buffer`);
    new Uint8Array(this.exports.memory.buffer, this.exports.input_ptr(), bytes.length).set(bytes);
    return bytes.length;
  }

  /** Runs an export; an abort marks the board crashed, as a watchdog would. */
  private call<T>(fn: () => T): T {
    if (this.crashed) throw new Error(`board ${this.id} crashed: ${this.crashed.message}`);
    try {
      return fn();
    } catch (err) {
      this.crashed = err instanceof Error ? err : new Error(String(err));
      throw err;
    }
  }
}

function defaultLog(id: string) {
  return (level: LogLevel, text: string) => {
    if (level !== 'debug') console.error(`[${id}] ${level}: ${text}`);
  };
}

/** A real-time board clock: µs since the epoch, never going backwards. */
export function systemClock(): () => bigint {
  const originMs = Date.now();
  const originPerf = performance.now();
  let last = 0n;
  return () => {
    const now = BigInt(Math.round((originMs + (performance.now() - originPerf)) * 1000));
    last = now > last ? now : last;
    return last;
  };
}

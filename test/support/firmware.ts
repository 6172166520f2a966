// Loads the firmware codec harness (build/firmware/codec-harness.wasm) with plain
// WebAssembly — no loader, no glue; its only import is env.abort — and offers the
// AssemblyScript codec to tests as asEncode/asDecode over typed values.
//
// The module is built first when it is missing or older than its sources.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DECODE_ERRORS, MESSAGE_TYPE_CODES, type DecodeErrorReason, type MessageType, type MessageTypes } from '../../protocol/schema.js';
import { fromSlots, toSlots } from './slots.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGET = 'codec-harness';

interface HarnessExports {
  memory: WebAssembly.Memory;
  inPtr(): number;
  inCap(): number;
  outPtr(): number;
  outCap(): number;
  slotsPtr(): number;
  slotsCap(): number;
  poolPtr(): number;
  poolCap(): number;
  errOffset(): number;
  decode(type: number, len: number): number;
  encode(type: number, nSlots: number): number;
}

export interface AsDecodeError {
  error: DecodeErrorReason;
  code: number;
  offset: number;
}

/** Thrown by asEncode when the harness refuses the value (or its encoding is too large). */
export class AsEncodeError extends Error {
  constructor(
    readonly reason: DecodeErrorReason | 'unknown',
    readonly code: number,
  ) {
    super(`firmware encoder refused: ${reason} (${code})`);
    this.name = 'AsEncodeError';
  }
}

const REASONS = new Map<number, DecodeErrorReason>(
  Object.entries(DECODE_ERRORS).map(([k, v]) => [v, k as DecodeErrorReason]),
);

export function reasonOf(code: number): DecodeErrorReason | 'unknown' {
  return REASONS.get(code) ?? 'unknown';
}

export function isAsDecodeError(x: unknown): x is AsDecodeError {
  return typeof x === 'object' && x !== null && 'error' in x && 'offset' in x;
}

/** Path of the harness module, as asconfig.json names it. */
export function harnessPath(): string {
  const cfg = JSON.parse(readFileSync(join(ROOT, 'asconfig.json'), 'utf8'));
  return join(ROOT, cfg.targets[TARGET].outFile);
}

function newestSource(): number {
  let newest = 0;
  for (const dir of ['firmware/lib', 'firmware/harness']) {
    const abs = join(ROOT, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs)) if (f.endsWith('.ts')) newest = Math.max(newest, statSync(join(abs, f)).mtimeMs);
  }
  return Math.max(newest, statSync(join(ROOT, 'asconfig.json')).mtimeMs);
}

/**
 * Builds the harness with asc when it is missing or stale. The entry file is passed
 * on the command line (asc reads `entries` only at the top level of asconfig.json),
 * and the output is written aside then renamed, so parallel test workers never read
 * a half-written module.
 */
export function buildHarness(force = false): string {
  const out = harnessPath();
  if (!force && existsSync(out) && statSync(out).mtimeMs >= newestSource()) return out;
  const cfg = JSON.parse(readFileSync(join(ROOT, 'asconfig.json'), 'utf8'));
  const entries: string[] = cfg.targets[TARGET].entries ?? ['firmware/harness/codec.ts'];
  mkdirSync(dirname(out), { recursive: true });
  const tmp = out.replace(/\.wasm$/, `.${process.pid}.tmp.wasm`);
  execFileSync(join(ROOT, 'node_modules', '.bin', 'asc'), [...entries, '--config', 'asconfig.json', '--target', TARGET, '--outFile', tmp], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  renameSync(tmp, out);
  return out;
}

function readAsString(mem: WebAssembly.Memory, ptr: number): string {
  if (ptr === 0) return '';
  const bytes = new Uint8Array(mem.buffer);
  const len = new Uint32Array(mem.buffer, ptr - 4, 1)[0];
  return Buffer.from(bytes.subarray(ptr, ptr + len)).toString('utf16le');
}

export class FirmwareCodec {
  readonly module: WebAssembly.Module;
  readonly bytes: Uint8Array<ArrayBuffer>;
  private readonly x: HarnessExports;

  constructor(wasm: Uint8Array) {
    this.bytes = Uint8Array.from(wasm);
    this.module = new WebAssembly.Module(this.bytes);
    let memory: WebAssembly.Memory | undefined;
    const instance = new WebAssembly.Instance(this.module, {
      env: {
        abort(msg: number, file: number, line: number, col: number): never {
          const m = memory ? readAsString(memory, msg) : String(msg);
          const f = memory ? readAsString(memory, file) : String(file);
          throw new Error(`firmware abort: ${m} at ${f}:${line}:${col}`);
        },
      },
    });
    this.x = instance.exports as unknown as HarnessExports;
    memory = this.x.memory;
  }

  /** Raw call: decode `bytes` as message `type`; the slot count or -code. */
  decodeRaw(type: MessageType | number, bytes: Uint8Array): number {
    const code = typeof type === 'number' ? type : MESSAGE_TYPE_CODES[type];
    const cap = this.x.inCap();
    const n = Math.min(bytes.length, cap);
    new Uint8Array(this.x.memory.buffer, this.x.inPtr(), n).set(bytes.subarray(0, n));
    return this.x.decode(code, bytes.length);
  }

  errOffset(): number {
    return this.x.errOffset();
  }

  /** The value of the last successful decode, from its `n` slots. */
  decodedValue<T extends MessageType>(type: T, n: number): MessageTypes[T] {
    const slots = Array.from(new BigInt64Array(this.x.memory.buffer, this.x.slotsPtr(), n));
    const pool = new Uint8Array(this.x.memory.buffer, this.x.poolPtr(), this.x.poolCap());
    return fromSlots(type, slots, pool);
  }

  /** Decodes with the firmware codec: the typed value, or the refusal. */
  decode<T extends MessageType>(type: T, bytes: Uint8Array): MessageTypes[T] | AsDecodeError {
    const r = this.decodeRaw(type, bytes);
    if (r < 0) return { error: reasonOf(-r) as DecodeErrorReason, code: -r, offset: this.x.errOffset() };
    return this.decodedValue(type, r);
  }

  /**
   * Raw call: loads slots and pool as given (at most their capacities) and calls
   * encode(type, nSlots) — nSlots may disagree with slots.length. Returns its result.
   */
  encodeRaw(type: number, slots: readonly bigint[], pool: Uint8Array, nSlots = slots.length): number {
    const ns = Math.min(slots.length, this.x.slotsCap());
    new BigInt64Array(this.x.memory.buffer, this.x.slotsPtr(), ns).set(slots.slice(0, ns));
    const np = Math.min(pool.length, this.x.poolCap());
    new Uint8Array(this.x.memory.buffer, this.x.poolPtr(), np).set(pool.subarray(0, np));
    return this.x.encode(type, nSlots);
  }

  /** The first `len` bytes of the output buffer (after a successful encode). */
  output(len: number): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.x.outPtr(), len).slice();
  }

  /** Encodes with the firmware codec; throws AsEncodeError when refused. */
  encode<T extends MessageType>(type: T, value: MessageTypes[T]): Uint8Array {
    const { slots, pool } = toSlots(type, value);
    if (slots.length > this.x.slotsCap() || pool.length > this.x.poolCap()) throw new AsEncodeError('too-large', 5);
    const r = this.encodeRaw(MESSAGE_TYPE_CODES[type], slots, pool);
    if (r < 0) throw new AsEncodeError(reasonOf(-r), -r);
    return this.output(r);
  }
}

let shared: FirmwareCodec | undefined;

/** The harness, built if needed and instantiated once per test worker. */
export function firmwareCodec(): FirmwareCodec {
  if (!shared) shared = new FirmwareCodec(readFileSync(buildHarness()));
  return shared;
}

export function asEncode<T extends MessageType>(type: T, value: MessageTypes[T]): Uint8Array {
  return firmwareCodec().encode(type, value);
}

export function asDecode<T extends MessageType>(type: T, bytes: Uint8Array): MessageTypes[T] | AsDecodeError {
  return firmwareCodec().decode(type, bytes);
}

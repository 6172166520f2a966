// Seeded fuzzing of the TS decoder: random bytes, byte-level mutations of the golden
// vectors, and structure-level mutations of their data models. The decoder may only
// ever return a value or throw a DecodeError. Whatever it accepts, cborg + the CDDL
// validator must accept too, with the same value; whatever passes the well-formedness
// scan and that pair accepts (no duplicate keys), it must accept.

import { readFileSync } from 'node:fs';
import { decode as cborgDecode, encode as cborgEncode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { checkCbor } from '../../protocol/cbor-scan.js';
import { parseCddl, validate } from '../../protocol/cddl.js';
import { DecodeError, decode } from '../../protocol/codec.js';
import { CDDL_RULES, DECODE_ERRORS, MESSAGE_TYPES, type DecodeErrorReason, type MessageType } from '../../protocol/schema.js';
import { ACCEPTED, INVALID, VALID, bytes } from './golden.js';
import { typedMessage } from './typed.js';

const schema = parseCddl(readFileSync(new URL('../../protocol/pitwall.cddl', import.meta.url), 'utf8'));

/** mulberry32: small, fast, good enough to spread mutations; seeded so runs repeat. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BOUNDARY_BYTES = [
  0x00, 0x01, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x37, 0x38, 0x3b, 0x3f, 0x40, 0x5f, 0x60, 0x61, 0x78, 0x7f,
  0x80, 0x81, 0x98, 0x9f, 0xa0, 0xa1, 0xb8, 0xbf, 0xc0, 0xc2, 0xd9, 0xdf, 0xe0, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  0xfb, 0xfc, 0xff, 0xc3, 0xed, 0xef, 0xf0,
];
const BOUNDARY_VALUES: unknown[] = [
  0, 1, 23, 24, 255, 256, 65535, 65536, 4294967295, 4294967296, 9007199254740991, 2n ** 53n, 2n ** 64n - 1n,
  -1, -24, -25, -2147483648, -2147483649, -(2n ** 64n), '', 'x', 'A', 'é'.repeat(33), true, false, null, [], new Map(),
  new Uint8Array([1]), [1], new Map([[0, 1]]),
];

interface Stats {
  inputs: number;
  accepted: number;
  byReason: Map<DecodeErrorReason, number>;
  crossChecked: number;
  reverseChecked: number;
  slowestMs: number;
}

const SEEDS = VALID.concat(ACCEPTED as typeof VALID).map((v) => ({ type: v.type, b: bytes(v.hex) }));
const INVALID_SEEDS = INVALID.filter((v) => v.hex.length < 2000).map((v) => ({ type: v.type, b: bytes(v.hex) }));

function mutateBytes(r: () => number, src: Uint8Array): Uint8Array {
  const pick = (n: number) => Math.floor(r() * n);
  let b = src.slice();
  const steps = 1 + pick(3);
  for (let s = 0; s < steps; s++) {
    const at = b.length ? pick(b.length) : 0;
    switch (pick(8)) {
      case 0: // flip a bit
        if (b.length) b[at] ^= 1 << pick(8);
        break;
      case 1: // a boundary byte
        if (b.length) b[at] = BOUNDARY_BYTES[pick(BOUNDARY_BYTES.length)];
        break;
      case 2: // a random byte
        if (b.length) b[at] = pick(256);
        break;
      case 3: // truncate
        b = b.subarray(0, pick(b.length + 1));
        break;
      case 4: {
        // insert bytes
        const ins = Array.from({ length: 1 + pick(4) }, () => (r() < 0.5 ? BOUNDARY_BYTES[pick(BOUNDARY_BYTES.length)] : pick(256)));
        b = Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
        break;
      }
      case 5: // delete bytes
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + pick(4))]);
        break;
      case 6: {
        // repeat a slice
        const len = 1 + pick(8);
        b = Uint8Array.from([...b.subarray(0, at + len), ...b.subarray(at, at + len), ...b.subarray(at + len)]);
        break;
      }
      default: {
        // splice in a piece of another vector
        const other = SEEDS[pick(SEEDS.length)].b;
        const from = pick(other.length);
        b = Uint8Array.from([...b.subarray(0, at), ...other.subarray(from, from + 1 + pick(12)), ...b.subarray(at)]);
      }
    }
  }
  return b;
}

/** A random change somewhere in a decoded data model (values, keys, elements). */
function mutateModel(r: () => number, v: unknown, depth = 0): unknown {
  const pick = (n: number) => Math.floor(r() * n);
  const stop = r() < 0.3 || depth > 6;
  if (Array.isArray(v)) {
    const a = v.slice();
    if (stop || a.length === 0) {
      switch (pick(4)) {
        case 0:
          a.push(BOUNDARY_VALUES[pick(BOUNDARY_VALUES.length)]);
          return a;
        case 1:
          a.pop();
          return a;
        case 2:
          return a.length ? a.concat([a[pick(a.length)]]) : [0];
        default:
          return BOUNDARY_VALUES[pick(BOUNDARY_VALUES.length)];
      }
    }
    const i = pick(a.length);
    a[i] = mutateModel(r, a[i], depth + 1);
    return a;
  }
  if (v instanceof Map) {
    const m = new Map(v);
    const keys = [...m.keys()];
    if (stop || keys.length === 0) {
      switch (pick(4)) {
        case 0:
          m.set(BOUNDARY_VALUES[pick(8)], BOUNDARY_VALUES[pick(BOUNDARY_VALUES.length)]);
          return m;
        case 1:
          if (keys.length) m.delete(keys[pick(keys.length)]);
          return m;
        case 2:
          return [...m.values()];
        default:
          return BOUNDARY_VALUES[pick(BOUNDARY_VALUES.length)];
      }
    }
    const k = keys[pick(keys.length)];
    m.set(k, mutateModel(r, m.get(k), depth + 1));
    return m;
  }
  return BOUNDARY_VALUES[pick(BOUNDARY_VALUES.length)];
}

function runOne(type: MessageType, b: Uint8Array, stats: Stats): void {
  stats.inputs++;
  const t0 = performance.now();
  let value: unknown;
  let refused: DecodeError | null = null;
  try {
    value = decode(type, b);
  } catch (e) {
    if (!(e instanceof DecodeError)) {
      throw new Error(`${type} ${Buffer.from(b).toString('hex')}: threw ${String(e)}`);
    }
    refused = e;
  }
  const ms = performance.now() - t0;
  if (ms > stats.slowestMs) stats.slowestMs = ms;

  // cborg reads a leading U+FEFF of a text as a byte-order mark and drops it; skip those inputs.
  const bom = Buffer.from(b).includes(Buffer.from([0xef, 0xbb, 0xbf]));
  if (refused === null) {
    stats.accepted++;
    if (bom) return;
    const generic = cborgDecode(b, { useMaps: true });
    const v = validate(schema, CDDL_RULES[type], generic);
    if (v !== null) throw new Error(`${type} ${Buffer.from(b).toString('hex')}: TS accepts, CDDL says ${v.path} ${v.message}`);
    expect(typedMessage(type, generic)).toStrictEqual(value);
    stats.crossChecked++;
    return;
  }
  stats.byReason.set(refused.reason, (stats.byReason.get(refused.reason) ?? 0) + 1);
  expect(DECODE_ERRORS[refused.reason]).toBe(refused.code);
  expect(refused.offset).toBeGreaterThanOrEqual(0);
  expect(refused.offset).toBeLessThanOrEqual(Math.max(b.length, 4096));
  if (bom || checkCbor(b) !== null) return;
  let generic: unknown;
  try {
    generic = cborgDecode(b, { useMaps: true, rejectDuplicateMapKeys: true });
  } catch {
    return;
  }
  stats.reverseChecked++;
  const v = validate(schema, CDDL_RULES[type], generic);
  if (v === null) throw new Error(`${type} ${Buffer.from(b).toString('hex')}: CDDL accepts, TS refuses: ${refused.message}`);
}

describe('decoder fuzzing', () => {
  it('only ever returns a value or throws DecodeError, and agrees with cborg + CDDL', () => {
    const r = rng(0x9e3779b9);
    const pick = (n: number) => Math.floor(r() * n);
    const stats: Stats = { inputs: 0, accepted: 0, byReason: new Map(), crossChecked: 0, reverseChecked: 0, slowestMs: 0 };
    const started = performance.now();

    // 1. byte-level mutations of the vectors (valid, accepted and invalid ones)
    for (let i = 0; i < 70_000; i++) {
      const seed = i % 10 === 0 ? INVALID_SEEDS[pick(INVALID_SEEDS.length)] : SEEDS[pick(SEEDS.length)];
      const type = r() < 0.9 ? seed.type : MESSAGE_TYPES[pick(MESSAGE_TYPES.length)];
      runOne(type, mutateBytes(r, seed.b), stats);
    }
    // 2. structure-level mutations, re-encoded by cborg
    for (let i = 0; i < 25_000; i++) {
      const seed = SEEDS[pick(SEEDS.length)];
      const model = cborgDecode(seed.b, { useMaps: true });
      let b: Uint8Array;
      try {
        b = cborgEncode(mutateModel(r, model), { mapSorter: () => 0 });
      } catch {
        continue;
      }
      runOne(seed.type, b, stats);
    }
    // 3. random bytes, short and long
    for (let i = 0; i < 10_000; i++) {
      const len = i % 100 === 0 ? 4000 + pick(200) : pick(48);
      const b = new Uint8Array(len);
      for (let k = 0; k < len; k++) b[k] = r() < 0.3 ? BOUNDARY_BYTES[pick(BOUNDARY_BYTES.length)] : pick(256);
      runOne(MESSAGE_TYPES[pick(MESSAGE_TYPES.length)], b, stats);
    }

    const seconds = (performance.now() - started) / 1000;
    const reasons = Object.fromEntries([...stats.byReason].sort((a, b) => b[1] - a[1]));
    console.log(
      `fuzz: ${stats.inputs} inputs in ${seconds.toFixed(1)} s, ${stats.accepted} accepted (${stats.crossChecked} cross-checked), ` +
        `${stats.reverseChecked} refusals cross-checked, slowest ${stats.slowestMs.toFixed(2)} ms; refusals: ${JSON.stringify(reasons)}`,
    );
    expect(stats.inputs).toBeGreaterThanOrEqual(100_000);
    expect(stats.accepted).toBeGreaterThan(1000);
    // Mutations reach every refusal the decoder has.
    expect([...stats.byReason.keys()].sort()).toEqual(Object.keys(DECODE_ERRORS).sort());
  });
});

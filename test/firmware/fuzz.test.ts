// Fuzzing the firmware decoder, differentially against the gateway decoder.
//
// Seeded inputs for every message type: structure-aware mutations of valid messages
// (the schema checks), byte-level mutations (the scan), random bytes, messages of
// another type, deep nesting, maps with hundreds of entries and oversize inputs. The firmware must never trap and
// must always answer a slot count or a DECODE_ERRORS code; it must accept exactly
// what the gateway accepts, with the same value, and refuse the rest for the same
// reason at the same offset.

import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, test } from 'vitest';
import { decode, DecodeError, encode } from '../../protocol/codec.js';
import { MAX_DEPTH, MAX_MESSAGE_BYTES, MESSAGE_TYPES, MESSAGE_TYPE_CODES, type MessageType } from '../../protocol/schema.js';
import { messageArb } from '../support/arbitrary.js';
import { Rng, mutateBytes, mutateTree, parse, randomBytes, randomItem, serialize, type Node } from '../support/cbor-mutate.js';
import { firmwareCodec, reasonOf } from '../support/firmware.js';

const SEED = 20251121;
const INPUTS = 150_000;

type Outcome = { ok: true; value: unknown } | { ok: false; reason: string; offset: number };

function gateway(type: MessageType, bytes: Uint8Array): Outcome {
  try {
    return { ok: true, value: decode(type, bytes) };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, reason: e.reason, offset: e.offset };
    throw e;
  }
}

/** A valid message with `inner` under an unknown key, nested `depth` times. */
function nestedInside(r: Rng, msg: Node, depth: number): Uint8Array {
  let x: Node = randomItem(r, 0);
  for (let i = 0; i < depth; i++) x = r.chance(0.5) ? { k: 'array', v: [x] } : { k: 'map', v: [[{ k: 'uint', v: 1n }, x]] };
  const m = structuredClone(msg);
  if (m.k === 'map') m.v.push([{ k: 'uint', v: 99n }, x]);
  return Uint8Array.from(serialize(m));
}

/** A valid message with many more entries in one of its maps (large keys, some repeated). */
function widened(r: Rng, msg: Node): Uint8Array {
  const m = structuredClone(msg);
  const maps: Node[] = [];
  const walk = (n: Node): void => {
    if (n.k === 'map') maps.push(n);
    if (n.k === 'array') n.v.forEach(walk);
    if (n.k === 'map') n.v.forEach(([, v]) => walk(v));
  };
  walk(m);
  const target = r.pick(maps);
  if (target.k !== 'map') return Uint8Array.from(serialize(m));
  const count = 20 + r.int(400);
  const pool = Array.from({ length: 1 + r.int(count) }, () => BigInt(r.int(2 ** 31)) * (r.chance(0.2) ? 65537n : 1n) + (r.chance(0.5) ? 64n : 0n));
  for (let i = 0; i < count; i++) target.v.push([{ k: 'uint', v: r.pick(pool) }, { k: 'uint', v: BigInt(r.int(100)) }]);
  if (r.chance(0.5)) target.v.sort(() => r.next() - 0.5);
  return Uint8Array.from(serialize(m));
}

/** A valid message padded under an unknown key to about `size` bytes. */
function padded(msg: Node, size: number): Uint8Array {
  const base = serialize(msg).length;
  const m = structuredClone(msg);
  const n = Math.max(0, size - base - 4);
  if (m.k === 'map') m.v.push([{ k: 'uint', v: 99n }, { k: 'bytes', v: new Uint8Array(n) }]);
  return Uint8Array.from(serialize(m));
}

describe('firmware decoder fuzz', () => {
  test(`${INPUTS} inputs: no trap, valid codes, same answers as the gateway decoder`, () => {
    const fw = firmwareCodec();
    const r = new Rng(SEED);
    const corpus = new Map<MessageType, { bytes: Uint8Array; tree: Node }[]>();
    for (const [i, type] of MESSAGE_TYPES.entries()) {
      const values = fc.sample(messageArb(type), { numRuns: 80, seed: SEED + i });
      corpus.set(type, values.map((v) => {
        const bytes = encode(type, v as never);
        return { bytes, tree: parse(bytes)! };
      }));
    }
    const anyBytes = (): Uint8Array => r.pick(corpus.get(r.pick(MESSAGE_TYPES))!).bytes;

    const traps: string[] = [];
    const badCodes: string[] = [];
    const mismatches: string[] = [];
    const reasons = new Map<string, number>();
    const modes = new Map<string, number>();
    const started = performance.now();

    for (let i = 0; i < INPUTS; i++) {
      const type = r.pick(MESSAGE_TYPES);
      const src = r.pick(corpus.get(type)!);
      const roll = r.int(100);
      let mode: string;
      let bytes: Uint8Array;
      if (roll < 38) [mode, bytes] = ['tree', mutateTree(r, src.tree)];
      else if (roll < 71) [mode, bytes] = ['bytes', mutateBytes(r, src.bytes, anyBytes())];
      else if (roll < 83) [mode, bytes] = ['random', randomBytes(r)];
      else if (roll < 88) [mode, bytes] = ['other-type', anyBytes()];
      else if (roll < 92) [mode, bytes] = ['deep', nestedInside(r, src.tree, MAX_DEPTH - 3 + r.int(6))];
      else if (roll < 96) [mode, bytes] = ['wide', widened(r, src.tree)];
      else [mode, bytes] = ['large', padded(src.tree, MAX_MESSAGE_BYTES - 8 + r.int(16))];
      modes.set(mode, (modes.get(mode) ?? 0) + 1);
      const hex = Buffer.from(bytes).toString('hex');

      let n: number;
      try {
        n = fw.decodeRaw(type, bytes);
      } catch (e) {
        traps.push(`${type} ${hex}: ${String(e)}`);
        continue;
      }
      if (!Number.isInteger(n) || (n < 0 && reasonOf(-n) === 'unknown')) {
        badCodes.push(`${type} ${hex}: ${n}`);
        continue;
      }
      const mine: Outcome =
        n >= 0 ? { ok: true, value: fw.decodedValue(type, n) } : { ok: false, reason: reasonOf(-n), offset: fw.errOffset() };
      const theirs = gateway(type, bytes);
      reasons.set(theirs.ok ? 'accepted' : theirs.reason, (reasons.get(theirs.ok ? 'accepted' : theirs.reason) ?? 0) + 1);
      if (!isDeepStrictEqual(mine, theirs) && mismatches.length < 10) {
        mismatches.push(`${mode} ${type} ${hex}\n  firmware ${JSON.stringify(mine).slice(0, 300)}\n  gateway  ${JSON.stringify(theirs).slice(0, 300)}`);
      }
    }
    const ms = performance.now() - started;
    console.log(
      `fuzz: ${INPUTS} inputs in ${(ms / 1000).toFixed(1)} s; modes ${JSON.stringify(Object.fromEntries(modes))}; ` +
        `outcomes ${JSON.stringify(Object.fromEntries([...reasons].sort((a, b) => b[1] - a[1])))}`,
    );
    expect(traps).toEqual([]);
    expect(badCodes).toEqual([]);
    expect(mismatches).toEqual([]);
    // the mix must reach the schema checks, not only the scan
    for (const reason of ['accepted', 'wrong-type', 'missing-field', 'out-of-range', 'bad-count', 'unknown-kind', 'duplicate-key', 'unsupported-version', 'too-deep', 'too-large']) {
      expect(reasons.get(reason) ?? 0, reason).toBeGreaterThan(0);
    }
  });

  test('the harness encoder never traps on random slots', () => {
    const fw = firmwareCodec();
    const r = new Rng(SEED + 1);
    const edges = [0n, 1n, 2n, 4n, 7n, 15n, 16n, 32n, 33n, 64n, 65n, 255n, 65535n, 0xffffffffn, 1n << 53n, -1n, -(1n << 63n), (1n << 63n) - 1n];
    let written = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = r.chance(0.02) ? 8000 + r.int(400) : r.int(80);
      const slots = Array.from({ length: Math.min(n, 8192) }, () => (r.chance(0.7) ? BigInt(r.int(40)) : r.pick(edges)));
      const pool = Uint8Array.from({ length: 256 }, () => (r.chance(0.8) ? 0x61 + r.int(26) : r.int(256)));
      const type = r.chance(0.95) ? r.int(5) : r.int(20) - 10;
      let res: number;
      try {
        res = fw.encodeRaw(type, slots, pool, r.chance(0.05) ? -r.int(10) : n);
      } catch (e) {
        throw new Error(`trap on slots ${slots.slice(0, 40).join(',')} type ${type}: ${String(e)}`);
      }
      expect(Number.isInteger(res)).toBe(true);
      if (res < 0) {
        expect(reasonOf(-res)).not.toBe('unknown');
      } else {
        // whatever it wrote is a message the gateway reads back as that type
        written++;
        expect(res).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
        const t = MESSAGE_TYPES.find((m) => MESSAGE_TYPE_CODES[m] === type)!;
        expect(gateway(t, fw.output(res)).ok).toBe(true);
      }
    }
    expect(written).toBeGreaterThan(0);
  });

  test('the slot format round-trips through the harness', () => {
    // decode -> slots -> encode gives the bytes back for valid messages
    const fw = firmwareCodec();
    for (const [i, type] of MESSAGE_TYPES.entries()) {
      for (const v of fc.sample(messageArb(type), { numRuns: 50, seed: SEED + 100 + i })) {
        const bytes = encode(type, v as never);
        const value = fw.decode(type, bytes);
        expect(fw.encode(type, value as never)).toEqual(bytes);
      }
    }
  });
});

// Typed codec for the pitwall messages, driven by the table in schema.ts.
//
// encode: typed value -> checked against the table -> CBOR data model (Maps with uint
// keys, arrays, numbers/BigInts, strings, booleans) -> cbor-x in plain-CBOR mode.
// decode: bytes -> well-formedness scan (cbor-scan.ts) -> cbor-x -> checked against the
// table -> typed value. Every refusal is a DecodeError with a reason from DECODE_ERRORS,
// the byte offset of the offending item and a path such as `events[3].timeUs`.

import { Decoder, Encoder, type Options } from 'cbor-x';
import { CborScanError, firstKeyOver, firstNonUintKey, offsetOfPath, readU32, scanCbor, type PathSegment } from './cbor-scan.js';
import {
  DECODE_ERRORS,
  EVENT,
  MAX_MESSAGE_BYTES,
  MESSAGES,
  PROTOCOL_VERSION,
  type BoardEvent,
  type DecodeErrorReason,
  type Field,
  type FieldType,
  type MessageType,
  type MessageTypes,
  type Variant,
} from './schema.js';

// ------------------------------------------------------------------ errors

export class DecodeError extends Error {
  readonly reason: DecodeErrorReason;
  readonly code: number;
  /** Byte offset in the input: the offending item (for a missing field, its container). */
  readonly offset: number;
  /** Where in the message, e.g. `events[3].timeUs`; empty for the message itself. */
  readonly path: string;

  constructor(reason: DecodeErrorReason, offset: number, path: string) {
    super(`${reason}${path ? ` at ${path}` : ''} (byte ${offset})`);
    this.name = 'DecodeError';
    this.reason = reason;
    this.code = DECODE_ERRORS[reason];
    this.offset = offset;
    this.path = path;
  }
}

export type EncodeErrorReason = Extract<
  DecodeErrorReason,
  'wrong-type' | 'missing-field' | 'out-of-range' | 'bad-count' | 'unknown-kind' | 'too-large'
>;

export class EncodeError extends Error {
  readonly reason: EncodeErrorReason;
  readonly path: string;

  constructor(reason: EncodeErrorReason, path: string, detail?: string) {
    super(`${reason}${path ? ` at ${path}` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'EncodeError';
    this.reason = reason;
    this.path = path;
  }
}

export interface EncodeOptions {
  /** Largest message allowed, bytes (default MAX_MESSAGE_BYTES). */
  maxBytes?: number;
}

export interface DecodeOptions {
  /** Longest input accepted, bytes (default MAX_MESSAGE_BYTES). */
  maxBytes?: number;
}

// ------------------------------------------------------------------ cbor-x set-up

// Plain CBOR: Maps stay maps (no tag 259), no record extension, no typed-array tags.
const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  variableMapSize: true,
});
type DecoderOptions = Options & { int64AsNumber?: boolean };
// int64AsNumber avoids a BigInt per 8-byte time stamp. cbor-x 1.6.8 turns a negative
// integer with an 8-byte argument (0x3b) into `~low32` in that mode, a wrong value, so
// inputs holding one go through the exact (BigInt) decoder instead.
const fastDecoder = new Decoder({ mapsAsObjects: false, useRecords: false, int64AsNumber: true } as DecoderOptions);
const exactDecoder = new Decoder({ mapsAsObjects: false, useRecords: false } as DecoderOptions);

// ------------------------------------------------------------------ table helpers

const variantByCode = new WeakMap<readonly Variant[], Map<number, Variant>>();
const variantByName = new WeakMap<readonly Variant[], Map<string, Variant>>();
const enumNames = new WeakMap<object, Map<number, string>>();
const sortedFields = new WeakMap<readonly Field[], readonly Field[]>();

function codes(vs: readonly Variant[]): Map<number, Variant> {
  let m = variantByCode.get(vs);
  if (!m) variantByCode.set(vs, (m = new Map(vs.map((v) => [v.code, v]))));
  return m;
}
function names(vs: readonly Variant[]): Map<string, Variant> {
  let m = variantByName.get(vs);
  if (!m) variantByName.set(vs, (m = new Map(vs.map((v) => [v.name, v]))));
  return m;
}
function enumByCode(values: Readonly<Record<string, number>>): Map<number, string> {
  let m = enumNames.get(values);
  if (!m) enumNames.set(values, (m = new Map(Object.entries(values).map(([n, c]) => [c, n]))));
  return m;
}
/** Record fields in ascending key order: the order they are written and checked in. */
function byKey(fields: readonly Field[]): readonly Field[] {
  let s = sortedFields.get(fields);
  if (!s) sortedFields.set(fields, (s = [...fields].sort((a, b) => a.key! - b.key!)));
  return s;
}
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
const LONE_SURROGATE = /\p{Cs}/u;

function renderPath(parts: readonly string[]): string {
  let s = '';
  for (const p of parts) s += p.startsWith('[') || s === '' ? p : `.${p}`;
  return s;
}

// ------------------------------------------------------------------ encode

class Path {
  readonly parts: string[] = [];
  fail(reason: EncodeErrorReason, detail?: string, extra?: string): never {
    throw new EncodeError(reason, renderPath(extra === undefined ? this.parts : [...this.parts, extra]), detail);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

/** Checks `v` against `t` and returns its CBOR data model. */
function model(t: FieldType, v: unknown, p: Path): unknown {
  switch (t.t) {
    case 'uint':
    case 'int': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return p.fail('wrong-type', 'an integer is required');
      const min = t.t === 'uint' ? 0 : t.min;
      if (v < min || v > t.max) return p.fail('out-of-range', `${v} is outside ${min}..${t.max}`);
      // cbor-x writes numbers beyond 32 bits as floats; BigInt gets an integer head.
      return v > 0xffffffff || v < -0x100000000 ? BigInt(v) : v;
    }
    case 'bool':
      if (typeof v !== 'boolean') return p.fail('wrong-type', 'a boolean is required');
      return v;
    case 'text': {
      if (typeof v !== 'string') return p.fail('wrong-type', 'a string is required');
      if (LONE_SURROGATE.test(v)) return p.fail('wrong-type', 'not valid Unicode (lone surrogate)');
      const n = utf8Length(v);
      if (n < t.min || n > t.max) return p.fail('out-of-range', `${n} UTF-8 bytes, allowed ${t.min}..${t.max}`);
      if (t.pattern && !t.pattern.test(v)) return p.fail('out-of-range', `does not match ${t.pattern}`);
      return v;
    }
    case 'enum': {
      if (typeof v !== 'string') return p.fail('wrong-type', 'an enumeration name is required');
      if (!hasOwn(t.values, v)) return p.fail('out-of-range', `unknown value ${JSON.stringify(v)}`);
      return t.values[v];
    }
    case 'list': {
      if (!Array.isArray(v)) return p.fail('wrong-type', 'an array is required');
      if (v.length < t.min || v.length > t.max)
        return p.fail('bad-count', `${v.length} items, allowed ${t.min}..${t.max}`);
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) {
        p.parts.push(`[${i}]`);
        out[i] = model(t.of, v[i], p);
        p.parts.pop();
      }
      return out;
    }
    case 'tuple': {
      if (!isPlainObject(v)) return p.fail('wrong-type', 'an object is required');
      return tupleModel(t.fields, v, p, []);
    }
    case 'record': {
      if (!isPlainObject(v)) return p.fail('wrong-type', 'an object is required');
      return recordModel(t.fields, v, p, new Map());
    }
    case 'uintMap': {
      if (!isPlainObject(v)) return p.fail('wrong-type', 'an object is required');
      const keys = Object.keys(v);
      if (keys.length > t.maxEntries) return p.fail('bad-count', `${keys.length} entries, at most ${t.maxEntries}`);
      const entries: [number, string][] = [];
      for (const k of keys) {
        if (!/^(0|[1-9][0-9]*)$/.test(k)) return p.fail('wrong-type', 'keys must be unsigned integers', `[${k}]`);
        const n = Number(k);
        if (n > t.maxKey) return p.fail('out-of-range', `key ${k} over ${t.maxKey}`, `[${k}]`);
        entries.push([n, k]);
      }
      entries.sort((a, b) => a[0] - b[0]);
      const out = new Map<unknown, unknown>();
      for (const [n, k] of entries) {
        p.parts.push(`[${k}]`);
        out.set(n > 0xffffffff ? BigInt(n) : n, model(t.value, v[k], p));
        p.parts.pop();
      }
      return out;
    }
    case 'variant': {
      const variant = pickVariant(t.variants, v, p);
      return tupleModel(variant.fields, v as Record<string, unknown>, p, [variant.code]);
    }
    case 'variantRecord': {
      const variant = pickVariant(t.variants, v, p);
      return recordModel(variant.fields, v as Record<string, unknown>, p, new Map([[t.tagKey, variant.code]]));
    }
  }
}

function pickVariant(vs: readonly Variant[], v: unknown, p: Path): Variant {
  if (!isPlainObject(v)) return p.fail('wrong-type', 'an object is required');
  const kind = v.kind;
  if (kind === undefined) return p.fail('missing-field', undefined, 'kind');
  if (typeof kind !== 'string') return p.fail('wrong-type', 'kind must be a string', 'kind');
  const variant = names(vs).get(kind);
  if (!variant) return p.fail('unknown-kind', JSON.stringify(kind), 'kind');
  return variant;
}

function tupleModel(fields: readonly Field[], v: Record<string, unknown>, p: Path, out: unknown[]): unknown[] {
  for (const f of fields) {
    p.parts.push(f.name);
    const x = v[f.name];
    if (x === undefined) p.fail('missing-field');
    out.push(model(f.type, x, p));
    p.parts.pop();
  }
  return out;
}

function recordModel(
  fields: readonly Field[],
  v: Record<string, unknown>,
  p: Path,
  out: Map<unknown, unknown>,
): Map<unknown, unknown> {
  for (const f of byKey(fields)) {
    p.parts.push(f.name);
    const x = v[f.name];
    if (x === undefined) {
      if (!f.optional) p.fail('missing-field');
    } else {
      out.set(f.key, model(f.type, x, p));
    }
    p.parts.pop();
  }
  return out;
}

/**
 * The CBOR data model of a message: a Map with key 0 = PROTOCOL_VERSION then the
 * table's keys ascending; integers beyond 32 bits as BigInt. Throws EncodeError.
 */
export function toDataModel<T extends MessageType>(type: T, value: MessageTypes[T]): Map<number, unknown> {
  const fields = MESSAGES[type];
  if (!fields) throw new EncodeError('unknown-kind', '', `no message type ${JSON.stringify(type)}`);
  const p = new Path();
  if (!isPlainObject(value)) p.fail('wrong-type', 'an object is required');
  return recordModel(fields, value as unknown as Record<string, unknown>, p, new Map([[0, PROTOCOL_VERSION]])) as Map<
    number,
    unknown
  >;
}

function toBytes(data: unknown): Uint8Array {
  // Copy out of cbor-x's shared buffer into a plain Uint8Array.
  return new Uint8Array(encoder.encode(data));
}

/** Encodes a message in preferred serialization. Throws EncodeError. */
export function encode<T extends MessageType>(type: T, value: MessageTypes[T], opts: EncodeOptions = {}): Uint8Array {
  const bytes = toBytes(toDataModel(type, value));
  const max = opts.maxBytes ?? MAX_MESSAGE_BYTES;
  if (bytes.length > max) throw new EncodeError('too-large', '', `${bytes.length} bytes, at most ${max}`);
  return bytes;
}

/** The bytes of one event as it sits in an envelope's event list. Throws EncodeError. */
export function encodeEvent(event: BoardEvent): Uint8Array {
  return toBytes(model(EVENT, event, new Path()));
}

/** Encoded size of a message, bytes (no size limit applied). Throws EncodeError. */
export function encodedSize<T extends MessageType>(type: T, value: MessageTypes[T]): number {
  return encode(type, value, { maxBytes: Number.POSITIVE_INFINITY }).length;
}

// ------------------------------------------------------------------ decode

/** A refusal found while checking the data model; located in the bytes afterwards. */
class Refusal {
  constructor(
    readonly reason: DecodeErrorReason,
    readonly segs: PathSegment[],
    readonly names: string[],
    /** item: the item at segs; a finder: run on the offset of the item at segs;
     * else an offset already known. */
    readonly at: 'item' | Finder | number,
  ) {}
}

type Finder = (bytes: Uint8Array, itemOffset: number) => number | null;

interface Ctx {
  bytes: Uint8Array;
  dups: Map<number, number> | null;
  segs: PathSegment[];
  names: string[];
}

function refuse(c: Ctx, reason: DecodeErrorReason, at: Refusal['at'] = 'item', name?: string): never {
  throw new Refusal(reason, c.segs.slice(), name === undefined ? c.names.slice() : [...c.names, name], at);
}

/** An unsigned integer as a number (exact up to 2^53, larger values only ever compared), else null. */
function asUint(v: unknown): number | null {
  if (typeof v === 'number') return v >= 0 ? v : null;
  if (typeof v === 'bigint') return v >= 0n ? Number(v) : null;
  return null;
}

function read(t: FieldType, v: unknown, c: Ctx): unknown {
  switch (t.t) {
    case 'uint': {
      const n = asUint(v);
      if (n === null) return refuse(c, 'wrong-type');
      if (n > t.max) return refuse(c, 'out-of-range');
      return n;
    }
    case 'int': {
      if (typeof v !== 'number' && typeof v !== 'bigint') return refuse(c, 'wrong-type');
      const n = Number(v);
      if (n < t.min || n > t.max) return refuse(c, 'out-of-range');
      return n;
    }
    case 'bool':
      if (v !== true && v !== false) return refuse(c, 'wrong-type');
      return v;
    case 'text': {
      if (typeof v !== 'string') return refuse(c, 'wrong-type');
      const n = utf8Length(v);
      if (n < t.min || n > t.max) return refuse(c, 'out-of-range');
      if (t.pattern && !t.pattern.test(v)) return refuse(c, 'out-of-range');
      return v;
    }
    case 'enum': {
      const n = asUint(v);
      if (n === null) return refuse(c, 'wrong-type');
      const name = enumByCode(t.values).get(n);
      if (name === undefined) return refuse(c, 'out-of-range');
      return name;
    }
    case 'list': {
      if (!Array.isArray(v)) return refuse(c, 'wrong-type');
      if (v.length < t.min || v.length > t.max) return refuse(c, 'bad-count');
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) {
        c.segs.push(i);
        c.names.push(`[${i}]`);
        out[i] = read(t.of, v[i], c);
        c.segs.pop();
        c.names.pop();
      }
      return out;
    }
    case 'tuple': {
      if (!Array.isArray(v)) return refuse(c, 'wrong-type');
      return readTuple(t.fields, v, 0, c, {});
    }
    case 'record':
      return readRecord(t.fields, checkMap(v, c), c, {});
    case 'uintMap': {
      const m = checkMap(v, c);
      if (m.size > t.maxEntries) return refuse(c, 'bad-count');
      const out: Record<number, unknown> = {};
      for (const k of m.keys()) {
        const n = asUint(k)!;
        if (n > t.maxKey) refuse(c, 'out-of-range', (bytes, at) => firstKeyOver(bytes, at, t.maxKey), `[${n}]`);
      }
      for (const [k, x] of m) {
        const n = asUint(k)!;
        c.segs.push(k as PathSegment);
        c.names.push(`[${n}]`);
        out[n] = read(t.value, x, c);
        c.segs.pop();
        c.names.pop();
      }
      return out;
    }
    case 'variant': {
      if (!Array.isArray(v)) return refuse(c, 'wrong-type');
      if (v.length === 0) return refuse(c, 'missing-field', 'item', 'kind');
      c.segs.push(0);
      const code = asUint(v[0]);
      if (code === null) refuse(c, 'wrong-type', 'item', 'kind');
      const variant = codes(t.variants).get(code!);
      if (variant === undefined) refuse(c, 'unknown-kind', 'item', 'kind');
      c.segs.pop();
      return readTuple(variant!.fields, v, 1, c, { kind: variant!.name });
    }
    case 'variantRecord': {
      const m = checkMap(v, c);
      const tag = m.get(t.tagKey);
      if (tag === undefined) return refuse(c, 'missing-field', 'item', 'kind');
      c.segs.push(t.tagKey);
      const code = asUint(tag);
      if (code === null) refuse(c, 'wrong-type', 'item', 'kind');
      const variant = codes(t.variants).get(code!);
      if (variant === undefined) refuse(c, 'unknown-kind', 'item', 'kind');
      c.segs.pop();
      return readRecord(variant!.fields, m, c, { kind: variant!.name });
    }
  }
}

function readTuple(
  fields: readonly Field[],
  v: unknown[],
  first: number,
  c: Ctx,
  out: Record<string, unknown>,
): Record<string, unknown> {
  // Elements past the known fields are ignored (forward compatibility).
  if (v.length < first + fields.length) refuse(c, 'missing-field', 'item', fields[v.length - first].name);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    c.segs.push(first + i);
    c.names.push(f.name);
    out[f.name] = read(f.type, v[first + i], c);
    c.segs.pop();
    c.names.pop();
  }
  return out;
}

/**
 * A map the schema describes: every key an unsigned integer (wrong-type), no key twice
 * (duplicate-key). Returns it with 8-byte keys normalised to numbers.
 */
function checkMap(v: unknown, c: Ctx): Map<unknown, unknown> {
  if (!(v instanceof Map)) return refuse(c, 'wrong-type');
  let bigKeys = false;
  for (const k of v.keys()) {
    if (typeof k === 'number') {
      if (k < 0) refuse(c, 'wrong-type', firstNonUintKey);
    } else if (typeof k === 'bigint') {
      if (k < 0n) refuse(c, 'wrong-type', firstNonUintKey);
      bigKeys = true;
    } else {
      refuse(c, 'wrong-type', firstNonUintKey);
    }
  }
  if (c.dups !== null) {
    const at = offsetOfPath(c.bytes, c.segs);
    const dup = at === null ? undefined : c.dups.get(at);
    if (dup !== undefined) refuse(c, 'duplicate-key', dup);
  }
  if (!bigKeys) return v;
  // Only from the exact decoder: keys written with 8-byte heads arrive as BigInt.
  const m = new Map<unknown, unknown>();
  for (const [k, x] of v) m.set(typeof k === 'bigint' && k <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(k) : k, x);
  return m;
}

function readRecord(
  fields: readonly Field[],
  m: Map<unknown, unknown>,
  c: Ctx,
  out: Record<string, unknown>,
): Record<string, unknown> {
  // Keys the table does not name are ignored (forward compatibility).
  for (const f of byKey(fields)) {
    const x = m.get(f.key);
    if (x === undefined) {
      if (!f.optional) refuse(c, 'missing-field', 'item', f.name);
      continue;
    }
    c.segs.push(f.key!);
    c.names.push(f.name);
    out[f.name] = read(f.type, x, c);
    c.segs.pop();
    c.names.pop();
  }
  return out;
}

function readMessage(type: MessageType, v: unknown, c: Ctx): unknown {
  const m = checkMap(v, c);
  const version = m.get(0);
  if (version === undefined) refuse(c, 'missing-field', 'item', 'v');
  c.segs.push(0);
  c.names.push('v');
  const n = asUint(version);
  if (n === null) refuse(c, 'wrong-type');
  if (n !== PROTOCOL_VERSION) refuse(c, 'unsupported-version');
  c.segs.pop();
  c.names.pop();
  return readRecord(MESSAGES[type], m, c, {});
}

function locate(bytes: Uint8Array, r: Refusal): number {
  if (typeof r.at === 'number') return r.at;
  let at = offsetOfPath(bytes, r.segs);
  if (typeof r.at === 'function' && at !== null) at = r.at(bytes, at);
  return at ?? 0;
}

// ------------------------------------------------------------------ direct reader

// The gateway decodes every board message, a hundred thousand a race, so the common
// case — a message as the firmware writes it — is read straight off the bytes into the
// typed value: no scan, no cbor-x data model, no second walk. It takes only inputs the
// full decoder surely accepts with the same value, and gives up (undefined) on anything
// else: every refusal, and whatever it does not handle — map keys out of ascending order
// or not in the table, tuple elements past the known fields, 64-bit negative integers,
// integers from 2^53 up, non-ASCII text. decode() then runs the full decoder, so
// refusals keep their reason, path and offset. Every item it reads is checked against
// the table as it goes, and every byte must be read, so an input it accepts is
// well-formed CBOR by construction (no tags, floats, indefinite lengths or other
// simple values; nesting no deeper than the table's).

/** Thrown inside the direct reader: this input needs the full decoder. */
const GIVE_UP = new Error('pitwall codec: not for the direct reader');

// The input being read (not kept after), where, and the argument of the head just read.
const NO_BYTES = new Uint8Array(0);
let dBytes: Uint8Array = NO_BYTES;
let dPos = 0;
let dEnd = 0;
let dArg = 0;

/**
 * Reads one item head: returns its major type, its argument in dArg. Gives up on
 * reserved or indefinite heads, on arguments ≥ 2^53 and on 64-bit negatives.
 */
function dHead(): number {
  if (dPos >= dEnd) throw GIVE_UP;
  const ib = dBytes[dPos++]!;
  const major = ib >> 5;
  const ai = ib & 0x1f;
  if (ai < 24) {
    dArg = ai;
  } else if (ai === 24) {
    if (dPos >= dEnd) throw GIVE_UP;
    dArg = dBytes[dPos++]!;
  } else if (ai === 25) {
    if (dEnd - dPos < 2) throw GIVE_UP;
    dArg = (dBytes[dPos]! << 8) | dBytes[dPos + 1]!;
    dPos += 2;
  } else if (ai === 26) {
    if (dEnd - dPos < 4) throw GIVE_UP;
    dArg = readU32(dBytes, dPos);
    dPos += 4;
  } else if (ai === 27) {
    if (dEnd - dPos < 8 || major === 1) throw GIVE_UP;
    const hi = readU32(dBytes, dPos);
    if (hi >= 0x200000) throw GIVE_UP;
    dArg = hi * 0x100000000 + readU32(dBytes, dPos + 4);
    dPos += 8;
  } else {
    throw GIVE_UP;
  }
  return major;
}

/**
 * ASCII texts read so far, by a hash of their bytes: board ids and firmware names
 * repeat in every message, so the same string comes back (no new string each time,
 * and Map lookups by board id find its hash cached).
 */
const textCache = new Map<number, string>();
const TEXT_CACHE_MAX = 4096;
const TEXT_CACHE_LONGEST = 64;

/** The ASCII text of `n` bytes at dPos; gives up on any other byte. */
function dText(n: number): string {
  const b = dBytes;
  const from = dPos;
  const to = from + n;
  let h = n;
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c >= 0x80) throw GIVE_UP;
    h = (Math.imul(h, 31) + c) | 0;
  }
  dPos = to;
  if (n > TEXT_CACHE_LONGEST) return String.fromCharCode.apply(null, b.subarray(from, to) as unknown as number[]);
  const cached = textCache.get(h);
  if (cached !== undefined && cached.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (cached.charCodeAt(i) !== b[from + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  const s = String.fromCharCode.apply(null, b.subarray(from, to) as unknown as number[]);
  if (textCache.size >= TEXT_CACHE_MAX) textCache.clear();
  textCache.set(h, s);
  return s;
}

type DirectReader = () => unknown;

/** The record fields in key order with their readers (a record's map must list its keys in that order). */
interface DirectRecord {
  keys: number[];
  names: string[];
  optional: boolean[];
  readers: DirectReader[];
}

function directRecord(fields: readonly Field[]): DirectRecord {
  const sorted = byKey(fields);
  return {
    keys: sorted.map((f) => f.key!),
    names: sorted.map((f) => f.name),
    optional: sorted.map((f) => f.optional === true),
    readers: sorted.map((f) => directReader(f.type)),
  };
}

/** Reads `n` map entries into `out`: keys ascending, each a field of `r`; every required field present. */
function dEntries(r: DirectRecord, n: number, out: Record<string, unknown>): Record<string, unknown> {
  const keys = r.keys;
  let fi = 0;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    if (dHead() !== 0 || dArg <= prev) throw GIVE_UP;
    const k = dArg;
    prev = k;
    while (fi < keys.length && keys[fi]! < k) {
      if (!r.optional[fi]) throw GIVE_UP;
      fi++;
    }
    if (fi === keys.length || keys[fi] !== k) throw GIVE_UP;
    out[r.names[fi]!] = r.readers[fi]!();
    fi++;
  }
  for (; fi < keys.length; fi++) if (!r.optional[fi]) throw GIVE_UP;
  return out;
}

/** Reads the next map key, which must be `key`. */
function dKey(key: number): void {
  // A key below 24 is one byte, the key itself.
  if (key < 24 && dBytes[dPos] === key) dPos++;
  else if (dHead() !== 0 || dArg !== key) throw GIVE_UP;
}

/**
 * A reader of the typed object with these fields (`kind` first when given): each value
 * read in order by its type's reader — after its map key, read by dKey, when `keyed`.
 * The object is written as one literal, so every value of a shape is built alike (no
 * property added one at a time). Generated from the table, never from input.
 */
function objectReader(kind: string | undefined, fields: readonly Field[], keyed: boolean): DirectReader {
  const names = fields.map((f) => f.name);
  const readers = fields.map((f) => directReader(f.type));
  const keys = keyed ? fields.map((f) => f.key!) : null;
  const props: string[] = [];
  if (kind !== undefined) props.push(`kind: ${JSON.stringify(kind)}`);
  names.forEach((n, i) => props.push(`${JSON.stringify(n)}: ${keys ? `(k(${keys[i]!}), r[${i}]())` : `r[${i}]()`}`));
  // A literal's __proto__ sets the prototype; the full decoder's assignment does the same
  // only for some values. No field is named so; should one be, the full decoder reads it.
  if (names.includes('__proto__')) {
    return () => {
      throw GIVE_UP;
    };
  }
  return new Function('r', 'k', `return () => ({ ${props.join(', ')} });`)(readers, dKey) as DirectReader;
}

/** A map with these fields, keys ascending (after the tag of a variant record, `kind` given). */
function recordReader(fields: readonly Field[], kind: string | undefined): (n: number) => unknown {
  const r = directRecord(fields);
  if (r.optional.some((o) => o)) return (n) => dEntries(r, n, kind === undefined ? {} : { kind });
  // Every field required: exactly the table's keys, in order.
  const read = objectReader(kind, byKey(fields), true);
  return (n) => {
    if (n !== r.keys.length) throw GIVE_UP;
    return read();
  };
}

/**
 * Objects of one small integer key, by key, to copy. In V8 an object that gets such a
 * key by assignment keeps room for 20 elements; a copy of one made by JSON.parse has
 * room for just its own (a health event's counters live as long as the race state).
 */
const oneKeyObjects: Array<Record<number, unknown>> = [];

function oneKey(key: number, value: unknown): Record<number, unknown> {
  if (key >= 64) return { [key]: value };
  const shape = (oneKeyObjects[key] ??= JSON.parse(`{"${key}":0}`) as Record<number, unknown>);
  const out = { ...shape };
  out[key] = value;
  return out;
}

const directReaders = new WeakMap<FieldType, DirectReader>();

function directReader(t: FieldType): DirectReader {
  let r = directReaders.get(t);
  if (!r) directReaders.set(t, (r = makeDirectReader(t)));
  return r;
}

function makeDirectReader(t: FieldType): DirectReader {
  switch (t.t) {
    case 'uint': {
      const max = t.max;
      return () => {
        // Below 24: one byte, the value itself.
        const b = dBytes[dPos]!;
        if (b < 24) {
          dPos++;
          if (b > max) throw GIVE_UP;
          return b;
        }
        if (dHead() !== 0 || dArg > max) throw GIVE_UP;
        return dArg;
      };
    }
    case 'int': {
      const { min, max } = t;
      return () => {
        const major = dHead();
        let n: number;
        if (major === 0) n = dArg;
        else if (major === 1) n = -1 - dArg;
        else throw GIVE_UP;
        if (n < min || n > max) throw GIVE_UP;
        return n;
      };
    }
    case 'bool':
      return () => {
        if (dPos >= dEnd) throw GIVE_UP;
        const b = dBytes[dPos]!;
        if (b !== 0xf4 && b !== 0xf5) throw GIVE_UP;
        dPos++;
        return b === 0xf5;
      };
    case 'text': {
      const { min, max, pattern } = t;
      // Texts that matched the pattern: board ids repeat (and dText gives the same string back).
      const matched = new Set<string>();
      return () => {
        // ASCII: bytes and UTF-8 length are the same.
        if (dHead() !== 3 || dArg < min || dArg > max || dArg > dEnd - dPos) throw GIVE_UP;
        const s = dText(dArg);
        if (pattern && !matched.has(s)) {
          if (!pattern.test(s)) throw GIVE_UP;
          if (matched.size >= TEXT_CACHE_MAX) matched.clear();
          matched.add(s);
        }
        return s;
      };
    }
    case 'enum': {
      const names = enumByCode(t.values);
      return () => {
        if (dHead() !== 0) throw GIVE_UP;
        const name = names.get(dArg);
        if (name === undefined) throw GIVE_UP;
        return name;
      };
    }
    case 'list': {
      const { min, max } = t;
      const of = directReader(t.of);
      return () => {
        // Every item takes a byte at least.
        if (dHead() !== 4 || dArg < min || dArg > max || dArg > dEnd - dPos) throw GIVE_UP;
        const n = dArg;
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = of();
        return out;
      };
    }
    case 'tuple': {
      const count = t.fields.length;
      const read = objectReader(undefined, t.fields, false);
      return () => {
        if (dHead() !== 4 || dArg !== count) throw GIVE_UP;
        return read();
      };
    }
    case 'record': {
      const read = recordReader(t.fields, undefined);
      return () => {
        if (dHead() !== 5) throw GIVE_UP;
        return read(dArg);
      };
    }
    case 'uintMap': {
      const { maxKey, maxEntries } = t;
      const value = directReader(t.value);
      return () => {
        if (dHead() !== 5 || dArg > maxEntries) throw GIVE_UP;
        const n = dArg;
        if (n === 1) {
          // The common case (a health event's one counter), in an object of its size.
          if (dHead() !== 0 || dArg > maxKey) throw GIVE_UP;
          const key = dArg;
          return oneKey(key, value());
        }
        const out: Record<number, unknown> = {};
        let prev = -1;
        for (let i = 0; i < n; i++) {
          if (dHead() !== 0 || dArg <= prev || dArg > maxKey) throw GIVE_UP;
          prev = dArg;
          out[prev] = value();
        }
        return out;
      };
    }
    case 'variant': {
      // By code: the element count with the code, and the reader of the rest.
      const counts: number[] = [];
      const reads: DirectReader[] = [];
      for (const v of t.variants) {
        counts[v.code] = v.fields.length + 1;
        reads[v.code] = objectReader(v.name, v.fields, false);
      }
      return () => {
        if (dHead() !== 4 || dArg === 0) throw GIVE_UP;
        const n = dArg;
        const read = dHead() === 0 ? reads[dArg] : undefined;
        if (read === undefined || n !== counts[dArg]) throw GIVE_UP;
        return read();
      };
    }
    case 'variantRecord': {
      const tagKey = t.tagKey;
      // By code; only variants whose keys all follow the tag's.
      const reads: Array<(n: number) => unknown> = [];
      for (const v of t.variants) if (v.fields.every((f) => f.key! > tagKey)) reads[v.code] = recordReader(v.fields, v.name);
      return () => {
        if (dHead() !== 5 || dArg === 0) throw GIVE_UP;
        const n = dArg;
        // The tag first: it is the smallest key its fields may follow.
        if (dHead() !== 0 || dArg !== tagKey) throw GIVE_UP;
        const read = dHead() === 0 ? reads[dArg] : undefined;
        if (read === undefined) throw GIVE_UP;
        return read(n - 1);
      };
    }
  }
}

const directMessages = new Map<MessageType, (n: number) => unknown>();

/** The message read straight off `bytes`, or undefined when the full decoder must look at it. */
function readDirect(type: MessageType, bytes: Uint8Array): unknown {
  let read = directMessages.get(type);
  if (!read) directMessages.set(type, (read = recordReader(MESSAGES[type], undefined)));
  dBytes = bytes;
  dPos = 0;
  dEnd = bytes.length;
  try {
    // Key 0, the version, first; then the table's fields.
    if (dHead() !== 5) return undefined;
    const n = dArg;
    if (n === 0 || dHead() !== 0 || dArg !== 0) return undefined;
    const version = dHead() === 0 ? (dArg as number) : -1;
    if (version !== PROTOCOL_VERSION) return undefined;
    const out = read(n - 1);
    return dPos === dEnd ? out : undefined;
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  } finally {
    dBytes = NO_BYTES;
  }
}

/**
 * Decodes one message of `type`. Throws DecodeError (and nothing else) for any input
 * that is not an acceptable message of that type.
 */
export function decode<T extends MessageType>(type: T, bytes: Uint8Array, opts: DecodeOptions = {}): MessageTypes[T] {
  if (!MESSAGES[type]) throw new TypeError(`no message type ${JSON.stringify(type)}`);
  const max = opts.maxBytes ?? MAX_MESSAGE_BYTES;
  // The direct reader (above) takes what boards send; anything else — every refusal
  // included — goes the full way, which finds the reason and the offset.
  if (bytes instanceof Uint8Array && bytes.length <= max) {
    const value = readDirect(type, bytes);
    if (value !== undefined) return value as MessageTypes[T];
  }
  return decodeFull(type, bytes, max);
}

function decodeFull<T extends MessageType>(type: T, bytes: Uint8Array, maxBytes: number): MessageTypes[T] {
  let scan;
  try {
    scan = scanCbor(bytes, { maxBytes });
  } catch (e) {
    if (e instanceof CborScanError) throw new DecodeError(e.reason, e.offset, '');
    throw e;
  }
  let data: unknown;
  try {
    data = (scan.hasNint64 ? exactDecoder : fastDecoder).decode(bytes);
  } catch {
    // The scan accepted it, so this is a cbor-x limitation rather than bad input.
    throw new DecodeError('malformed', 0, '');
  }
  const c: Ctx = { bytes, dups: scan.duplicateKeys, segs: [], names: [] };
  try {
    return readMessage(type, data, c) as MessageTypes[T];
  } catch (e) {
    if (e instanceof Refusal) throw new DecodeError(e.reason, locate(bytes, e), renderPath(e.names));
    throw e;
  }
}

export type DecodeResult<T extends MessageType> =
  | { ok: true; value: MessageTypes[T] }
  | { ok: false; error: DecodeError };

/** decode() that returns the refusal instead of throwing it. */
export function tryDecode<T extends MessageType>(type: T, bytes: Uint8Array, opts: DecodeOptions = {}): DecodeResult<T> {
  try {
    return { ok: true, value: decode(type, bytes, opts) };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, error: e };
    throw e;
  }
}

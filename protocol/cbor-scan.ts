// Well-formedness scan of one CBOR data item (RFC 8949 Appendix F), run over the raw
// bytes before any decoder sees them. It also enforces what pitwall refuses anywhere in
// a message, ignored content included: indefinite lengths, tags, floats, simple values
// other than false/true/null, invalid UTF-8, nesting over MAX_DEPTH, oversize input.
// Iterative with a fixed-size stack: every step consumes at least one byte, so the scan
// ends after at most `bytes.length` items whatever the input.

import { DECODE_ERRORS, MAX_DEPTH, MAX_MESSAGE_BYTES, type DecodeErrorReason } from './schema.js';

export class CborScanError extends Error {
  readonly reason: DecodeErrorReason;
  readonly code: number;
  /** Byte offset of the offending item's first byte (or of the input's end). */
  readonly offset: number;

  constructor(reason: DecodeErrorReason, offset: number) {
    super(`${reason} at byte ${offset}`);
    this.name = 'CborScanError';
    this.reason = reason;
    this.code = DECODE_ERRORS[reason];
    this.offset = offset;
  }
}

export interface ScanOptions {
  /** Longest input accepted, bytes. */
  maxBytes?: number;
  /** Most arrays/maps open at once; the top-level container counts as one. */
  maxDepth?: number;
}

export interface ScanResult {
  /** Offset just past the item (equal to the input length, since trailing bytes are refused). */
  end: number;
  /** Some negative integer uses an 8-byte argument (0x3b head). */
  hasNint64: boolean;
  /**
   * Maps holding an unsigned-integer key twice (compared by value, whatever the head
   * width): map offset -> offset of the first repeated key. Null when there are none.
   * Whether that is an error depends on the schema (see codec.ts).
   */
  duplicateKeys: Map<number, number> | null;
}

const TWO_32 = 0x100000000;
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Scans `bytes` as exactly one CBOR item; throws CborScanError (and nothing else) when
 * the input is not acceptable.
 */
export function scanCbor(bytes: Uint8Array, opts: ScanOptions = {}): ScanResult {
  const maxBytes = opts.maxBytes ?? MAX_MESSAGE_BYTES;
  const maxDepth = opts.maxDepth ?? MAX_DEPTH;
  const len = bytes.length;
  if (len > maxBytes) throw new CborScanError('too-large', maxBytes);
  if (len === 0) throw new CborScanError('truncated', 0);

  // One frame per open array/map.
  const remaining: number[] = []; // items still to read (entries for maps)
  const isMap: boolean[] = [];
  const wantKey: boolean[] = []; // next item of the map is a key
  const mapStart: number[] = [];
  const mapKeys: (Set<number | string> | null)[] = [];
  let depth = 0;
  let pos = 0;
  let hasNint64 = false;
  let duplicateKeys: Map<number, number> | null = null;

  for (;;) {
    const start = pos;
    if (pos >= len) throw new CborScanError('truncated', pos);
    const ib = bytes[pos++];
    const major = ib >> 5;
    const ai = ib & 0x1f;
    const top = depth - 1;
    const isKey = depth > 0 && isMap[top] && wantKey[top];

    if (ai >= 28) {
      if (ai < 31) throw new CborScanError('malformed', start);
      // ai 31: indefinite length for strings/arrays/maps, break or nothing otherwise.
      throw new CborScanError(major >= 2 && major <= 5 ? 'indefinite-length' : 'malformed', start);
    }

    let opened = false;
    if (major === 7) {
      if (ai === 20 || ai === 21 || ai === 22) {
        // false, true, null
      } else if (ai === 24) {
        if (pos >= len) throw new CborScanError('truncated', start);
        // Two-byte simple values below 32 are not well-formed (RFC 8949 §3.3).
        throw new CborScanError(bytes[pos] < 32 ? 'malformed' : 'unsupported-item', start);
      } else {
        throw new CborScanError('unsupported-item', start); // other simple values, floats
      }
    } else if (major === 6) {
      throw new CborScanError('unsupported-item', start);
    } else {
      // Argument: exact below 2^53, approximate (but larger than any length) above.
      let arg: number;
      let hi = 0;
      let lo = 0;
      if (ai < 24) {
        arg = ai;
      } else {
        const n = 1 << (ai - 24);
        if (len - pos < n) throw new CborScanError('truncated', start);
        if (n === 1) arg = bytes[pos];
        else if (n === 2) arg = (bytes[pos] << 8) | bytes[pos + 1];
        else if (n === 4) arg = readU32(bytes, pos);
        else {
          hi = readU32(bytes, pos);
          lo = readU32(bytes, pos + 4);
          arg = hi * TWO_32 + lo;
        }
        pos += n;
      }

      if (major === 0) {
        if (isKey) {
          const id: number | string = ai === 27 && hi >= 0x200000 ? `${hi}:${lo}` : arg;
          let keys = mapKeys[top];
          if (keys === null) keys = mapKeys[top] = new Set();
          if (keys.has(id)) {
            if (duplicateKeys === null) duplicateKeys = new Map();
            if (!duplicateKeys.has(mapStart[top])) duplicateKeys.set(mapStart[top], start);
          } else {
            keys.add(id);
          }
        }
      } else if (major === 1) {
        if (ai === 27) hasNint64 = true;
      } else if (major === 2 || major === 3) {
        if (arg > len - pos) throw new CborScanError('truncated', start);
        if (major === 3 && !isUtf8(bytes, pos, pos + arg)) throw new CborScanError('invalid-utf8', start);
        pos += arg;
      } else {
        // 4 array, 5 map
        if (depth >= maxDepth) throw new CborScanError('too-deep', start);
        if (arg > 0) {
          remaining[depth] = arg;
          isMap[depth] = major === 5;
          wantKey[depth] = true;
          mapStart[depth] = start;
          mapKeys[depth] = null;
          depth++;
          opened = true;
        }
      }
    }

    if (opened) continue;
    // An item is complete: count it against its container(s).
    while (depth > 0) {
      const t = depth - 1;
      if (isMap[t]) {
        if (wantKey[t]) {
          wantKey[t] = false;
          break;
        }
        wantKey[t] = true;
      }
      if (--remaining[t] > 0) break;
      depth--; // the container itself is now complete
    }
    if (depth === 0) break;
  }

  if (pos !== len) throw new CborScanError('trailing-bytes', pos);
  return { end: pos, hasNint64, duplicateKeys };
}

/** Like scanCbor, but returns the error instead of throwing it. */
export function checkCbor(bytes: Uint8Array, opts: ScanOptions = {}): CborScanError | null {
  try {
    scanCbor(bytes, opts);
    return null;
  } catch (e) {
    if (e instanceof CborScanError) return e;
    throw e;
  }
}

/** The big-endian u32 at `p` (the caller has checked there are 4 bytes). */
export function readU32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

/** Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
export function isUtf8(b: Uint8Array, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c === 0xe0) (need = 2), (lo = 0xa0);
    else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) need = 2;
    else if (c === 0xed) (need = 2), (hi = 0x9f);
    else if (c === 0xf0) (need = 3), (lo = 0x90);
    else if (c >= 0xf1 && c <= 0xf3) need = 3;
    else if (c === 0xf4) (need = 3), (hi = 0x8f);
    else return false;
    if (to - i - 1 < need) return false;
    const c1 = b[i + 1];
    if (c1 < lo || c1 > hi) return false;
    for (let k = 2; k <= need; k++) {
      const ck = b[i + k];
      if (ck < 0x80 || ck > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

// ------------------------------------------------------------------ locating items

/** The head of the item at `offset` of well-formed input. */
export interface Head {
  major: number;
  ai: number;
  /** Argument as a number (approximate above 2^53). */
  arg: number;
  /** Argument exactly (8-byte arguments only; otherwise BigInt(arg)). */
  big: bigint;
  /** Offset of the first byte after the head. */
  next: number;
}

/** Reads an item head; returns null when the bytes there are not a complete head. */
export function readHead(bytes: Uint8Array, offset: number): Head | null {
  if (offset < 0 || offset >= bytes.length) return null;
  const ib = bytes[offset];
  const major = ib >> 5;
  const ai = ib & 0x1f;
  let p = offset + 1;
  let arg = ai;
  let big: bigint | null = null;
  if (ai >= 24 && ai <= 27) {
    const n = 1 << (ai - 24);
    if (bytes.length - p < n) return null;
    if (n === 1) arg = bytes[p];
    else if (n === 2) arg = (bytes[p] << 8) | bytes[p + 1];
    else if (n === 4) arg = readU32(bytes, p);
    else {
      const hi = readU32(bytes, p);
      const lo = readU32(bytes, p + 4);
      arg = hi * TWO_32 + lo;
      big = (BigInt(hi) << 32n) | BigInt(lo);
    }
    p += n;
  } else if (ai >= 28 && ai !== 31) {
    return null;
  }
  return { major, ai, arg, big: big ?? BigInt(arg), next: p };
}

/**
 * Offset just past the item starting at `offset`, or -1 when the input is not
 * well-formed there. Handles indefinite lengths so diagnostics can use it too.
 */
export function skipItem(bytes: Uint8Array, offset: number): number {
  const len = bytes.length;
  const stack: number[] = []; // items left per open container; -1 while indefinite
  let pos = offset;
  for (;;) {
    const h = readHead(bytes, pos);
    if (h === null) return -1;
    pos = h.next;
    let opened = false;
    if (h.ai === 31) {
      if (h.major === 7) {
        // break: ends the innermost container, which must be indefinite
        if (stack.length === 0 || stack[stack.length - 1] !== -1) return -1;
        stack.pop();
      } else if (h.major >= 2 && h.major <= 5) {
        stack.push(-1);
        opened = true;
      } else {
        return -1;
      }
    } else if (h.major === 2 || h.major === 3) {
      if (h.arg > len - pos) return -1;
      pos += h.arg;
    } else if (h.major === 4 || h.major === 5) {
      if (h.arg > len - pos) return -1;
      const n = h.major === 4 ? h.arg : 2 * h.arg;
      if (n > 0) {
        stack.push(n);
        opened = true;
      }
    } else if (h.major === 6) {
      stack.push(1);
      opened = true;
    }
    if (opened) continue;
    while (stack.length > 0) {
      const t = stack.length - 1;
      if (stack[t] === -1 || --stack[t] > 0) break;
      stack.pop();
    }
    if (stack.length === 0) return pos;
  }
}

/** A step of a path: an array index, or a map key (uint, text). */
export type PathSegment = number | bigint | string;

/**
 * Byte offset of the item reached from the top-level item of well-formed `bytes` by
 * following `path`: in an array a segment is an index, in a map it is a key (the first
 * entry with that key). With `key: true` the last segment names a map key and its
 * offset is returned instead of its value's. Returns null when there is no such item.
 */
export function offsetOfPath(
  bytes: Uint8Array,
  path: readonly PathSegment[],
  opts: { key?: boolean } = {},
): number | null {
  let pos = 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const h = readHead(bytes, pos);
    if (h === null || h.ai === 31) return null;
    if (h.major === 4) {
      if (typeof seg !== 'number' || !Number.isInteger(seg) || seg < 0 || seg >= h.arg) return null;
      let p = h.next;
      for (let k = 0; k < seg; k++) {
        p = skipItem(bytes, p);
        if (p < 0) return null;
      }
      pos = p;
    } else if (h.major === 5) {
      let p = h.next;
      let found = -1;
      let keyAt = -1;
      for (let k = 0; k < h.arg; k++) {
        const kp = p;
        if (keyMatches(bytes, kp, seg)) {
          keyAt = kp;
          found = skipItem(bytes, kp);
          break;
        }
        p = skipItem(bytes, p);
        if (p < 0) return null;
        p = skipItem(bytes, p);
        if (p < 0) return null;
      }
      if (found < 0) return null;
      pos = opts.key && i === path.length - 1 ? keyAt : found;
    } else {
      return null;
    }
  }
  return pos;
}

function keyMatches(bytes: Uint8Array, offset: number, seg: PathSegment): boolean {
  const h = readHead(bytes, offset);
  if (h === null) return false;
  if (typeof seg === 'string') {
    if (h.major !== 3 || h.ai === 31 || h.arg > bytes.length - h.next) return false;
    return utf8Decoder.decode(bytes.subarray(h.next, h.next + h.arg)) === seg;
  }
  if (h.major !== 0) return false;
  return typeof seg === 'bigint' ? h.big === seg : h.ai === 27 ? h.big === BigInt(seg) : h.arg === seg;
}

/** Offset of the first key of the map at `mapOffset` that is not an unsigned integer. */
export function firstNonUintKey(bytes: Uint8Array, mapOffset: number): number | null {
  const h = readHead(bytes, mapOffset);
  if (h === null || h.major !== 5 || h.ai === 31) return null;
  let p = h.next;
  for (let k = 0; k < h.arg; k++) {
    const kh = readHead(bytes, p);
    if (kh === null) return null;
    if (kh.major !== 0) return p;
    p = skipItem(bytes, p);
    if (p < 0) return null;
    p = skipItem(bytes, p);
    if (p < 0) return null;
  }
  return null;
}

/** Offset of the first unsigned-integer key over `max` of the map at `mapOffset`. */
export function firstKeyOver(bytes: Uint8Array, mapOffset: number, max: number): number | null {
  const h = readHead(bytes, mapOffset);
  if (h === null || h.major !== 5 || h.ai === 31) return null;
  const limit = BigInt(max);
  let p = h.next;
  for (let k = 0; k < h.arg; k++) {
    const kh = readHead(bytes, p);
    if (kh === null) return null;
    if (kh.major === 0 && kh.big > limit) return p;
    p = skipItem(bytes, p);
    if (p < 0) return null;
    p = skipItem(bytes, p);
    if (p < 0) return null;
  }
  return null;
}

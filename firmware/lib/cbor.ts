// CBOR (RFC 8949) for the boards: a writer and a reader over caller-owned memory.
//
// Neither allocates after construction: the writer fills a region it is given, the
// reader reads one and copies text into buffers it is given. The reader first checks
// the whole input the way the gateway's scanner does (protocol/cbor-scan.ts), so a
// message that one side refuses is refused by the other for the same reason; typed
// reads after that cannot run off the input, and every one of them is still
// bounds-checked so a reader used without the first pass cannot trap either.

// Decode error codes: the same numbers as DECODE_ERRORS in protocol/schema.ts.
export const ERR_TRUNCATED: i32 = 1;
export const ERR_MALFORMED: i32 = 2;
export const ERR_INDEFINITE_LENGTH: i32 = 3;
export const ERR_TRAILING_BYTES: i32 = 4;
export const ERR_TOO_LARGE: i32 = 5;
export const ERR_TOO_DEEP: i32 = 6;
export const ERR_WRONG_TYPE: i32 = 7;
export const ERR_MISSING_FIELD: i32 = 8;
export const ERR_OUT_OF_RANGE: i32 = 9;
export const ERR_BAD_COUNT: i32 = 10;
export const ERR_UNKNOWN_KIND: i32 = 11;
export const ERR_UNSUPPORTED_VERSION: i32 = 12;
export const ERR_DUPLICATE_KEY: i32 = 13;
export const ERR_INVALID_UTF8: i32 = 14;
export const ERR_UNSUPPORTED_ITEM: i32 = 15;

/** Largest message any board sends or accepts (MAX_MESSAGE_BYTES). */
export const MAX_MESSAGE: u32 = 4096;
/** Nesting allowed anywhere in a message (MAX_DEPTH). */
export const MAX_DEPTH: u32 = 16;

export const MAJOR_UINT: i32 = 0;
export const MAJOR_NEGINT: i32 = 1;
export const MAJOR_BYTES: i32 = 2;
export const MAJOR_TEXT: i32 = 3;
export const MAJOR_ARRAY: i32 = 4;
export const MAJOR_MAP: i32 = 5;
export const MAJOR_TAG: i32 = 6;
export const MAJOR_SIMPLE: i32 = 7;

/** FNV-1a, 32 bit: the config hash boards announce in their birth. */
export function fnv1a32(ptr: usize, len: u32): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i: u32 = 0; i < len; i++) {
    h ^= <u32>load<u8>(ptr + <usize>i);
    h *= 0x01000193;
  }
  return h;
}

// ------------------------------------------------------------------ writer

/**
 * Appends CBOR items to [ptr, ptr + cap). A write that does not fit sets `overflow`
 * and writes nothing, and so does every write after it: callers check once, at the
 * end. Heads are always the shortest form (preferred serialization).
 */
export class Writer {
  ptr: usize = 0;
  cap: u32 = 0;
  pos: u32 = 0;
  overflow: bool = false;

  constructor(ptr: usize = 0, cap: u32 = 0) {
    this.ptr = ptr;
    this.cap = cap;
  }

  reset(ptr: usize, cap: u32): void {
    this.ptr = ptr;
    this.cap = cap;
    this.pos = 0;
    this.overflow = false;
  }

  /** Whether `n` more bytes fit; marks the overflow when they do not. */
  private room(n: u32): bool {
    if (this.overflow) return false;
    if (this.pos > this.cap || n > this.cap - this.pos) {
      this.overflow = true;
      return false;
    }
    return true;
  }

  head(major: u32, v: u64): void {
    const ib = major << 5;
    const at = this.ptr + <usize>this.pos;
    if (v < 24) {
      if (!this.room(1)) return;
      store<u8>(at, <u8>(ib | <u32>v));
      this.pos += 1;
    } else if (v <= 0xff) {
      if (!this.room(2)) return;
      store<u8>(at, <u8>(ib | 24));
      store<u8>(at + 1, <u8>v);
      this.pos += 2;
    } else if (v <= 0xffff) {
      if (!this.room(3)) return;
      store<u8>(at, <u8>(ib | 25));
      store<u16>(at + 1, bswap<u16>(<u16>v));
      this.pos += 3;
    } else if (v <= 0xffffffff) {
      if (!this.room(5)) return;
      store<u8>(at, <u8>(ib | 26));
      store<u32>(at + 1, bswap<u32>(<u32>v));
      this.pos += 5;
    } else {
      if (!this.room(9)) return;
      store<u8>(at, <u8>(ib | 27));
      store<u64>(at + 1, bswap<u64>(v));
      this.pos += 9;
    }
  }

  uint(v: u64): void {
    this.head(0, v);
  }

  int(v: i64): void {
    if (v >= 0) this.head(0, <u64>v);
    else this.head(1, <u64>~v); // -1 - v
  }

  bool(v: bool): void {
    this.byte(v ? 0xf5 : 0xf4);
  }

  nul(): void {
    this.byte(0xf6);
  }

  text(ptr: usize, len: u32): void {
    this.head(3, len);
    this.raw(ptr, len);
  }

  bytes(ptr: usize, len: u32): void {
    this.head(2, len);
    this.raw(ptr, len);
  }

  arrayHead(n: u32): void {
    this.head(4, n);
  }

  mapHead(n: u32): void {
    this.head(5, n);
  }

  /** Appends bytes that are already CBOR (an encoded event, say). */
  raw(ptr: usize, len: u32): void {
    if (!this.room(len)) return;
    memory.copy(this.ptr + <usize>this.pos, ptr, len);
    this.pos += len;
  }

  private byte(b: u32): void {
    if (!this.room(1)) return;
    store<u8>(this.ptr + <usize>this.pos, <u8>b);
    this.pos += 1;
  }
}

// ------------------------------------------------------------------ reader

// Open containers during the well-formedness pass: items still to come in each.
const STACK_CAP: u32 = 64;
const WF_STACK = memory.data(<i32>STACK_CAP * 4);

/**
 * Reads one CBOR message from [ptr, ptr + len).
 *
 * `wellFormed` checks the whole input first. The typed reads then walk it item by
 * item; the first failure sets `error` (a decode error code) and `errOffset` (the
 * offset of the offending item's first byte). Errors are sticky: later reads return
 * zeroes and change nothing, so a decoder can check once per step.
 */
export class Reader {
  ptr: usize = 0;
  len: u32 = 0;
  pos: u32 = 0;
  /** Inputs longer than this are refused as too-large. */
  limit: u32 = MAX_MESSAGE;
  error: i32 = 0;
  errOffset: u32 = 0;

  // The last head read: major type, additional info, argument.
  hMajor: i32 = 0;
  hAi: i32 = 0;
  hArg: u64 = 0;

  constructor(ptr: usize = 0, len: u32 = 0) {
    this.ptr = ptr;
    this.len = len;
  }

  reset(ptr: usize, len: u32, limit: u32 = MAX_MESSAGE): void {
    this.ptr = ptr;
    this.len = len;
    this.limit = limit;
    this.pos = 0;
    this.error = 0;
    this.errOffset = 0;
  }

  /** Records the first error; returns it (or the earlier one). */
  fail(code: i32, offset: u32): i32 {
    if (this.error == 0) {
      this.error = code;
      this.errOffset = offset;
    }
    return this.error;
  }

  /**
   * Reads the head at `pos` into hMajor/hAi/hArg and moves past it. On a truncated
   * or reserved head records the error at the head's offset and returns false.
   * Additional info 31 is returned as is (hArg 0): what it means depends on the major.
   */
  private readHead(): bool {
    const start = this.pos;
    if (start >= this.len) {
      this.fail(ERR_TRUNCATED, start);
      return false;
    }
    const ib = <i32>load<u8>(this.ptr + <usize>start);
    const ai = ib & 31;
    this.hMajor = ib >> 5;
    this.hAi = ai;
    const avail = this.len - start - 1;
    const at = this.ptr + <usize>start + 1;
    if (ai < 24) {
      this.hArg = <u64>ai;
      this.pos = start + 1;
    } else if (ai == 24) {
      if (avail < 1) {
        this.fail(ERR_TRUNCATED, start);
        return false;
      }
      this.hArg = <u64>load<u8>(at);
      this.pos = start + 2;
    } else if (ai == 25) {
      if (avail < 2) {
        this.fail(ERR_TRUNCATED, start);
        return false;
      }
      this.hArg = <u64>bswap<u16>(load<u16>(at));
      this.pos = start + 3;
    } else if (ai == 26) {
      if (avail < 4) {
        this.fail(ERR_TRUNCATED, start);
        return false;
      }
      this.hArg = <u64>bswap<u32>(load<u32>(at));
      this.pos = start + 5;
    } else if (ai == 27) {
      if (avail < 8) {
        this.fail(ERR_TRUNCATED, start);
        return false;
      }
      this.hArg = bswap<u64>(load<u64>(at));
      this.pos = start + 9;
    } else if (ai == 31) {
      this.hArg = 0;
      this.pos = start + 1;
    } else {
      this.fail(ERR_MALFORMED, start); // 28..30 are reserved
      return false;
    }
    return true;
  }

  /**
   * Checks that the input is exactly one well-formed item the protocol allows:
   * definite lengths, no tags, floats or simple values other than false/true/null,
   * valid UTF-8 in every text string, at most `maxDepth` nested arrays and maps,
   * no bytes after it, at most `limit` bytes in all. Returns 0 or the error code
   * (also in `error`/`errOffset`) and leaves `pos` at 0 for the typed reads.
   */
  wellFormed(maxDepth: u32 = MAX_DEPTH): i32 {
    this.pos = 0;
    this.error = 0;
    this.errOffset = 0;
    if (this.len > this.limit) return this.fail(ERR_TOO_LARGE, this.limit);
    if (maxDepth > STACK_CAP) maxDepth = STACK_CAP;
    let depth: u32 = 0;
    for (;;) {
      // one item starts here; it counts against the innermost open container
      if (depth > 0) {
        const slot = WF_STACK + <usize>(depth - 1) * 4;
        store<u32>(slot, load<u32>(slot) - 1);
      }
      const start = this.pos;
      if (start >= this.len) return this.fail(ERR_TRUNCATED, start);
      const ib = <i32>load<u8>(this.ptr + <usize>start);
      const major = ib >> 5;
      const ai = ib & 31;
      // What the first byte alone settles comes before any argument bytes are read.
      if (ai >= 28) {
        if (ai < 31) return this.fail(ERR_MALFORMED, start);
        return this.fail(major >= MAJOR_BYTES && major <= MAJOR_MAP ? ERR_INDEFINITE_LENGTH : ERR_MALFORMED, start);
      }
      if (major == MAJOR_SIMPLE) {
        if (ai == 24) {
          if (start + 1 >= this.len) return this.fail(ERR_TRUNCATED, start);
          // two-byte simple values below 32 are not well-formed (RFC 8949 3.3)
          return this.fail(load<u8>(this.ptr + <usize>start + 1) < 32 ? ERR_MALFORMED : ERR_UNSUPPORTED_ITEM, start);
        }
        if (ai < 20 || ai > 22) return this.fail(ERR_UNSUPPORTED_ITEM, start); // other simple values, floats
        this.pos = start + 1;
      } else if (major == MAJOR_TAG) {
        return this.fail(ERR_UNSUPPORTED_ITEM, start);
      } else {
        if (!this.readHead()) return this.error;
        const arg = this.hArg;
        if (major == MAJOR_BYTES || major == MAJOR_TEXT) {
          if (arg > <u64>(this.len - this.pos)) return this.fail(ERR_TRUNCATED, start);
          const n = <u32>arg;
          if (major == MAJOR_TEXT && !validUtf8(this.ptr + <usize>this.pos, n)) return this.fail(ERR_INVALID_UTF8, start);
          this.pos += n;
        } else if (major == MAJOR_ARRAY || major == MAJOR_MAP) {
          if (depth >= maxDepth) return this.fail(ERR_TOO_DEEP, start);
          // Every item takes at least one byte, so a count past the input's length ends
          // in truncation either way; clamping keeps the arithmetic in 32 bits.
          const room = <u64>this.len + 1;
          let n = <u32>(arg < room ? arg : room);
          if (major == MAJOR_MAP) n *= 2;
          if (n > 0) {
            store<u32>(WF_STACK + <usize>depth * 4, n);
            depth++;
            continue;
          }
        }
      }
      // close every container whose last item this was
      while (depth > 0 && load<u32>(WF_STACK + <usize>(depth - 1) * 4) == 0) depth--;
      if (depth == 0) break;
    }
    if (this.pos < this.len) return this.fail(ERR_TRAILING_BYTES, this.pos);
    this.pos = 0;
    return 0;
  }

  /** Major type of the next item, or -1 at the end of the input or after an error. */
  peekMajor(): i32 {
    if (this.error != 0 || this.pos >= this.len) return -1;
    return <i32>load<u8>(this.ptr + <usize>this.pos) >> 5;
  }

  /** Whether the next item is an unsigned integer. */
  atUint(): bool {
    return this.peekMajor() == MAJOR_UINT;
  }

  /** An unsigned integer <= max (wrong-type for anything else, out-of-range above max). */
  readUint(max: u64): u64 {
    if (this.error != 0) return 0;
    const start = this.pos;
    if (!this.readHead()) return 0;
    if (this.hMajor != MAJOR_UINT || this.hAi == 31) {
      this.fail(ERR_WRONG_TYPE, start);
      return 0;
    }
    if (this.hArg > max) {
      this.fail(ERR_OUT_OF_RANGE, start);
      return 0;
    }
    return this.hArg;
  }

  /** An integer (major 0 or 1) within [min, max]. */
  readInt(min: i64, max: i64): i64 {
    if (this.error != 0) return 0;
    const start = this.pos;
    if (!this.readHead()) return 0;
    const arg = this.hArg;
    if (this.hAi == 31 || (this.hMajor != MAJOR_UINT && this.hMajor != MAJOR_NEGINT)) {
      this.fail(ERR_WRONG_TYPE, start);
      return 0;
    }
    if (this.hMajor == MAJOR_UINT) {
      // arg may exceed i64's range; compare as unsigned against a non-negative max
      if (max < 0 || arg > <u64>max || <i64>arg < min) {
        this.fail(ERR_OUT_OF_RANGE, start);
        return 0;
      }
      return <i64>arg;
    }
    // the value is -1 - arg; it is >= min exactly when arg <= -1 - min
    if (min >= 0 || arg > <u64>(-1 - min)) {
      this.fail(ERR_OUT_OF_RANGE, start);
      return 0;
    }
    const v = -1 - <i64>arg;
    if (v > max) {
      this.fail(ERR_OUT_OF_RANGE, start);
      return 0;
    }
    return v;
  }

  /** true or false (null and everything else: wrong-type). */
  readBool(): bool {
    if (this.error != 0) return false;
    const start = this.pos;
    if (!this.readHead()) return false;
    if (this.hMajor == MAJOR_SIMPLE && this.hAi == 20) return false;
    if (this.hMajor == MAJOR_SIMPLE && this.hAi == 21) return true;
    this.fail(ERR_WRONG_TYPE, start);
    return false;
  }

  /**
   * A text string of min..max bytes, copied to dst (at most cap bytes). Returns its
   * length in bytes; the UTF-8 was checked by the first pass.
   */
  readText(dst: usize, cap: u32, min: u32, max: u32): u32 {
    const n = this.textHead(min, max);
    if (this.error != 0) return 0;
    memory.copy(dst, this.ptr + <usize>this.pos, n < cap ? n : cap);
    this.pos += n;
    return n;
  }

  private textHead(min: u32, max: u32): u32 {
    if (this.error != 0) return 0;
    const start = this.pos;
    if (!this.readHead()) return 0;
    if (this.hMajor != MAJOR_TEXT || this.hAi == 31) {
      this.fail(ERR_WRONG_TYPE, start);
      return 0;
    }
    if (this.hArg > <u64>(this.len - this.pos)) {
      this.fail(ERR_TRUNCATED, start);
      return 0;
    }
    const n = <u32>this.hArg;
    if (n < min || n > max) {
      this.fail(ERR_OUT_OF_RANGE, start);
      return 0;
    }
    return n;
  }

  /** The count of an array (wrong-type for anything else). */
  readArrayHead(): u32 {
    return this.containerHead(MAJOR_ARRAY);
  }

  /** The number of entries of a map (wrong-type for anything else). */
  readMapHead(): u32 {
    return this.containerHead(MAJOR_MAP);
  }

  private containerHead(major: i32): u32 {
    if (this.error != 0) return 0;
    const start = this.pos;
    if (!this.readHead()) return 0;
    if (this.hMajor != major || this.hAi == 31) {
      this.fail(ERR_WRONG_TYPE, start);
      return 0;
    }
    // a count larger than the input can hold would run into truncation anyway
    if (this.hArg > <u64>(this.len - this.pos)) {
      this.fail(ERR_TRUNCATED, start);
      return 0;
    }
    return <u32>this.hArg;
  }

  /**
   * Moves past one item of any kind, nested content included. Stops with an error
   * (never loops forever: every step consumes a byte) on input the first pass would
   * have refused.
   */
  skip(): void {
    let pending: u64 = 1;
    while (pending > 0) {
      if (this.error != 0) return;
      const start = this.pos;
      if (!this.readHead()) return;
      pending--;
      const major = this.hMajor;
      if (this.hAi == 31) {
        this.fail(major >= MAJOR_BYTES && major <= MAJOR_MAP ? ERR_INDEFINITE_LENGTH : ERR_MALFORMED, start);
        return;
      }
      if (major == MAJOR_BYTES || major == MAJOR_TEXT) {
        if (this.hArg > <u64>(this.len - this.pos)) {
          this.fail(ERR_TRUNCATED, start);
          return;
        }
        this.pos += <u32>this.hArg;
      } else if (major == MAJOR_ARRAY || major == MAJOR_MAP) {
        if (this.hArg > <u64>(this.len - this.pos)) {
          this.fail(ERR_TRUNCATED, start);
          return;
        }
        pending += major == MAJOR_MAP ? this.hArg * 2 : this.hArg;
      } else if (major == MAJOR_TAG) {
        pending++; // the tagged item follows
      }
    }
  }
}

/** Whether [p, p + n) is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
export function validUtf8(p: usize, n: u32): bool {
  let i: u32 = 0;
  while (i < n) {
    const b0 = <u32>load<u8>(p + <usize>i);
    if (b0 < 0x80) {
      i++;
      continue;
    }
    let need: u32;
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      if (b0 == 0xe0) lo = 0xa0;
      else if (b0 == 0xed) hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      if (b0 == 0xf0) lo = 0x90;
      else if (b0 == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (need > n - i - 1) return false;
    const b1 = <u32>load<u8>(p + <usize>i + 1);
    if (b1 < lo || b1 > hi) return false;
    for (let k: u32 = 2; k <= need; k++) {
      const b = <u32>load<u8>(p + <usize>(i + k));
      if (b < 0x80 || b > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

/**
 * Whether [p, p + n) is a board id: `^[a-z0-9][a-z0-9-]{0,31}$` (it is also an
 * MQTT topic level).
 */
export function validBoardId(p: usize, n: u32): bool {
  if (n < 1 || n > 32) return false;
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c == 0x2d && i > 0);
    if (!ok) return false;
  }
  return true;
}

import { describe, expect, it } from 'vitest';
import {
  CborScanError,
  checkCbor,
  firstNonUintKey,
  isUtf8,
  offsetOfPath,
  scanCbor,
  skipItem,
} from '../../protocol/cbor-scan.js';
import { DECODE_ERRORS, MAX_DEPTH, MAX_MESSAGE_BYTES, type DecodeErrorReason } from '../../protocol/schema.js';
import { bytes } from './golden.js';

function err(hex: string, opts = {}): { reason: DecodeErrorReason; offset: number } | null {
  const e = checkCbor(bytes(hex), opts);
  return e && { reason: e.reason, offset: e.offset };
}

describe('scanCbor: well-formed input', () => {
  it.each([
    ['00', 'uint 0'],
    ['17', 'uint 23'],
    ['1818', 'uint 24'],
    ['1bffffffffffffffff', 'uint 2^64-1'],
    ['3bffffffffffffffff', 'nint -2^64'],
    ['20', 'nint -1'],
    ['40', 'empty bytes'],
    ['60', 'empty text'],
    ['6449455446', 'text "IETF"'],
    ['62c3bc', 'text "ü"'],
    ['64f0908591', 'text U+10151'],
    ['80', 'empty array'],
    ['a0', 'empty map'],
    ['f4', 'false'],
    ['f5', 'true'],
    ['f6', 'null'],
    ['8301820203820405', 'nested arrays'],
    ['a201020304', 'map'],
    ['1800', 'non-preferred uint 0'],
    ['9801' + '00', 'non-preferred array head'],
  ])('%s (%s)', (hex) => {
    expect(err(hex)).toBeNull();
    expect(scanCbor(bytes(hex)).end).toBe(hex.length / 2);
  });

  it('reports 0x3b heads so the exact decoder is used', () => {
    expect(scanCbor(bytes('823b000000000000000001')).hasNint64).toBe(true);
    expect(scanCbor(bytes('823a0000000001')).hasNint64).toBe(false);
  });
});

describe('scanCbor: refusals', () => {
  it.each<[string, DecodeErrorReason, number, string]>([
    ['', 'truncated', 0, 'empty input'],
    ['18', 'truncated', 0, 'uint8 head without its byte'],
    ['1b00000000', 'truncated', 0, 'uint64 head with 4 bytes'],
    ['83', 'truncated', 1, 'array without items'],
    ['8301', 'truncated', 2, 'array with 1 of 3 items'],
    ['a101', 'truncated', 2, 'map entry without value'],
    ['6461', 'truncated', 0, 'text head says 4, 1 follows'],
    ['5affffffff00', 'truncated', 0, 'huge byte string'],
    ['9bffffffffffffffff00', 'truncated', 10, 'array of 2^64-1 items'],
    ['1c', 'malformed', 0, 'ai 28'],
    ['1d', 'malformed', 0, 'ai 29'],
    ['1e', 'malformed', 0, 'ai 30'],
    ['fc', 'malformed', 0, 'major 7 ai 28'],
    ['1f', 'malformed', 0, 'uint ai 31'],
    ['3f', 'malformed', 0, 'nint ai 31'],
    ['df', 'malformed', 0, 'tag ai 31'],
    ['ff', 'malformed', 0, 'stray break'],
    ['8201ff', 'malformed', 2, 'break inside a definite array'],
    ['f800', 'malformed', 0, 'two-byte simple 0'],
    ['f81f', 'malformed', 0, 'two-byte simple 31'],
    ['5f40ff', 'indefinite-length', 0, 'indefinite bytes'],
    ['7f60ff', 'indefinite-length', 0, 'indefinite text'],
    ['9fff', 'indefinite-length', 0, 'indefinite array'],
    ['bfff', 'indefinite-length', 0, 'indefinite map'],
    ['82019f', 'indefinite-length', 2, 'nested indefinite array'],
    ['0000', 'trailing-bytes', 1, 'two items'],
    ['8100ff', 'trailing-bytes', 2, 'a break after the item'],
    ['c000', 'unsupported-item', 0, 'tag 0'],
    ['d818' + '40', 'unsupported-item', 0, 'tag 24'],
    ['c249010000000000000000', 'unsupported-item', 0, 'bignum'],
    ['f90000', 'unsupported-item', 0, 'half float'],
    ['fa47c35000', 'unsupported-item', 0, 'single float'],
    ['fb3ff199999999999a', 'unsupported-item', 0, 'double float'],
    ['f7', 'unsupported-item', 0, 'undefined'],
    ['e0', 'unsupported-item', 0, 'simple 0'],
    ['f3', 'unsupported-item', 0, 'simple 19'],
    ['f820', 'unsupported-item', 0, 'simple 32'],
    ['f8ff', 'unsupported-item', 0, 'simple 255'],
    ['8201f9', 'unsupported-item', 2, 'float inside an array'],
    ['61ff', 'invalid-utf8', 0, '0xff'],
    ['61c0', 'invalid-utf8', 0, 'lone lead byte'],
    ['62c0af', 'invalid-utf8', 0, 'overlong 2-byte'],
    ['63e08080', 'invalid-utf8', 0, 'overlong 3-byte'],
    ['64f0808080', 'invalid-utf8', 0, 'overlong 4-byte'],
    ['63eda080', 'invalid-utf8', 0, 'surrogate D800'],
    ['63edbfbf', 'invalid-utf8', 0, 'surrogate DFFF'],
    ['64f4908080', 'invalid-utf8', 0, 'above U+10FFFF'],
    ['64f5808080', 'invalid-utf8', 0, 'lead byte F5'],
    ['6180', 'invalid-utf8', 0, 'continuation byte first'],
    ['62e282', 'invalid-utf8', 0, 'cut 3-byte sequence'],
    ['a1' + '6161' + '62c328', 'invalid-utf8', 3, 'bad text as a map value'],
    ['a1' + '62c328' + '00', 'invalid-utf8', 1, 'bad text as a map key'],
  ])('%s: %s at %i (%s)', (hex, reason, offset) => {
    expect(err(hex)).toEqual({ reason, offset });
  });

  it('throws a CborScanError with the reason code', () => {
    let e: unknown;
    try {
      scanCbor(bytes('ff'));
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(CborScanError);
    expect((e as CborScanError).code).toBe(DECODE_ERRORS.malformed);
  });

  it('refuses input over the limit before reading it, and honours a caller limit', () => {
    const b = new Uint8Array(MAX_MESSAGE_BYTES + 1).fill(0xff);
    expect(checkCbor(b)).toMatchObject({ reason: 'too-large', offset: MAX_MESSAGE_BYTES });
    expect(err('8100', { maxBytes: 1 })).toEqual({ reason: 'too-large', offset: 1 });
    expect(err('8100', { maxBytes: 2 })).toBeNull();
  });

  it('allows MAX_DEPTH nested containers and refuses one more', () => {
    const nest = (n: number) => '81'.repeat(n - 1) + '80';
    expect(err(nest(MAX_DEPTH))).toBeNull();
    expect(err(nest(MAX_DEPTH + 1))).toEqual({ reason: 'too-deep', offset: MAX_DEPTH });
    expect(err('81'.repeat(MAX_DEPTH) + '00')).toBeNull(); // scalars inside the 16th level are fine
    expect(err('a100'.repeat(MAX_DEPTH) + '00')).toBeNull();
    expect(err('a100'.repeat(MAX_DEPTH) + 'a0')).toEqual({ reason: 'too-deep', offset: 2 * MAX_DEPTH });
    expect(err('81'.repeat(3) + '80', { maxDepth: 3 })).toEqual({ reason: 'too-deep', offset: 3 });
    // A container used as a map key nests too.
    expect(err('a1'.repeat(1) + '81'.repeat(MAX_DEPTH - 2) + '80' + '00')).toBeNull();
    expect(err('a1' + '81'.repeat(MAX_DEPTH - 1) + '80' + '00')).toEqual({ reason: 'too-deep', offset: MAX_DEPTH });
  });

  it('does not run long on large counts: every item costs a byte', () => {
    const b = bytes('9bffffffffffffffff' + '80'.repeat(4000));
    expect(checkCbor(b)).toMatchObject({ reason: 'truncated', offset: b.length });
  });
});

describe('scanCbor: duplicate keys', () => {
  it('notes maps holding an unsigned key twice, by value', () => {
    expect(scanCbor(bytes('a2010001' + '00')).duplicateKeys).toEqual(new Map([[0, 3]]));
    expect(scanCbor(bytes('a2' + '1801' + '00' + '1b0000000000000001' + '00')).duplicateKeys).toEqual(new Map([[0, 4]]));
    expect(scanCbor(bytes('a2' + '1b1000000000000000' + '00' + '1b1000000000000001' + '00')).duplicateKeys).toBeNull();
    expect(scanCbor(bytes('a2' + '1b1000000000000001' + '00' + '1b1000000000000001' + '00')).duplicateKeys).toEqual(new Map([[0, 11]]));
    expect(scanCbor(bytes('82' + 'a0' + 'a2010001' + '00')).duplicateKeys).toEqual(new Map([[2, 5]]));
  });
  it('does not confuse keys with values or keys of different maps', () => {
    expect(scanCbor(bytes('a2' + '0101' + '0202')).duplicateKeys).toBeNull();
    expect(scanCbor(bytes('a2' + '01' + 'a10100' + '02' + 'a10100')).duplicateKeys).toBeNull();
    expect(scanCbor(bytes('a2' + '6161' + '00' + '6161' + '00')).duplicateKeys).toBeNull(); // text keys: not its business
  });
});

describe('isUtf8', () => {
  it('accepts every well-formed sequence length', () => {
    const s = 'a' + 'é' + '€' + '🏁' + '\u{10FFFF}' + '\uFFFF';
    const b = new TextEncoder().encode(s);
    expect(isUtf8(b, 0, b.length)).toBe(true);
  });
  it('agrees with a fatal TextDecoder on all two-byte inputs', () => {
    const dec = new TextDecoder('utf-8', { fatal: true });
    const b = new Uint8Array(2);
    for (let x = 0; x < 256; x++)
      for (let y = 0; y < 256; y++) {
        b[0] = x;
        b[1] = y;
        let ok = true;
        try {
          dec.decode(b);
        } catch {
          ok = false;
        }
        expect(isUtf8(b, 0, 2)).toBe(ok);
      }
  });
});

describe('locating items', () => {
  // {0: 1, 1: [10, [20, 21]], 2: {7: "x"}, "k": 5}
  const b = bytes('a4' + '0001' + '01' + '82' + '0a' + '82' + '1415' + '02' + 'a1' + '07' + '6178' + '616b' + '05');
  it('finds items by array index and map key', () => {
    expect(offsetOfPath(b, [])).toBe(0);
    expect(offsetOfPath(b, [0])).toBe(2);
    expect(offsetOfPath(b, [1])).toBe(4);
    expect(offsetOfPath(b, [1, 1, 1])).toBe(8);
    expect(offsetOfPath(b, [2, 7])).toBe(12);
    expect(offsetOfPath(b, [2, 7], { key: true })).toBe(11);
    expect(offsetOfPath(b, ['k'])).toBe(16);
    expect(offsetOfPath(b, [2n])).toBe(10);
  });
  it('returns null for paths that lead nowhere', () => {
    expect(offsetOfPath(b, [9])).toBeNull();
    expect(offsetOfPath(b, [1, 2])).toBeNull();
    expect(offsetOfPath(b, [0, 0])).toBeNull();
    expect(offsetOfPath(b, ['z'])).toBeNull();
  });
  it('skips items, indefinite ones included', () => {
    expect(skipItem(b, 0)).toBe(b.length);
    expect(skipItem(bytes('9f01819f02ffff00'), 0)).toBe(7);
    expect(skipItem(bytes('5f4101ff'), 0)).toBe(4);
    expect(skipItem(bytes('83'), 0)).toBe(-1);
    expect(skipItem(bytes('ff'), 0)).toBe(-1);
  });
  it('finds the first key that is not an unsigned integer', () => {
    expect(firstNonUintKey(b, 0)).toBe(14);
    expect(firstNonUintKey(bytes('a20000' + '0101'), 0)).toBeNull();
  });
});

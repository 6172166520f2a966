// CBOR diagnostic notation (RFC 8949 §8, with the encoding indicators of RFC 8610
// Appendix G.2): printed from the bytes, not from a decoded value, so it shows exactly
// what is on the wire. A head longer than needed gets `_0`..`_3`; indefinite items `_ `.

import { readHead, skipItem } from './cbor-scan.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class DiagError extends Error {
  constructor(readonly offset: number) {
    super(`not well-formed CBOR at byte ${offset}`);
    this.name = 'DiagError';
  }
}

/** Diagnostic notation of the one CBOR item in `bytes`. Throws DiagError if not well-formed. */
export function diagnose(bytes: Uint8Array): string {
  const end = skipItem(bytes, 0);
  if (end < 0) throw new DiagError(0);
  if (end !== bytes.length) throw new DiagError(end);
  const out: string[] = [];
  item(bytes, 0, out, 0);
  return out.join('');
}

/** `_n` when the head at `offset` used additional info 24+n although a shorter one fits. */
function indicator(ai: number, arg: number): string {
  if (ai < 24 || ai > 27) return '';
  const shortest = arg < 24 ? 23 : arg < 0x100 ? 24 : arg < 0x10000 ? 25 : arg < 0x100000000 ? 26 : 27;
  return ai > shortest ? `_${ai - 24}` : '';
}

function item(b: Uint8Array, offset: number, out: string[], depth: number): number {
  if (depth > 256) throw new DiagError(offset);
  const h = readHead(b, offset);
  if (h === null) throw new DiagError(offset);
  let p = h.next;
  const enc = indicator(h.ai, h.arg);
  switch (h.major) {
    case 0:
      out.push(`${h.big}${enc}`);
      return p;
    case 1:
      out.push(`${-1n - h.big}${enc}`);
      return p;
    case 2:
    case 3: {
      if (h.ai === 31) {
        out.push('(_ ');
        let first = true;
        while (b[p] !== 0xff) {
          if (!first) out.push(', ');
          first = false;
          p = item(b, p, out, depth + 1);
        }
        out.push(')');
        return p + 1;
      }
      const data = b.subarray(p, p + h.arg);
      if (h.major === 2) out.push(`h'${hex(data)}'${enc}`);
      else out.push(`${text(data)}${enc}`);
      return p + h.arg;
    }
    case 4:
    case 5: {
      const map = h.major === 5;
      out.push(map ? '{' : '[');
      if (h.ai === 31) out.push('_ ');
      else out.push(enc ? `${enc} ` : '');
      const n = h.ai === 31 ? Infinity : h.arg;
      for (let i = 0; i < n; i++) {
        if (h.ai === 31 && b[p] === 0xff) {
          p++;
          break;
        }
        if (i > 0) out.push(', ');
        p = item(b, p, out, depth + 1);
        if (map) {
          out.push(': ');
          p = item(b, p, out, depth + 1);
        }
      }
      out.push(map ? '}' : ']');
      return p;
    }
    case 6:
      out.push(`${h.big}${enc}(`);
      p = item(b, p, out, depth + 1);
      out.push(')');
      return p;
    default:
      out.push(simple(b, offset, h.ai, h.arg));
      return p;
  }
}

function simple(b: Uint8Array, offset: number, ai: number, arg: number): string {
  if (ai === 20) return 'false';
  if (ai === 21) return 'true';
  if (ai === 22) return 'null';
  if (ai === 23) return 'undefined';
  if (ai < 24) return `simple(${ai})`;
  if (ai === 24) return `simple(${arg})`;
  const view = new DataView(b.buffer, b.byteOffset + offset + 1, 1 << (ai - 24));
  const v = ai === 25 ? half(view.getUint16(0)) : ai === 26 ? view.getFloat32(0) : view.getFloat64(0);
  return `${float(v)}_${ai - 24}`;
}

function half(bits: number): number {
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function float(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(v, -0)) return '-0.0';
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function hex(data: Uint8Array): string {
  let s = '';
  for (const x of data) s += x.toString(16).padStart(2, '0');
  return s;
}

function text(data: Uint8Array): string {
  try {
    return JSON.stringify(utf8.decode(data));
  } catch {
    // Not UTF-8: show the bytes the text string holds.
    return `h'${hex(data)}'`;
  }
}

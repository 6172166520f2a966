// Seeded generators of hostile inputs for decoder fuzzing: byte-level mutations of
// valid messages (bit flips, truncation, insertion, deletion, boundary bytes,
// splices, random bytes) and structure-aware ones that parse a message into a CBOR
// tree, change the tree (drop, add, repeat, reorder, retype entries and elements,
// widen integer heads) and write it back — the latter reach the schema checks
// behind the well-formedness scan.

/** mulberry32: small, fast, seeded. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Initial bytes where CBOR meaning changes: width boundaries, reserved, break, simple values, floats, tags. */
export const BOUNDARY_BYTES = [
  0x00, 0x01, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x37, 0x38, 0x3b, 0x3f, 0x40, 0x41, 0x58, 0x5f, 0x60, 0x61,
  0x78, 0x7f, 0x80, 0x81, 0x84, 0x98, 0x9f, 0xa0, 0xa1, 0xb8, 0xbf, 0xc0, 0xc1, 0xd8, 0xdf, 0xe0, 0xf3, 0xf4, 0xf5, 0xf6,
  0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xff, 0xc2, 0xe2, 0xed, 0xf0, 0x7e,
];

// ------------------------------------------------------------------ a CBOR tree

export type Node =
  | { k: 'uint'; v: bigint; w?: number }
  | { k: 'nint'; v: bigint; w?: number } // the argument: value is -1 - v
  | { k: 'bytes'; v: Uint8Array }
  | { k: 'text'; v: Uint8Array }
  | { k: 'array'; v: Node[] }
  | { k: 'map'; v: [Node, Node][] }
  | { k: 'simple'; v: number }; // 20 false, 21 true, 22 null

/** Parses well-formed definite-length CBOR (what the encoders write); null otherwise. */
export function parse(bytes: Uint8Array): Node | null {
  let p = 0;
  const head = (): { major: number; arg: bigint } | null => {
    if (p >= bytes.length) return null;
    const ib = bytes[p++];
    const major = ib >> 5;
    const ai = ib & 31;
    if (ai < 24) return { major, arg: BigInt(ai) };
    if (ai > 27) return null;
    const n = 1 << (ai - 24);
    if (p + n > bytes.length) return null;
    let arg = 0n;
    for (let i = 0; i < n; i++) arg = (arg << 8n) | BigInt(bytes[p++]);
    return { major, arg };
  };
  const item = (depth: number): Node | null => {
    if (depth > 64) return null;
    const h = head();
    if (!h) return null;
    const n = Number(h.arg);
    switch (h.major) {
      case 0:
        return { k: 'uint', v: h.arg };
      case 1:
        return { k: 'nint', v: h.arg };
      case 2:
      case 3: {
        if (p + n > bytes.length) return null;
        const v = bytes.slice(p, p + n);
        p += n;
        return h.major === 2 ? { k: 'bytes', v } : { k: 'text', v };
      }
      case 4: {
        const v: Node[] = [];
        for (let i = 0; i < n; i++) {
          const x = item(depth + 1);
          if (!x) return null;
          v.push(x);
        }
        return { k: 'array', v };
      }
      case 5: {
        const v: [Node, Node][] = [];
        for (let i = 0; i < n; i++) {
          const a = item(depth + 1);
          const b = a && item(depth + 1);
          if (!a || !b) return null;
          v.push([a, b]);
        }
        return { k: 'map', v };
      }
      case 7:
        return { k: 'simple', v: n };
      default:
        return null;
    }
  };
  const root = item(0);
  return root && p === bytes.length ? root : null;
}

function writeHead(out: number[], major: number, arg: bigint, width?: number): void {
  let w = width ?? (arg < 24n ? 0 : arg <= 0xffn ? 1 : arg <= 0xffffn ? 2 : arg <= 0xffffffffn ? 4 : 8);
  // a width too narrow for the argument falls back to the shortest that fits
  if (w !== 0 && arg >= 1n << BigInt(8 * w)) w = 8;
  if (w === 0 && arg >= 24n) w = arg <= 0xffn ? 1 : arg <= 0xffffn ? 2 : arg <= 0xffffffffn ? 4 : 8;
  if (w === 0) {
    out.push((major << 5) | Number(arg));
    return;
  }
  out.push((major << 5) | (24 + Math.log2(w)));
  for (let i = w - 1; i >= 0; i--) out.push(Number((arg >> BigInt(8 * i)) & 0xffn));
}

export function serialize(n: Node, out: number[] = []): number[] {
  switch (n.k) {
    case 'uint':
      writeHead(out, 0, n.v, n.w);
      break;
    case 'nint':
      writeHead(out, 1, n.v, n.w);
      break;
    case 'bytes':
    case 'text':
      writeHead(out, n.k === 'bytes' ? 2 : 3, BigInt(n.v.length));
      for (const b of n.v) out.push(b);
      break;
    case 'array':
      writeHead(out, 4, BigInt(n.v.length));
      for (const x of n.v) serialize(x, out);
      break;
    case 'map':
      writeHead(out, 5, BigInt(n.v.length));
      for (const [a, b] of n.v) {
        serialize(a, out);
        serialize(b, out);
      }
      break;
    case 'simple':
      out.push(0xe0 | n.v);
      break;
  }
  return out;
}

// ------------------------------------------------------------------ random items

const INTERESTING = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 13n, 14n, 15n, 16n, 23n, 24n, 31n, 32n, 63n, 64n, 255n, 256n, 65535n, 65536n,
  0xffffffffn, 0x100000000n, (1n << 53n) - 1n, 1n << 53n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n];

function randomUint(r: Rng): bigint {
  if (r.chance(0.6)) return r.pick(INTERESTING);
  if (r.chance(0.5)) return BigInt(r.int(100));
  return BigInt(r.int(0x100000000)) * (r.chance(0.3) ? BigInt(r.int(0x200000)) + 1n : 1n);
}

const TEXTS = ['', 'a', 'abc', 'x-1', 'A', 'é', '-a', 'a'.repeat(32), 'a'.repeat(33), '0.1.0', 'z'.repeat(16), 'z'.repeat(17), 'r'.repeat(64), 'r'.repeat(65), '\uFEFFa', 'ab_c', 'ab c'];
const enc = new TextEncoder();

/** A random well-formed item the protocol allows, at most `depth` levels deep. */
export function randomItem(r: Rng, depth = 3): Node {
  const roll = r.int(depth > 0 ? 10 : 7);
  switch (roll) {
    case 0:
    case 1:
      return { k: 'uint', v: randomUint(r) };
    case 2:
      return { k: 'nint', v: randomUint(r) };
    case 3:
      return { k: 'text', v: enc.encode(r.pick(TEXTS)) };
    case 4:
      return { k: 'bytes', v: Uint8Array.from({ length: r.int(4) }, () => r.int(256)) };
    case 5:
    case 6:
      return { k: 'simple', v: r.pick([20, 21, 22]) };
    case 7:
    case 8:
      return { k: 'array', v: Array.from({ length: r.int(5) }, () => randomItem(r, depth - 1)) };
    default:
      return {
        k: 'map',
        v: Array.from({ length: r.int(4) }, () => [r.chance(0.8) ? { k: 'uint', v: BigInt(r.int(10)) } : randomItem(r, 0), randomItem(r, depth - 1)] as [Node, Node]),
      };
  }
}

// ------------------------------------------------------------------ mutations

/** Every node of a tree, with a way to replace it. */
function nodes(root: Node): { node: Node; set: (x: Node) => void }[] {
  const out: { node: Node; set: (x: Node) => void }[] = [];
  const walk = (n: Node, set: (x: Node) => void): void => {
    out.push({ node: n, set });
    if (n.k === 'array') n.v.forEach((x, i) => walk(x, (y) => (n.v[i] = y)));
    if (n.k === 'map')
      n.v.forEach((e) => {
        walk(e[0], (y) => (e[0] = y));
        walk(e[1], (y) => (e[1] = y));
      });
  };
  walk(root, () => {});
  return out;
}

const clone = (n: Node): Node => structuredClone(n);

/** One structure-aware change of a parsed message; returns the new bytes. */
export function mutateTree(r: Rng, root: Node): Uint8Array {
  const t = clone(root);
  const steps = 1 + (r.chance(0.3) ? r.int(3) : 0);
  for (let s = 0; s < steps; s++) {
    const all = nodes(t);
    const { node, set } = r.pick(all);
    const containers = all.filter((x) => x.node.k === 'array' || x.node.k === 'map');
    switch (r.int(12)) {
      case 0: // replace with a random item
        set(randomItem(r, 2));
        break;
      case 1: // numbers: neighbours and boundaries
        if (node.k === 'uint' || node.k === 'nint') {
          const d = r.pick([-1n, 1n, 0n]);
          const v = r.chance(0.5) ? node.v + d : r.pick(INTERESTING);
          set({ k: r.chance(0.15) ? (node.k === 'uint' ? 'nint' : 'uint') : node.k, v: v < 0n ? 0n : v > (1n << 64n) - 1n ? (1n << 64n) - 1n : v });
        } else set(randomItem(r, 1));
        break;
      case 2: // widen an integer head (non-shortest, still valid)
        if (node.k === 'uint' || node.k === 'nint') node.w = r.pick([1, 2, 4, 8]);
        break;
      case 3: // text: lengths, pattern, bytes
        if (node.k === 'text') set({ k: 'text', v: enc.encode(r.pick(TEXTS)) });
        else if (node.k === 'simple') set({ k: 'simple', v: r.pick([20, 21, 22]) });
        break;
      default: {
        if (containers.length === 0) break;
        const c = r.pick(containers).node;
        if (c.k === 'array') {
          const op = r.int(4);
          if (op === 0 && c.v.length > 0) c.v.splice(r.int(c.v.length), 1);
          else if (op === 1) c.v.push(randomItem(r, 1));
          else if (op === 2 && c.v.length > 0) c.v.length = r.int(c.v.length);
          else if (c.v.length > 1) {
            const i = r.int(c.v.length);
            const j = r.int(c.v.length);
            [c.v[i], c.v[j]] = [c.v[j], c.v[i]];
          }
        } else if (c.k === 'map') {
          const op = r.int(6);
          if (op === 0 && c.v.length > 0) c.v.splice(r.int(c.v.length), 1); // drop a key
          else if (op === 1 && c.v.length > 0) c.v.push(clone(r.pick(c.v) as unknown as Node) as unknown as [Node, Node]); // repeat a key
          else if (op === 2) c.v.push([{ k: 'uint', v: r.chance(0.7) ? BigInt(r.int(12)) : randomUint(r) }, randomItem(r, 1)]); // add
          else if (op === 3 && c.v.length > 1) c.v.reverse(); // reorder
          else if (op === 4 && c.v.length > 0) r.pick(c.v)[0] = randomItem(r, 0); // retype a key
          else if (c.v.length > 0) r.pick(c.v)[1] = randomItem(r, 1); // retype a value
        }
      }
    }
  }
  return Uint8Array.from(serialize(t));
}

/** One byte-level change of valid bytes. */
export function mutateBytes(r: Rng, src: Uint8Array, other?: Uint8Array): Uint8Array {
  const b = Array.from(src);
  const steps = 1 + (r.chance(0.3) ? r.int(4) : 0);
  for (let s = 0; s < steps; s++) {
    const at = b.length === 0 ? 0 : r.int(b.length);
    switch (r.int(7)) {
      case 0: // bit flips
        if (b.length > 0) b[at] ^= 1 << r.int(8);
        break;
      case 1: // truncation
        b.length = r.int(b.length + 1);
        break;
      case 2: // insertion
        b.splice(at, 0, ...Array.from({ length: 1 + r.int(4) }, () => (r.chance(0.5) ? r.pick(BOUNDARY_BYTES) : r.int(256))));
        break;
      case 3: // deletion
        b.splice(at, 1 + r.int(3));
        break;
      case 4: // boundary byte
        if (b.length > 0) b[at] = r.pick(BOUNDARY_BYTES);
        break;
      case 5: // random byte
        if (b.length > 0) b[at] = r.int(256);
        break;
      default: // splice with another message, or append bytes
        if (other && other.length > 0) {
          const cut = r.int(other.length);
          b.splice(at, b.length - at, ...other.subarray(cut));
        } else b.push(r.int(256));
    }
  }
  return Uint8Array.from(b);
}

/** Random bytes, often starting like a map (most messages are maps). */
export function randomBytes(r: Rng): Uint8Array {
  const n = r.chance(0.9) ? r.int(48) : r.int(400);
  const b = Uint8Array.from({ length: n }, () => (r.chance(0.3) ? r.pick(BOUNDARY_BYTES) : r.int(256)));
  if (n > 0 && r.chance(0.5)) b[0] = 0xa0 | r.int(8);
  return b;
}

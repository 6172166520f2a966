// Writes the golden vectors (protocol/vectors/*.json) from cases.ts:
//
//   npx tsc -p tsconfig.json && node dist/protocol/vectors/generate.js [--check] [--out DIR]
//
// Deterministic: the same cases give byte-identical files. Every vector is checked on
// the way (the encoder gives the bytes, the decoder gives the value back or refuses with
// the stated reason), so a file is never written with a vector the codec disagrees with.
// --check writes nothing and exits 1 when a file differs from what would be written.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { DecodeError, decode, encode } from '../codec.js';
import { diagnose } from '../diag.js';
import { repoPath } from '../repo-root.js';
import { DECODE_ERRORS, MESSAGE_TYPES, type DecodeErrorReason, type MessageType } from '../schema.js';
import { ACCEPTED, CASES, INVALID } from './cases.js';

export interface Vector {
  name: string;
  type: MessageType;
  value: unknown;
  hex: string;
  diag: string;
}
export interface AcceptedVector extends Vector {
  note: string;
}
export interface InvalidVector {
  name: string;
  type: MessageType;
  hex: string;
  reason: DecodeErrorReason;
  code: number;
  note: string;
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

function decodeOrExplain(type: MessageType, hex: string, name: string): unknown {
  try {
    return decode(type, fromHex(hex));
  } catch (e) {
    throw new Error(`vector ${name}: refused: ${(e as Error).message}`);
  }
}

/** The files' contents, by file name. Throws when a case and the codec disagree. */
export function buildVectorFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const names = new Set<string>();
  const unique = (name: string): void => {
    if (names.has(name)) throw new Error(`duplicate vector name ${name}`);
    names.add(name);
  };

  for (const type of MESSAGE_TYPES) {
    const list: Vector[] = [];
    for (const c of CASES.filter((x) => x.type === type)) {
      unique(c.name);
      const hex = toHex(encode(c.type, c.value));
      const back = decodeOrExplain(c.type, hex, c.name);
      if (!isDeepStrictEqual(back, c.value)) throw new Error(`vector ${c.name}: decodes to ${JSON.stringify(back)}`);
      list.push({ name: c.name, type: c.type, value: c.value, hex, diag: diagnose(fromHex(hex)) });
    }
    files.set(`${type}.json`, json(list));
  }

  const accepted: AcceptedVector[] = [];
  for (const a of ACCEPTED) {
    unique(a.name);
    const back = decodeOrExplain(a.type, a.hex, a.name);
    if (!isDeepStrictEqual(back, a.value)) throw new Error(`vector ${a.name}: decodes to ${JSON.stringify(back)}`);
    if (toHex(encode(a.type, a.value)) === a.hex) throw new Error(`vector ${a.name}: is what the encoder writes anyway`);
    accepted.push({ name: a.name, type: a.type, value: a.value, hex: a.hex, diag: diagnose(fromHex(a.hex)), note: a.note });
  }
  files.set('accepted.json', json(accepted));

  const invalid: InvalidVector[] = [];
  for (const v of INVALID) {
    unique(v.name);
    try {
      decode(v.type, fromHex(v.hex));
      throw new Error(`vector ${v.name}: accepted, should be refused (${v.reason})`);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      if (e.reason !== v.reason) throw new Error(`vector ${v.name}: refused as ${e.reason} (${e.message}), expected ${v.reason}`);
    }
    invalid.push({ name: v.name, type: v.type, hex: v.hex, reason: v.reason, code: DECODE_ERRORS[v.reason], note: v.note });
  }
  files.set('invalid.json', json(invalid));
  return files;
}

function json(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}

/** protocol/vectors in the source tree, also when running from dist/. */
export function vectorsDir(): string {
  return repoPath('protocol', 'vectors');
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? resolve(argv[outAt + 1] ?? '.') : vectorsDir();
  const files = buildVectorFiles();
  let stale = 0;
  for (const [name, text] of files) {
    const path = join(out, name);
    const same = existsSync(path) && readFileSync(path, 'utf8') === text;
    if (check) {
      if (!same) {
        stale++;
        console.error(`${path}: differs from what cases.ts gives`);
      }
    } else if (!same) {
      mkdirSync(out, { recursive: true });
      writeFileSync(path, text);
      console.log(`wrote ${path}`);
    }
  }
  if (check) console.log(stale === 0 ? `vectors up to date (${files.size} files)` : `${stale} file(s) out of date`);
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}

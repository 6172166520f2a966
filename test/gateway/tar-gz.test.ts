// The .tar.gz writer of the audit bundle: what the system `tar -xzf` reads back, byte
// for byte, whatever the sizes around the 512-byte blocks; the same files give the same
// archive (no times, owners or names in the headers or the gzip wrapper).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { tarHeader, TarError, writeTarGz, type TarEntry } from '../../gateway/tar-gz.js';

const dir = mkdtempSync(join(tmpdir(), 'pitwall-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes that differ from file to file and block to block. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const SIZES = [0, 1, 511, 512, 513, 1024, 3 * 1024 * 1024 + 7];

function sampleEntries(): { entries: TarEntry[]; want: Map<string, Uint8Array> } {
  const want = new Map<string, Uint8Array>();
  const entries: TarEntry[] = [];
  SIZES.forEach((n, i) => {
    const name = `file-${n}.bin`;
    const data = bytes(n, i + 1);
    want.set(name, data);
    // Every other one from a file on disk, the rest from memory.
    if (i % 2 === 0) {
      const path = join(dir, `src-${name}`);
      writeFileSync(path, data);
      entries.push({ name, path });
    } else entries.push({ name, data });
  });
  const long = `${'n'.repeat(95)}.json`;
  want.set(long, new TextEncoder().encode('{"a":1}\n'));
  entries.push({ name: long, data: want.get(long)! });
  want.set('sub/inner.txt', new TextEncoder().encode('inside\n'));
  entries.push({ name: 'sub/inner.txt', data: want.get('sub/inner.txt')! });
  return { entries, want };
}

describe('writeTarGz', () => {
  test('tar -xzf reads every file back byte for byte, in order, 0644, owner 0, mtime 0', async () => {
    const { entries, want } = sampleEntries();
    const archive = join(dir, 'a.tar.gz');
    await writeTarGz(archive, entries);
    const out = join(dir, 'out');
    mkdirSync(out);
    execFileSync('tar', ['-xzf', archive, '-C', out]);
    for (const [name, data] of want) expect(Buffer.compare(readFileSync(join(out, name)), data), name).toBe(0);
    const listing = execFileSync('tar', ['--numeric-owner', '-tvzf', archive], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } }).trim().split('\n');
    expect(listing.map((l) => l.split(/\s+/).at(-1))).toEqual(entries.map((e) => e.name));
    for (const l of listing) expect(l).toMatch(/^-rw-r--r-- 0\/0 +\d+ 1970-01-01 00:00 /);
    // A ustar archive: magic and version in every header, then two zero blocks.
    const tar = gunzipSync(readFileSync(archive));
    expect(tar.subarray(257, 265).toString('latin1')).toBe('ustar\u000000');
    expect(tar.length % 512).toBe(0);
    expect(tar.subarray(tar.length - 1024).every((b) => b === 0)).toBe(true);
  });

  test('the same files give the same bytes; the gzip header has no name and mtime 0', async () => {
    await writeTarGz(join(dir, 'b1.tar.gz'), sampleEntries().entries);
    await writeTarGz(join(dir, 'b2.tar.gz'), sampleEntries().entries);
    const one = readFileSync(join(dir, 'b1.tar.gz'));
    expect(Buffer.compare(one, readFileSync(join(dir, 'b2.tar.gz')))).toBe(0);
    expect([...one.subarray(0, 3)]).toEqual([0x1f, 0x8b, 8]); // gzip, deflate
    expect(one[3]).toBe(0); // flags: no FNAME, FCOMMENT, FEXTRA
    expect(one.readUInt32LE(4)).toBe(0); // MTIME
  });

  test('a header checksums as tar does: the sum of its bytes with the field as spaces', () => {
    const h = tarHeader('x.json', 1234);
    const field = h.subarray(148, 156).toString('latin1');
    expect(field).toMatch(/^[0-7]{6}\0 $/);
    const copy = Buffer.from(h);
    copy.fill(0x20, 148, 156);
    expect(parseInt(field.slice(0, 6), 8)).toBe(copy.reduce((s, b) => s + b, 0));
    expect(h.subarray(124, 136).toString('latin1')).toBe(`${(1234).toString(8).padStart(11, '0')}\0`);
  });

  test('refuses names ustar cannot hold or that would land outside the folder, and a name twice', async () => {
    expect(() => tarHeader('n'.repeat(101), 0)).toThrow(TarError);
    expect(() => tarHeader('', 0)).toThrow(TarError);
    expect(() => tarHeader('/etc/passwd', 0)).toThrow(TarError);
    expect(() => tarHeader('a/../../b', 0)).toThrow(TarError);
    expect(() => tarHeader('big', 8 * 1024 ** 3)).toThrow(TarError);
    const data = new Uint8Array(1);
    await expect(writeTarGz(join(dir, 'twice.tar.gz'), [{ name: 'a', data }, { name: 'a', data }])).rejects.toThrow(/'a' twice/);
    // Nothing half-written is left behind, and nothing is still being opened there.
    expect(existsSync(join(dir, 'twice.tar.gz'))).toBe(false);
    await expect(writeTarGz(join(dir, 'gone.tar.gz'), [{ name: 'x', path: join(dir, 'no-such-file') }])).rejects.toThrow(/ENOENT/);
    expect(existsSync(join(dir, 'gone.tar.gz'))).toBe(false);
  });
});

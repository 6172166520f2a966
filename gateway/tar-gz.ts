// A gzip-compressed POSIX ustar archive (`.tar.gz`, read by `tar -xzf`), written with
// node:zlib alone. Deterministic: the same files in the same order give the same bytes —
// every header has mtime 0, mode 0644, owner 0:0 and no owner names, and node's gzip
// header carries no file name and mtime 0. Regular files only, names up to 100 bytes.
import { closeSync, createWriteStream, openSync, readSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const BLOCK = 512;
/** The largest size a ustar header holds: 11 octal digits. */
export const TAR_MAX_FILE_BYTES = 0o77777777777;
/** Read this much of a file at a time. */
const CHUNK = 1 << 20;

/** A file of the archive: its bytes, or the file on disk holding them. */
export type TarEntry = { name: string; data: Uint8Array } | { name: string; path: string };

export class TarError extends Error {
  override readonly name = 'TarError';
}

/** `value` as `width - 1` octal digits and a NUL, at `offset`. */
function octal(h: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  if (digits.length > width - 1) throw new TarError(`${value} does not fit a ${width}-byte tar header field`);
  h.write(`${digits}\0`, offset, 'latin1');
}

/** The 512-byte ustar header of a regular file. */
export function tarHeader(name: string, size: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length === 0 || nameBytes.length > 100) throw new TarError(`tar entry name '${name}' must be 1 to 100 bytes`);
  if (name.startsWith('/') || name.split('/').includes('..')) throw new TarError(`tar entry name '${name}' must be relative, without '..'`);
  if (!Number.isSafeInteger(size) || size < 0 || size > TAR_MAX_FILE_BYTES) throw new TarError(`${name}: size ${size} does not fit a ustar header`);
  const h = Buffer.alloc(BLOCK);
  nameBytes.copy(h, 0);
  octal(h, 100, 8, 0o644); // mode
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0); // mtime: fixed, so the same files give the same archive
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h[156] = 0x30; // typeflag '0': regular file
  h.write('ustar\0', 257, 'latin1'); // magic
  h.write('00', 263, 'latin1'); // version
  octal(h, 329, 8, 0); // devmajor
  octal(h, 337, 8, 0); // devminor
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/** The archive's bytes, uncompressed, in fixed-size pieces. */
function* tarChunks(entries: readonly TarEntry[], onBytes: (n: number) => void): Generator<Buffer> {
  const names = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name)) throw new TarError(`tar entry '${e.name}' twice`);
    names.add(e.name);
    if ('data' in e) {
      yield tarHeader(e.name, e.data.length);
      yield Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
      onBytes(e.data.length);
      const pad = padding(e.data.length);
      if (pad) yield Buffer.alloc(pad);
      continue;
    }
    const size = statSync(e.path).size;
    yield tarHeader(e.name, size);
    const fd = openSync(e.path, 'r');
    try {
      let done = 0;
      while (done < size) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - done));
        const n = readSync(fd, buf, 0, buf.length, done);
        if (n === 0) throw new TarError(`${e.path} shrank while being archived (${done} of ${size} bytes)`);
        done += n;
        yield n === buf.length ? buf : buf.subarray(0, n);
        onBytes(n);
      }
      if (readSync(fd, Buffer.alloc(1), 0, 1, size) !== 0) throw new TarError(`${e.path} grew while being archived`);
    } finally {
      closeSync(fd);
    }
    const pad = padding(size);
    if (pad) yield Buffer.alloc(pad);
  }
  // The end: two zero blocks.
  yield Buffer.alloc(2 * BLOCK);
}

/** Bytes of file content the archive of `entries` holds (for progress). */
export function tarContentBytes(entries: readonly TarEntry[]): number {
  return entries.reduce((n, e) => n + ('data' in e ? e.data.length : statSync(e.path).size), 0);
}

/**
 * Writes `entries`, in order, as a gzip-compressed ustar archive to `outPath`
 * (created or truncated). `onBytes` is told of each piece of file content written.
 * On failure nothing is left at `outPath`, and the file is closed before the promise
 * rejects: the pipeline gives up at the first error while the file's open may still
 * be under way, and a caller removing the folder then would race it.
 */
export async function writeTarGz(outPath: string, entries: readonly TarEntry[], onBytes: (n: number) => void = () => {}): Promise<void> {
  const file = createWriteStream(outPath);
  try {
    await pipeline(tarChunks(entries, onBytes), createGzip({ level: 6 }), file);
  } catch (err) {
    if (!file.closed) await new Promise<void>((settled) => file.once('close', () => settled()));
    rmSync(outPath, { force: true });
    throw err;
  }
}

// The `pitwall` command line: help everywhere, clear errors, and the small tools.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main, SUBCOMMANDS } from '../../gateway/cli.js';
import { encode } from '../../protocol/codec.js';

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

describe('pitwall', () => {
  it('lists its commands with --help', async () => {
    expect(await main(['--help'])).toBe(0);
    for (const c of SUBCOMMANDS) expect(out.join('\n')).toContain(c.name);
  });

  it('gives every command a --help', async () => {
    for (const c of SUBCOMMANDS) {
      out = [];
      expect(await main([c.name, '--help'])).toBe(0);
      expect(out.join('\n')).toMatch(/^Usage: pitwall /);
    }
  });

  it('refuses an unknown command and an unknown option clearly', async () => {
    expect(await main(['fly'])).toBe(2);
    expect(err.join('\n')).toContain("unknown command 'fly'");
    err = [];
    expect(await main(['decode', '--colour', 'red'])).toBe(2);
    expect(err.join('\n')).toMatch(/pitwall decode: .*--colour/);
  });

  it('decodes a payload given as hex, by type or by topic', async () => {
    const hex = Buffer.from(encode('death', { board: 'loop-sf', boot: 3 })).toString('hex');
    expect(await main(['decode', '--type', 'death', hex])).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual({ board: 'loop-sf', boot: 3 });
    out = [];
    expect(await main(['decode', '--topic', 'pitwall/v1/demo/loop-sf/death', hex])).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual({ board: 'loop-sf', boot: 3 });
  });

  it('says why a payload is refused, with the byte offset', async () => {
    expect(await main(['decode', '--type', 'death', 'a20001'])).toBe(1);
    expect(err.join('\n')).toMatch(/refused: truncated at byte 3/);
    expect(await main(['decode', '--type', 'birth', 'zz'])).toBe(2);
    expect(err.join('\n')).toContain('not hex');
  });

  it('runs the board images\u2019 self tests', async () => {
    expect(await main(['selftest'])).toBe(0);
    expect(out).toEqual(['loop: selftest passed', 'box: selftest passed']);
  });
});

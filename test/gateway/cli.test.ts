// The `pitwall` command line: help everywhere, clear errors, and the small tools.
import { describe, expect, it } from 'vitest';
import { main, SUBCOMMANDS } from '../../gateway/cli.js';
import { encode } from '../../protocol/codec.js';
import { repoPath } from '../../protocol/repo-root.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pitwallCli } from '../support/pitwall-cli.js';

const cli = pitwallCli();

describe('pitwall', () => {
  it('lists its commands with --help', async () => {
    expect(await main(['--help'])).toBe(0);
    for (const c of SUBCOMMANDS) expect(cli.out.join('\n')).toContain(c.name);
  });

  it('gives every command a --help', async () => {
    for (const c of SUBCOMMANDS) {
      cli.out = [];
      expect(await main([c.name, '--help'])).toBe(0);
      expect(cli.out.join('\n')).toMatch(/^Usage: pitwall /);
    }
  });

  it('refuses an unknown command and an unknown option clearly', async () => {
    expect(await main(['fly'])).toBe(2);
    expect(cli.err.join('\n')).toContain("unknown command 'fly'");
    cli.err = [];
    expect(await main(['decode', '--colour', 'red'])).toBe(2);
    expect(cli.err.join('\n')).toMatch(/pitwall decode: .*--colour/);
  });

  it('explains pitwall board and refuses bad board options clearly', async () => {
    expect(await main(['board', '--help'])).toBe(0);
    expect(cli.out.join('\n')).toMatch(/--feed stdin\|none/);
    const refused = async (argv: string[], message: RegExp) => {
      cli.err = [];
      expect(await main(['board', ...argv])).toBe(2);
      expect(cli.err.join('\n')).toMatch(message);
    };
    const ok = ['--kind', 'loop', '--id', 'loop-sf', '--broker', 'mqtt://127.0.0.1:1'];
    await refused(['--kind', 'tower', '--id', 'x', '--broker', 'mqtt://127.0.0.1:1'], /pitwall board: --kind must be loop or box, not 'tower'/);
    await refused(['--id', 'x', '--broker', 'mqtt://127.0.0.1:1'], /--kind is required/);
    await refused(['--kind', 'box', '--broker', 'mqtt://127.0.0.1:1'], /--id is required/);
    await refused(['--kind', 'box', '--id', 'Box 1', '--broker', 'mqtt://127.0.0.1:1'], /--id 'Box 1' is not a board id/);
    await refused(['--kind', 'box', '--id', 'box-1'], /--broker is required/);
    await refused(['--kind', 'box', '--id', 'box-1', '--broker', 'http://x'], /--broker must be an mqtt\|/);
    await refused([...ok, '--boot', '4294967296'], /--boot must be a whole number from 0 to 4294967295/);
    await refused([...ok, '--clock-us', '1.5'], /--clock-us must be a whole number/);
    await refused([...ok, '--feed', 'serial'], /--feed must be stdin or none/);
    await refused([...ok, '--password', 'p'], /--password needs --username/);
    await refused([...ok, '--feed', 'none'], /could not connect to mqtt:\/\/127\.0\.0\.1:1/);
  });

  it('pitwall sim: refuses bad options and a broken scenario clearly, naming the field', async () => {
    const refused = async (argv: string[], message: RegExp) => {
      cli.err = [];
      expect(await main(['sim', ...argv])).toBe(2);
      expect(cli.err.join('\n')).toMatch(message);
    };
    const ten = repoPath('sim-hardware', 'scenarios', 'martinsville-10.json');
    await refused([], /pitwall sim: --scenario FILE is required/);
    await refused(['--scenario', 'nowhere.json'], /no scenario file nowhere\.json/);
    await refused(['--scenario', ten, '--boards', 'process'], /--boards process needs --broker/);
    await refused(['--scenario', ten, '--boards', 'rack'], /--boards must be in-process or process/);
    await refused(['--scenario', ten, '--speed', 'fast'], /--speed must be a number above 0/);
    await refused(['--scenario', ten, '--broker', 'http://x'], /--broker must be a URL/);
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-sim-'));
    try {
      const bad = JSON.parse(readFileSync(ten, 'utf8'));
      bad.field[1].transponder = bad.field[0].transponder;
      writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
      await refused(['--scenario', join(dir, 'bad.json')], /bad\.json: field\[1\]\.transponder: duplicates field\[0\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pitwall sim: runs the 10-lap race in memory and writes truth.json and boards.jsonl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-sim-'));
    try {
      expect(await main(['sim', '--scenario', repoPath('sim-hardware', 'scenarios', 'martinsville-10.json'), '--out', dir, '--quiet'])).toBe(0);
      expect(cli.out.join('\n')).toMatch(/10 laps at Martinsville Speedway, 6 trucks; winner #\d+/);
      const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
      expect(truth.format).toBe('pitwall-truth/1');
      expect(truth.pitStops).toHaveLength(2);
      const lines = readFileSync(join(dir, 'boards.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(new Set(lines.map((l) => l.board)).size).toBe(13);
      expect(lines.filter((l) => l.channel === 'evt').length).toBeGreaterThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decodes a payload given as hex, by type or by topic', async () => {
    const hex = Buffer.from(encode('death', { board: 'loop-sf', boot: 3 })).toString('hex');
    expect(await main(['decode', '--type', 'death', hex])).toBe(0);
    expect(JSON.parse(cli.out.join('\n'))).toEqual({ board: 'loop-sf', boot: 3 });
    cli.out = [];
    expect(await main(['decode', '--topic', 'pitwall/v1/demo/loop-sf/death', hex])).toBe(0);
    expect(JSON.parse(cli.out.join('\n'))).toEqual({ board: 'loop-sf', boot: 3 });
  });

  it('says why a payload is refused, with the byte offset', async () => {
    expect(await main(['decode', '--type', 'death', 'a20001'])).toBe(1);
    expect(cli.err.join('\n')).toMatch(/refused: truncated at byte 3/);
    expect(await main(['decode', '--type', 'birth', 'zz'])).toBe(2);
    expect(cli.err.join('\n')).toContain('not hex');
  });

  it('runs the board images\u2019 self tests', async () => {
    expect(await main(['selftest'])).toBe(0);
    expect(cli.out).toEqual(['loop: selftest passed', 'box: selftest passed']);
  });
});

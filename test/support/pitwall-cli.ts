// `pitwall …` run in the test's own process, with what it prints captured: the lines it
// logs (console.log / console.error) and what it writes straight to process.stdout and
// process.stderr (results.json, progress bars).
import { afterEach, beforeEach, vi } from 'vitest';
import { main } from '../../gateway/cli.js';

/** What the runs printed since the test began (or since a test emptied one). */
export interface PitwallOutput {
  /** console.log lines. */
  out: string[];
  /** console.error lines. */
  err: string[];
  /** process.stdout chunks. */
  stdout: string[];
  /** process.stderr chunks. */
  stderr: string[];
}

export interface PitwallCli extends PitwallOutput {
  /** `runPitwall` into these arrays. */
  pitwall(argv: string[]): Promise<number>;
}

/**
 * Runs `pitwall argv` in this process; what it writes to process.stdout and stderr goes
 * onto `into`'s arrays (read at each write, so a test may replace them). The exit code.
 */
export async function runPitwall(argv: string[], into: Pick<PitwallOutput, 'stdout' | 'stderr'>): Promise<number> {
  const writeInto = (which: 'stdout' | 'stderr') => (chunk: string | Uint8Array): boolean => {
    into[which].push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(writeInto('stdout'));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(writeInto('stderr'));
  try {
    return await main(argv);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/**
 * Console capture for every test of the file or `describe` it is called in, emptied
 * before each test and restored after it. Tests may replace an array to start afresh.
 */
export function pitwallCli(): PitwallCli {
  const cli: PitwallCli = {
    out: [],
    err: [],
    stdout: [],
    stderr: [],
    pitwall: (argv) => runPitwall(argv, cli),
  };
  beforeEach(() => {
    cli.out = [];
    cli.err = [];
    cli.stdout = [];
    cli.stderr = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void cli.out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void cli.err.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());
  return cli;
}

// `pitwall selftest`: runs each board image's built-in self test, as a board does at power-on.
import { BoardHost, type BoardImageKind } from '../../sim-hardware/board-host.js';
import { parseOptions, CliError, type Subcommand } from './cli-support.js';

const KINDS: readonly BoardImageKind[] = ['loop', 'box'];

export const selftestCommand: Subcommand = {
  name: 'selftest',
  summary: "run the board images' built-in self tests",
  help: `Usage: pitwall selftest [--board loop|box]

Instantiates each board image (build/firmware/*.wasm) and runs its 'selftest'
export: golden vectors of its encoder and decoder and its outbox ring. Prints one
line per image; exits 1 when any check fails.

Options:
  --board KIND   only this image (loop or box)`,
  async run(argv) {
    const { values } = parseOptions(argv, { board: { type: 'string' } });
    const kinds = values.board === undefined ? KINDS : KINDS.filter((k) => k === values.board);
    if (kinds.length === 0) throw new CliError(`--board must be loop or box, not '${values.board}'`);
    let failed = 0;
    for (const kind of kinds) {
      const logs: string[] = [];
      const board = BoardHost.create({
        kind,
        id: `selftest-${kind}`,
        boot: 1,
        clock: () => 0n,
        publish: () => true,
        log: (level, text) => {
          if (level === 'warning' || level === 'error') logs.push(`  ${level}: ${text}`);
        },
      });
      const failures = board.selftest();
      failed += failures;
      console.log(`${kind}: ${failures === 0 ? 'selftest passed' : `selftest FAILED (${failures} checks)`}`);
      for (const l of logs) console.log(l);
    }
    return failed === 0 ? 0 : 1;
  },
};

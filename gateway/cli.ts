#!/usr/bin/env node
// `pitwall`: the one command-line entry. Each subcommand lives in gateway/commands/.
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { boardCommand } from './commands/board.js';
import { decodeCommand } from './commands/decode.js';
import { selftestCommand } from './commands/selftest.js';
import { simCommand } from './commands/sim.js';
import { gatewayCommand } from './commands/gateway.js';
import { replayCommand, resultsCommand } from './commands/replay.js';
import { startCommand } from './commands/start.js';
import { auditCommand } from './commands/audit.js';
import { CliError, type Subcommand } from './commands/cli-support.js';

export const SUBCOMMANDS: readonly Subcommand[] = [startCommand, gatewayCommand, simCommand, replayCommand, resultsCommand, auditCommand, boardCommand, selftestCommand, decodeCommand];

function usage(): string {
  const width = Math.max(...SUBCOMMANDS.map((c) => c.name.length));
  return [
    'pitwall — timing, scoring and pit-road officiating for oval racing',
    '',
    'Usage: pitwall <command> [options]',
    '',
    'Commands:',
    ...SUBCOMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'pitwall <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  const cmd = SUBCOMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`pitwall: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`pitwall ${cmd.name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exitCode = 1;
    },
  );
}

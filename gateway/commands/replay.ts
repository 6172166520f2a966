// `pitwall replay` and `pitwall results`: the race state rebuilt from an event log
// alone (R-AUDIT-1) — the same log always gives the same results, byte for byte.
import { existsSync } from 'node:fs';
import { EventLog } from '../event-log.js';
import { replay } from '../race-state.js';
import { BoardsState } from '../boards.js';
import { resultsCsv } from '../results-csv.js';
import { resultsJson } from '../results.js';
import { CliError, parseOptions, type Subcommand } from './cli-support.js';

function openLog(db: string | undefined): EventLog {
  if (!db) throw new CliError('--db FILE is required');
  if (!existsSync(db)) throw new CliError(`no event log ${db}`);
  try {
    return EventLog.open(db);
  } catch (e) {
    throw new CliError(`${db}: ${(e as Error).message}`);
  }
}

export const replayCommand: Subcommand = {
  name: 'replay',
  summary: 'rebuild the race state from an event log and summarise it',
  help: `Usage: pitwall replay --db FILE

Reads the event log from the first entry to the last, rebuilds the race and the boards'
state from it alone, and prints a summary: entries, boards, the running order, laps led.`,
  async run(argv) {
    const { values } = parseOptions(argv, { db: { type: 'string' } });
    const log = openLog(values.db);
    try {
      const boards = new BoardsState();
      const entries = [...log.entries()];
      for (const e of entries) boards.apply(e);
      const state = replay(entries);
      const r = state.results();
      console.log(`${values.db}: ${entries.length} entries, ${log.quarantined(1_000_000).length} quarantined`);
      console.log(`${r.event.name}: leader lap ${state.snapshot().leaderLap}/${r.event.laps}, ${r.leaders} leaders, ${r.leadChanges} lead changes`);
      for (const b of boards.snapshot()) console.log(`  board ${b.board}: ${b.online ? 'online' : 'offline'}, boot ${b.boot ?? '-'}`);
      for (const c of r.classification.slice(0, 10)) console.log(`  ${String(c.pos).padStart(2)}. #${c.car.padEnd(3)} ${c.driver.padEnd(22)} ${c.laps} laps  ${c.timeS ?? '-'} s  led ${c.lapsLed}`);
      return 0;
    } finally {
      log.close();
    }
  },
};

export const resultsCommand: Subcommand = {
  name: 'results',
  summary: 'print the results scored from an event log (JSON or CSV)',
  help: `Usage: pitwall results --db FILE [--format json|csv]

Scores the race again from the event log alone and prints results.json (the same
bytes 'pitwall sim --out' wrote) or the classification as CSV. Format in gateway/SCORING.md.`,
  async run(argv) {
    const { values } = parseOptions(argv, { db: { type: 'string' }, format: { type: 'string', default: 'json' } });
    if (values.format !== 'json' && values.format !== 'csv') throw new CliError(`--format must be json or csv, not '${values.format}'`);
    const log = openLog(values.db);
    try {
      const r = replay(log.entries()).results();
      process.stdout.write(values.format === 'json' ? resultsJson(r) : resultsCsv(r));
      return 0;
    } finally {
      log.close();
    }
  },
};

// `pitwall audit`: an event log bundled for a scoring audit (R-AUDIT-1) — the log, the
// set-up, the actions, the quarantine and the results in one deterministic .tar.gz.
import { AuditError, writeAudit } from '../audit.js';
import { EventLogError } from '../event-log.js';
import { CliError, parseOptions, type Subcommand } from './cli-support.js';
import { ProgressBar } from './progress.js';

export const auditCommand: Subcommand = {
  name: 'audit',
  summary: 'bundle an event log, its set-up, actions, quarantine and results for a scoring audit',
  help: `Usage: pitwall audit --db FILE --out FILE [--force] [--quiet]

Bundles everything a scoring audit needs (R-AUDIT-1) from one event log into one
gzip-compressed tar file (read it with 'tar -xzf FILE'):

  MANIFEST.json     format pitwall-audit/1, the source log (path, size), entries per
                    kind, first/last atUs, each file's size and sha256, the pitwall version
  event-setup.json  the event set-up the race is scored with (the first one logged)
  results.json      what 'pitwall results --db FILE' prints, byte for byte
  results.csv       what 'pitwall results --db FILE --format csv' prints
  actions.jsonl     every action of race control and the gateway, in log order
  quarantine.jsonl  every refused message: reason, detail, bytes (base64)
  log.jsonl         every log entry in log order; board payloads in base64 and decoded
  events.db         a consistent copy of the event log, to score everything again

Everything is read from one snapshot of the log, so a log a gateway is still writing
can be bundled. The same log always gives the same bytes. Layout: gateway/AUDIT.md.

Options:
  --db FILE    the event log (pitwall gateway --db, pitwall sim --out DIR/events.db)
  --out FILE   the bundle to write, e.g. audit.tar.gz; refused if it exists
  --force      replace --out if it exists
  --quiet      no progress bar`,
  async run(argv) {
    const { values } = parseOptions(argv, {
      db: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      quiet: { type: 'boolean' },
    });
    if (!values.db) throw new CliError('--db FILE is required');
    if (!values.out) throw new CliError('--out FILE is required');
    const bar = values.quiet ? undefined : new ProgressBar('audit');
    try {
      const r = await writeAudit({ db: values.db, out: values.out, force: values.force === true, onProgress: bar && ((f, detail) => bar.update(f, detail)) });
      bar?.done(`${r.bytes} bytes`);
      const m = r.manifest;
      console.log(`${r.out}: ${m.log.entries} log entries (${m.log.bySource.board ?? 0} board messages, ${m.log.entries - (m.log.bySource.board ?? 0)} actions), ${m.quarantine.messages} quarantined, ${m.files.length + 1} files, ${r.bytes} bytes`);
      if (m.log.undecodable > 0) console.log(`  ${m.log.undecodable} board payloads do not decode (log.jsonl says why)`);
      if (m.eventSetup === null) console.log('  no event set-up in the log: event-setup.json is null and nothing is scored');
      return 0;
    } catch (e) {
      if (e instanceof AuditError) throw new CliError(e.message);
      if (e instanceof EventLogError) throw new CliError(`${values.db}: ${e.message}`);
      throw e;
    }
  },
};

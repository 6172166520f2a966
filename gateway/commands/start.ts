// `pitwall start`: the main job — the embedded broker, race control's gateway and the
// simulator running the demo race through real board firmware at a watchable speed.
// Prints where the API and the live feed are; Ctrl-C stops everything cleanly.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../protocol/repo-root.js';
import { isValidSiteId } from '../../protocol/topics.js';
import { startEmbeddedBroker } from '../broker.js';
import { simulateWithGateway } from './sim-gateway.js';
import { CliError, intOption, parseOptions, stopOnSignals, type Subcommand } from './cli-support.js';
import { ProgressBar, raceProgress } from './progress.js';

export const startCommand: Subcommand = {
  name: 'start',
  summary: 'the demo: embedded broker, gateway and a simulated race through real firmware, live',
  help: `Usage: pitwall start [--speed N] [--scenario FILE] [--http PORT] [--port N] [--site ID] [--db FILE]

Starts the embedded MQTT broker (Aedes), race control's gateway with its event log and
API, and the simulator running a race through real board firmware — one instance per
loop and pit box board of the track, each on the broker — at a watchable speed. Prints
where the API and the live feed are. When the race is over the gateway stays up with
the results until Ctrl-C; Ctrl-C at any time stops everything cleanly (the boards
publish their deaths).

Options:
  --speed N        times real time (default 10)
  --scenario FILE  the race (default sim-hardware/scenarios/martinsville-200.json)
  --http PORT      API port (default 8080; a free port when 8080 is taken)
  --port N         broker port (default 1883; a free port when 1883 is taken)
  --site ID        site id in the topics (default demo)
  --db FILE        event log (default: a new file in a temporary folder)`,
  async run(argv) {
    const { values } = parseOptions(argv, {
      speed: { type: 'string', default: '10' },
      scenario: { type: 'string' },
      http: { type: 'string' },
      port: { type: 'string' },
      site: { type: 'string', default: 'demo' },
      db: { type: 'string' },
    });
    const speed = Number(values.speed);
    if (!(Number.isFinite(speed) && speed > 0)) throw new CliError(`--speed must be a number above 0, not '${values.speed}'`);
    if (!isValidSiteId(values.site)) throw new CliError(`--site '${values.site}' is not a valid site id`);
    const port = intOption(values.port, 'port', 0, 65535);
    const http = intOption(values.http, 'http', 0, 65535);
    const scenarioFile = values.scenario ?? repoPath('sim-hardware', 'scenarios', 'martinsville-200.json');
    const db = values.db ?? join(mkdtempSync(join(tmpdir(), 'pitwall-demo-')), 'events.db');

    const broker = await startEmbeddedBroker({ port: port ?? 1883, fallbackToFreePort: port === undefined });
    const stop = stopOnSignals();
    const bar = new ProgressBar('race');
    try {
      say(`embedded MQTT broker on ${broker.url} (site ${values.site})`);
      const httpPort = http ?? (await portFree(8080)) ?? 0;
      const scored = await simulateWithGateway({
        scenarioFile,
        broker: broker.url,
        site: values.site,
        speed,
        db,
        http: httpPort,
        keepGateway: true,
        signal: stop.signal,
        onGateway: (gw) => {
          say(`gateway: event log ${db}`);
          say(`API: ${gw.apiUrl}/api   state: ${gw.apiUrl}/api/state   results: ${gw.apiUrl}/api/results`);
          say(`live feed: ws${gw.apiUrl!.slice(4)}/api/live, and MQTT pitwall/v1/${values.site}/live/#`);
          say(`running ${scenarioFile} at ${speed}× real time; Ctrl-C stops`);
        },
        onProgress: (simUs, plan) => {
          const p = raceProgress(plan, simUs);
          bar.update(p.fraction, p.lap);
        },
        log: (level, text) => {
          if (level === 'error') say(`board: ${text}`);
        },
      });
      if (!stop.signal.aborted) bar.done();
      const w = scored.results.classification[0];
      if (!stop.signal.aborted) {
        say(`checkered flag: winner #${w?.car ?? '-'} ${w?.driver ?? ''}; results at ${scored.gateway!.apiUrl}/api/results — Ctrl-C to stop`);
        await new Promise<void>((resolve) => (stop.signal.aborted ? resolve() : stop.signal.addEventListener('abort', () => resolve())));
      }
      await scored.gateway?.stop();
      say('stopped');
      return 0;
    } finally {
      stop.off();
      await broker.close();
    }
  },
};

function say(text: string): void {
  console.log(`[pitwall] ${text}`);
}

/** The port when nothing listens on it, else undefined. */
async function portFree(port: number): Promise<number | undefined> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(port)));
  });
}

// `pitwall sim`: runs a scenario through real board firmware — in memory, over a
// broker, or with every board its own process — and writes what really happened
// (truth.json) and what the boards said (boards.jsonl).
import { existsSync } from 'node:fs';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker.js';
import { runSimulation, type BoardPlacement, type SimulationOptions } from '../../sim-hardware/simulation.js';
import { simulateWithGateway, type ScoredSimulation } from './sim-gateway.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { decode } from '../../protocol/codec.js';
import { join } from 'node:path';
import { loadScenario, ScenarioError } from '../../sim-hardware/scenario.js';
import { loadTrack, TrackError } from '../../sim-hardware/track.js';
import { CredentialsError, loadCredentials, type Credentials } from '../../sim-hardware/credentials.js';
import { RacePlanError } from '../../sim-hardware/race-plan.js';
import { isValidSiteId } from '../../protocol/topics.js';
import { CliError, isBrokerUrl, parseOptions, stopOnSignals, type Subcommand } from './cli-support.js';
import { ProgressBar, raceProgress } from './progress.js';

export const simCommand: Subcommand = {
  name: 'sim',
  summary: 'run a simulated race through real board firmware and write the ground truth',
  help: `Usage: pitwall sim --scenario FILE [options]

Runs the race a scenario file describes (sim-hardware/scenario.md): moves the trucks,
generates what every loop and pit box sensor sees, feeds it to real board firmware
(one instance per board of the track) and writes the ground truth.

Options:
  --scenario FILE     the scenario (required), e.g. sim-hardware/scenarios/martinsville-10.json
  --broker URL        MQTT broker the boards publish to (mqtt://host:port);
                      'embedded' starts one in this process on a free port;
                      without --broker the boards run in memory, with no MQTT at all
  --boards in-process|process
                      where the boards run: in this process (default), or each as its
                      own 'pitwall board --feed stdin' process (needs --broker): the
                      hardware-in-the-loop shape, where a rig or real board can stand in
  --speed N|max       N times real time, or as fast as possible (default max)
  --site ID           site id in the topics (default sim)
  --credentials FILE  MQTT logins, one per board and one for the simulator:
                      {"boards": {"<board id>": {"username", "password"}, ...},
                       "simulator": {"username", "password"}}
  --out DIR           also run the gateway in the same run, scoring the race, and write
                      DIR/truth.json (what really happened, sim-hardware/race.md),
                      DIR/results.json (the gateway's results, gateway/SCORING.md),
                      DIR/events.db (the gateway's event log) and
                      DIR/boards.jsonl (every message the boards sent)
  --publish-times FILE
                      write when each board envelope was handed to the broker
                      (board boot seq wall-µs per line; boards on MQTT in this process):
                      for measuring latency from a board to race control
  --quiet             no progress bar

Ctrl-C stops the race early; the boards still stop cleanly.

Exit codes: 0 done, 2 bad options or a bad scenario (the message names the field).`,
  async run(argv) {
    const { values } = parseOptions(argv, {
      scenario: { type: 'string' },
      broker: { type: 'string' },
      boards: { type: 'string' },
      speed: { type: 'string' },
      site: { type: 'string' },
      out: { type: 'string' },
      credentials: { type: 'string' },
      'publish-times': { type: 'string' },
      quiet: { type: 'boolean' },
    });
    if (!values.scenario) throw new CliError('--scenario FILE is required');
    if (!existsSync(values.scenario)) throw new CliError(`no scenario file ${values.scenario}`);
    const boards = (values.boards ?? 'in-process') as BoardPlacement;
    if (boards !== 'in-process' && boards !== 'process') throw new CliError(`--boards must be in-process or process, not '${values.boards}'`);
    if (boards === 'process' && !values.broker) throw new CliError('--boards process needs --broker (the board processes talk MQTT); try --broker embedded');
    let speed: number | 'max' = 'max';
    if (values.speed !== undefined && values.speed !== 'max') {
      speed = Number(values.speed);
      if (!(Number.isFinite(speed) && speed > 0 && speed <= 100_000)) throw new CliError(`--speed must be a number above 0 (times real time) or max, not '${values.speed}'`);
    }
    const site = values.site ?? 'sim';
    if (!isValidSiteId(site)) throw new CliError(`--site '${site}' is not a valid site id`);
    if (values.broker && values.broker !== 'embedded' && !isBrokerUrl(values.broker)) {
      throw new CliError(`--broker must be a URL such as mqtt://127.0.0.1:1883 (or 'embedded'), not '${values.broker}'`);
    }

    let credentials: Credentials | undefined;
    if (values.credentials !== undefined) {
      if (!values.broker) throw new CliError('--credentials are MQTT logins: give --broker too');
      try {
        credentials = loadCredentials(values.credentials, loadTrack(loadScenario(values.scenario).track).boards.map((b) => b.id));
      } catch (e) {
        if (e instanceof CredentialsError || e instanceof ScenarioError || e instanceof TrackError) throw new CliError(e.message);
        throw e;
      }
    }
    let embedded: EmbeddedBroker | undefined;
    let broker = values.broker;
    if (broker === 'embedded') {
      embedded = await startEmbeddedBroker();
      broker = embedded.url;
      console.error(`pitwall sim: embedded broker at ${broker}`);
    }
    const bar = values.quiet ? undefined : new ProgressBar('race');
    if (values['publish-times'] && (!values.broker || boards !== 'in-process')) throw new CliError('--publish-times needs --broker and boards in-process');
    const publishTimes: string[] = [];
    const stop = stopOnSignals();
    const wallStart = performance.now();
    try {
      const simOpts = {
        scenarioFile: values.scenario,
        broker,
        boards,
        speed,
        site,
        outDir: values.out,
        credentials,
        signal: stop.signal,
        onPublish: values['publish-times']
          ? (board: string, channel: string, bytes: Uint8Array) => {
              if (channel !== 'evt') return;
              const e = decode('envelope', bytes);
              publishTimes.push(`${board} ${e.boot} ${e.seq} ${Math.round((performance.timeOrigin + performance.now()) * 1000)}`);
            }
          : undefined,
        onProgress: (simUs, plan) => {
          if (!bar) return;
          const p = raceProgress(plan, simUs);
          const factor = simUs > plan.startUs ? (simUs - plan.startUs) / 1000 / (performance.now() - wallStart) : 0;
          bar.update(p.fraction, `${p.lap}, ${factor.toFixed(0)}× real time`);
        },
        log: (level, text) => {
          if (level === 'warning' || level === 'error') console.error(`pitwall sim: ${level}: ${text}`);
        },
      } satisfies SimulationOptions;
      let scored: ScoredSimulation | undefined;
      if (values.out) {
        mkdirSync(values.out, { recursive: true });
        const db = join(values.out, 'events.db');
        // A new run, a new log: an old one would mix two races.
        for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
        scored = await simulateWithGateway({ ...simOpts, db });
      }
      const r = scored ? scored.sim : await runSimulation(simOpts);
      const raceS = (r.plan.endUs - r.plan.startUs) / 1e6;
      const wallS = (performance.now() - wallStart) / 1000;
      bar?.done(`${raceS.toFixed(0)} s of racing in ${wallS.toFixed(1)} s (${(raceS / wallS).toFixed(0)}× real time)`);
      const finish = r.plan.cars.slice().sort((a, b) => b.finishLap - a.finishLap || a.finishUs - b.finishUs);
      // A qualifying session has a fastest truck, not a winner.
      const qualifying = r.scenario.session === 'qualifying';
      const first = qualifying ? scored?.results.qualifying?.order[0]?.car : scored?.results.classification[0]?.car;
      console.log(
        [
          qualifying
            ? `qualifying at ${r.track.name}, ${r.scenario.field.length} trucks`
            : `${r.scenario.laps} laps at ${r.track.name}, ${r.scenario.field.length} trucks; winner #${finish[0]!.entry.car} ${finish[0]!.entry.driver}`,
          `boards: ${r.messages.length} messages (${r.stats.hits} loop hits, ${r.stats.samples} box samples fed)`,
          scored
            ? `gateway: ${scored.accepted} messages logged, ${scored.quarantined} quarantined; ${qualifying ? 'fastest' : 'winner'} by the results #${first ?? '-'}`
            : 'no gateway (give --out to score the race)',
          values.out ? `wrote ${['truth.json', 'results.json', 'events.db', 'boards.jsonl'].map((f) => join(values.out!, f)).join(', ')}` : 'nothing written (no --out)',
        ].join('\n'),
      );
      return 0;
    } catch (err) {
      if (err instanceof ScenarioError || err instanceof TrackError || err instanceof RacePlanError) throw new CliError(err.message);
      throw err;
    } finally {
      stop.off();
      if (values['publish-times']) writeFileSync(values['publish-times'], publishTimes.join('\n') + '\n');
      await embedded?.close();
    }
  },
};

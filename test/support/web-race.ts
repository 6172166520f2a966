// A race for the race-control page: the gateway in this process (embedded broker,
// HTTP API, both on free loopback ports) and the simulator as a process of its own
// (`pitwall sim --broker`, boards publishing as the hardware would), 36 trucks at a
// speed factor, with one speeding stop under green early on. Shared by the browser
// test (test/system/web-page.test.ts) and `npm run screenshot`.
//
// Through a broker the simulator sends board data only; race control's calls are this
// harness's to make, as `pitwall sim --out` makes them (sim-gateway.ts): the event set-up
// before the race, then the plan's flags and pit road calls (raceControlScript), each
// logged at its planned race time.
//
// The gateway's clock follows the race: boards keep race time (their clocks read
// GREEN_EPOCH_US at the green) and the simulator runs it at `speed` × real time, so a
// gateway on the wall clock would see every board clock run away from its own. Here the
// clock is the newest board time seen on the live feed, run on at `speed` × wall time
// since — race time as the boards keep it, give or take the delivery latency × speed.
// Time checks are off (a board never checked is taken to be on the gateway clock, which
// it is): they would only measure this estimate.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gateway } from '../../gateway/gateway.js';
import { eventSetupFor, raceControlScript } from '../../gateway/commands/sim-race-control.js';
import { repoPath } from '../../protocol/repo-root.js';
import { planRace, type RacePlan } from '../../sim-hardware/race-plan.js';
import { loadScenario } from '../../sim-hardware/scenario.js';
import { GREEN_EPOCH_US } from '../../sim-hardware/simulation.js';
import { loadTrack } from '../../sim-hardware/track.js';

/** The truck that speeds on pit road (segment 2 at 37 mph against 30 + 5) at the end of lap 2, under green. */
export const SPEEDING_CAR = '98';
export const SPEEDING_MPH = 37;

/**
 * The 36-truck field of martinsville-200.json over 30 laps, one stage, no cautions, red
 * flags or faults, and one pit stop: SPEEDING_CAR's on lap 2, speeding in segment 2.
 * Written to dir; returns the file.
 */
export function writeWebRaceScenario(dir: string, laps = 30): string {
  const s = JSON.parse(readFileSync(repoPath('sim-hardware', 'scenarios', 'martinsville-200.json'), 'utf8')) as {
    laps: number;
    stages: number[];
    field: Array<{ car: string; lapTimes?: number[] }>;
    [k: string]: unknown;
  };
  s.laps = laps;
  s.stages = [laps];
  s.cautions = [];
  s.redFlags = [];
  s.faults = [];
  s.pitStops = [{ car: SPEEDING_CAR, lap: 2, serviceS: 12, segmentMph: { '2': SPEEDING_MPH } }];
  for (const e of s.field) if (e.lapTimes) e.lapTimes = e.lapTimes.slice(0, laps);
  const file = join(dir, 'web-race.json');
  writeFileSync(file, JSON.stringify(s, null, 2) + '\n');
  return file;
}

export interface WebRace {
  gateway: Gateway;
  /** The page: http://127.0.0.1:PORT/ */
  url: string;
  plan: RacePlan;
  speed: number;
  /** Race time now, µs from the green, as the gateway's clock has it. */
  raceUs(): number;
  /** The simulator process's stderr so far (for failure messages). */
  simLog(): string;
  /** Stops the simulator (SIGINT: the boards publish their deaths). */
  stopSim(): Promise<void>;
  /** Stops the simulator, then the gateway and its broker. */
  stop(): Promise<void>;
}

export async function startWebRace(opts: { dir: string; speed: number; site?: string; laps?: number }): Promise<WebRace> {
  const cli = repoPath('dist', 'gateway', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'npm run build' first`);
  const site = opts.site ?? 'web';
  const scenarioFile = writeWebRaceScenario(opts.dir, opts.laps);
  const scenario = loadScenario(scenarioFile);
  const track = loadTrack(scenario.track);
  const plan = planRace(scenario, track);

  // The clock: frozen at the race's start until the first board event, then the newest
  // board time seen plus `speed` × the wall time since (performance.now(): small numbers,
  // so speed × it stays exact in a double).
  const wallUs = (): number => performance.now() * 1000;
  let lastUs = GREEN_EPOCH_US + plan.startUs;
  let bias: number | null = null;
  let stamp: number | null = null;
  const clock = (): number => {
    if (stamp !== null) return stamp;
    if (bias !== null) lastUs = Math.max(lastUs, Math.round(opts.speed * wallUs() + bias));
    return lastUs;
  };
  const gateway = await Gateway.start({ db: join(opts.dir, 'events.db'), site, http: 0, clock, timeCheckEveryUs: Infinity });
  const offLive = gateway.onLive((m) => {
    if (m.type !== 'event' || typeof m.event.timeUs !== 'number') return;
    const b = m.event.timeUs - opts.speed * wallUs();
    if (bias === null || b > bias) bias = b;
  });
  gateway.raceControl({ action: 'event-setup', setup: eventSetupFor(scenario, track) });

  // The plan's calls, each logged at its planned race time, made a little ahead (the green
  // is up before the field reaches the line).
  const script = raceControlScript(plan);
  let next = 0;
  const AHEAD_US = 2_000_000;
  const callDue = (): void => {
    while (next < script.length && script[next]!.atUs <= clock() - GREEN_EPOCH_US + AHEAD_US) {
      const c = script[next++]!;
      stamp = GREEN_EPOCH_US + c.atUs;
      try {
        gateway.raceControl(c.action);
      } finally {
        stamp = null;
      }
    }
  };
  callDue();
  const calls = setInterval(callDue, 20);

  const sim: ChildProcess = spawn(
    process.execPath,
    [cli, 'sim', '--scenario', scenarioFile, '--broker', gateway.brokerUrl, '--site', site, '--speed', String(opts.speed), '--quiet'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  sim.stderr!.on('data', (d) => (log += String(d)));
  const exited = new Promise<void>((resolve) => sim.once('exit', () => resolve()));

  const stopSim = async (): Promise<void> => {
    clearInterval(calls);
    if (sim.exitCode === null && sim.signalCode === null) {
      sim.kill('SIGINT');
      const killer = setTimeout(() => sim.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  };
  let stopped = false;
  return {
    gateway,
    url: `${gateway.apiUrl!}/`,
    plan,
    speed: opts.speed,
    raceUs: () => clock() - GREEN_EPOCH_US,
    simLog: () => log,
    stopSim,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopSim();
      offLive();
      await gateway.stop();
    },
  };
}

// A simulated race scored by a gateway in the same run: race control sets the event up
// and makes the plan's calls, the gateway takes every board message — straight from
// the boards when they run in memory, through the broker otherwise — and the run ends
// with the truth, the results and the event log side by side.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boardTopic, parseTopic } from '../../protocol/topics.js';
import type { MemoryBoard } from '../../sim-hardware/memory-board.js';
import type { SimBoard } from '../../sim-hardware/sim-board.js';
import { GREEN_EPOCH_US, runSimulation, type SimulationOptions, type SimulationResult } from '../../sim-hardware/simulation.js';
import { Gateway } from '../gateway.js';
import { resultsJson, type Results } from '../results.js';
import { eventSetupFor, raceControlScript } from './sim-race-control.js';

export interface ScoredSimulation {
  sim: SimulationResult;
  /** The gateway, still running, when asked to keep it (the caller stops it). */
  gateway?: Gateway;
  results: Results;
  /** Board messages the gateway accepted and quarantined. */
  accepted: number;
  quarantined: number;
}

/** How often (race time) the gateway looks for gaps and time checks in a run without a broker. */
const GATEWAY_TICK_US = 100_000;

export async function simulateWithGateway(
  opts: SimulationOptions & { db: string; http?: number | false; onGateway?: (gw: Gateway) => void; keepGateway?: boolean; protocolVersion?: 4 | 5 },
): Promise<ScoredSimulation> {
  const site = opts.site ?? 'sim';
  let simUs = 0;
  const clock = (): number => GREEN_EPOCH_US + Math.round(simUs);
  let boards: ReadonlyMap<string, SimBoard> = new Map();
  // Without a broker, what the gateway sends reaches the boards at the next slice, as over a network.
  const outbox: Array<{ topic: string; payload: Uint8Array }> = [];
  const gw = opts.broker
    ? await Gateway.start({ broker: opts.broker, db: opts.db, site, http: opts.http ?? false, clock, protocolVersion: opts.protocolVersion })
    : // The rig steps board clocks in 10 ms slices; a time check over this instant link would
      // measure that stepping, not the clocks (which the simulator keeps exact), so none are made.
      await Gateway.direct({ db: opts.db, site, http: opts.http ?? false, clock, timeCheckEveryUs: Infinity }, (topic, payload) => {
        if (typeof payload !== 'string') outbox.push({ topic, payload });
      });
  opts.onGateway?.(gw);
  const deliver = (): void => {
    for (const { topic, payload } of outbox.splice(0)) {
      const t = parseTopic(topic);
      if (t.channel === 'cmd' && t.board) (boards.get(t.board) as MemoryBoard | undefined)?.command(payload);
      else if (t.channel === 'control') for (const b of boards.values()) (b as MemoryBoard).control(payload);
    }
  };
  let nextTick = -Infinity;
  try {
    const sim = await runSimulation({
      ...opts,
      site,
      onPlan: (plan) => {
        simUs = plan.startUs;
        gw.raceControl({ action: 'event-setup', setup: eventSetupFor(plan.scenario, plan.track) });
        const script = raceControlScript(plan).map((c) => ({ atUs: c.atUs, run: () => gw.raceControl(c.action) }));
        return [...script, ...(opts.onPlan?.(plan) ?? [])];
      },
      onBoards: (b) => {
        boards = b;
        opts.onBoards?.(b);
      },
      onMessage: (m) => {
        if (!opts.broker) gw.receive(boardTopic(site, m.board, m.channel), m.bytes);
        opts.onMessage?.(m);
      },
      onTime: (t) => {
        simUs = t;
        if (!opts.broker) {
          deliver();
          if (t >= nextTick) {
            gw.tick();
            gw.pushState();
            nextTick = t + GATEWAY_TICK_US;
          }
        }
        opts.onTime?.(t);
      },
      beforeWrite: async (r) => {
        if (opts.broker) await gw.settle();
        if (opts.outDir) {
          mkdirSync(opts.outDir, { recursive: true });
          writeFileSync(join(opts.outDir, 'results.json'), resultsJson(gw.results()));
        }
        await opts.beforeWrite?.(r);
      },
    });
    const out: ScoredSimulation = { sim, results: gw.results(), accepted: gw.ingest.accepted, quarantined: gw.ingest.quarantined };
    if (opts.keepGateway) out.gateway = gw;
    else await gw.stop();
    return out;
  } catch (e) {
    await gw.stop();
    throw e;
  }
}

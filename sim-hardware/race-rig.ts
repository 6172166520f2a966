// Runs the planned race through the boards: in 10 ms slices of race time, each board
// gets its sensor records (with its own clock's timestamps) and its ticks, faults
// strike when the scenario says, and the whole thing goes as fast as it can or at a
// speed factor of real time. The boards behind SimBoard may be in memory, on MQTT in
// this process, or processes of their own; the rig does not care.
import type { BoxConfig, LoopConfig } from '../protocol/schema.js';
import type { LoopHit } from './loop-field.js';
import { hashSeed } from './random.js';
import type { RacePlan } from './race-plan.js';
import type { BoardInput, RaceSensors } from './race-sensors.js';
import { REBOOT_DOWN_US } from './race-truth.js';
import type { SimBoard } from './sim-board.js';

/** Race time between deliveries to the boards (µs). */
export const SLICE_US = 10_000;
/** A decoder hands its hits to the board this long after the slice (µs). */
export const DELIVERY_US = 2_000;
/** Loop hits are generated this much race time at once (µs). */
export const WINDOW_US = 1_000_000;
/** An idle board is ticked this often (µs); a busy one every slice. */
export const IDLE_TICK_US = 100_000;
/** A board that got input stays busy (ticked every slice) this long (µs). */
export const BUSY_US = 300_000;
/** After the race the boards run on this long so every crossing closes and health goes out (µs). */
export const SETTLE_US = 1_500_000;

/** The board clock µs at race time t (µs from the green): `epochUs` then, running fast or slow by ppm. */
export function boardClockUs(epochUs: number, ppm: number, simUs: number): number {
  return epochUs + Math.round(simUs * (1 + ppm * 1e-6));
}

/** The boot id of a board's n-th start, from the scenario seed. */
export function bootId(seed: number, boardIndex: number, start: number): number {
  return hashSeed(seed, 0xb007, boardIndex, start) >>> 0;
}

export interface RigOptions {
  plan: RacePlan;
  sensors: RaceSensors;
  boards: ReadonlyMap<string, SimBoard>;
  configs: ReadonlyMap<string, LoopConfig | BoxConfig>;
  /** Sends a board its config and resolves once the board has taken it. */
  provision: (board: SimBoard, config: LoopConfig | BoxConfig) => Promise<void>;
  epochUs: number;
  /** Times real time, or as fast as possible. */
  speed: number | 'max';
  /** Await every board's sync() this often (race µs) so a broker keeps up; 0 never. */
  syncEveryUs?: number;
  onProgress?: (simUs: number, plan: RacePlan) => void;
  /** More timed actions (race control, for one), run when race time reaches atUs. */
  actions?: ReadonlyArray<{ atUs: number; run: () => Promise<void> | void }>;
  /** Told the race time at the start of every slice (before anything of that slice is run). */
  onTime?: (simUs: number) => void;
  /** Stops the race early (Ctrl-C). */
  signal?: AbortSignal;
}

export interface RigStats {
  hits: number;
  samples: number;
  ticks: number;
  slices: number;
  wallMs: number;
  /** Records dropped because their board was down (rebooting). */
  droppedWhileDown: number;
}

interface Fed {
  board: SimBoard;
  ppm: number;
  input: BoardInput | null;
  cursor: number;
  busyUntil: number;
  lastTick: number;
  downUntil: number;
}

export async function runRig(opts: RigOptions): Promise<RigStats> {
  const { plan, sensors, epochUs } = opts;
  const started = performance.now();
  const stats: RigStats = { hits: 0, samples: 0, ticks: 0, slices: 0, wallMs: 0, droppedWhileDown: 0 };
  const drift = new Map<string, number>();
  for (const f of plan.scenario.faults) if (f.kind === 'clock-drift') drift.set(f.board, f.ppm);
  const fed = new Map<string, Fed>();
  for (const [id, board] of opts.boards) {
    const ppm = drift.get(id) ?? 0;
    const box = sensors.boxInput.get(id);
    fed.set(id, { board, ppm, input: box ? toBoardTime(box, epochUs, ppm) : null, cursor: 0, busyUntil: -Infinity, lastTick: -Infinity, downUntil: -Infinity });
  }
  const clockAt = (f: Fed, simUs: number): bigint => BigInt(boardClockUs(epochUs, f.ppm, simUs));

  // Faults as timed actions.
  const actions: Array<{ atUs: number; run: () => Promise<void> | void }> = [];
  const starts = new Map<string, number>();
  plan.scenario.faults.forEach((f) => {
    const at = 'atS' in f ? f.atS * 1e6 : 0;
    if (f.kind === 'board-reboot') {
      const x = fed.get(f.board);
      if (!x) return;
      actions.push({
        atUs: at,
        run: async () => {
          const n = (starts.get(f.board) ?? 0) + 1;
          starts.set(f.board, n);
          x.board.clock(clockAt(x, at));
          // The power goes between two publishes: what was sent before it has arrived.
          await x.board.sync();
          await x.board.reboot(bootId(plan.scenario.seed, boardIndex(plan, f.board), n));
          x.downUntil = at + REBOOT_DOWN_US;
        },
      });
      actions.push({ atUs: at + REBOOT_DOWN_US, run: () => opts.provision(x.board, opts.configs.get(f.board)!) });
    } else if (f.kind === 'partition' || f.kind === 'broker-outage') {
      const targets = f.kind === 'partition' ? [fed.get(f.board)].filter((x): x is Fed => x !== undefined) : [...fed.values()];
      actions.push({ atUs: at, run: () => targets.forEach((x) => x.board.link(false)) });
      actions.push({ atUs: at + f.forS * 1e6, run: () => targets.forEach((x) => x.board.link(true)) });
    }
  });
  actions.push(...(opts.actions ?? []));
  actions.sort((a, b) => a.atUs - b.atUs);

  let windowEnd = plan.startUs;
  let loopInput = new Map<string, LoopHit[]>();
  const syncEvery = opts.syncEveryUs ?? 0;
  let nextSync = plan.startUs + syncEvery;
  let nextProgress = plan.startUs;
  const endUs = plan.endUs + SETTLE_US;
  let nextAction = 0;
  for (let t = plan.startUs; t < endUs; t += SLICE_US) {
    if (opts.signal?.aborted) break;
    stats.slices++;
    opts.onTime?.(t);
    while (nextAction < actions.length && actions[nextAction]!.atUs <= t) {
      const a = actions[nextAction++]!;
      opts.onTime?.(a.atUs);
      await a.run();
      opts.onTime?.(t);
    }
    if (t >= windowEnd && t < plan.endUs) {
      loopInput = sensors.loopHitsBetween(windowEnd, Math.min(windowEnd + WINDOW_US, plan.endUs));
      for (const [id, hits] of loopInput) {
        const x = fed.get(id);
        if (x) {
          x.input = hitInput(hits, epochUs, x.ppm);
          x.cursor = 0;
        }
      }
      windowEnd += WINDOW_US;
    }
    const sliceEnd = t + SLICE_US;
    for (const x of fed.values()) {
      const input = x.input;
      let end = x.cursor;
      if (input) while (end < input.timesUs.length && input.timesUs[end]! < sliceEnd) end++;
      const now = clockAt(x, sliceEnd + DELIVERY_US);
      if (end > x.cursor) {
        const n = end - x.cursor;
        if (t < x.downUntil) {
          stats.droppedWhileDown += n;
        } else {
          x.board.clock(now);
          const slice = input!.records.subarray(x.cursor * input!.recordBytes, end * input!.recordBytes);
          if (input!.recordBytes === 16) {
            x.board.hits(slice);
            stats.hits += n;
          } else {
            x.board.samples(slice);
            stats.samples += n;
          }
          x.busyUntil = t + BUSY_US;
        }
        x.cursor = end;
      }
      if (x.busyUntil > t || t - x.lastTick >= IDLE_TICK_US) {
        x.board.clock(now);
        x.board.tick();
        x.lastTick = t;
        stats.ticks++;
      }
    }
    if (syncEvery > 0 && t >= nextSync) {
      await Promise.all([...fed.values()].map((x) => x.board.sync()));
      nextSync += syncEvery;
    }
    if (opts.speed !== 'max' && stats.slices % 5 === 0) {
      const dueMs = (sliceEnd - plan.startUs) / 1000 / opts.speed;
      const ahead = dueMs - (performance.now() - started);
      if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
    }
    if (opts.onProgress && t >= nextProgress) {
      opts.onProgress(t, plan);
      nextProgress += 1_000_000;
    }
  }
  await Promise.all([...fed.values()].map((x) => x.board.sync()));
  if (!opts.signal?.aborted) opts.onProgress?.(endUs, plan);
  stats.wallMs = performance.now() - started;
  return stats;
}

function boardIndex(plan: RacePlan, id: string): number {
  return plan.track.boards.findIndex((b) => b.id === id);
}

/** Loop hits as board input records, stamped with the board's clock. */
function hitInput(hits: LoopHit[], epochUs: number, ppm: number): BoardInput {
  const records = new Uint8Array(hits.length * 16);
  const view = new DataView(records.buffer);
  const timesUs = new Float64Array(hits.length);
  hits.forEach((h, i) => {
    const t = boardClockUs(epochUs, ppm, h.timeUs);
    const o = i * 16;
    timesUs[i] = h.timeUs;
    view.setUint32(o, t % 4294967296, true);
    view.setUint32(o + 4, Math.floor(t / 4294967296), true);
    view.setUint32(o + 8, h.transponder, true);
    view.setUint16(o + 12, h.strength, true);
    view.setUint8(o + 14, h.loop);
  });
  return { timesUs, records, recordBytes: 16 };
}

/** Box samples restamped with the board's clock (a copy). */
function toBoardTime(input: BoardInput, epochUs: number, ppm: number): BoardInput {
  const records = input.records.slice();
  const view = new DataView(records.buffer);
  for (let i = 0; i < input.timesUs.length; i++) {
    const t = boardClockUs(epochUs, ppm, input.timesUs[i]!);
    view.setUint32(i * 64, t % 4294967296, true);
    view.setUint32(i * 64 + 4, Math.floor(t / 4294967296), true);
  }
  return { ...input, records };
}

// Runs pit stops through a real box board image: the box sensor model makes the
// samples, the board gets them in input-buffer-sized batches, and its events come
// back decoded beside the truth.
import { encode, decode } from '../../protocol/codec.js';
import type { BoardEvent, BoxVerdict, CrewOverWall } from '../../protocol/schema.js';
import { BoardHost } from '../../sim-hardware/board-host.js';
import { DEFAULT_BOX, DEFAULT_VEHICLE, poseForMargin, type Pose } from '../../sim-hardware/box-geometry.js';
import { BOX_RECORD_BYTES, boxConfig, boxSamples, stopScenario, type BoxSensorProfile, type StopScenario, type StopTruth } from '../../sim-hardware/box-sensors.js';
import { createRng } from '../../sim-hardware/random.js';

export interface BoxRun {
  events: BoardEvent[];
  /** Board time of the sample batch each event went out with (same order as events). */
  publishedUs: number[];
  truth: StopTruth[];
  samples: number;
  /** Milliseconds inside the board's `samples` calls. */
  boardMs: number;
}

export function runStops(stops: StopScenario[], profile: BoxSensorProfile, seed: number, batchRecords?: number): BoxRun {
  const { records, samples, truth } = boxSamples(stops, profile, seed);
  const boxes = [...new Map(stops.map((s) => [s.box.number, s.box])).values()];
  const events: BoardEvent[] = [];
  const publishedUs: number[] = [];
  let now = 0n;
  const board = BoardHost.create({
    kind: 'box',
    id: 'box-test',
    boot: 1,
    clock: () => now,
    publish: (channel, bytes) => {
      if (channel !== 'evt') return true;
      for (const e of decode('envelope', bytes).events) {
        if (e.kind === 'health') continue;
        events.push(e);
        publishedUs.push(Number(now));
      }
      return true;
    },
    log: () => {},
  });
  board.link(true);
  const config = boxConfig(boxes, stops[0]!.vehicle, profile);
  if (board.command(encode('command', { board: 'box-test', id: 1, body: { kind: 'config', config } })) !== 0) {
    throw new Error(`box config refused: ${JSON.stringify(events.at(-1))}`);
  }
  const batch = (batchRecords ?? Math.floor(board.inputCapacity / BOX_RECORD_BYTES)) * BOX_RECORD_BYTES;
  let boardMs = 0;
  for (let at = 0; at < records.length; at += batch) {
    const chunk = records.subarray(at, Math.min(records.length, at + batch));
    now = new DataView(chunk.buffer, chunk.byteOffset + chunk.length - BOX_RECORD_BYTES).getBigUint64(0, true);
    const t0 = performance.now();
    board.samples(chunk);
    boardMs += performance.now() - t0;
  }
  return { events, publishedUs, truth, samples, boardMs };
}

/** The events of one box between two times. */
export function eventsOf(run: BoxRun, box: number, fromUs = -Infinity, toUs = Infinity): BoardEvent[] {
  return run.events.filter((e) => 'box' in e && e.box === box && 'timeUs' in e && e.timeUs >= fromUs && e.timeUs <= toUs);
}

export function verdicts(events: BoardEvent[]): BoxVerdict[] {
  return events.filter((e): e is BoxVerdict => e.kind === 'box-verdict');
}

export function crewEvents(events: BoardEvent[]): CrewOverWall[] {
  return events.filter((e): e is CrewOverWall => e.kind === 'crew-over-wall');
}

/** A short approach range and padding: many stops stay quick to simulate, the sensors unchanged. */
export const QUICK_STOPS = (profile: BoxSensorProfile): BoxSensorProfile => ({ ...profile, approachRangeMm: 8_000, padUs: 100_000 });

/**
 * `n` short stops over four boxes, poses spread across every line (a quarter per
 * clause, margins within ±40 mm), so many are close to one.
 */
export function randomStops(n: number, seed: number): StopScenario[] {
  const rng = createRng(seed);
  const boxes = [0, 1, 2, 3].map((i) => ({ ...DEFAULT_BOX, number: 20 + i }));
  const stops: StopScenario[] = [];
  for (let i = 0; i < n; i++) {
    const clause = (['a', 'b', 'c', 'd'] as const)[i % 4]!;
    // Clause (c) can only decide with the nose turned hard toward the wall.
    const base: Pose = clause === 'c' ? { xMm: 0, yMm: 0, yawDeg: -35 } : { xMm: 0, yMm: 0, yawDeg: (rng.next() - 0.5) * 6 };
    stops.push(
      stopScenario({
        box: boxes[i % 4]!,
        transponder: 1 + i,
        pose: poseForMargin(DEFAULT_BOX, DEFAULT_VEHICLE, clause, (rng.next() - 0.5) * 80, base),
        arriveUs: 5_000_000 + Math.floor(i / 4) * 5_500_000,
        stopDurationUs: 700_000,
        serviceStartAfterUs: 250_000,
        serviceDurationUs: 300_000,
      }),
    );
  }
  return stops;
}

/**
 * Every verdict against its stop's truth. Latency: from the vehicle coming to rest
 * (stop verdict) or the crew being back (service verdict) to the verdict going out.
 */
export function scoreVerdicts(run: BoxRun) {
  let n = 0;
  let wrong = 0;
  let confidentWrong = 0;
  let close = 0;
  const stopLatencyUs: number[] = [];
  const serviceLatencyUs: number[] = [];
  for (const t of run.truth) {
    for (const v of verdicts(eventsOf(run, t.box, t.arriveUs, t.departUs + 1_000_000))) {
      const sentUs = run.publishedUs[run.events.indexOf(v)]!;
      n++;
      if (v.closeCall) close++;
      if (v.inBox !== t.inBox) {
        wrong++;
        if (!v.closeCall) confidentWrong++;
      }
      if (v.phase === 'stop') stopLatencyUs.push(sentUs - t.stopStartUs);
      else if (t.serviceEndUs !== null) serviceLatencyUs.push(sentUs - t.serviceEndUs);
    }
  }
  return { n, wrong, confidentWrong, close, stopLatencyUs, serviceLatencyUs };
}

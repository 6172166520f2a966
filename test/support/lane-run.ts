// Runs commitment lane crossings through a real box board image: the lane sensor model
// (sim-hardware/commitment-lane.ts) makes the records, the board gets them in
// input-buffer-sized batches, and its commitment events and health come back decoded
// beside the truth.
import { decode, encode } from '../../protocol/codec.js';
import type { BoardEvent, BoxConfig, Commitment, CommitmentLane, Health } from '../../protocol/schema.js';
import { BoardHost } from '../../sim-hardware/board-host.js';
import { DEFAULT_BOX, DEFAULT_VEHICLE } from '../../sim-hardware/box-geometry.js';
import { BOX_RECORD_BYTES, DEFAULT_BOX_SENSOR_PROFILE, writeBoxRecord, type BoxRecord, type BoxSensorProfile } from '../../sim-hardware/box-sensors.js';
import { FLAG_LANE, FLAG_LANE_OVER, laneSamples, type LaneCrossing, type LaneCrossingTruth } from '../../sim-hardware/commitment-lane.js';
import { constantSpeed } from '../../sim-hardware/motion.js';

/** A 3000 mm lane with 100 mm lines: the default truck's outer tire edges are 550 mm inside each line when centred. */
export const TEST_LANE: CommitmentLane = { id: 7, widthMm: 3000, lineMm: 100, uncertaintyMm: 10 };

export const NOISE_OFF: BoxSensorProfile = { ...DEFAULT_BOX_SENSOR_PROFILE, noiseMm: 0, speedNoiseMmps: 0, readerMiss: 0 };

export interface LaneRun {
  events: BoardEvent[];
  commitments: Commitment[];
  health: Health[];
  truth: LaneCrossingTruth[];
  /** Records the board took (its `samples` return values summed). */
  taken: number;
  samples: number;
}

/** A crossing of the default truck at 20 m/s, its nose 8 m before the line at `atUs`. */
export function crossing(over: Partial<LaneCrossing> & { atUs?: number; speedMps?: number } = {}): LaneCrossing {
  const { atUs = 1_000_000, speedMps = 20, ...rest } = over;
  return { vehicle: { ...DEFAULT_VEHICLE }, transponder: 1, noseMotion: constantSpeed(atUs, -8, speedMps), offsetMm: 0, yawDeg: 0, ...rest };
}

export function laneConfig(lanes: CommitmentLane[] = [TEST_LANE]): BoxConfig {
  return {
    kind: 'box',
    boxes: [{ ...DEFAULT_BOX, number: 1 }],
    vehicle: { ...DEFAULT_VEHICLE },
    uncertaintyMm: 10,
    sampleUs: 10_000,
    commitmentLanes: lanes.map((l) => ({ ...l })),
  };
}

/** A box board with a lane: feed it records, tick it, read back what it sent. */
export class LaneBoard {
  readonly host: BoardHost;
  now = 0n;
  readonly events: BoardEvent[] = [];
  taken = 0;

  constructor(config: BoxConfig = laneConfig()) {
    this.host = BoardHost.create({
      kind: 'box',
      id: 'box-lane',
      boot: 1,
      clock: () => this.now,
      publish: (channel, bytes) => {
        if (channel === 'evt') this.events.push(...decode('envelope', bytes).events);
        return true;
      },
      log: () => {},
    });
    this.host.link(true);
    const rc = this.command(config);
    if (rc !== 0) throw new Error(`lane config refused (${rc}): ${JSON.stringify(this.events.at(-1))}`);
  }

  command(config: BoxConfig): number {
    return this.host.command(encode('command', { board: 'box-lane', id: 1, body: { kind: 'config', config } }));
  }

  /** Records in input-buffer-sized batches, the clock at each batch's last record. */
  feed(records: Uint8Array): void {
    const batch = Math.floor(this.host.inputCapacity / BOX_RECORD_BYTES) * BOX_RECORD_BYTES;
    for (let at = 0; at < records.length; at += batch) {
      const chunk = records.subarray(at, Math.min(records.length, at + batch));
      this.now = new DataView(chunk.buffer, chunk.byteOffset + chunk.length - BOX_RECORD_BYTES).getBigUint64(0, true);
      this.taken += this.host.samples(chunk);
    }
  }

  /** Lets a second pass and ticks, so a health event goes out. */
  health(): Health[] {
    this.now += 1_100_000n;
    this.host.tick();
    return this.events.filter((e): e is Health => e.kind === 'health');
  }

  commitments(): Commitment[] {
    return this.events.filter((e): e is Commitment => e.kind === 'commitment');
  }
}

export function runCrossings(crossings: LaneCrossing[], profile: BoxSensorProfile = NOISE_OFF, seed = 1, lane: CommitmentLane = TEST_LANE): LaneRun {
  const { records, samples, truth } = laneSamples(lane, crossings, profile, seed);
  const board = new LaneBoard(laneConfig([lane]));
  board.feed(records);
  const health = board.health();
  return { events: board.events, commitments: board.commitments(), health, truth, taken: board.taken, samples };
}

/**
 * Hand-made lane records of one vehicle going straight along x at `speedMps`, tire k's
 * patch (300 × 200 mm) centred at y = ys[k], the front tires `wheelbaseMm` ahead of
 * the rear ones: for putting any one tire exactly on a line.
 */
export function handMadeRecords(ys: [number, number, number, number], opts: { laneId?: number; number?: number; transponder?: number; startUs?: number; speedMps?: number; wheelbaseMm?: number } = {}): Uint8Array {
  const { laneId = TEST_LANE.id, number = 0, transponder = 1, startUs = 1_000_000, speedMps = 20, wheelbaseMm = 2845 } = opts;
  const out: BoxRecord[] = [];
  const halfBase = wheelbaseMm / 2;
  // Centre from 4 m before the line to 4 m after it, a record every 10 ms, then one saying it left.
  for (let k = 0; ; k++) {
    const tUs = startUs + k * 10_000;
    const x = -4000 - halfBase + speedMps * 10 * k;
    const over = x < 4000 + halfBase;
    const tireX = [x + halfBase, x + halfBase, x - halfBase, x - halfBase];
    out.push({
      timeUs: tUs,
      transponder: over ? transponder : 0,
      box: laneId,
      flags: FLAG_LANE | (over ? FLAG_LANE_OVER : 0),
      crew: number,
      distanceMm: -2147483648,
      foremostXMm: 0,
      tires: over
        ? (ys.map((y, i) => ({ minXMm: Math.round(tireX[i]! - 100), maxXMm: Math.round(tireX[i]! + 100), minYMm: y - 150, maxYMm: y + 150 })) as BoxRecord['tires'])
        : [0, 1, 2, 3].map(() => ({ minXMm: 0, maxXMm: 0, minYMm: 0, maxYMm: 0 })) as BoxRecord['tires'],
      speedMmps: over ? speedMps * 1000 : 0,
    });
    if (!over) break;
  }
  const bytes = new Uint8Array(out.length * BOX_RECORD_BYTES);
  out.forEach((r, i) => writeBoxRecord(bytes, i * BOX_RECORD_BYTES, r));
  return bytes;
}

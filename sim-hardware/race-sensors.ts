// What every sensor at the track sees during the planned race: the raw transponder
// hits of every loop (loop-field.ts) in windows of time, and the samples of every
// pit box (box-sensors.ts) and of the commitment lane (commitment-lane.ts), per board.
// Missed reads of the scenario are taken out here, as a loop that did not hear the
// transponder.
import { BOX_RECORD_BYTES, boxSamples, DEFAULT_BOX_SENSOR_PROFILE, type BoxSensorProfile, type StopTruth } from './box-sensors.js';
import { boxClash, boxVisits, describeClash, type BoxVisit } from './box-visits.js';
import type { LaneCrossingTruth } from './commitment-lane.js';
import { laneInput } from './lane-visits.js';
import { DEFAULT_PROFILE, loopHits, makeTransponder, type FieldVehicle, type LoopFieldProfile, type LoopHit, type LoopLine } from './loop-field.js';
import type { PathMotion } from './motion.js';
import { hashSeed } from './random.js';
import { RacePlanError, type CarPlan, type RacePlan } from './race-plan.js';

export interface SensorProfiles {
  loop: LoopFieldProfile;
  box: BoxSensorProfile;
}

export const DEFAULT_SENSORS: SensorProfiles = { loop: DEFAULT_PROFILE, box: DEFAULT_BOX_SENSOR_PROFILE };

/** The transponder's motion: `offsetM` behind the nose. */
export function behind(nose: PathMotion, offsetM: number): PathMotion {
  return {
    positionAt: (t) => nose.positionAt(t) - offsetM,
    timeAt: (p) => nose.timeAt(p + offsetM),
    speedAt: (t) => nose.speedAt(t),
  };
}

/** A time-ordered batch of sensor records for one board. */
export interface BoardInput {
  /** Sim time of each record (µs), ascending. */
  timesUs: Float64Array;
  /** The records, each with its sim time in its time field (the rig writes board time). */
  records: Uint8Array;
  recordBytes: 16 | 64;
}

export class RaceSensors {
  readonly plan: RacePlan;
  readonly profiles: SensorProfiles;
  /** Box truth by scenario pit stop index. */
  readonly stopTruth = new Map<number, StopTruth>();
  /** Commitment lane truth by scenario pit stop index (empty when the track has no lane). */
  readonly laneTruth = new Map<number, LaneCrossingTruth>();
  /** Box samples of the whole race, per box board. */
  readonly boxInput = new Map<string, BoardInput>();
  private readonly loopBoard = new Map<number, string>();
  private readonly trackLines: LoopLine[] = [];
  private readonly pitLines: LoopLine[] = [];
  private readonly trackVehicles: FieldVehicle[] = [];
  private readonly pitVehicles: Array<FieldVehicle & { fromUs: number; toUs: number }> = [];
  private readonly missed: Array<{ loop: number; transponder: number; fromUs: number; toUs: number }> = [];
  private readonly seed: number;

  constructor(plan: RacePlan, profiles: SensorProfiles = DEFAULT_SENSORS, missedReads: ReadonlyArray<{ loop: number; transponder: number; transponderUs: number }> = []) {
    this.plan = plan;
    this.profiles = profiles;
    const { track, scenario } = plan;
    this.seed = scenario.seed;
    for (const l of track.loops) this.loopBoard.set(l.id, l.board);
    for (let k = 0; k <= scenario.laps; k++) {
      for (const l of track.loops) if (l.path === 'track') this.trackLines.push({ loop: l.id, positionM: k * track.lengthM + l.positionM });
    }
    for (const l of track.loops) if (l.path === 'pit') this.pitLines.push({ loop: l.id, positionM: l.positionM });
    for (const car of plan.cars) {
      const e = car.entry;
      const tr = makeTransponder(e.transponder, profiles.loop, scenario.seed, { noseOffsetM: e.noseOffsetM, lateralM: lateralOf(scenario.seed, car) });
      this.trackVehicles.push({ transponder: tr, motion: behind(car.track, e.noseOffsetM), active: car.trackActive });
      // A pass-through is on pit road like any visit.
      for (const s of car.stops) {
        this.pitVehicles.push({ transponder: tr, motion: behind(s.motion, e.noseOffsetM), active: [[s.pitFromUs, s.pitToUs]], fromUs: s.pitFromUs, toUs: s.pitToUs });
      }
    }
    // A missed read: the loop hears nothing of that transponder around that crossing.
    for (const m of missedReads) this.missed.push({ loop: m.loop, transponder: m.transponder, fromUs: m.transponderUs - 500_000, toUs: m.transponderUs + 500_000 });
    this.buildBoxInput();
  }

  /** Raw hits heard in [fromUs, toUs), per loop board, in time order. */
  loopHitsBetween(fromUs: number, toUs: number): Map<string, LoopHit[]> {
    const window = { fromUs, toUs };
    const p = this.profiles.loop;
    const track = loopHits(this.trackLines, this.trackVehicles, p, hashSeed(this.seed, 0x7ac), window).hits;
    const onPit = this.pitVehicles.filter((v) => v.fromUs < toUs + 1e6 && v.toUs > fromUs - 1e6);
    const pit = onPit.length > 0 ? loopHits(this.pitLines, onPit, p, hashSeed(this.seed, 0x917), window).hits : [];
    const out = new Map<string, LoopHit[]>();
    for (const list of [track, pit]) {
      for (const h of list) {
        if (this.missed.length > 0 && this.missed.some((m) => m.loop === h.loop && m.transponder === h.transponder && h.timeUs >= m.fromUs && h.timeUs < m.toUs)) continue;
        const board = this.loopBoard.get(h.loop)!;
        let l = out.get(board);
        if (!l) out.set(board, (l = []));
        l.push(h);
      }
    }
    for (const l of out.values()) l.sort((a, b) => a.timeUs - b.timeUs || a.loop - b.loop || a.transponder - b.transponder);
    return out;
  }

  /** Every box's visits (stops in their own box, boxes driven through), per box board. */
  private buildBoxInput(): void {
    const { track, scenario } = this.plan;
    const visits = boxVisits(this.plan);
    // planRace checked the boxes driven through with the default sensors; these may sense farther.
    const clash = boxClash(visits, this.profiles.box);
    if (clash) throw new RacePlanError(`pitStops[${clash.through.index}].boxesThrough`, describeClash(clash));
    const byBoard = new Map<string, BoxVisit[]>();
    for (const v of visits) {
      const list = byBoard.get(v.box.board) ?? [];
      list.push(v);
      byBoard.set(v.box.board, list);
    }
    // The commitment lane's records go to its box board with that board's box records.
    const lane = laneInput(this.plan, this.profiles.box, hashSeed(scenario.seed, 0x1a9e));
    if (lane) for (const [index, t] of lane.truth) this.laneTruth.set(index, t);
    track.boards.forEach((b, i) => {
      const list = byBoard.get(b.id);
      const laneRecords = lane && lane.board === b.id && lane.samples > 0 ? lane.records : null;
      if (!list && !laneRecords) return;
      let records: Uint8Array = new Uint8Array(0);
      if (list) {
        const made = boxSamples(
          list.map((x) => x.stop),
          this.profiles.box,
          hashSeed(scenario.seed, 0xb0c5, i),
        );
        for (const x of list) {
          if (x.kind !== 'stop') continue;
          const t = made.truth.find((y) => y.transponder === x.stop.transponder && y.arriveUs === x.stop.arriveUs);
          if (t) this.stopTruth.set(x.index, t);
        }
        records = made.records;
      }
      if (laneRecords) records = mergeRecords(records, laneRecords);
      const samples = records.length / BOX_RECORD_BYTES;
      const timesUs = new Float64Array(samples);
      for (let k = 0; k < samples; k++) timesUs[k] = recordTimeUs(records, k);
      this.boxInput.set(b.id, { timesUs, records, recordBytes: 64 });
    });
  }
}

function recordTimeUs(records: Uint8Array, k: number): number {
  const view = new DataView(records.buffer, records.byteOffset + k * BOX_RECORD_BYTES, 8);
  return view.getUint32(0, true) + view.getUint32(4, true) * 4294967296;
}

/** Two time-ordered runs of 64-byte records as one, in time order (at one time, a's first). */
function mergeRecords(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  const na = a.length / BOX_RECORD_BYTES;
  const nb = b.length / BOX_RECORD_BYTES;
  let i = 0;
  let j = 0;
  let at = 0;
  while (i < na || j < nb) {
    const takeA = j >= nb || (i < na && recordTimeUs(a, i) <= recordTimeUs(b, j));
    const src = takeA ? a : b;
    const k = takeA ? i++ : j++;
    out.set(src.subarray(k * BOX_RECORD_BYTES, (k + 1) * BOX_RECORD_BYTES), at);
    at += BOX_RECORD_BYTES;
  }
  return out;
}

/** Where across the track a truck's transponder runs (m from the loop's centre), drawn per truck. */
function lateralOf(seed: number, car: CarPlan): number {
  const u = (hashSeed(seed, 0x1a7, car.entry.transponder) >>> 0) / 4294967296;
  return (u - 0.5) * 6;
}

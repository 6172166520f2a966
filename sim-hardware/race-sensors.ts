// What every sensor at the track sees during the planned race: the raw transponder
// hits of every loop (loop-field.ts) in windows of time, and the samples of every
// pit box (box-sensors.ts), per board. Missed reads of the scenario are taken out
// here, as a loop that did not hear the transponder.
import type { BoxDef } from '../protocol/schema.js';
import { boxSamples, DEFAULT_BOX_SENSOR_PROFILE, type BoxSensorProfile, type StopScenario, type StopTruth } from './box-sensors.js';
import { DEFAULT_PROFILE, loopHits, makeTransponder, type FieldVehicle, type LoopFieldProfile, type LoopHit, type LoopLine } from './loop-field.js';
import type { PathMotion } from './motion.js';
import { hashSeed } from './random.js';
import type { CarPlan, PlannedStop, RacePlan } from './race-plan.js';

export interface SensorProfiles {
  loop: LoopFieldProfile;
  box: BoxSensorProfile;
}

export const DEFAULT_SENSORS: SensorProfiles = { loop: DEFAULT_PROFILE, box: DEFAULT_BOX_SENSOR_PROFILE };

/** Crew over the wall for a stop with service (R-PIT-CREW-2 allows six). */
export const SERVICE_CREW = 6;
/** Service starts this long after the truck stops, and the crew is back this long before it leaves (s). */
export const SERVICE_MARGIN_S = 0.3;

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

  private buildBoxInput(): void {
    const { track, scenario } = this.plan;
    const byBoard = new Map<string, Array<{ stop: StopScenario; index: number }>>();
    for (const car of this.plan.cars) {
      for (const s of car.stops) {
        const list = byBoard.get(s.box.board) ?? [];
        list.push({ stop: stopScenario(this.plan, car, s), index: s.index });
        byBoard.set(s.box.board, list);
      }
    }
    track.boards.forEach((b, i) => {
      const list = byBoard.get(b.id);
      if (!list) return;
      const { records, samples, truth } = boxSamples(
        list.map((x) => x.stop),
        this.profiles.box,
        hashSeed(scenario.seed, 0xb0c5, i),
      );
      for (const x of list) {
        const t = truth.find((y) => y.transponder === x.stop.transponder && y.arriveUs === x.stop.arriveUs);
        if (t) this.stopTruth.set(x.index, t);
      }
      const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
      const timesUs = new Float64Array(samples);
      for (let k = 0; k < samples; k++) timesUs[k] = view.getUint32(k * 64, true) + view.getUint32(k * 64 + 4, true) * 4294967296;
      this.boxInput.set(b.id, { timesUs, records, recordBytes: 64 });
    });
  }
}

function boxDef(s: PlannedStop): BoxDef {
  const b = s.box;
  return { number: b.number, lengthMm: b.lengthMm, widthMm: b.widthMm, lineMm: b.lineMm, outsideLeft: b.outsideLeft };
}

/** The box sensors' view of a planned stop (box-sensors.ts), consistent with its pit road motion. */
export function stopScenario(plan: RacePlan, car: CarPlan, s: PlannedStop): StopScenario {
  const visit = s.visit.stop!;
  const serviceS = s.stop.serviceS;
  const serviceDurationS = Math.max(0, serviceS - 2 * SERVICE_MARGIN_S);
  const stop: StopScenario = {
    box: boxDef(s),
    vehicle: { ...plan.track.vehicle },
    transponder: car.entry.transponder,
    pose: { ...s.stop.pose },
    arriveUs: s.motion.timeAt(s.box.positionM - s.box.lengthMm / 2000),
    approachSpeedMps: visit.approachSpeedMps,
    stopDurationUs: visit.standS * 1e6,
    serviceStartAfterUs: SERVICE_MARGIN_S * 1e6,
    serviceDurationUs: serviceDurationS * 1e6,
    crew: serviceDurationS > 0 ? SERVICE_CREW : 0,
  };
  if (s.stop.crewEarlyBoxes !== undefined) stop.crewEarlyBoxes = s.stop.crewEarlyBoxes;
  return stop;
}

/** Where across the track a truck's transponder runs (m from the loop's centre), drawn per truck. */
function lateralOf(seed: number, car: CarPlan): number {
  const u = (hashSeed(seed, 0x1a7, car.entry.transponder) >>> 0) / 4294967296;
  return (u - 0.5) * 6;
}

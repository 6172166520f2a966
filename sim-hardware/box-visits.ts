// What the pit boxes see of a planned race, as box-sensors.ts stops: each truck's stop
// in its own box, and each box it drives through entering or leaving it (R-PIT-BOX-3).
// A drive-through follows the very motion pit-visit.ts planned down pit road, so a
// box board sees the truck there when and as fast as it really goes. A box holds one
// vehicle at a time: a drive-through while the box is in use is a clash the plan refuses.
import type { VehicleGeometry } from '../protocol/schema.js';
import { footprint, overBox, type Pose } from './box-geometry.js';
import { DEFAULT_BOX_SENSOR_PROFILE, stopPath, stopTruthOf, type BoxSensorProfile, type StopScenario } from './box-sensors.js';
import type { PathMotion } from './motion.js';
import type { CarPlan, PlannedStop, RacePlan } from './race-plan.js';
import { DEFAULT_CREW } from './scenario.js';
import { boxDef, type TrackBox } from './track.js';

/** Service starts this long after the truck stops, and the crew is back this long before it leaves (s). */
export const SERVICE_MARGIN_S = 0.3;

export type BoxVisitKind = 'stop' | 'entering' | 'leaving';

/** One vehicle's pass through one box: its stop there, or a drive-through on the way in or out. */
export interface BoxVisit {
  /** The scenario pit stop it belongs to. */
  index: number;
  car: CarPlan;
  kind: BoxVisitKind;
  box: TrackBox;
  stop: StopScenario;
}

/** The box sensors' view of a planned stop in its own box, consistent with its pit road motion. */
export function ownBoxStop(plan: RacePlan, car: CarPlan, s: PlannedStop): StopScenario {
  const visit = s.visit.stop!;
  const serviceDurationS = Math.max(0, s.stop.serviceS - 2 * SERVICE_MARGIN_S);
  const stop: StopScenario = {
    box: boxDef(s.box),
    vehicle: { ...plan.track.vehicle },
    transponder: car.entry.transponder,
    pose: { ...s.stop.pose },
    arriveUs: s.motion.timeAt(s.box.positionM - s.box.lengthMm / 2000),
    approachSpeedMps: visit.approachSpeedMps,
    stopDurationUs: visit.standS * 1e6,
    serviceStartAfterUs: SERVICE_MARGIN_S * 1e6,
    serviceDurationUs: serviceDurationS * 1e6,
    crew: serviceDurationS > 0 ? (s.stop.crew ?? DEFAULT_CREW) : 0,
  };
  if (s.stop.crewEarlyBoxes !== undefined) stop.crewEarlyBoxes = s.stop.crewEarlyBoxes;
  return stop;
}

/** A box the truck drives through, squarely along the box's axis, as its pit road motion has it. */
export function throughBox(plan: RacePlan, car: CarPlan, s: PlannedStop, box: TrackBox): StopScenario {
  const back = box.positionM - box.lengthMm / 2000;
  const m = s.motion;
  const noseMotion: PathMotion = {
    positionAt: (t) => m.positionAt(t) - back,
    timeAt: (p) => m.timeAt(p + back),
    speedAt: (t) => m.speedAt(t),
  };
  const arriveUs = noseMotion.timeAt(0);
  return {
    box: boxDef(box),
    vehicle: { ...plan.track.vehicle },
    transponder: car.entry.transponder,
    pose: { xMm: 0, yMm: 0, yawDeg: 0 },
    arriveUs,
    approachSpeedMps: m.speedAt(arriveUs),
    stopDurationUs: 0,
    serviceStartAfterUs: 0,
    serviceDurationUs: 0,
    crew: 0,
    driveThrough: true,
    noseMotion,
  };
}

/** When the truck's tail clears a through box's front line: the board's box-transit. */
export function transitUs(plan: RacePlan, car: CarPlan, s: PlannedStop, box: TrackBox): number {
  return stopPath(throughBox(plan, car, s, box)).departUs;
}

/** Whether a truck standing at `pose` in its own box is over another box's inside area (it would stop there, not drive through). */
export function standsOver(vehicle: VehicleGeometry, own: TrackBox, pose: Pose, other: TrackBox): boolean {
  const dxMm = (own.positionM - other.positionM) * 1000;
  return overBox(boxDef(other), footprint(vehicle, { ...pose, xMm: pose.xMm + dxMm }));
}

/** Every box visit of the race: per truck, per stop, its own box, then the boxes entering, then leaving. */
export function boxVisits(plan: RacePlan): BoxVisit[] {
  const out: BoxVisit[] = [];
  for (const car of plan.cars) {
    for (const s of car.stops) {
      if (s.passThrough) continue;
      out.push({ index: s.index, car, kind: 'stop', box: s.box, stop: ownBoxStop(plan, car, s) });
      for (const kind of ['entering', 'leaving'] as const) {
        for (const b of s.through[kind]) out.push({ index: s.index, car, kind, box: b, stop: throughBox(plan, car, s, b) });
      }
    }
  }
  return out;
}

export interface BoxClash {
  box: number;
  /** The drive-through that finds the box in use. */
  through: BoxVisit;
  /** What uses it then. */
  other: BoxVisit;
}

/**
 * The first drive-through that finds its box in use: sensed at the same time as
 * another visit of that box (the spans of box-sensors.ts, which cannot share a box),
 * or null. Two stops in their own boxes are not this module's to judge.
 */
export function boxClash(visits: readonly BoxVisit[], profile: BoxSensorProfile = DEFAULT_BOX_SENSOR_PROFILE): BoxClash | null {
  const spans = visits.map((v) => {
    const t = stopTruthOf(v.stop, profile);
    return { v, fromUs: t.sensedFromUs, toUs: t.sensedToUs };
  });
  let first: (BoxClash & { atUs: number }) | null = null;
  for (const t of spans) {
    if (t.v.kind === 'stop') continue;
    for (const o of spans) {
      if (o === t || o.v.box.number !== t.v.box.number || o.fromUs > t.toUs || t.fromUs > o.toUs) continue;
      // Of two drive-throughs, the later one is to blame.
      if (o.v.kind !== 'stop' && (o.fromUs > t.fromUs || (o.fromUs === t.fromUs && o.v.index > t.v.index))) continue;
      const atUs = Math.max(t.fromUs, o.fromUs);
      if (!first || atUs < first.atUs) first = { box: t.v.box.number, through: t.v, other: o.v, atUs };
    }
  }
  return first && { box: first.box, through: first.through, other: first.other };
}

/** A clash in words, for the error naming the stop that drives through. */
export function describeClash(c: BoxClash): string {
  const what = c.other.kind === 'stop' ? `car ${c.other.car.entry.car} stops there (pitStops[${c.other.index}])` : `car ${c.other.car.entry.car} drives through it ${c.other.kind} box ${c.other.car.entry.box} (pitStops[${c.other.index}])`;
  return `box ${c.box} is in use as car ${c.through.car.entry.car} drives through it ${c.through.kind} box ${c.through.car.entry.box}: ${what}`;
}

// What the commitment lane sees of a planned race (R-PIT-COMMIT-1): every visit to pit
// road crosses the commitment line on its way in, at the offset and yaw its scenario
// stop scripts, along the very motion the race plan has there (still on the track
// before the fork, on pit road after it). Trucks that stay on the track pass beside
// the lane, not over it.
import type { CommitmentLane } from '../protocol/schema.js';
import { laneCrossingTruth, laneSamples, type LaneCrossing, type LaneCrossingTruth } from './commitment-lane.js';
import type { BoxSensorProfile } from './box-sensors.js';
import type { PathMotion } from './motion.js';
import type { CarPlan, PlannedStop, RacePlan } from './race-plan.js';
import { commitmentLaneDef, type Track } from './track.js';

/** The track's lane as its board is configured with it, or null when the track has none. */
export function trackLane(track: Track): CommitmentLane | null {
  return track.pitRoad.commitmentLane ? commitmentLaneDef(track.pitRoad.commitmentLane) : null;
}

/** How far the fork onto pit road lies past the commitment line along the track (m). */
function lineToForkM(track: Track): number {
  const line = track.loops.find((l) => l.role === 'commitment')!.positionM;
  const d = track.pitRoad.entryM - line;
  return d >= 0 ? d : d + track.lengthM;
}

/** The nose's distance past the commitment line (m) over time, for one visit to pit road. */
export function commitmentMotion(track: Track, car: CarPlan, s: PlannedStop): PathMotion {
  const forkD = lineToForkM(track);
  const lineAbs = car.track.positionAt(s.forkUs) - forkD;
  return {
    positionAt: (t) => (t <= s.forkUs ? car.track.positionAt(t) - lineAbs : forkD + s.motion.positionAt(t)),
    timeAt: (p) => (p <= forkD ? car.track.timeAt(lineAbs + p) : s.motion.timeAt(p - forkD)),
    speedAt: (t) => (t <= s.forkUs ? car.track.speedAt(t) : s.motion.speedAt(t)),
  };
}

/** A visit's crossing of the commitment line as the lane's sensors see it. */
export function commitmentCrossing(plan: RacePlan, car: CarPlan, s: PlannedStop): LaneCrossing {
  return {
    vehicle: { ...plan.track.vehicle },
    transponder: car.entry.transponder,
    noseMotion: commitmentMotion(plan.track, car, s),
    offsetMm: s.stop.commitmentOffsetMm ?? 0,
    yawDeg: s.stop.commitmentYawDeg ?? 0,
  };
}

/** The truth of a visit's crossing (no sensors), or null when the track has no lane. */
export function commitmentTruth(plan: RacePlan, car: CarPlan, s: PlannedStop): LaneCrossingTruth | null {
  const lane = trackLane(plan.track);
  return lane && laneCrossingTruth(lane, commitmentCrossing(plan, car, s));
}

/** Every visit's crossing, by scenario pit stop index. */
export function laneVisits(plan: RacePlan): Array<{ index: number; crossing: LaneCrossing }> {
  return plan.cars.flatMap((car) => car.stops.map((s) => ({ index: s.index, crossing: commitmentCrossing(plan, car, s) })));
}

/** The lane's records of the whole race (sim time in their time fields) and each visit's truth, or null without a lane. */
export function laneInput(plan: RacePlan, profile: BoxSensorProfile, seed: number): { board: string; records: Uint8Array; samples: number; truth: Map<number, LaneCrossingTruth> } | null {
  const lane = trackLane(plan.track);
  if (!lane) return null;
  const visits = laneVisits(plan);
  const { records, samples } = laneSamples(lane, visits.map((v) => v.crossing), profile, seed);
  const truth = new Map(visits.map((v) => [v.index, laneCrossingTruth(lane, v.crossing)]));
  return { board: plan.track.pitRoad.commitmentLane!.board, records, samples, truth };
}

// One truck's trip down pit road: braking from the fork to the entry yellow line,
// each timed segment at its true average speed (scripted, or a legal default), the
// stop in its box at the scripted pose, the run to the exit yellow line and out to
// where pit road rejoins the track. Positions are the nose's along pit road; the
// segment lines are shifted by the transponder's offset so the *transponder* — what
// the timing lines see — covers each segment in exactly the planned time.
import type { VehicleGeometry } from '../protocol/schema.js';
import { BOX_MOTION, MPH } from './box-sensors.js';
import type { Pose } from './box-geometry.js';
import { Course, timedStretch } from './course.js';
import type { Rng } from './random.js';
import type { PitSegment, TrackBox } from './track.js';

/** Braking from racing speed to the fork (m/s²). */
export const PIT_ENTRY_BRAKE_MPS2 = 6;
/** Accelerating from the exit yellow line back to the track (m/s²). */
export const PIT_EXIT_ACCEL_MPS2 = 4;
/** Unscripted segments run this much under the limit, drawn per stop (mph). */
export const DEFAULT_UNDER_LIMIT_MPH: readonly [number, number] = [0.4, 2.0];

export interface PitVisitInput {
  segments: readonly PitSegment[];
  /** Pit road length (m): the fork back onto the track. */
  lengthM: number;
  limitMph: number;
  /** The box it stops in; null drives the whole of pit road (a pass-through). */
  box: TrackBox | null;
  vehicle: VehicleGeometry;
  pose: Pose;
  /** Time standing in the box (s). */
  standS: number;
  /** Segment number → true average mph, from the scenario. */
  segmentMph: Readonly<Record<string, number>>;
  noseOffsetM: number;
  rng: Rng;
}

export interface SegmentPlan {
  number: number;
  lengthM: number;
  /** The planned average speed of a timed segment; null for segments the stop takes. */
  mph: number | null;
  scripted: boolean;
}

export interface BoxStopPlan {
  box: number;
  /** Speed before braking for the box (m/s). */
  approachSpeedMps: number;
  /** Stands from standFromUs (relative to the fork) for standS. */
  standFromUs: number;
  standS: number;
  /** Nose position when standing (m along pit road). */
  noseM: number;
  /** Segment numbers whose average the stop sets. */
  segments: number[];
}

export interface PitVisitPlan {
  /** Speed at the fork where pit road leaves the track (m/s). */
  entrySpeedMps: number;
  /** Speed when the transponder reaches the end of pit road (m/s). */
  exitSpeedMps: number;
  /** The nose's motion from t = 0 at the fork (nose at 0) to the transponder at lengthM. */
  course: Course;
  segments: SegmentPlan[];
  stop: BoxStopPlan | null;
}

export class PitPlanError extends Error {}

/** A segment number the stop takes but the scenario gave a speed for. */
export class StopSegmentScripted extends PitPlanError {
  constructor(readonly segment: number, readonly box: number) {
    super(`segment ${segment} holds the stop in box ${box}; its average speed is set by the stop, not scripted`);
  }
}

export function planPitVisit(input: PitVisitInput): PitVisitPlan {
  const { segments, vehicle: v, noseOffsetM: off } = input;
  if (segments.length === 0) throw new PitPlanError('pit road has no timed segments');
  const n = segments.length;
  // Line j (0 = entry yellow line, n = exit yellow line) in nose coordinates.
  const line = (j: number): number => (j === 0 ? segments[0]!.fromM : segments[j - 1]!.toM) + off;
  const limit = input.limitMph * MPH;
  const target: number[] = segments.map((s) => {
    const scripted = input.segmentMph[String(s.number)];
    if (scripted !== undefined) return scripted * MPH;
    const [lo, hi] = DEFAULT_UNDER_LIMIT_MPH;
    return limit - (lo + (hi - lo) * input.rng.next()) * MPH;
  });
  const approach = limit - (DEFAULT_UNDER_LIMIT_MPH[0] + (DEFAULT_UNDER_LIMIT_MPH[1] - DEFAULT_UNDER_LIMIT_MPH[0]) * input.rng.next()) * MPH;

  // The stop takes lines a..b: it brakes after line a and is back up to speed before line b.
  let stop: BoxStopPlan | null = null;
  let a = -1;
  let b = -1;
  let va = approach;
  if (input.box) {
    const noseReach = (v.wheelbaseMm / 2 + v.frontOverhangMm) / 1000;
    const noseM = input.box.positionM + input.pose.xMm / 1000 + noseReach;
    const brakeM = (x: number): number => (x * x) / (2 * BOX_MOTION.decelMps2);
    const accelM = (x: number): number => (x * x) / (2 * BOX_MOTION.accelMps2);
    a = 0;
    for (let j = 0; j <= n; j++) if (line(j) <= noseM - brakeM(approach) - 1) a = j;
    // Close behind the entry line there is less room to brake: come in slower.
    va = Math.min(approach, Math.sqrt(2 * BOX_MOTION.decelMps2 * Math.max(0.5, noseM - line(a) - 0.5)));
    b = n;
    for (let j = n; j > a; j--) if (line(j) >= noseM + accelM(va) + 1) b = j;
    const taken: number[] = [];
    for (let k = a + 1; k <= b; k++) taken.push(k);
    for (const k of taken) if (input.segmentMph[String(k)] !== undefined) throw new StopSegmentScripted(k, input.box.number);
    stop = { box: input.box.number, approachSpeedMps: va, standFromUs: 0, standS: input.standS, noseM, segments: taken };
  }
  const inStop = (k: number): boolean => stop !== null && k > a && k <= b;
  // Speed at each line: the stop's edges at its approach speed, between timed segments the mean.
  const at: number[] = [];
  for (let j = 0; j <= n; j++) {
    const before = j > 0 && !inStop(j) ? target[j - 1]! : null;
    const after = j < n && !inStop(j + 1) ? target[j]! : null;
    if (stop && (j === a || j === b)) at.push(va);
    else if (before !== null && after !== null) at.push((before + after) / 2);
    else at.push(before ?? after ?? va);
  }

  const entrySpeed = Math.sqrt(at[0]! * at[0]! + 2 * PIT_ENTRY_BRAKE_MPS2 * line(0));
  const course = new Course(0, 0, entrySpeed);
  course.rampTo(at[0]!, line(0));
  const plans: SegmentPlan[] = [];
  for (let k = 1; k <= n; k++) {
    const seg = segments[k - 1]!;
    if (inStop(k)) {
      plans.push({ number: seg.number, lengthM: seg.lengthM, mph: null, scripted: false });
      if (k === a + 1) {
        // Hold the approach speed, brake into the box, stand, accelerate away to line b.
        const s = stop!;
        course.holdTo(s.noseM - (va * va) / (2 * BOX_MOTION.decelMps2));
        course.rampTo(0, s.noseM);
        course.vMps = 0;
        s.standFromUs = course.tUs;
        course.standUntil(course.tUs + s.standS * 1e6);
        const room = line(b) - course.xM;
        const reach = Math.min(va, Math.sqrt(2 * BOX_MOTION.accelMps2 * room));
        if (reach >= va) course.accelTo(va, BOX_MOTION.accelMps2).holdTo(line(b));
        else course.rampTo(reach, line(b));
        at[b] = course.vMps;
      }
      continue;
    }
    const d = line(k) - line(k - 1);
    timedStretch(course, d, d / target[k - 1]!, at[k - 1]!, at[k]!);
    course.snap(course.tUs, line(k));
    plans.push({ number: seg.number, lengthM: seg.lengthM, mph: target[k - 1]! / MPH, scripted: input.segmentMph[String(seg.number)] !== undefined });
  }
  // Out past the pit-out line to where pit road meets the track, the transponder at the end.
  const end = input.lengthM + off;
  const v1 = Math.sqrt(course.vMps * course.vMps + 2 * PIT_EXIT_ACCEL_MPS2 * (end - course.xM));
  course.rampTo(v1, end);
  return { entrySpeedMps: entrySpeed, exitSpeedMps: v1, course, segments: plans, stop };
}

// Minimum speed after repairs (R-PIT-DAMAGE-2). After each damaged visit's pit exit the
// vehicle must lap at the minimum speed within the next few green-flag laps, or it is
// no longer scored. Only laps run wholly under green count: a caution or red lap is
// paused over (neither counted nor a reason to start again), since the vehicle cannot
// run at speed behind the pace car. The out-lap from pit road never counts; going back
// onto pit road before meeting it starts the watch again after that visit.
import type { DamagedVehicleRules } from './damaged-vehicle-rules.js';
import type { FlagCall } from '../scoring/freeze-field.js';
import { flagAt } from '../scoring/pit-road.js';

/** One credited lap of the car: from the crossing before to its own crossing. */
export interface WatchLap {
  lap: number;
  startUs: number;
  endUs: number;
  /** The lap starts or ends on pit road. */
  onPitRoad: boolean;
}

export interface MinimumSpeedInput {
  car: string;
  laps: readonly WatchLap[];
  /** Pit exit of each of the car's damaged visits (µs); each starts a watch. */
  exitsUs: readonly number[];
  flags: readonly FlagCall[];
  trackLengthM: number;
}

export interface WatchedLap {
  lap: number;
  /** Track length / lap time, to 0.01 mph: the figure shown is the one compared. */
  mph: number;
  /** Run wholly under green (or white). */
  green: boolean;
  /** One of the green laps the watch counts. */
  counts: boolean;
}

export type MinimumSpeedStatus = 'watching' | 'met' | 'failed';

export interface MinimumSpeedWatch {
  car: string;
  status: MinimumSpeedStatus;
  /** The laps of the watches: from each out-lap to the lap that settled it (or the latest). */
  laps: WatchedLap[];
  /** End of the lap that met the minimum speed, in the latest watch. */
  metUs: number | null;
  /** End of the last counted lap when none met it: no longer scored from then. */
  failedUs: number | null;
}

const M_PER_MILE = 1609.344;
const RUNNING = new Set<FlagCall['flag']>(['green', 'white']);

/** The minimum speed watch of one car after its damaged visits. */
export function minimumSpeedWatch(input: MinimumSpeedInput, rules: Pick<DamagedVehicleRules, 'minimumSpeedMph' | 'minimumSpeedLaps'>): MinimumSpeedWatch {
  const flags = [...input.flags].sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
  const exits = [...new Set(input.exitsUs)].sort((a, b) => a - b);
  const laps = [...input.laps].sort((a, b) => a.startUs - b.startUs || a.lap - b.lap);

  const out: WatchedLap[] = [];
  let e = 0;
  let watching = false; // a watch is open and not settled
  let counted = 0;
  let metUs: number | null = null;
  let failedUs: number | null = null;
  for (const l of laps) {
    // The first lap to end after a pit exit is that visit's out-lap: a new watch starts.
    let outLap = false;
    while (e < exits.length && exits[e]! < l.endUs) {
      outLap = true;
      e++;
    }
    if (outLap) {
      watching = true;
      counted = 0;
      metUs = null;
    }
    if (!watching) continue;
    const mph = lapMph(l, input.trackLengthM);
    const green = greenLap(flags, l);
    let counts = false;
    if (outLap || l.onPitRoad) {
      // Back on pit road: the laps so far no longer count; the watch starts again after it.
      if (!outLap) counted = 0;
    } else if (green) {
      counts = true;
      counted++;
      if (mph >= rules.minimumSpeedMph) {
        metUs = l.endUs;
        watching = false;
      } else if (counted >= rules.minimumSpeedLaps) {
        failedUs = l.endUs;
        watching = false;
      }
    }
    out.push({ lap: l.lap, mph, green, counts });
    if (failedUs !== null) break; // no longer scored: nothing later matters
  }
  // A pit exit after the latest lap (the out-lap still running) has opened a watch too.
  if (failedUs === null && e < exits.length) metUs = null;
  const status: MinimumSpeedStatus = failedUs !== null ? 'failed' : metUs !== null ? 'met' : 'watching';
  return { car: input.car, status, laps: out, metUs, failedUs };
}

/** Lap speed (mph) to 0.01 mph; a lap of no duration has none to speak of: 0. */
export function lapMph(l: Pick<WatchLap, 'startUs' | 'endUs'>, trackLengthM: number): number {
  const s = (l.endUs - l.startUs) / 1_000_000;
  if (!(s > 0)) return 0;
  return Math.round(((trackLengthM / M_PER_MILE) * 3600 * 100) / s) / 100;
}

/** Green (or white) out at the lap's start, and no other flag shown until its end. `flags` in time order. */
export function greenLap(flags: readonly FlagCall[], l: Pick<WatchLap, 'startUs' | 'endUs'>): boolean {
  const atStart = flagAt(flags, l.startUs);
  if (atStart === null || !RUNNING.has(atStart)) return false;
  return !flags.some((f) => f.atUs > l.startUs && f.atUs <= l.endUs && !RUNNING.has(f.flag));
}

// Timed laps (R-QUAL-1..4): a truck's laps from its crossings of the timing line, and
// which of them count in a round. A lap runs from one crossing of the track's timing
// line to the truck's next, with no crossing of pit road's line between: a lap begun
// or ended on pit road is never timed (R-QUAL-1).
import type { SetupLoop } from '../event-setup.js';
import type { LineCrossing } from '../scoring/crossings.js';
import { redDuring, type RoundClock } from './round-clock.js';

/** What qualifying needs of a line crossing (crossings.ts): the nose at the line, gateway clock µs. */
export type QualifyingCrossing = Pick<LineCrossing, 'car' | 'loop' | 'noseUs' | 'inferred'>;

/** The loop ids of the timing line on the track and of pit road's start/finish line. */
export interface TimingLines {
  track: readonly number[];
  pit: readonly number[];
}

/** R-QUAL-1: the designated timing line is the track's start/finish loop; pit road's never times a lap. */
export function timingLines(loops: readonly SetupLoop[]): TimingLines {
  const of = (path: 'track' | 'pit'): number[] => loops.filter((l) => l.role === 'start-finish' && l.path === path).map((l) => l.id);
  return { track: of('track'), pit: of('pit') };
}

export interface Lap {
  car: string;
  /** Its start and end crossings of the timing line (µs, whole). */
  startUs: number;
  endUs: number;
  timeUs: number;
  /** R-SF-9: a crossing it was timed from was inferred, not read; for an official to look at. */
  inferred: boolean;
}

/** One truck's run: its crossings of the track's timing line (whole µs, in time order) and its laps. */
export interface CarRun {
  car: string;
  lineUs: number[];
  laps: Lap[];
}

/**
 * Each truck's laps from its crossings (any order). Crossings of loops that are neither
 * line are left out. Times are taken to the whole µs first, so lap times are exact
 * differences and equal times compare equal (R-QUAL-5).
 */
export function carRuns(crossings: readonly QualifyingCrossing[], lines: TimingLines): Map<string, CarRun> {
  const track = new Set(lines.track);
  const pit = new Set(lines.pit);
  const byCar = new Map<string, Array<{ atUs: number; track: boolean; loop: number; inferred: boolean }>>();
  for (const c of crossings) {
    const onTrack = track.has(c.loop);
    if (!onTrack && !pit.has(c.loop)) continue;
    let xs = byCar.get(c.car);
    if (!xs) byCar.set(c.car, (xs = []));
    xs.push({ atUs: Math.round(c.noseUs), track: onTrack, loop: c.loop, inferred: c.inferred });
  }
  const runs = new Map<string, CarRun>();
  for (const [car, xs] of byCar) {
    xs.sort((a, b) => a.atUs - b.atUs || a.loop - b.loop || Number(a.inferred) - Number(b.inferred));
    const run: CarRun = { car, lineUs: [], laps: [] };
    let prev: (typeof xs)[number] | null = null;
    for (const x of xs) {
      // The same crossing given twice (read and inferred alike) is one crossing; the read one sorts first.
      if (prev && prev.atUs === x.atUs && prev.loop === x.loop) continue;
      if (x.track) {
        run.lineUs.push(x.atUs);
        if (prev && prev.track && x.atUs > prev.atUs) {
          run.laps.push({ car, startUs: prev.atUs, endUs: x.atUs, timeUs: x.atUs - prev.atUs, inferred: prev.inferred || x.inferred });
        }
      }
      prev = x;
    }
    runs.set(car, run);
  }
  return runs;
}

/** Why a lap does not count, first that applies, in this order. */
export const WHY = {
  notInRound: 'not in this round: did not advance',
  begunBeforeStart: 'begun before the round started (R-QUAL-2)',
  redFlag: 'red flag out during the lap (R-QUAL-4)',
  afterExpiry: 'a later crossing after time expired (R-QUAL-3)',
  afterEnd: 'ended after race control ended the round',
  beyondTimedLaps: 'beyond its timed laps in the round (R-QUAL-2)',
} as const;
export type LapWhy = (typeof WHY)[keyof typeof WHY];

export interface JudgedLap extends Lap {
  counted: boolean;
  why: LapWhy | null;
}

/**
 * A truck's laps in a round — those ending from its start until the next round's — and
 * whether each counts:
 * - R-QUAL-2: a lap begun before the start does not; of the rest, the first `timedLaps`
 *   that nothing else disallows are timed, later ones not (a disallowed lap does not use
 *   one up);
 * - R-QUAL-4: a lap with a red flag out during it does not;
 * - R-QUAL-3: once time has expired, the lap ending at the truck's first crossing of the
 *   timing line after expiry may count; one ending at any later crossing does not. A
 *   crossing at the instant of expiry is in time;
 * - a lap ending after race control's end call does not (a crossing at its instant is in).
 */
export function lapsInRound(k: RoundClock, timedLaps: 1 | 2, run: CarRun, entered: boolean): JudgedLap[] {
  if (k.startUs === null) return [];
  const start = k.startUs;
  const expires = k.expiresUs;
  const lastUs = expires === null ? undefined : run.lineUs.find((t) => t > expires);
  let timed = 0;
  const out: JudgedLap[] = [];
  for (const lap of run.laps) {
    if (lap.endUs < start || (k.nextStartUs !== null && lap.endUs >= k.nextStartUs)) continue;
    let why: LapWhy | null = null;
    if (!entered) why = WHY.notInRound;
    else if (lap.startUs < start) why = WHY.begunBeforeStart;
    else if (redDuring(k, lap.startUs, lap.endUs)) why = WHY.redFlag;
    else if (expires !== null && lap.endUs > expires && lap.endUs !== lastUs) why = WHY.afterExpiry;
    else if (k.endCallUs !== null && lap.endUs > k.endCallUs) why = WHY.afterEnd;
    else if (++timed > timedLaps) why = WHY.beyondTimedLaps;
    out.push({ ...lap, counted: why === null, why });
  }
  return out;
}

// What results.json should say, derived from truth.json alone (never through the race
// state), by the rules' own words:
// - R-SF-2: most laps, then least time of the last credited crossing; time from the green.
// - R-SF-7: the leader of lap n (n ≥ 1) is the first truck credited with it; a lead
//   change is a lap whose leader differs from the previous lap's.
// - R-SF-3: a stage ends when its leader completes the end lap; every other truck's stage
//   finish is its next crossing; top ten by laps, then time at that crossing.
// - R-SF-8: runner-up's final crossing − winner's.
// truth.laps holds exactly the credited crossings (the nose at the line, R-SF-1).
import type { Truth, TruthCrossing, TruthLap } from './truth.js';

export interface TruthResults {
  greenUs: number;
  classification: Array<{ car: string; laps: number; lastUs: number; timeS: number }>;
  lapsLed: Map<string, number>;
  leadChanges: number;
  leaders: number;
  stages: Array<{ stage: number; endLap: number; top10: string[] }>;
  marginS: number | null;
}

export function truthResults(truth: Truth): TruthResults {
  const greenUs = truth.flags.find((f) => f.flag === 'green')!.atUs;
  const byCar = new Map<string, TruthLap[]>(truth.field.map((f) => [f.car, []]));
  for (const l of truth.laps) byCar.get(l.car)!.push(l);
  for (const list of byCar.values()) list.sort((a, b) => a.lap - b.lap);

  const classification = [...byCar].map(([car, list]) => {
    const last = list[list.length - 1]!;
    return { car, laps: last.lap, lastUs: last.noseUs, timeS: (last.noseUs - greenUs) / 1e6 };
  });
  classification.sort((a, b) => b.laps - a.laps || a.lastUs - b.lastUs);

  const lapsLed = new Map<string, number>(truth.field.map((f) => [f.car, 0]));
  const leaderOf: string[] = [];
  const maxLap = Math.max(...truth.laps.map((l) => l.lap));
  for (let n = 1; n <= maxLap; n++) {
    const first = truth.laps.filter((l) => l.lap === n).sort((a, b) => a.noseUs - b.noseUs)[0];
    if (!first) continue;
    leaderOf[n] = first.car;
    lapsLed.set(first.car, lapsLed.get(first.car)! + 1);
  }
  let leadChanges = 0;
  for (let n = 2; n <= maxLap; n++) if (leaderOf[n] !== undefined && leaderOf[n - 1] !== undefined && leaderOf[n] !== leaderOf[n - 1]) leadChanges++;
  const leaders = new Set(leaderOf.filter((x) => x !== undefined)).size;

  const stages = truth.scenario.stages.map((endLap, i) => {
    if (i === truth.scenario.stages.length - 1) return { stage: i + 1, endLap, top10: classification.slice(0, 10).map((c) => c.car) };
    const endUs = Math.min(...truth.laps.filter((l) => l.lap === endLap).map((l) => l.noseUs));
    const atLine = [...byCar].map(([car, list]) => {
      const x = list.find((l) => l.noseUs >= endUs) ?? list[list.length - 1]!;
      return { car, lap: x.lap, us: x.noseUs };
    });
    atLine.sort((a, b) => b.lap - a.lap || a.us - b.us);
    return { stage: i + 1, endLap, top10: atLine.slice(0, 10).map((x) => x.car) };
  });

  const [p1, p2] = classification;
  const marginS = p1 && p2 ? (p2.lastUs - p1.lastUs) / 1e6 : null;
  return { greenUs, classification, lapsLed, leadChanges, leaders, stages, marginS };
}

/** A scored crossing's honest uncertainty when the truck ran evenly to the line (µs). */
export const EVEN_SPEED_US = 1000;
/** "Evenly": its speed changed by no more than this share between the loops and the line. */
export const EVEN_SPEED_SHARE = 0.01;

/**
 * How far the scored time of a true credited crossing can honestly be off (µs). The
 * nose correction (R-SF-1) needs the speed at the line, and the nearest loops are some
 * 200 m away: the speed measured over that stretch is off by as much as the truck's
 * speed changed along it. So: 1 ms, plus the true correction times the relative change
 * of speed between the line and the loop before it (and the loop after it, except at a
 * finish, where the truck slows after the checkered and only the loops before count).
 * A truck whose speed changed by under 1% there ran evenly: 1 ms flat.
 */
export function scoringToleranceUs(truth: Truth, lineLoops: ReadonlySet<number>, car: string, noseUs: number, finish: boolean): number {
  const xs = truth.crossings.filter((c) => c.car === car).sort((a, b) => a.transponderUs - b.transponderUs);
  const i = xs.findIndex((c) => lineLoops.has(c.loop) && Math.abs(c.noseUs - noseUs) < 1);
  if (i < 0) return EVEN_SPEED_US;
  const at = xs[i]!;
  const correction = at.transponderUs - at.noseUs;
  const sides = [xs[i - 1], finish ? undefined : xs[i + 1]].filter((c): c is TruthCrossing => c !== undefined && c.path === at.path && !lineLoops.has(c.loop));
  let change = 0;
  for (const s of sides) change = Math.max(change, Math.abs(s.speedMps - at.speedMps) / Math.min(s.speedMps, at.speedMps));
  return change <= EVEN_SPEED_SHARE ? EVEN_SPEED_US : EVEN_SPEED_US + correction * change;
}

export interface Placed {
  car: string;
  laps: number;
  us: number;
  tolUs: number;
}

/**
 * Pairs the measured order has the other way round from the truth's; each must be a
 * photo finish (same laps, closer than the two tolerances). Returns the pairs that are not.
 */
export function orderDisagreements(got: readonly string[], want: readonly Placed[]): string[] {
  const at = new Map(got.map((c, i) => [c, i]));
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    for (let j = i + 1; j < want.length; j++) {
      const a = want[i]!;
      const b = want[j]!;
      if ((at.get(a.car) ?? Infinity) < (at.get(b.car) ?? Infinity)) continue;
      const photo = a.laps === b.laps && Math.abs(a.us - b.us) <= a.tolUs + b.tolUs;
      if (!photo) bad.push(`${b.car} ahead of ${a.car} (${a.laps} vs ${b.laps} laps, ${((b.us - a.us) / 1000).toFixed(3)} ms apart)`);
    }
  }
  return bad;
}

/** Laps whose leader is a photo finish: the second truck within both tolerances of the first. */
export function photoFinishLaps(truth: Truth, lineLoops: ReadonlySet<number>): number[] {
  const finishUs = new Map(truth.finish.map((f) => [f.car, f.noseUs]));
  const out: number[] = [];
  const maxLap = Math.max(...truth.laps.map((l) => l.lap));
  for (let n = 1; n <= maxLap; n++) {
    const [a, b] = truth.laps.filter((l) => l.lap === n).sort((x, y) => x.noseUs - y.noseUs);
    if (!a || !b) continue;
    const tol = (l: TruthLap): number => scoringToleranceUs(truth, lineLoops, l.car, l.noseUs, finishUs.get(l.car) === l.noseUs);
    if (b.noseUs - a.noseUs <= tol(a) + tol(b)) out.push(n);
  }
  return out;
}

// Ground truth of a simulated qualifying session (truth.json `qualifying`, race.md):
// each truck's laps at the timing line from its true nose crossings, which of them
// count in each round and why not (R-QUAL-1..4), and the true order (R-QUAL-5). Worked
// out here from the plan and the true crossings alone — the rules as the rule book
// and gateway/QUALIFYING.md state them, written again, never the gateway's code — so
// the gateway's results can be held against it.
import type { RacePlan, RoundCall } from './race-plan.js';
import type { TrueCrossing } from './race-truth.js';

/** Why a lap does not count, the first that applies, in this order (gateway/QUALIFYING.md "Which laps count"). */
export const LAP_REASONS = {
  'not-in-round': null,
  'begun-before-start': 'R-QUAL-2',
  'red-flag': 'R-QUAL-4',
  'after-expiry': 'R-QUAL-3',
  'beyond-timed-laps': 'R-QUAL-2',
} as const;
export type LapReason = keyof typeof LAP_REASONS;

export interface TrueQualifyingLap {
  car: string;
  /** The lap the truck completed at its end crossing (truth.laps numbering). */
  lap: number;
  /** Nose at the timing line (µs race time): the lap's start and end crossings (R-QUAL-1). */
  startUs: number;
  endUs: number;
  timeUs: number;
  counted: boolean;
  why: LapReason | null;
  rule: string | null;
}

/** How a placing was told from the one above it (R-QUAL-5); null for the first. */
export type DecidedBy = 'time' | 'owner-points' | 'posted-first' | 'field-order' | 'no-time';

export interface TruePlacing {
  pos: number;
  car: string;
  /** Best counted lap, to the whole µs (R-QUAL-5 compares times to the µs); null without one. */
  timeUs: number | null;
  /** That lap's exact time, its number and its end crossing (when it was posted). */
  exactUs: number | null;
  lap: number | null;
  postedUs: number | null;
  ownerPoints: number;
  decidedBy: DecidedBy | null;
}

export interface TrueRound {
  round: number;
  minutes: number;
  timedLaps: 1 | 2;
  advance: number | null;
  startUs: number;
  /** The next round's start: laps ending from then on are that round's; null for the last. */
  endedUs: number | null;
  /** When the clock reached the round's time, red periods excluded (R-QUAL-3/4); null when the next round began first. */
  expiresUs: number | null;
  redPeriods: Array<{ fromUs: number; toUs: number }>;
  /** The field for round 1, the top `advance` of the round before after it. */
  entrants: string[];
  /** Laps ending from its start until the next round's, by end crossing then field order. */
  laps: TrueQualifyingLap[];
  order: TruePlacing[];
}

export interface QualifyingTruth {
  rounds: TrueRound[];
  /** The last round's order, then those out in each round before, in that round's order. */
  order: Array<TruePlacing & { round: number }>;
}

interface Line {
  atUs: number;
  track: boolean;
  lap: number;
}

/**
 * R-QUAL-1..5 from the truth. A lap runs from one crossing of the track's start/finish
 * line to the truck's next with no crossing of pit road's start/finish line between: a
 * lap begun or ended on pit road is never timed. `crossings`: every true crossing
 * (race-truth.ts raceCrossings), missed reads included (the truck crossed all the same).
 */
export function qualifyingTruth(plan: RacePlan, crossings: readonly TrueCrossing[]): QualifyingTruth | null {
  const { scenario, track } = plan;
  const format = scenario.qualifying;
  if (scenario.session !== 'qualifying' || !format) return null;
  const sf = new Set(track.loops.filter((l) => l.role === 'start-finish').map((l) => l.id));
  const field = scenario.field;
  const fieldIndex = new Map(field.map((e, i) => [e.car, i]));
  const points = new Map(field.map((e) => [e.car, e.ownerPoints ?? 0]));

  // Each truck's line crossings in time order, and its laps at the timing line.
  const lines = new Map<string, Line[]>(field.map((e) => [e.car, []]));
  for (const c of crossings) if (sf.has(c.loop)) lines.get(c.car)?.push({ atUs: c.noseUs, track: c.path === 'track', lap: c.lap });
  const laps = new Map<string, Array<Omit<TrueQualifyingLap, 'counted' | 'why' | 'rule'>>>();
  for (const [car, xs] of lines) {
    xs.sort((a, b) => a.atUs - b.atUs);
    const list: Array<Omit<TrueQualifyingLap, 'counted' | 'why' | 'rule'>> = [];
    xs.forEach((x, i) => {
      const prev = xs[i - 1];
      if (prev && prev.track && x.track) list.push({ car, lap: x.lap, startUs: prev.atUs, endUs: x.atUs, timeUs: x.atUs - prev.atUs });
    });
    laps.set(car, list);
  }

  const rounds: TrueRound[] = [];
  let entrants = field.map((e) => e.car);
  format.rounds.forEach((f, k) => {
    const round = k + 1;
    const calls = plan.roundCalls.filter((c) => c.round === round);
    const startUs = calls.find((c) => c.call === 'start')!.atUs;
    const endedUs = plan.roundCalls.find((c) => c.round === round + 1 && c.call === 'start')?.atUs ?? null;
    const redPeriods = redPeriodsOf(calls);
    const expiresUs = expiry(startUs, f.minutes * 60e6, redPeriods, endedUs);
    const inRound = new Set(entrants);
    const judged: TrueQualifyingLap[] = [];
    for (const e of field) {
      // R-QUAL-3: the one more crossing of the timing line after time expired.
      const oneMore = expiresUs === null ? undefined : lines.get(e.car)!.find((x) => x.track && x.atUs > expiresUs)?.atUs;
      let timed = 0;
      for (const lap of laps.get(e.car)!) {
        if (lap.endUs < startUs || (endedUs !== null && lap.endUs >= endedUs)) continue;
        let why: LapReason | null = null;
        if (!inRound.has(e.car)) why = 'not-in-round';
        else if (lap.startUs < startUs) why = 'begun-before-start';
        else if (redPeriods.some((p) => p.fromUs < lap.endUs && p.toUs > lap.startUs)) why = 'red-flag';
        else if (expiresUs !== null && lap.endUs > expiresUs && lap.endUs !== oneMore) why = 'after-expiry';
        else if (++timed > f.timedLaps) why = 'beyond-timed-laps';
        judged.push({ ...lap, counted: why === null, why, rule: why === null ? null : LAP_REASONS[why] });
      }
    }
    judged.sort((a, b) => a.endUs - b.endUs || fieldIndex.get(a.car)! - fieldIndex.get(b.car)!);
    const order = rank(entrants, judged, fieldIndex, points);
    rounds.push({ round, minutes: f.minutes, timedLaps: f.timedLaps, advance: f.advance ?? null, startUs, endedUs, expiresUs, redPeriods, entrants, laps: judged, order });
    if (f.advance !== undefined) entrants = order.slice(0, f.advance).map((p) => p.car);
  });

  const placed = new Set<string>();
  const overall: QualifyingTruth['order'] = [];
  for (let k = rounds.length - 1; k >= 0; k--) {
    for (const p of rounds[k]!.order) {
      if (placed.has(p.car)) continue;
      placed.add(p.car);
      overall.push({ ...p, pos: overall.length + 1, round: k + 1 });
    }
  }
  return { rounds, order: overall };
}

/** A round's red periods from race control's calls: each red to the green after it. */
function redPeriodsOf(calls: readonly RoundCall[]): Array<{ fromUs: number; toUs: number }> {
  const out: Array<{ fromUs: number; toUs: number }> = [];
  for (const c of calls) {
    if (c.call === 'red') out.push({ fromUs: c.atUs, toUs: Infinity });
    else if (c.call === 'green' && out.length > 0) out[out.length - 1]!.toUs = c.atUs;
  }
  return out;
}

/** R-QUAL-3/4: the instant the clock reaches the round's time, the clock stopped from each red to its green. */
function expiry(startUs: number, durationUs: number, reds: ReadonlyArray<{ fromUs: number; toUs: number }>, endedUs: number | null): number | null {
  let left = durationUs;
  let at = startUs;
  for (const p of reds) {
    if (p.fromUs - at >= left) break;
    left -= p.fromUs - at;
    at = p.toUs;
  }
  const expires = at + left;
  return endedUs !== null && expires > endedUs ? null : expires;
}

/**
 * R-QUAL-5: a truck's time is its best counted lap (of equal ones the first posted);
 * the round's entrants by that time to the whole µs, identical times by owner points
 * (more first), then by who posted first; field order settles anything else. Trucks
 * without a time last, in field order.
 */
function rank(entrants: readonly string[], laps: readonly TrueQualifyingLap[], fieldIndex: ReadonlyMap<string, number>, points: ReadonlyMap<string, number>): TruePlacing[] {
  const best = new Map<string, TrueQualifyingLap>();
  for (const l of laps) {
    if (!l.counted) continue;
    const b = best.get(l.car);
    if (!b || Math.round(l.timeUs) < Math.round(b.timeUs)) best.set(l.car, l);
  }
  const rows = entrants.map((car) => {
    const b = best.get(car);
    return { car, b, us: b ? Math.round(b.timeUs) : null, p: points.get(car)!, i: fieldIndex.get(car)! };
  });
  type Row = (typeof rows)[number];
  // The first key that tells two rows apart, and which way.
  const decide = (x: Row, y: Row): [DecidedBy, number] => {
    if (x.b && y.b) {
      if (x.us !== y.us) return ['time', x.us! - y.us!];
      if (x.p !== y.p) return ['owner-points', y.p - x.p];
      if (x.b.endUs !== y.b.endUs) return ['posted-first', x.b.endUs - y.b.endUs];
      return ['field-order', x.i - y.i];
    }
    if (x.b || y.b) return ['no-time', x.b ? -1 : 1];
    return ['field-order', x.i - y.i];
  };
  rows.sort((x, y) => decide(x, y)[1]);
  return rows.map((r, k) => ({
    pos: k + 1,
    car: r.car,
    timeUs: r.us,
    exactUs: r.b?.timeUs ?? null,
    lap: r.b?.lap ?? null,
    postedUs: r.b?.endUs ?? null,
    ownerPoints: r.p,
    decidedBy: k === 0 ? null : decide(rows[k - 1]!, r)[0],
  }));
}

/** truth.json's `qualifying`: the same, times to the nanosecond like the rest of the truth. */
export function qualifyingTruthJson(q: QualifyingTruth | null): QualifyingTruth | null {
  if (!q) return null;
  const ns = (x: number): number => Math.round(x * 1000) / 1000;
  const nsOrNull = (x: number | null): number | null => (x === null ? null : ns(x));
  const placing = <P extends TruePlacing>(p: P): P => ({ ...p, exactUs: nsOrNull(p.exactUs), postedUs: nsOrNull(p.postedUs) });
  return {
    rounds: q.rounds.map((r) => ({
      ...r,
      startUs: ns(r.startUs),
      endedUs: nsOrNull(r.endedUs),
      expiresUs: nsOrNull(r.expiresUs),
      redPeriods: r.redPeriods.map((p) => ({ fromUs: ns(p.fromUs), toUs: ns(p.toUs) })),
      laps: r.laps.map((l) => ({ ...l, startUs: ns(l.startUs), endUs: ns(l.endUs), timeUs: ns(l.timeUs) })),
      order: r.order.map(placing),
    })),
    order: q.order.map(placing),
  };
}

// Pit road officiating held against the simulator's truth (sim-hardware/race-truth.ts,
// pit-violations.ts): each violation truth.json lists for a visit is paired with the
// proposal of results.json for the same car, the same visit and the same rule, and its
// evidence compared; whatever is proposed and pairs with nothing in the truth is an
// extra. Truth times are µs of race time, results' are the gateway clock: a proposal
// belongs to the truth visit of its car whose span (commitment line to pit-out, a
// little either side) holds its time, on epochUs + race time.
import type { LogEntry } from '../../gateway/log-entry.js';
import type { Results, ResultsViolation } from '../../gateway/results.js';
import { PIT_RULES, type PitRule, type PitViolation } from '../../sim-hardware/pit-violations.js';
import type { TimedViolation } from '../../sim-hardware/race-truth.js';
import type { Truth, TruthFlag, TruthPitStop } from './truth.js';

/** The parts of truth.json's pit stops and violations truth.ts does not type. */
export type TruthVisit = TruthPitStop & {
  passThrough: boolean;
  boxesThrough: { entering: number[]; leaving: number[] };
  violations: PitViolation[];
};
export type TruthWithViolations = Omit<Truth, 'pitStops'> & { pitStops: TruthVisit[]; violations: TimedViolation[] };

export const asTruthWithViolations = (t: Truth): TruthWithViolations => t as unknown as TruthWithViolations;

export { PIT_RULES };

/** How close the measurement has to come to the truth. */
export interface Tolerances {
  /** A visit's span, widened this much either side to take its proposals (µs). */
  visitReachUs: number;
  /** A truth segment this close to limit + tolerance (mph) may be read either side of it (the proposal is then a close call). */
  speedNearMph: number;
  /** R-PIT-BOX-2 margin against the exact one (mm): the board's means of 3 mm noise, rounded to 1 mm. */
  boxMarginMm: number;
  /** R-PIT-CREW-1 distance against the exact one (mm): the box board samples at 100 Hz, so up to one sample's travel (~13 cm at pit speed) plus noise. */
  crewDistanceMm: number;
  /** R-PIT-COMMIT-1 margin against the exact one (mm): each tire's margin interpolated between two 100 Hz records (worst about 13 mm). */
  commitMarginMm: number;
  /** A flag change this close to an instant that decides the card column leaves it to either side (µs). */
  flagReachUs: number;
}

export const DEFAULT_TOLERANCES: Tolerances = {
  visitReachUs: 2_000_000,
  speedNearMph: 0.05 + 0.02,
  boxMarginMm: 5,
  crewDistanceMm: 150,
  commitMarginMm: 15,
  flagReachUs: 50_000,
};

export interface Pair {
  truth: TimedViolation;
  visit: TruthVisit;
  proposal: ResultsViolation;
}

export interface ViolationCheck {
  /** Truth violations and the proposal of each. */
  pairs: Pair[];
  /** Truth violations no proposal of the same car, visit and rule answers. */
  missing: string[];
  /** Pairs whose rule, evidence or card column disagrees with the truth. */
  wrong: string[];
  /** Certain proposals the truth does not hold. */
  extra: string[];
  /** Close calls the truth does not hold (allowed). */
  closeCallsOnly: ResultsViolation[];
  /** Truth R-PIT-SPEED-2 on a pass-through that served no assessed pass-through: the gateway rightly calls it R-PIT-SPEED-1. */
  speed2WithoutPenalty: Pair[];
  /** Card columns left to either side by a flag change at the deciding instant. */
  columnsEitherSide: number;
  /** Truth violations no board could see or the rules do not hold (see `unseeable`), and why. */
  excluded: Array<{ truth: TimedViolation; why: string }>;
  /** Parts of truth violations after the run ended, left out of the comparison: speeding segments, boxes driven through leaving. */
  afterEnd: string[];
  /** Every truth violation held against the results (paired or missing), by rule. */
  held: Map<PitRule, number>;
}

const flagsOf = (truth: Truth): TruthFlag[] => truth.flags.filter((f) => f.flag !== 'stage-end');

function flagAt(flags: readonly TruthFlag[], atUs: number): TruthFlag['flag'] | null {
  let flag: TruthFlag['flag'] | null = null;
  for (const f of flags) {
    if (f.atUs > atUs) break;
    flag = f.flag;
  }
  return flag;
}

const underCaution = (flags: readonly TruthFlag[], atUs: number): boolean => {
  const f = flagAt(flags, atUs);
  return f === 'yellow' || f === 'red';
};

/**
 * R-PIT-OPEN-1's card column from the truth: 'caution' when the visit crossed the
 * commitment line under caution and the violation happened under caution, else
 * 'green'; null when a flag change falls between the truth's instant and the
 * proposal's (or at the commitment line), where either column is right.
 */
export function truthColumn(truth: Truth, visit: TruthVisit, v: TimedViolation, proposalRaceUs: number, reachUs: number): 'green' | 'caution' | null {
  const flags = flagsOf(truth);
  const lo = Math.min(v.atUs, proposalRaceUs) - reachUs;
  const hi = Math.max(v.atUs, proposalRaceUs) + reachUs;
  const near = (t: number): boolean => flags.some((f) => Math.abs(f.atUs - t) <= reachUs);
  if (near(visit.commitmentUs) || flags.some((f) => f.atUs >= lo && f.atUs <= hi)) return null;
  return underCaution(flags, visit.commitmentUs) && underCaution(flags, v.atUs) ? 'caution' : 'green';
}

/** The truth visit a proposal belongs to: its car's, whose span holds the proposal's time. */
function visitOf(truth: TruthWithViolations, p: ResultsViolation, tol: Tolerances): TruthVisit | null {
  const t = p.atUs - truth.clock.epochUs;
  const candidates = truth.pitStops.filter((s) => s.car === p.car && t >= Math.min(s.commitmentUs, s.pitInUs) - tol.visitReachUs && t <= s.pitOutUs + tol.visitReachUs);
  return candidates.length === 1 ? candidates[0]! : null;
}

const num = (x: unknown): number => x as number;
const nums = (x: unknown): number[] => [...(x as number[])].sort((a, b) => a - b);
const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The verdict R-PIT-BOX-2 decides on: the one while serviced, else the one at the stop. */
function decidingVerdict(p: ResultsViolation): { inBox: boolean; clause: string; marginMm: number; closeCall: boolean } | null {
  const vs = (p.evidence.verdicts ?? []) as Array<{ phase: string; inBox: boolean; clause: string; marginMm: number; closeCall: boolean }>;
  return vs.find((v) => v.phase === 'service') ?? vs.find((v) => v.phase === 'stop') ?? null;
}

/**
 * The segments of a visit the loops really timed: both of its lines crossed within
 * the simulated span (truth.crossings holds only those) and neither read missed.
 */
function timedSegments(truth: Truth, visit: TruthVisit): Set<number> {
  const mine = truth.crossings.filter((c) => c.car === visit.car && c.path === 'pit' && !c.missed && c.transponderUs >= visit.pitInUs - 1_000_000 && c.transponderUs <= visit.pitOutUs + 1_000_000);
  const crossed = new Set(mine.map((c) => c.loop));
  return new Set(visit.segments.filter((s) => crossed.has(s.fromLoop) && crossed.has(s.toLoop)).map((s) => s.segment));
}

/** R-PIT-BOX-3's limit in force (truth.json's scenario block; 3 before it carried one). */
const boxesThroughLimit = (truth: Truth): number => (truth.scenario as { boxesThroughLimit?: number }).boxesThroughLimit ?? 3;

/** Whether the truck left its box (and drove through the boxes after it) before the run ended. */
const leavingSeen = (truth: Truth, visit: TruthVisit): boolean => visit.stop === null || visit.stop.standToUs < truth.endUs;

/**
 * Why a truth violation that was not proposed cannot be held against the gateway, or
 * null: it happened after the simulated span ends (truth.endUs: 3 s after the leader's
 * checkered flag), e.g. a truck whose last visit to pit road runs past it: no board
 * saw it (and the parts of a violation past it are left out of the comparison).
 * Reported and counted, never silently dropped.
 */
export function unseeable(truth: Truth, visit: TruthVisit, v: TimedViolation): string | null {
  if (v.rule === 'R-PIT-SPEED-1' || v.rule === 'R-PIT-SPEED-2') {
    const timed = timedSegments(truth, visit);
    if (!v.segments.some((s) => timed.has(s))) return `segments ${v.segments.join(', ')} timed after the run ends (${(truth.endUs / 1e6).toFixed(3)} s)`;
    return null;
  }
  if (v.atUs >= truth.endUs) return `at ${(v.atUs / 1e6).toFixed(3)} s, after the run ends (${(truth.endUs / 1e6).toFixed(3)} s)`;
  if (v.rule === 'R-PIT-BOX-3' && !(v.entering > boxesThroughLimit(truth)) && !leavingSeen(truth, visit)) return `the boxes leaving driven through after the run ends (${(truth.endUs / 1e6).toFixed(3)} s)`;
  return null;
}

/**
 * Pairs truth and proposals (the limit and tolerance in force come from the truth's
 * scenario block). A truth R-PIT-SPEED-2 (speeding on a pass-through)
 * pairs with R-PIT-SPEED-2 when the gateway saw that visit serve a pass-through penalty
 * (results.penalties servedBy), else with R-PIT-SPEED-1: with no penalty assessed, the
 * visit serves none (R-PIT-SPEED-2 is "while serving a pass-through").
 */
export function checkViolations(truthIn: Truth, results: Results, tol: Tolerances = DEFAULT_TOLERANCES): ViolationCheck {
  const truth = asTruthWithViolations(truthIn);
  const epoch = truth.clock.epochUs;
  const threshold = truth.scenario.pitSpeedLimitMph + truth.scenario.pitSpeedToleranceMph;
  const out: ViolationCheck = { pairs: [], missing: [], wrong: [], extra: [], closeCallsOnly: [], speed2WithoutPenalty: [], columnsEitherSide: 0, excluded: [], afterEnd: [], held: new Map(PIT_RULES.map((r) => [r, 0])) };
  const servedPassThrough = new Set(results.penalties.filter((p) => p.penalty === 'pass-through' && p.servedBy !== null).map((p) => p.servedBy!));

  const byVisit = new Map<TruthVisit, ResultsViolation[]>();
  const unplaced: ResultsViolation[] = [];
  for (const p of results.violations) {
    const v = visitOf(truth, p, tol);
    if (!v) {
      unplaced.push(p);
      continue;
    }
    const list = byVisit.get(v) ?? [];
    list.push(p);
    byVisit.set(v, list);
  }
  const used = new Set<ResultsViolation>();
  const visitByIndex = new Map(truth.pitStops.map((s) => [s.index, s]));
  const where = (v: TimedViolation): string => `car ${v.car} stop ${v.index} (lap ${v.lap}) ${v.rule}`;

  for (const tv of truth.violations) {
    const visit = visitByIndex.get(tv.index)!;
    const mine = byVisit.get(visit) ?? [];
    // The family first (speeding is one proposal per visit, either rule), then the rule.
    const family = tv.rule === 'R-PIT-SPEED-1' || tv.rule === 'R-PIT-SPEED-2' ? ['R-PIT-SPEED-1', 'R-PIT-SPEED-2'] : [tv.rule];
    const p = mine.find((x) => family.includes(x.rule) && !used.has(x));
    if (!p) {
      const why = unseeable(truth, visit, tv);
      if (why !== null) {
        out.excluded.push({ truth: tv, why: `${where(tv)}: ${why}` });
        continue;
      }
      out.held.set(tv.rule, out.held.get(tv.rule)! + 1);
      out.missing.push(`${where(tv)} at ${(tv.atUs / 1e6).toFixed(3)} s: not proposed (${describe(tv)}); proposed on that visit: ${mine.map((x) => `${x.rule} ${x.confidence}`).join(', ') || 'nothing'}`);
      continue;
    }
    used.add(p);
    out.held.set(tv.rule, out.held.get(tv.rule)! + 1);
    const pair: Pair = { truth: tv, visit, proposal: p };
    out.pairs.push(pair);
    const bad = (what: string): void => void out.wrong.push(`${where(tv)}: ${what} (proposal ${p.id}, ${p.confidence}: ${p.summary})`);

    switch (tv.rule) {
      case 'R-PIT-SPEED-1':
      case 'R-PIT-SPEED-2': {
        let want: string = tv.rule;
        if (tv.rule === 'R-PIT-SPEED-2' && !servedPassThrough.has(p.visit)) {
          want = 'R-PIT-SPEED-1';
          out.speed2WithoutPenalty.push(pair);
          // Serving none is right only if none was owed: a pass-through assessed before this one began and not served before it ended.
          const owed = results.penalties.filter((x) => x.car === tv.car && x.penalty === 'pass-through' && x.assessedUs < epoch + visit.pitInUs - 1_000_000 && (x.servedUs === null || x.servedUs > epoch + visit.pitOutUs));
          if (owed.length > 0) bad(`a pass-through driven while ${owed.map((x) => x.id).join(', ')} was owed, yet it served none`);
        }
        if (p.rule !== want) bad(`rule ${p.rule}, want ${want}${tv.rule === 'R-PIT-SPEED-2' ? ` (the visit ${servedPassThrough.has(p.visit) ? 'served' : 'served no'} pass-through penalty)` : ''}`);
        // Every segment the truth has over, and no other, but for segments the measurement may read either side of the line.
        const near = new Set(visit.segments.filter((s) => Math.abs(s.mph - threshold) <= tol.speedNearMph).map((s) => s.segment));
        const over = nums(p.evidence.over);
        const timed = timedSegments(truth, visit);
        const wantOver = nums(tv.segments.filter((x) => timed.has(x)));
        for (const x of tv.segments) if (!timed.has(x)) out.afterEnd.push(`${where(tv)}: segment ${x} timed after the run ends (${(truth.endUs / 1e6).toFixed(3)} s)`);
        const firm = (xs: number[]): number[] => xs.filter((x) => !near.has(x));
        if (!same(firm(over), firm(wantOver))) bad(`over in segments [${over}], truth [${wantOver}]`);
        else if (!same(over, wantOver) && p.confidence !== 'close-call') bad(`over in segments [${over}], truth [${wantOver}], near the line yet certain`);
        break;
      }
      case 'R-PIT-BOX-2': {
        const v = decidingVerdict(p);
        if (!v) {
          bad('no verdict in the evidence');
          break;
        }
        if (v.clause !== tv.clause) bad(`clause (${v.clause}), truth (${tv.clause})`);
        if (Math.abs(v.marginMm - tv.marginMm) > tol.boxMarginMm) bad(`margin ${v.marginMm} mm, truth ${tv.marginMm.toFixed(1)} mm`);
        break;
      }
      case 'R-PIT-CREW-1': {
        const d = p.evidence.distanceMm as number | null;
        if (d === null || Math.abs(d - tv.distanceMm) > tol.crewDistanceMm) bad(`crew over at ${d} mm, truth ${tv.distanceMm.toFixed(0)} mm`);
        break;
      }
      case 'R-PIT-CREW-2':
        if (num(p.evidence.crew) !== tv.crew) bad(`${String(p.evidence.crew)} crew, truth ${tv.crew}`);
        break;
      case 'R-PIT-BOX-3': {
        const e = nums(p.evidence.entering);
        const l = nums(p.evidence.leaving);
        const seen = leavingSeen(truth, visit);
        if (!seen && visit.boxesThrough.leaving.length > 0) out.afterEnd.push(`${where(tv)}: boxes ${visit.boxesThrough.leaving.join(', ')} driven through leaving after the run ends (${(truth.endUs / 1e6).toFixed(3)} s)`);
        if (!same(e, nums(visit.boxesThrough.entering)) || (seen && !same(l, nums(visit.boxesThrough.leaving)))) {
          bad(`through boxes entering [${e}] leaving [${l}], truth entering [${visit.boxesThrough.entering}] leaving [${visit.boxesThrough.leaving}]`);
        }
        break;
      }
      case 'R-PIT-OPEN-2':
        break;
      case 'R-PIT-COMMIT-1': {
        // The smallest of the four tires' margins, as the lane's sensors read it.
        const m = num(p.evidence.marginMm);
        if (Math.abs(m - tv.marginMm) > tol.commitMarginMm) bad(`commitment margin ${m} mm, truth ${tv.marginMm.toFixed(1)} mm`);
        break;
      }
    }

    // R-PIT-OPEN-1: the card column.
    const col = truthColumn(truth, visit, tv, p.atUs - epoch, tol.flagReachUs);
    if (col === null) out.columnsEitherSide++;
    else if (p.column !== col) bad(`column ${p.column}, truth ${col} (committed ${(visit.commitmentUs / 1e6).toFixed(3)} s, violation ${(tv.atUs / 1e6).toFixed(3)} s)`);
  }

  for (const p of results.violations) {
    if (used.has(p)) continue;
    if (p.confidence === 'close-call') {
      out.closeCallsOnly.push(p);
      continue;
    }
    const at = ((p.atUs - epoch) / 1e6).toFixed(3);
    out.extra.push(`${p.rule} certain, car ${p.car} at ${at} s${unplaced.includes(p) ? ' (on no visit of the truth)' : ''}: ${p.summary}`);
  }
  return out;
}

function describe(v: TimedViolation): string {
  switch (v.rule) {
    case 'R-PIT-SPEED-1':
    case 'R-PIT-SPEED-2':
      return `segments ${v.segments.join(', ')}`;
    case 'R-PIT-BOX-2':
      return `clause (${v.clause}) ${v.marginMm.toFixed(1)} mm`;
    case 'R-PIT-CREW-1':
      return `crew over at ${v.distanceMm.toFixed(0)} mm`;
    case 'R-PIT-CREW-2':
      return `${v.crew} crew`;
    case 'R-PIT-BOX-3':
      return `${v.entering} boxes entering, ${v.leaving} leaving`;
    case 'R-PIT-OPEN-2':
      return 'entered while closed';
    case 'R-PIT-COMMIT-1':
      return `a tire ${v.marginMm.toFixed(1)} mm inside the commitment box (<= 0 is on or over its line)`;
  }
}

/**
 * Officials confirm every certain proposal (R-PEN-3) a little after the last reading
 * behind it, as decisions in the log, until no new one comes: so a pass-through a
 * truck drives after a confirmed violation serves that penalty, and speeding on it is
 * R-PIT-SPEED-2. `run` replays a log into results.
 */
export function confirmAll(log: readonly LogEntry[], run: (log: readonly LogEntry[]) => Results, afterUs = 5_000_000, rounds = 6): { log: LogEntry[]; results: Results; confirmed: number } {
  let current = [...log];
  let results = run(current);
  const decided = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    const fresh = results.violations.filter((p) => p.confidence === 'certain' && !decided.has(p.id));
    if (fresh.length === 0) return { log: current, results, confirmed: decided.size };
    const items = current.map((e) => ({ atUs: e.atUs, e }));
    for (const p of fresh) {
      decided.add(p.id);
      const atUs = Math.max(p.atUs, ...p.events.map((e) => e.atUs)) + afterUs;
      items.push({ atUs, e: { seq: 0, atUs, source: 'race-control', action: { action: 'decision', proposal: p.id, decision: 'confirm', who: 'acceptance test', why: 'the truth holds it' } } });
    }
    // Stable by time: a decision goes after every entry logged at or before its instant.
    const order = items.map((x, i) => ({ ...x, i })).sort((a, b) => a.atUs - b.atUs || a.i - b.i);
    current = order.map(({ e }, i) => ({ ...e, seq: i + 1 }) as LogEntry);
    results = run(current);
  }
  throw new Error(`confirming proposals did not settle in ${rounds} rounds`);
}

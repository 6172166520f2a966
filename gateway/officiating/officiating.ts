// Pit road officiating as a pure function of the log: the timeline of every visit,
// the violations it shows proposed with their evidence, the officials' decisions on
// them (R-PEN-3), the penalties the card gives for the confirmed ones, and how each is
// served (R-PEN-1/2). Worked car by car in time order, because a visit that serves a
// pass-through makes speeding on it R-PIT-SPEED-2.
import type { EventSetup } from '../event-setup.js';
import type { Adjustment } from '../scoring/classification.js';
import type { CreditedLap } from '../scoring/laps.js';
import { DEFAULT_DAMAGED_VEHICLE_RULES } from './damaged-vehicle-rules.js';
import { damagedVehicleClocks, redSpans, type DamagedVehicleClock, type DamageMark } from './damaged-vehicle.js';
import { minimumSpeedWatch, type MinimumSpeedWatch } from './minimum-speed.js';
import { penaltyName, penaltyOf, type PenaltyName } from './penalty-card.js';
import { serveOnVisit, settlePenalties, type AssessedPenalty, type ServeInputs } from './penalties.js';
import { pitVisits, type PitVisit, type TimelineInputs } from './pit-visits.js';
import { proposalsOf, type Proposal } from './proposals.js';

export interface Decision {
  proposal: string;
  decision: 'confirm' | 'dismiss';
  who: string;
  why: string;
  atUs: number;
  seq: number;
}

export type { DamageMark };

export interface OfficiatingInputs extends TimelineInputs {
  decisions: readonly Decision[];
  damageMarks: readonly DamageMark[];
  releases: ReadonlyArray<{ car: string; atUs: number; seq: number }>;
  /** When the leader completed each lap (index = lap). */
  leaderUs: readonly number[];
  finishUs: number | null;
  /** Each car's credited laps (the minimum speed watch, R-PIT-DAMAGE-2). */
  laps: ReadonlyMap<string, readonly CreditedLap[]>;
  /** The latest instant of the log: a damaged vehicle's clock runs to it. */
  nowUs: number;
}

export type ProposalStatus = 'proposed' | 'confirmed' | 'dismissed';

export interface ProposalView extends Proposal {
  status: ProposalStatus;
  /** What the event's card gives for it in its column ("none" for the card's "—"). */
  penalty: PenaltyName;
  /** The decision that stands (the latest), and every one made. */
  decision: { decision: 'confirm' | 'dismiss'; who: string; why: string; atUs: number } | null;
  history: Array<{ decision: 'confirm' | 'dismiss'; who: string; why: string; atUs: number }>;
}

/** A penalty as shown: the card's name for it. */
export type PenaltyView = Omit<AssessedPenalty, 'penalty'> & { penalty: PenaltyName };

export interface Officiating {
  visits: Map<string, PitVisit[]>;
  /** In time order. */
  proposals: ProposalView[];
  /** In assessment order. */
  penalties: PenaltyView[];
  /** Decisions naming no proposal the log shows (kept for the audit). */
  orphanDecisions: Decision[];
  /** Damaged vehicles' clocks (R-PIT-DAMAGE-1), one per damage, in marking order. */
  damaged: DamagedVehicleClock[];
  /** Minimum speed watches after repairs (R-PIT-DAMAGE-2); none when the event set no minimum speed. */
  minimumSpeed: MinimumSpeedWatch[];
  /** Per car: seconds added and laps taken off at the finish; no longer scored from an instant, and why. */
  adjustments: Map<string, Adjustment>;
}

function byLog<T extends { atUs: number; seq: number }>(a: T, b: T): number {
  return a.atUs - b.atUs || a.seq - b.seq;
}

/** Whether a car was marked damaged at an instant (the latest mark at or before it). */
function damagedAt(marks: readonly DamageMark[], car: string, atUs: number): boolean {
  let damaged = false;
  for (const m of marks) {
    if (m.atUs > atUs) break;
    if (m.car === car) damaged = m.damaged;
  }
  return damaged;
}

export function officiate(inp: OfficiatingInputs): Officiating {
  const setup: EventSetup = inp.setup;
  const rules = setup.officiating;
  const visits = pitVisits(inp);
  const marks = [...inp.damageMarks].sort(byLog);
  const decisions = [...inp.decisions].sort(byLog);
  const historyOf = new Map<string, Decision[]>();
  for (const d of decisions) {
    const list = historyOf.get(d.proposal) ?? [];
    list.push(d);
    historyOf.set(d.proposal, list);
  }
  const serve: ServeInputs = {
    flags: inp.flags,
    releases: inp.releases,
    leaderUs: inp.leaderUs,
    finishUs: inp.finishUs,
    unservedPassThroughS: rules.unservedPassThroughS,
  };
  const proposalInputs = { setup, flags: inp.flags, pitRoad: inp.pitRoad, damagedAt: (car: string, atUs: number) => damagedAt(marks, car, atUs) };
  const proposals: ProposalView[] = [];
  const penalties: AssessedPenalty[] = [];
  const seen = new Set<string>();
  for (const entry of setup.field) {
    const own: AssessedPenalty[] = [];
    for (const v of visits.get(entry.car) ?? []) {
      const served = serveOnVisit(own, v, serve);
      for (const p of proposalsOf(v, proposalInputs, served?.penalty.kind === 'pass-through')) {
        seen.add(p.id);
        const history = historyOf.get(p.id) ?? [];
        const last = history[history.length - 1];
        const name = rules.penaltyCard[p.violation][p.column];
        proposals.push({
          ...p,
          status: last ? (last.decision === 'confirm' ? 'confirmed' : 'dismissed') : 'proposed',
          penalty: name,
          decision: last ? { decision: last.decision, who: last.who, why: last.why, atUs: last.atUs } : null,
          history: history.map((d) => ({ decision: d.decision, who: d.who, why: d.why, atUs: d.atUs })),
        });
        const penalty = penaltyOf(name);
        if (last?.decision === 'confirm' && penalty !== null) {
          // Assessed when the decision that stands was made.
          own.push({ id: p.id, car: p.car, rule: p.rule, penalty, assessedUs: last.atUs, status: 'outstanding', servedUs: null, servedBy: null, addedS: 0, lapsOff: 0 });
          // The oldest assessed is served first.
          own.sort((a, b) => a.assessedUs - b.assessedUs || (a.id < b.id ? -1 : 1));
        }
      }
    }
    settlePenalties(own, serve);
    penalties.push(...own);
  }
  proposals.sort((a, b) => a.atUs - b.atUs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  penalties.sort((a, b) => a.assessedUs - b.assessedUs || (a.id < b.id ? -1 : 1));
  const adjustments: Officiating['adjustments'] = new Map();
  const adjust = (car: string): { addedS: number; lapsOff: number; outUs: number | null; why: string | null } => {
    let a = adjustments.get(car);
    if (!a) adjustments.set(car, (a = { addedS: 0, lapsOff: 0, outUs: null, why: null }));
    return a;
  };
  for (const p of penalties) {
    if (p.addedS === 0 && p.lapsOff === 0) continue;
    const a = adjust(p.car);
    a.addedS += p.addedS;
    a.lapsOff += p.lapsOff;
  }
  const { damaged, minimumSpeed } = damagedVehicles(inp, visits, marks, proposals);
  const out = (car: string, atUs: number, why: string): void => {
    const a = adjust(car);
    if (a.outUs === null || atUs < a.outUs) {
      a.outUs = atUs;
      a.why = why;
    }
  };
  for (const c of damaged) if (c.overUs !== null) out(c.car, c.overUs, `R-PIT-DAMAGE-1: damaged vehicle clock over ${c.limitS} s`);
  for (const w of minimumSpeed) if (w.failedUs !== null) out(w.car, w.failedUs, 'R-PIT-DAMAGE-2: minimum speed not reached after repairs');
  return {
    damaged,
    minimumSpeed,
    visits,
    proposals,
    penalties: penalties.map((p) => ({ id: p.id, car: p.car, rule: p.rule, penalty: penaltyName(p.penalty), assessedUs: Math.round(p.assessedUs), status: p.status, servedUs: p.servedUs === null ? null : Math.round(p.servedUs), servedBy: p.servedBy, addedS: p.addedS, lapsOff: p.lapsOff })),
    orphanDecisions: decisions.filter((d) => !seen.has(d.proposal)),
    adjustments,
  };
}

/** R-PIT-DAMAGE-1's clocks and R-PIT-DAMAGE-2's watches, from the timeline. */
function damagedVehicles(inp: OfficiatingInputs, visits: Map<string, PitVisit[]>, marks: readonly DamageMark[], proposals: readonly ProposalView[]): { damaged: DamagedVehicleClock[]; minimumSpeed: MinimumSpeedWatch[] } {
  if (marks.length === 0) return { damaged: [], minimumSpeed: [] };
  const rules = inp.setup.damagedVehicles;
  const all = [...visits.values()].flat();
  const damaged = damagedVehicleClocks(
    {
      marks,
      // A visit over (pit-out read) whose exit line was missed ended by pit-out at the latest.
      visits: all.map((v) => ({ car: v.car, pitInUs: v.pitInUs, pitExitUs: v.pitExitUs ?? (v.complete ? v.pitOutUs : null), firstUs: v.firstUs, lastUs: v.lastUs })),
      reds: redSpans(inp.flags),
      // Each speeding or commitment line violation not dismissed adds time (R-PIT-DAMAGE-1).
      violations: proposals
        .filter((p) => p.status !== 'dismissed' && (p.violation === 'speeding' || p.violation === 'speeding-on-pass-through' || p.violation === 'commitment-line'))
        .map((p) => ({ car: p.car, atUs: p.atUs, rule: p.violation === 'commitment-line' ? ('R-PIT-COMMIT-1' as const) : ('R-PIT-SPEED-1' as const), id: p.id })),
      nowUs: inp.nowUs,
    },
    rules ?? DEFAULT_DAMAGED_VEHICLE_RULES,
  );
  if (!rules) return { damaged, minimumSpeed: [] };
  const minimumSpeed: MinimumSpeedWatch[] = [];
  for (const car of new Set(damaged.map((c) => c.car))) {
    const exitsUs = damaged.filter((c) => c.car === car).flatMap((c) => c.visits.filter((v) => !v.live).map((v) => v.toUs));
    if (exitsUs.length === 0) continue;
    const credited = inp.laps.get(car) ?? [];
    const laps = credited.slice(1).map((l, i) => {
      const prev = credited[i]!;
      const pitLine = (x: CreditedLap): boolean => inp.map.loop(x.loop)?.path === 'pit';
      return { lap: l.lap, startUs: prev.scoredUs, endUs: l.scoredUs, onPitRoad: pitLine(prev) || pitLine(l) };
    });
    minimumSpeed.push(minimumSpeedWatch({ car, laps, exitsUs, flags: inp.flags, trackLengthM: inp.setup.track.lengthM }, rules));
  }
  return { damaged, minimumSpeed };
}

// Pit road officiating as a pure function of the log: the timeline of every visit,
// the violations it shows proposed with their evidence, the officials' decisions on
// them (R-PEN-3), the penalties the card gives for the confirmed ones, and how each is
// served (R-PEN-1/2). Worked car by car in time order, because a visit that serves a
// pass-through makes speeding on it R-PIT-SPEED-2.
import type { EventSetup } from '../event-setup.js';
import { penaltyName, penaltyOf, type PenaltyName } from './penalty-card.js';
import { serveOnVisit, settlePenalties, type AssessedPenalty, type PenaltyStatus, type ServeInputs } from './penalties.js';
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

export interface DamageMark {
  car: string;
  damaged: boolean;
  atUs: number;
  seq: number;
}

export interface OfficiatingInputs extends TimelineInputs {
  decisions: readonly Decision[];
  damageMarks: readonly DamageMark[];
  releases: ReadonlyArray<{ car: string; atUs: number; seq: number }>;
  /** When the leader completed each lap (index = lap). */
  leaderUs: readonly number[];
  finishUs: number | null;
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

export interface PenaltyView {
  id: string;
  car: string;
  rule: string;
  penalty: PenaltyName;
  assessedUs: number;
  status: PenaltyStatus;
  servedUs: number | null;
  servedBy: string | null;
  addedS: number;
  lapsOff: number;
}

export interface Officiating {
  visits: Map<string, PitVisit[]>;
  /** In time order. */
  proposals: ProposalView[];
  /** In assessment order. */
  penalties: PenaltyView[];
  /** Decisions naming no proposal the log shows (kept for the audit). */
  orphanDecisions: Decision[];
  /** Per car, what the finish settled: seconds added and laps taken off. */
  adjustments: Map<string, { addedS: number; lapsOff: number }>;
}

function byLog<T extends { atUs: number; seq: number }>(a: T, b: T): number {
  return a.atUs - b.atUs || a.seq - b.seq;
}

/** Whether a car was marked damaged at an instant (the latest mark at or before it). */
export function damagedAt(marks: readonly DamageMark[], car: string, atUs: number): boolean {
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
  const proposalInputs = { setup, rules, flags: inp.flags, pitRoad: inp.pitRoad, damagedAt: (car: string, atUs: number) => damagedAt(marks, car, atUs) };
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
        }
      }
    }
    own.sort((a, b) => a.assessedUs - b.assessedUs);
    settlePenalties(own, serve);
    penalties.push(...own);
  }
  proposals.sort((a, b) => a.atUs - b.atUs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  penalties.sort((a, b) => a.assessedUs - b.assessedUs || (a.id < b.id ? -1 : 1));
  const adjustments = new Map<string, { addedS: number; lapsOff: number }>();
  for (const p of penalties) {
    if (p.addedS === 0 && p.lapsOff === 0) continue;
    const a = adjustments.get(p.car) ?? { addedS: 0, lapsOff: 0 };
    a.addedS += p.addedS;
    a.lapsOff += p.lapsOff;
    adjustments.set(p.car, a);
  }
  return {
    visits,
    proposals,
    penalties: penalties.map((p) => ({ id: p.id, car: p.car, rule: p.rule, penalty: penaltyName(p.penalty), assessedUs: Math.round(p.assessedUs), status: p.status, servedUs: p.servedUs === null ? null : Math.round(p.servedUs), servedBy: p.servedBy, addedS: p.addedS, lapsOff: p.lapsOff })),
    orphanDecisions: decisions.filter((d) => !seen.has(d.proposal)),
    adjustments,
  };
}

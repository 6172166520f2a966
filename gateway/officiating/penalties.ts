// Penalties, from assessment until served (R-PEN-1/2), read off the pit road timeline:
// - pass-through: the whole of pit road without stopping, on a visit begun after it
//   was assessed (speeding during it is a new violation, R-PIT-SPEED-2);
// - stop-and-go: a stop in its own box, released by an official;
// - laps: held in its box, counted from when service ends or it stopped, until the
//   leader has completed that many laps;
// - tail of the field: at the next restart (the next green flag).
// Whatever is outstanding when the leader takes the checkered flag is settled then: a
// pass-through adds its seconds to the total time (R-PEN-2), a lap penalty takes its
// laps off, anything else is marked unserved for the officials.
import type { FlagCall } from '../scoring/freeze-field.js';
import type { Penalty, RuleId } from './penalty-card.js';
import type { PitVisit } from './pit-visits.js';

export type PenaltyStatus = 'outstanding' | 'served' | 'converted' | 'unserved';

export interface AssessedPenalty {
  /** The confirmed proposal's id. */
  id: string;
  car: string;
  rule: RuleId;
  penalty: Penalty;
  /** When the official confirmed it (µs). */
  assessedUs: number;
  status: PenaltyStatus;
  servedUs: number | null;
  /** The visit that served it. */
  servedBy: string | null;
  /** Settled at the finish: seconds added (R-PEN-2) and laps taken off. */
  addedS: number;
  lapsOff: number;
}

export interface ServeInputs {
  flags: readonly FlagCall[];
  /** Stop-and-go releases by officials. */
  releases: ReadonlyArray<{ car: string; atUs: number }>;
  /** When the leader completed each lap (index = lap), for lap penalties. */
  leaderUs: readonly number[];
  /** The checkered flag (R-SF-3), null before. */
  finishUs: number | null;
  unservedPassThroughS: number;
}

const start = (v: PitVisit): number => v.pitInUs ?? v.firstUs;

/** Whether `v` serves `p` (assessed before the visit began); the instant it is served, or null. */
function servedOn(p: AssessedPenalty, v: PitVisit, inp: ServeInputs): number | null {
  // Begun after it was assessed, and before the checkered flag: after it, R-PEN-2 settles it.
  if (start(v) <= p.assessedUs || (inp.finishUs !== null && start(v) >= inp.finishUs)) return null;
  const s = v.stop;
  switch (p.penalty.kind) {
    case 'pass-through':
      // R-PEN-1: the full length (entry to exit line), no stop in a box.
      return v.passThrough && v.pitExitUs !== null ? v.pitExitUs : null;
    case 'stop-and-go': {
      // R-PEN-1: stopped in its own box, released by an official.
      if (!s || s.stopUs === null || s.departureUs === null) return null;
      const stopUs = s.stopUs;
      const departureUs = s.departureUs;
      return inp.releases.some((r) => r.car === v.car && r.atUs >= stopUs && r.atUs <= departureUs) ? departureUs : null;
    }
    case 'laps': {
      if (!s || s.stopUs === null || s.departureUs === null) return null;
      // R-PEN-1: held from when service ends or, without service, from the stop.
      const from = s.serviceEndUs ?? s.stopUs;
      const held = inp.leaderUs.filter((t) => t > from && t <= s.departureUs!).length;
      return held >= p.penalty.laps ? s.departureUs : null;
    }
    case 'tail-of-the-field':
      return null;
  }
}

/** The oldest outstanding penalty of `penalties` (one car's) that visit `v` serves, marked served; or null. */
export function serveOnVisit(penalties: AssessedPenalty[], v: PitVisit, inp: ServeInputs): AssessedPenalty | null {
  for (const p of penalties) {
    if (p.status !== 'outstanding') continue;
    const at = servedOn(p, v, inp);
    if (at === null) continue;
    p.status = 'served';
    p.servedUs = at;
    p.servedBy = v.id;
    return p;
  }
  return null;
}

/** After every visit: tails of the field at their restart, and what the finish settles (R-PEN-2). */
export function settlePenalties(penalties: AssessedPenalty[], inp: ServeInputs): void {
  for (const p of penalties) {
    if (p.status !== 'outstanding' || p.penalty.kind !== 'tail-of-the-field') continue;
    // Lined up at the tail for the next restart.
    const restart = inp.flags.find((f) => f.flag === 'green' && f.atUs > p.assessedUs);
    if (restart && (inp.finishUs === null || restart.atUs < inp.finishUs)) {
      p.status = 'served';
      p.servedUs = restart.atUs;
    }
  }
  if (inp.finishUs === null) return;
  for (const p of penalties) {
    if (p.status !== 'outstanding') continue;
    if (p.penalty.kind === 'pass-through') {
      p.status = 'converted';
      p.addedS = inp.unservedPassThroughS; // R-PEN-2
    } else if (p.penalty.kind === 'laps') {
      p.status = 'converted';
      p.lapsOff = p.penalty.laps;
    } else {
      p.status = 'unserved';
    }
  }
}


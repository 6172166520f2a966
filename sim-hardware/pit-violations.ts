// The pit road rules a visit truly broke, with the evidence, decided from what really
// happened (the planned motion and the box truth, never a sensor): what an acceptance
// test holds the gateway's proposals against. Each rule is decided here once.
import type { BoxClause } from '../protocol/schema.js';

export type PitViolation =
  | { rule: 'R-PIT-SPEED-1' | 'R-PIT-SPEED-2'; segments: number[] }
  | { rule: 'R-PIT-BOX-2'; clause: BoxClause; marginMm: number }
  | { rule: 'R-PIT-CREW-1'; distanceMm: number }
  | { rule: 'R-PIT-CREW-2'; crew: number }
  | { rule: 'R-PIT-BOX-3'; entering: number; leaving: number }
  | { rule: 'R-PIT-OPEN-2' }
  | { rule: 'R-PIT-COMMIT-1'; marginMm: number };

export type PitRule = PitViolation['rule'];

/** The order a visit's violations are listed in. */
export const PIT_RULES: readonly PitRule[] = ['R-PIT-SPEED-1', 'R-PIT-SPEED-2', 'R-PIT-BOX-2', 'R-PIT-CREW-1', 'R-PIT-CREW-2', 'R-PIT-BOX-3', 'R-PIT-OPEN-2', 'R-PIT-COMMIT-1'];

/** What a visit to pit road really was. */
export interface VisitFacts {
  passThrough: boolean;
  /** Segments whose true average is over limit + tolerance. */
  speeding: number[];
  /** Pit road open when the nose crossed the commitment line. */
  pitRoadOpen: boolean;
  /** The stop in its box; null for a pass-through. */
  stop: {
    inBox: boolean;
    clause: BoxClause;
    marginMm: number;
    /** Service happened (someone went over the wall). */
    serviced: boolean;
    crewTooSoon: boolean;
    crewDistanceMm: number | null;
    /** Most crew over the wall at once. */
    maxCrew: number;
  } | null;
  /** Boxes driven through entering and leaving the box. */
  entering: number;
  leaving: number;
  crewLimit: number;
  boxesThroughLimit: number;
  /** The crossing of the commitment line: all four tires inside the painted box, and the smallest tire margin; null when the track has no commitment lane. */
  commitment?: { inside: boolean; marginMm: number } | null;
}

export function visitViolations(f: VisitFacts): PitViolation[] {
  const out: PitViolation[] = [];
  // R-PIT-SPEED-1; serving a pass-through, R-PIT-SPEED-2 instead.
  if (f.speeding.length > 0) out.push({ rule: f.passThrough ? 'R-PIT-SPEED-2' : 'R-PIT-SPEED-1', segments: [...f.speeding] });
  const s = f.stop;
  if (s) {
    // R-PIT-BOX-2: the decision that matters is the one while service happens.
    if (!s.inBox && s.serviced) out.push({ rule: 'R-PIT-BOX-2', clause: s.clause, marginMm: s.marginMm });
    // R-PIT-CREW-1: over the wall before the vehicle is one box away.
    if (s.crewTooSoon && s.crewDistanceMm !== null) out.push({ rule: 'R-PIT-CREW-1', distanceMm: s.crewDistanceMm });
    // R-PIT-CREW-2: more over the wall than the event allows.
    if (s.maxCrew > f.crewLimit) out.push({ rule: 'R-PIT-CREW-2', crew: s.maxCrew });
    // R-PIT-BOX-3: through more boxes than allowed entering or leaving.
    if (f.entering > f.boxesThroughLimit || f.leaving > f.boxesThroughLimit) out.push({ rule: 'R-PIT-BOX-3', entering: f.entering, leaving: f.leaving });
    // R-PIT-OPEN-2: entered while closed and stopped in its box (a pass-through is the exception).
    if (!f.pitRoadOpen) out.push({ rule: 'R-PIT-OPEN-2' });
  }
  // R-PIT-COMMIT-1: every visit, a pass-through too, enters pit road across the commitment line.
  if (f.commitment && !f.commitment.inside) out.push({ rule: 'R-PIT-COMMIT-1', marginMm: f.commitment.marginMm });
  return out;
}

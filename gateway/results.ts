// results.json (format in SCORING.md): the classification and what decided it, built
// from the race state. Keys are written in one fixed order and times rounded to the
// microsecond, so the same log gives byte-identical JSON.
import type { EventSetup } from './event-setup.js';
import type { Classified } from './scoring/classification.js';
import type { Freeze } from './scoring/freeze-field.js';
import type { CreditedLap } from './scoring/laps.js';
import type { LapLeaders } from './scoring/laps-led.js';
import type { StageResult } from './scoring/stages.js';
import type { PenaltyView, ProposalView } from './officiating/officiating.js';
import type { DamagedVehicleClock } from './officiating/damaged-vehicle.js';
import type { MinimumSpeedWatch } from './officiating/minimum-speed.js';
import type { Qualifying } from './qualifying/qualifying.js';

export const RESULTS_FORMAT = 'pitwall-results/1';

export interface ResultsRow {
  pos: number;
  car: string;
  driver: string;
  laps: number;
  /** R-SF-2: last credited crossing − green (s, to the µs); null before its first lap. */
  timeS: number | null;
  lapsLed: number;
  status: 'running' | 'not scored';
  /** Seconds added to its time by penalties (R-PEN-2); laps taken off. */
  penaltyS: number;
  lapsOff: number;
  /** Why it is no longer scored (R-PIT-DAMAGE-1/2); null while scored. */
  why: string | null;
}

export interface ResultsStage {
  stage: number;
  endLap: number;
  top10: string[];
}

/** A freeze of the field (R-SF-5). */
export interface ResultsCaution {
  atUs: number;
  leaderLap: number;
  order: string[];
}

/** A crossing inferred from the loops around it (R-SF-9), for an official to look at. */
export interface ResultsInferred {
  car: string;
  lap: number;
  loop: number;
}

export interface Results {
  format: typeof RESULTS_FORMAT;
  event: { name: string; track: string; laps: number };
  classification: ResultsRow[];
  leadChanges: number;
  leaders: number;
  /** R-SF-8 (s, to the µs); null until two trucks have a final crossing. */
  marginOfVictoryS: number | null;
  stages: ResultsStage[];
  cautions: ResultsCaution[];
  /** Every pit road violation proposed, with its evidence and the officials' decision (R-PEN-3). */
  violations: ResultsViolation[];
  /** Penalties of the confirmed ones, and how each was served (R-PEN-1/2). */
  penalties: PenaltyView[];
  /** Damaged vehicles: their clocks (R-PIT-DAMAGE-1) and minimum speed watches (R-PIT-DAMAGE-2). */
  damagedVehicles: { clocks: DamagedVehicleClock[]; minimumSpeed: MinimumSpeedWatch[] };
  inferred: ResultsInferred[];
  /** A qualifying session's rounds and order (R-QUAL-1…5); null for a race. */
  qualifying: Qualifying | null;
}

/** A proposal as results.json lists it (violationOf writes its keys in one fixed order). */
export type ResultsViolation = ProposalView;

/** Whole µs → seconds, exactly as printed. */
export function seconds(us: number): number {
  return Math.round(us) / 1e6;
}

/** results.json as written: the same results always give the same bytes. */
export function resultsJson(results: Results): string {
  return JSON.stringify(results, null, 2) + '\n';
}

export interface ResultsParts {
  setup: EventSetup;
  classified: readonly Classified[];
  leaders: LapLeaders;
  marginUs: number | null;
  stages: readonly StageResult[];
  freezes: readonly Freeze[];
  inferred: readonly CreditedLap[];
  proposals: readonly ProposalView[];
  penalties: readonly PenaltyView[];
  damaged: readonly DamagedVehicleClock[];
  minimumSpeed: readonly MinimumSpeedWatch[];
  qualifying: Qualifying | null;
}

export function resultsDocument(p: ResultsParts): Results {
  return {
    format: RESULTS_FORMAT,
    event: { name: p.setup.name, track: p.setup.track.name, laps: p.setup.laps },
    classification: p.classified.map((c) => ({
      pos: c.pos,
      car: c.car,
      driver: c.driver,
      laps: c.laps,
      timeS: c.timeUs === null ? null : seconds(c.timeUs),
      lapsLed: c.lapsLed,
      status: c.status,
      penaltyS: c.penaltyS,
      lapsOff: c.lapsOff,
      why: c.why,
    })),
    leadChanges: p.leaders.leadChanges,
    leaders: p.leaders.leaders,
    marginOfVictoryS: p.marginUs === null ? null : seconds(p.marginUs),
    stages: p.stages.map((s) => ({ stage: s.stage, endLap: s.endLap, top10: [...s.top10] })),
    cautions: cautionsOf(p.freezes),
    violations: p.proposals.map(violationOf),
    penalties: p.penalties.map((x) => ({ ...x })),
    damagedVehicles: { clocks: [...p.damaged], minimumSpeed: [...p.minimumSpeed] },
    inferred: inferredOf(p.inferred),
    qualifying: p.qualifying,
  };
}

export function cautionsOf(freezes: readonly Freeze[]): ResultsCaution[] {
  return freezes.map((f) => ({ atUs: Math.round(f.atUs), leaderLap: f.leaderLap, order: f.order.map((o) => o.car) }));
}

export function inferredOf(laps: readonly CreditedLap[]): ResultsInferred[] {
  return laps.map((x) => ({ car: x.car, lap: x.lap, loop: x.loop }));
}

/** Results before the event is set up: nothing to score. */
export function emptyResults(): Results {
  return {
    format: RESULTS_FORMAT,
    event: { name: '', track: '', laps: 0 },
    classification: [],
    leadChanges: 0,
    leaders: 0,
    marginOfVictoryS: null,
    stages: [],
    cautions: [],
    violations: [],
    penalties: [],
    damagedVehicles: { clocks: [], minimumSpeed: [] },
    inferred: [],
    qualifying: null,
  };
}

/** A proposal as results.json lists it, keys in one fixed order. */
function violationOf(p: ProposalView): ResultsViolation {
  return {
    id: p.id,
    violation: p.violation,
    rule: p.rule,
    car: p.car,
    atUs: Math.round(p.atUs),
    column: p.column,
    confidence: p.confidence,
    summary: p.summary,
    status: p.status,
    penalty: p.penalty,
    decision: p.decision,
    history: p.history,
    evidence: p.evidence,
    events: p.events,
    visit: p.visit,
  };
}

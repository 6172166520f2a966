// Race control for a simulated race: the event set-up a race director would enter
// (from the scenario and its track), and the flags and pit road calls of the plan,
// made through the gateway at the moments the plan says. Composition code: the only
// place the simulator's world and the gateway's meet.
import { validateSetup, type EventSetup } from '../event-setup.js';
import type { Action } from '../log-entry.js';
import type { RacePlan } from '../../sim-hardware/race-plan.js';
import type { Scenario } from '../../sim-hardware/scenario.js';
import type { Track } from '../../sim-hardware/track.js';

/** Validated, so the log keeps every default in force (the gateway logs what it validated). */
export function eventSetupFor(scenario: Scenario, track: Track, name = defaultName(scenario, track)): EventSetup {
  return validateSetup({
    name,
    session: scenario.session,
    laps: scenario.laps,
    stages: [...scenario.stages],
    pitSpeedLimitMph: scenario.event?.pitSpeedLimitMph ?? track.pitRoad.speedLimitMph,
    pitSpeedToleranceMph: scenario.event?.pitSpeedToleranceMph ?? track.pitRoad.toleranceMph,
    track: {
      id: track.id,
      name: track.name,
      lengthM: track.lengthM,
      loops: track.loops.map((l) => ({ id: l.id, name: l.name, role: l.role, path: l.path, positionM: l.positionM, board: l.board })),
      pitRoad: {
        entryM: track.pitRoad.entryM,
        exitM: track.pitRoad.exitM,
        lengthM: track.pitRoad.lengthM,
        boxes: track.pitRoad.boxes.map((b) => ({ number: b.number, positionM: b.positionM, board: b.board, lengthMm: b.lengthMm, lineMm: b.lineMm })),
        openings: track.pitRoad.openings.map((o) => ({ ...o })),
      },
      boards: track.boards.map((b) => ({ id: b.id, kind: b.kind })),
    },
    // Owner points (R-QUAL-5's tie-break) only where the scenario gives them: the set-up's default is 0.
    field: scenario.field.map((e) => ({ car: e.car, driver: e.driver, transponder: e.transponder, box: e.box, noseOffsetM: e.noseOffsetM, ...(e.ownerPoints !== undefined ? { ownerPoints: e.ownerPoints } : {}) })),
    // The scenario's event limits are race control's to enter; the rest of the card is the rule book's.
    officiating: {
      ...(scenario.event?.crewLimit !== undefined ? { crewLimit: scenario.event.crewLimit } : {}),
      ...(scenario.event?.boxesThroughLimit !== undefined ? { boxesThroughLimit: scenario.event.boxesThroughLimit } : {}),
    },
    // A qualifying session's format (R-QUAL-2), as the scenario gives it; a race has none.
    ...(scenario.session === 'qualifying' && scenario.qualifying ? { qualifying: { rounds: scenario.qualifying.rounds.map((r) => ({ ...r })) } } : {}),
  });
}

function defaultName(scenario: Scenario, track: Track): string {
  if (scenario.session === 'qualifying') return `qualifying at ${track.name}`;
  return `${scenario.laps} laps at ${track.name}`;
}

/**
 * Race control's calls during the planned race, at race time atUs (µs from the green).
 * In a qualifying session also each round's start and, with a red flag, its red and
 * green (R-QUAL-4: the round's clock stops), as the plan makes them (race.md).
 */
export function raceControlScript(plan: RacePlan): Array<{ atUs: number; action: Action }> {
  const out: Array<{ atUs: number; action: Action }> = [];
  for (const f of plan.flags) {
    // A stage end is the scoring's to call (R-SF-3); the rest are race control's flags.
    if (f.flag === 'stage-end') continue;
    out.push({ atUs: f.atUs, action: { action: 'flag', flag: f.flag } });
  }
  for (const p of plan.pitRoad) out.push({ atUs: p.atUs, action: { action: 'pit-road', open: p.open, why: p.why } });
  for (const c of plan.roundCalls) out.push({ atUs: c.atUs, action: { action: 'qualifying-round', round: c.round, call: c.call } });
  // Flags before round calls before pit road calls at the same instant: the yellow closes pit road first.
  const rank = (a: Action): number => (a.action === 'flag' ? 0 : a.action === 'qualifying-round' ? 1 : 2);
  return out.sort((a, b) => a.atUs - b.atUs || rank(a.action) - rank(b.action));
}

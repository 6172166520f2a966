// The damaged vehicle policy's numbers (R-PIT-DAMAGE-1, R-PIT-DAMAGE-2). Officials set
// them per event, so they are configuration, checked on load like the rest of the
// event set-up: every mistake names its field.
import { SetupError } from '../event-setup.js';

export interface DamagedVehicleRules {
  /** Time on pit road allowed for one damage, summed over its visits (s), R-PIT-DAMAGE-1. */
  clockS: number;
  /** Added to the time used for each speeding or commitment line violation (s). */
  perViolationS: number;
  /** Speed to reach after repairs (mph), R-PIT-DAMAGE-2. Depends on the track: no default. */
  minimumSpeedMph: number;
  /** Green-flag laps in which to reach it. */
  minimumSpeedLaps: number;
}

/** The series' usual figures: 6:00, 15 s, three laps. The minimum speed is the event's own. */
export const DEFAULT_DAMAGED_VEHICLE_RULES: Readonly<Omit<DamagedVehicleRules, 'minimumSpeedMph'>> = Object.freeze({
  clockS: 360,
  perViolationS: 15,
  minimumSpeedLaps: 3,
});

const KEYS = ['clockS', 'perViolationS', 'minimumSpeedMph', 'minimumSpeedLaps'] as const;

/**
 * Checks the damaged vehicle rules of an event set-up. `minimumSpeedMph` is required;
 * the others fall back to DEFAULT_DAMAGED_VEHICLE_RULES when absent. `field` is where
 * the value sits in the set-up, so errors name e.g. `damagedVehicles.clockS`.
 */
export function validateDamagedVehicleRules(value: unknown, field = 'damagedVehicles'): DamagedVehicleRules {
  const fail = (f: string, detail: string): never => {
    throw new SetupError(f, detail);
  };
  const at = (k: string): string => (field ? `${field}.${k}` : k);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field || '(top)', 'must be an object');
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(KEYS as readonly string[]).includes(k)) fail(at(k), 'unknown key');
  if (!('minimumSpeedMph' in o)) fail(at('minimumSpeedMph'), 'missing (the minimum speed depends on the track; set it per event)');
  // Present keys must be valid; `undefined` is not "absent" (JSON has no undefined).
  const num = (k: string, fallback: number | undefined, min: number, max: number, minOpen: boolean, whole: boolean): number => {
    if (!(k in o)) return fallback!;
    const v = o[k];
    const bound = `${minOpen ? '(' : '['}${min}..${max}]`;
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(at(k), `must be a finite number within ${bound}`);
    if (v < min || (minOpen && v === min) || v > max) return fail(at(k), `must be within ${bound}, got ${v}`);
    if (whole && !Number.isInteger(v)) return fail(at(k), `must be a whole number, got ${v}`);
    return v;
  };
  const d = DEFAULT_DAMAGED_VEHICLE_RULES;
  // Ranges: a clock of up to an hour, additions that cannot exceed the clock, a speed a
  // vehicle could plausibly be asked to run (over 0, under 250 mph).
  const clockS = num('clockS', d.clockS, 0, 3600, true, false);
  const perViolationS = num('perViolationS', d.perViolationS, 0, 3600, false, false);
  if (perViolationS > clockS) fail(at('perViolationS'), `must not exceed clockS (${clockS})`);
  const minimumSpeedMph = num('minimumSpeedMph', undefined, 0, 250, true, false);
  const minimumSpeedLaps = num('minimumSpeedLaps', d.minimumSpeedLaps, 1, 100, false, true);
  return { clockS, perViolationS, minimumSpeedMph, minimumSpeedLaps };
}

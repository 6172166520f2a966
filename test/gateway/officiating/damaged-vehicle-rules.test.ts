// The damaged vehicle rules as officials set them per event: defaults for the series'
// usual figures, the minimum speed required, and every mistake naming its field.
import { describe, expect, test } from 'vitest';
import { SetupError } from '../../../gateway/event-setup.js';
import { DEFAULT_DAMAGED_VEHICLE_RULES, validateDamagedVehicleRules } from '../../../gateway/officiating/damaged-vehicle-rules.js';

/** The field a value's SetupError names. */
function fieldOf(value: unknown, field?: string): string {
  try {
    validateDamagedVehicleRules(value, field);
  } catch (e) {
    expect(e).toBeInstanceOf(SetupError);
    return (e as SetupError).field;
  }
  throw new Error('no error');
}

describe('R-PIT-DAMAGE-1 / R-PIT-DAMAGE-2 rules validation', () => {
  test('R-PIT-DAMAGE-1: defaults 6:00, 15 s a violation, three laps; the minimum speed is the event\'s', () => {
    expect(DEFAULT_DAMAGED_VEHICLE_RULES).toEqual({ clockS: 360, perViolationS: 15, minimumSpeedLaps: 3 });
    expect(Object.isFrozen(DEFAULT_DAMAGED_VEHICLE_RULES)).toBe(true);
    expect(validateDamagedVehicleRules({ minimumSpeedMph: 72.5 })).toEqual({ clockS: 360, perViolationS: 15, minimumSpeedMph: 72.5, minimumSpeedLaps: 3 });
    expect(validateDamagedVehicleRules({ clockS: 300, perViolationS: 0, minimumSpeedMph: 60, minimumSpeedLaps: 2 })).toEqual({ clockS: 300, perViolationS: 0, minimumSpeedMph: 60, minimumSpeedLaps: 2 });
  });

  test('R-PIT-DAMAGE-2: the minimum speed is required, named under the field', () => {
    expect(fieldOf({})).toBe('damagedVehicles.minimumSpeedMph');
    expect(() => validateDamagedVehicleRules({ clockS: 360 })).toThrow('event setup: damagedVehicles.minimumSpeedMph: missing');
  });

  test('R-PIT-DAMAGE-1: not an object, unknown keys, non-finite and out-of-range values name their field', () => {
    expect(fieldOf(null)).toBe('damagedVehicles');
    expect(fieldOf([])).toBe('damagedVehicles');
    expect(fieldOf(360)).toBe('damagedVehicles');
    expect(fieldOf({ minimumSpeedMph: 60, clock: 360 })).toBe('damagedVehicles.clock');
    expect(fieldOf({ minimumSpeedMph: 60, clockS: '360' })).toBe('damagedVehicles.clockS');
    expect(fieldOf({ minimumSpeedMph: 60, clockS: Infinity })).toBe('damagedVehicles.clockS');
    expect(fieldOf({ minimumSpeedMph: 60, clockS: 0 })).toBe('damagedVehicles.clockS');
    expect(fieldOf({ minimumSpeedMph: 60, clockS: 3601 })).toBe('damagedVehicles.clockS');
    expect(fieldOf({ minimumSpeedMph: 60, perViolationS: -1 })).toBe('damagedVehicles.perViolationS');
    expect(fieldOf({ minimumSpeedMph: 60, perViolationS: NaN })).toBe('damagedVehicles.perViolationS');
    expect(fieldOf({ minimumSpeedMph: 60, clockS: 10, perViolationS: 15 })).toBe('damagedVehicles.perViolationS');
    expect(fieldOf({ minimumSpeedMph: 0 })).toBe('damagedVehicles.minimumSpeedMph');
    expect(fieldOf({ minimumSpeedMph: 251 })).toBe('damagedVehicles.minimumSpeedMph');
    expect(fieldOf({ minimumSpeedMph: null })).toBe('damagedVehicles.minimumSpeedMph');
    expect(fieldOf({ minimumSpeedMph: 60, minimumSpeedLaps: 2.5 })).toBe('damagedVehicles.minimumSpeedLaps');
    expect(fieldOf({ minimumSpeedMph: 60, minimumSpeedLaps: 0 })).toBe('damagedVehicles.minimumSpeedLaps');
    expect(fieldOf({ minimumSpeedMph: 60, minimumSpeedLaps: undefined })).toBe('damagedVehicles.minimumSpeedLaps');
  });

  test('R-PIT-DAMAGE-1: errors name the field where the rules sit in the set-up', () => {
    expect(fieldOf({ minimumSpeedMph: 60, clockS: -5 }, 'officiating.damaged')).toBe('officiating.damaged.clockS');
    expect(fieldOf('x', 'officiating.damaged')).toBe('officiating.damaged');
    expect(() => validateDamagedVehicleRules({ minimumSpeedMph: 60, clockS: -5 })).toThrow(/^event setup: damagedVehicles\.clockS: must be within \(0\.\.3600\], got -5$/);
  });
});

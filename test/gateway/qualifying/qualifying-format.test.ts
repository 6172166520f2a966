// The qualifying format as officials set it (R-QUAL-2: timed laps per round, per event):
// a valid one comes back as it was; every mistake names its field.
import { describe, expect, test } from 'vitest';
import { SetupError } from '../../../gateway/event-setup.js';
import { validateQualifyingFormat } from '../../../gateway/qualifying/qualifying-format.js';

function failure(value: unknown, field?: string): { field: string; message: string } {
  try {
    if (field === undefined) validateQualifyingFormat(value);
    else validateQualifyingFormat(value, field);
  } catch (e) {
    expect(e).toBeInstanceOf(SetupError);
    return { field: (e as SetupError).field, message: (e as Error).message };
  }
  throw new Error('no error');
}

const round = (o: Record<string, unknown> = {}): Record<string, unknown> => ({ minutes: 10, timedLaps: 1, ...o });

describe('R-QUAL-2 the qualifying format', () => {
  test('R-QUAL-2: one round of one timed lap; three rounds of two at a short track, the field cut each round', () => {
    expect(validateQualifyingFormat({ rounds: [{ minutes: 5, timedLaps: 1 }] })).toEqual({ rounds: [{ minutes: 5, timedLaps: 1 }] });
    const short = { rounds: [round({ timedLaps: 2, advance: 12 }), round({ minutes: 2.5, timedLaps: 2, advance: 12 }), round({ timedLaps: 2, minutes: 5 })] };
    expect(validateQualifyingFormat(short)).toEqual(short);
  });

  test('the result is a fresh object: later changes to the input do not reach it', () => {
    const v = { rounds: [round()] };
    const f = validateQualifyingFormat(v);
    (v.rounds[0] as Record<string, unknown>).minutes = 99;
    expect(f.rounds[0]!.minutes).toBe(10);
  });

  test.each([
    [null, 'qualifying', 'must be an object'],
    [[], 'qualifying', 'must be an object'],
    [{}, 'qualifying.rounds', 'missing'],
    [{ rounds: [round()], groups: 2 }, 'qualifying.groups', 'unknown key'],
    [{ rounds: {} }, 'qualifying.rounds', 'must be an array'],
    [{ rounds: [] }, 'qualifying.rounds', 'must have 1..10 rounds'],
    [{ rounds: Array.from({ length: 11 }, () => round({ advance: 1 })) }, 'qualifying.rounds', 'must have 1..10 rounds'],
    [{ rounds: [5] }, 'qualifying.rounds[0]', 'must be an object'],
    [{ rounds: [{ timedLaps: 1 }] }, 'qualifying.rounds[0].minutes', 'missing'],
    [{ rounds: [{ minutes: 5 }] }, 'qualifying.rounds[0].timedLaps', 'missing'],
    [{ rounds: [round({ laps: 2 })] }, 'qualifying.rounds[0].laps', 'unknown key'],
    [{ rounds: [round({ minutes: 0 })] }, 'qualifying.rounds[0].minutes', 'must be a number over 0, at most 240'],
    [{ rounds: [round({ minutes: -5 })] }, 'qualifying.rounds[0].minutes', 'must be a number over 0'],
    [{ rounds: [round({ minutes: Number.NaN })] }, 'qualifying.rounds[0].minutes', 'must be a number over 0'],
    [{ rounds: [round({ minutes: Infinity })] }, 'qualifying.rounds[0].minutes', 'must be a number over 0'],
    [{ rounds: [round({ minutes: 241 })] }, 'qualifying.rounds[0].minutes', 'at most 240'],
    [{ rounds: [round({ minutes: '10' })] }, 'qualifying.rounds[0].minutes', 'must be a number'],
    [{ rounds: [round({ timedLaps: 3 })] }, 'qualifying.rounds[0].timedLaps', 'must be 1 or 2'],
    [{ rounds: [round({ timedLaps: 0 })] }, 'qualifying.rounds[0].timedLaps', 'must be 1 or 2'],
    [{ rounds: [round({ timedLaps: '1' })] }, 'qualifying.rounds[0].timedLaps', 'must be 1 or 2'],
    [{ rounds: [round(), round()] }, 'qualifying.rounds[0].advance', 'missing: how many trucks go on to round 2'],
    [{ rounds: [round({ advance: 10 })] }, 'qualifying.rounds[0].advance', 'the last round has no next round'],
    [{ rounds: [round({ advance: 0 }), round()] }, 'qualifying.rounds[0].advance', 'must be a whole number within 1..1000'],
    [{ rounds: [round({ advance: 2.5 }), round()] }, 'qualifying.rounds[0].advance', 'must be a whole number'],
    [{ rounds: [round({ advance: null }), round()] }, 'qualifying.rounds[0].advance', 'must be a whole number'],
    [{ rounds: [round({ advance: 5 }), round({ advance: 6 }), round()] }, 'qualifying.rounds[1].advance', "must be at most round 1's advance (5)"],
  ])('%j fails at %s', (value, field, detail) => {
    const f = failure(value);
    expect(f.field).toBe(field);
    expect(f.message).toContain(`event setup: ${field}: `);
    expect(f.message).toContain(detail);
  });

  test('the field is named under the name given, or bare at the top', () => {
    expect(failure({ rounds: [round({ timedLaps: 3 })] }, 'event.qualifying').field).toBe('event.qualifying.rounds[0].timedLaps');
    expect(failure({ rounds: [round({ timedLaps: 3 })] }, '').field).toBe('rounds[0].timedLaps');
    expect(failure('x', '').field).toBe('(top)');
  });

  test('an inherited key is not a key: a format built on a prototype with rounds is missing them', () => {
    expect(failure(Object.create({ rounds: [round()] })).field).toBe('qualifying.rounds');
  });
});

// The event's pit road penalty card and limits (rules.md, "Penalties"): the rule
// book's card as the default, what race control may change, every mistake naming its
// field, and penalty names read and written back.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SetupError, validateSetup } from '../../../gateway/event-setup.js';
import { DEFAULT_OFFICIATING, DEFAULT_PENALTY_CARD, penaltyName, penaltyOf, validateOfficiating, VIOLATIONS, type Penalty } from '../../../gateway/officiating/penalty-card.js';
import { entry, tinySetup } from '../../support/scoring-log.js';

const BOXES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 7, 8]);

/** The field a value's SetupError names, and its message. */
function failure(value: unknown): { field: string; message: string } {
  try {
    validateOfficiating(value, BOXES);
  } catch (e) {
    expect(e).toBeInstanceOf(SetupError);
    return { field: (e as SetupError).field, message: (e as SetupError).message };
  }
  throw new Error('no error');
}
const fieldOf = (value: unknown): string => failure(value).field;

describe('the penalty card (rules.md "Penalties")', () => {
  test('R-PIT-SPEED-1/2, R-PIT-BOX-2/3, R-PIT-COMMIT-1, R-PIT-CREW-1/2, R-PIT-OPEN-2: every violation officials can call names its rule', () => {
    expect(VIOLATIONS).toEqual({
      speeding: 'R-PIT-SPEED-1',
      'speeding-on-pass-through': 'R-PIT-SPEED-2',
      'out-of-box': 'R-PIT-BOX-2',
      'commitment-line': 'R-PIT-COMMIT-1',
      'boxes-driven-through': 'R-PIT-BOX-3',
      'crew-too-soon': 'R-PIT-CREW-1',
      'too-many-crew': 'R-PIT-CREW-2',
      'entered-closed': 'R-PIT-OPEN-2',
    });
  });

  test('R-PIT-SPEED-2, R-PIT-OPEN-2: the default card is the rule book\'s table; another pass-through in either column; "—" is none', () => {
    expect(DEFAULT_PENALTY_CARD).toEqual({
      speeding: { green: 'pass-through', caution: 'tail-of-the-field' },
      'speeding-on-pass-through': { green: 'pass-through', caution: 'pass-through' },
      'out-of-box': { green: 'pass-through', caution: 'tail-of-the-field' },
      'commitment-line': { green: 'pass-through', caution: 'tail-of-the-field' },
      'boxes-driven-through': { green: 'pass-through', caution: 'tail-of-the-field' },
      'crew-too-soon': { green: 'pass-through', caution: 'tail-of-the-field' },
      'too-many-crew': { green: '1 lap', caution: '1 lap' },
      // The card's "—": nothing under green.
      'entered-closed': { green: 'none', caution: 'tail-of-the-field' },
    });
    // Every kind has a row, and every entry reads as a penalty.
    expect(Object.keys(DEFAULT_PENALTY_CARD).sort()).toEqual(Object.keys(VIOLATIONS).sort());
    for (const row of Object.values(DEFAULT_PENALTY_CARD)) for (const name of Object.values(row)) expect(() => penaltyOf(name)).not.toThrow();
  });

  test('R-PIT-CREW-2, R-PIT-BOX-3, R-PEN-2: default limits — six crew (five plus a fueler damaged), three boxes, 30 s', () => {
    expect(DEFAULT_OFFICIATING).toEqual({
      penaltyCard: DEFAULT_PENALTY_CARD,
      crewLimit: 6,
      crewLimitDamaged: 6,
      boxesThroughLimit: 3,
      eliminatedBoxes: [],
      speedCloseCallMph: 0.05,
      crewCloseCallMm: 200,
      commitmentCloseCallS: 0.25,
      unservedPassThroughS: 30,
    });
  });

  test('left out, the set-up gets a copy of the defaults (changing it changes no other event)', () => {
    const a = validateOfficiating(undefined, BOXES);
    expect(a).toEqual(DEFAULT_OFFICIATING);
    a.penaltyCard.speeding.green = 'stop-and-go';
    a.eliminatedBoxes.push(3);
    expect(DEFAULT_OFFICIATING.penaltyCard.speeding.green).toBe('pass-through');
    expect(validateOfficiating(undefined, BOXES)).toEqual(DEFAULT_OFFICIATING);
    expect(validateOfficiating({}, BOXES)).toEqual(DEFAULT_OFFICIATING);
  });

  test('a set-up changes only what it names: one card entry, the limits, eliminated boxes', () => {
    const r = validateOfficiating(
      {
        penaltyCard: { speeding: { green: 'stop-and-go' }, 'too-many-crew': { green: '2 laps', caution: 'none' } },
        crewLimit: 7,
        crewLimitDamaged: 6,
        boxesThroughLimit: 2,
        eliminatedBoxes: [4, 8],
        speedCloseCallMph: 0.1,
        crewCloseCallMm: 150,
        commitmentCloseCallS: 0.5,
        unservedPassThroughS: 45,
      },
      BOXES,
    );
    expect(r.penaltyCard).toEqual({
      ...DEFAULT_PENALTY_CARD,
      speeding: { green: 'stop-and-go', caution: 'tail-of-the-field' },
      'too-many-crew': { green: '2 laps', caution: 'none' },
    });
    expect(r).toMatchObject({ crewLimit: 7, crewLimitDamaged: 6, boxesThroughLimit: 2, eliminatedBoxes: [4, 8], speedCloseCallMph: 0.1, crewCloseCallMm: 150, commitmentCloseCallS: 0.5, unservedPassThroughS: 45 });
    // The default card is untouched.
    expect(DEFAULT_PENALTY_CARD.speeding.green).toBe('pass-through');
    // The limits' ends are allowed.
    expect(validateOfficiating({ boxesThroughLimit: 0, speedCloseCallMph: 0, crewCloseCallMm: 5000, commitmentCloseCallS: 10, unservedPassThroughS: 600, crewLimit: 20 }, BOXES)).toMatchObject({ boxesThroughLimit: 0, crewCloseCallMm: 5000, unservedPassThroughS: 600, crewLimit: 20 });
  });
});

describe('validateOfficiating: every mistake names its field', () => {
  test('not an object', () => {
    expect(fieldOf(null)).toBe('officiating');
    expect(fieldOf([])).toBe('officiating');
    expect(fieldOf('pass-through')).toBe('officiating');
    expect(fieldOf({ penaltyCard: [] })).toBe('officiating.penaltyCard');
    expect(fieldOf({ penaltyCard: { speeding: 'pass-through' } })).toBe('officiating.penaltyCard.speeding');
  });

  test('unknown keys: of the limits, of the card, of a card row', () => {
    expect(failure({ crewLimits: 6 })).toEqual({ field: 'officiating.crewLimits', message: expect.stringMatching(/^event setup: officiating\.crewLimits: unknown key \(expected one of penaltyCard, crewLimit, /) });
    expect(fieldOf({ penaltyCard: { speed: { green: 'pass-through' } } })).toBe('officiating.penaltyCard.speed');
    expect(fieldOf({ penaltyCard: { speeding: { yellow: 'pass-through' } } })).toBe('officiating.penaltyCard.speeding.yellow');
  });

  test('a bad penalty name names its card entry', () => {
    expect(failure({ penaltyCard: { 'out-of-box': { caution: 'drive-through' } } })).toEqual({
      field: 'officiating.penaltyCard.out-of-box.caution',
      message: "event setup: officiating.penaltyCard.out-of-box.caution: 'drive-through' is not a penalty (pass-through, stop-and-go, tail-of-the-field, \"1 lap\", \"2 laps\", none)",
    });
    for (const bad of ['0 laps', '100 laps', 'one lap', '1  lap', 'Pass-through', '']) expect(fieldOf({ penaltyCard: { speeding: { green: bad } } })).toBe('officiating.penaltyCard.speeding.green');
    expect(failure({ penaltyCard: { speeding: { green: 1 } } })).toEqual({ field: 'officiating.penaltyCard.speeding.green', message: 'event setup: officiating.penaltyCard.speeding.green: must be a penalty name' });
    expect(fieldOf({ penaltyCard: { speeding: { green: null } } })).toBe('officiating.penaltyCard.speeding.green');
  });

  test('R-PIT-BOX-3: an eliminated box must be a box on pit road, named by its index', () => {
    expect(failure({ eliminatedBoxes: [2, 9] })).toEqual({ field: 'officiating.eliminatedBoxes[1]', message: 'event setup: officiating.eliminatedBoxes[1]: no box 9 on pit road' });
    expect(fieldOf({ eliminatedBoxes: 3 })).toBe('officiating.eliminatedBoxes');
    expect(fieldOf({ eliminatedBoxes: [1, 2.5] })).toBe('officiating.eliminatedBoxes[1]');
    expect(fieldOf({ eliminatedBoxes: ['3'] })).toBe('officiating.eliminatedBoxes[0]');
    expect(fieldOf({ eliminatedBoxes: [0] })).toBe('officiating.eliminatedBoxes[0]');
  });

  test('out-of-range limits name the limit', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ crewLimit: 0 }, 'officiating.crewLimit'],
      [{ crewLimit: 21 }, 'officiating.crewLimit'],
      [{ crewLimit: 6.5 }, 'officiating.crewLimit'],
      [{ crewLimit: '6' }, 'officiating.crewLimit'],
      [{ crewLimitDamaged: 0 }, 'officiating.crewLimitDamaged'],
      [{ boxesThroughLimit: -1 }, 'officiating.boxesThroughLimit'],
      [{ boxesThroughLimit: 101 }, 'officiating.boxesThroughLimit'],
      [{ boxesThroughLimit: 2.5 }, 'officiating.boxesThroughLimit'],
      [{ speedCloseCallMph: 5.01 }, 'officiating.speedCloseCallMph'],
      [{ speedCloseCallMph: -0.01 }, 'officiating.speedCloseCallMph'],
      [{ crewCloseCallMm: Number.NaN }, 'officiating.crewCloseCallMm'],
      [{ crewCloseCallMm: 5001 }, 'officiating.crewCloseCallMm'],
      [{ commitmentCloseCallS: Number.POSITIVE_INFINITY }, 'officiating.commitmentCloseCallS'],
      [{ commitmentCloseCallS: 10.5 }, 'officiating.commitmentCloseCallS'],
      [{ unservedPassThroughS: 601 }, 'officiating.unservedPassThroughS'],
      [{ unservedPassThroughS: -30 }, 'officiating.unservedPassThroughS'],
    ];
    for (const [value, field] of cases) expect(fieldOf(value), JSON.stringify(value)).toBe(field);
    expect(failure({ crewLimit: 0 }).message).toBe('event setup: officiating.crewLimit: must be a number within 1..20');
    expect(failure({ crewLimit: 6.5 }).message).toBe('event setup: officiating.crewLimit: must be a whole number');
  });

  test('through the event set-up: defaults when left out, its box numbers for eliminated boxes, its errors', () => {
    const input = tinySetup([entry('11', 101)], 10);
    expect(validateSetup(input).officiating).toEqual(DEFAULT_OFFICIATING);
    expect(validateSetup({ ...input, officiating: { eliminatedBoxes: [16], crewLimit: 5 } }).officiating).toMatchObject({ eliminatedBoxes: [16], crewLimit: 5 });
    // The tiny oval has boxes 1..16.
    expect(() => validateSetup({ ...input, officiating: { eliminatedBoxes: [17] } })).toThrow('event setup: officiating.eliminatedBoxes[0]: no box 17 on pit road');
    expect(() => validateSetup({ ...input, officiating: { penaltyCard: { speeding: { green: '3 lapz' } } } as never })).toThrow(/officiating\.penaltyCard\.speeding\.green/);
  });
});

describe('penalty names', () => {
  test('penaltyOf reads every kind the card writes; "none" is the card\'s "—"', () => {
    expect(penaltyOf('pass-through')).toEqual({ kind: 'pass-through' });
    expect(penaltyOf('stop-and-go')).toEqual({ kind: 'stop-and-go' });
    expect(penaltyOf('tail-of-the-field')).toEqual({ kind: 'tail-of-the-field' });
    expect(penaltyOf('1 lap')).toEqual({ kind: 'laps', laps: 1 });
    expect(penaltyOf('2 laps')).toEqual({ kind: 'laps', laps: 2 });
    expect(penaltyOf('99 laps')).toEqual({ kind: 'laps', laps: 99 });
    expect(penaltyOf('none')).toBeNull();
    for (const bad of ['0 laps', '100 laps', '01 lap', 'lap', 'black flag', ' none']) expect(() => penaltyOf(bad), bad).toThrow(RangeError);
    expect(() => penaltyOf('drive-through')).toThrow("not a penalty: 'drive-through'");
  });

  test('penaltyName writes them back: "1 lap", "2 laps", "none"', () => {
    expect(penaltyName({ kind: 'laps', laps: 1 })).toBe('1 lap');
    expect(penaltyName({ kind: 'laps', laps: 2 })).toBe('2 laps');
    expect(penaltyName(null)).toBe('none');
    expect(penaltyName({ kind: 'tail-of-the-field' })).toBe('tail-of-the-field');
    for (const name of ['pass-through', 'stop-and-go', 'tail-of-the-field', '1 lap', '2 laps', '99 laps', 'none']) expect(penaltyName(penaltyOf(name))).toBe(name);
  });

  test('round trip, any penalty: penaltyOf(penaltyName(p)) is p', () => {
    const penalty: fc.Arbitrary<Penalty | null> = fc.oneof(
      fc.constant(null),
      fc.constantFrom<Penalty>({ kind: 'pass-through' }, { kind: 'stop-and-go' }, { kind: 'tail-of-the-field' }),
      fc.integer({ min: 1, max: 99 }).map((laps): Penalty => ({ kind: 'laps', laps })),
    );
    fc.assert(
      fc.property(penalty, (p) => {
        expect(penaltyOf(penaltyName(p))).toEqual(p);
      }),
      { seed: 20260418 },
    );
  });
});

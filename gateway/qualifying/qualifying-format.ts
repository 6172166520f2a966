// The qualifying format of an event, as officials set it at the drivers' meeting: how
// many rounds, each one's length, timed laps per truck (R-QUAL-2: one at most tracks,
// two at short tracks) and how many trucks go on to the next round. Data, validated on
// load like the rest of the set-up; never constants in code.
import { SetupError } from '../event-setup.js';

export interface QualifyingRoundFormat {
  /** The round's clock (minutes of green; red periods do not run it, R-QUAL-4). */
  minutes: number;
  /** R-QUAL-2: each truck's first this-many laps in the round are its timed laps. */
  timedLaps: 1 | 2;
  /** Trucks that go on to the next round: the top `advance` of this one. Every round but the last has it; the last has none. */
  advance?: number;
}

export interface QualifyingFormat {
  rounds: QualifyingRoundFormat[];
}

/** Longest round officials would run (minutes). */
const MAX_ROUND_MINUTES = 240;
const MAX_ROUNDS = 10;
const MAX_ADVANCE = 1000;

/**
 * Checks a parsed qualifying format (the set-up's `qualifying`); every mistake names its
 * field the way validateSetup does (`qualifying.rounds[1].advance`), as a SetupError.
 */
export function validateQualifyingFormat(value: unknown, field = 'qualifying'): QualifyingFormat {
  const fail = (f: string, detail: string): never => {
    throw new SetupError(f, detail);
  };
  const at = (k: string): string => (field ? `${field}.${k}` : k);
  const obj = (v: unknown, f: string, keys: readonly string[], optional: readonly string[] = []): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(f || '(top)', 'must be an object');
    const o = v as Record<string, unknown>;
    const prefix = f ? `${f}.` : '';
    for (const k of keys) if (!Object.hasOwn(o, k)) fail(`${prefix}${k}`, 'missing');
    for (const k of Object.keys(o)) if (!keys.includes(k) && !optional.includes(k)) fail(`${prefix}${k}`, 'unknown key');
    return o;
  };

  const o = obj(value, field, ['rounds']);
  if (!Array.isArray(o.rounds)) return fail(at('rounds'), 'must be an array');
  const raw = o.rounds as unknown[];
  if (raw.length === 0 || raw.length > MAX_ROUNDS) fail(at('rounds'), `must have 1..${MAX_ROUNDS} rounds`);
  const rounds = raw.map((r, i): QualifyingRoundFormat => {
    const f = at(`rounds[${i}]`);
    const ro = obj(r, f, ['minutes', 'timedLaps'], ['advance']);
    const minutes = ro.minutes;
    if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_ROUND_MINUTES) {
      fail(`${f}.minutes`, `must be a number over 0, at most ${MAX_ROUND_MINUTES}`);
    }
    const timedLaps = ro.timedLaps === 1 || ro.timedLaps === 2 ? ro.timedLaps : fail(`${f}.timedLaps`, 'must be 1 or 2');
    const last = i === raw.length - 1;
    const round: QualifyingRoundFormat = { minutes: minutes as number, timedLaps };
    if (ro.advance === undefined) {
      // Left out, no truck would go on: an empty next round is always a mistake.
      if (!last) fail(`${f}.advance`, `missing: how many trucks go on to round ${i + 2}`);
    } else {
      if (last) fail(`${f}.advance`, 'the last round has no next round');
      const a = ro.advance;
      if (typeof a !== 'number' || !Number.isInteger(a) || a < 1 || a > MAX_ADVANCE) fail(`${f}.advance`, `must be a whole number within 1..${MAX_ADVANCE}`);
      round.advance = a as number;
    }
    return round;
  });
  // A round cannot send on more trucks than it had.
  for (let i = 1; i < rounds.length; i++) {
    const a = rounds[i]!.advance;
    const before = rounds[i - 1]!.advance!;
    if (a !== undefined && a > before) fail(at(`rounds[${i}].advance`), `must be at most round ${i}'s advance (${before})`);
  }
  return { rounds };
}

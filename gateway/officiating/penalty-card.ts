// The event's pit road penalty card and the limits officials set for pit road: data
// in the event set-up, validated on load, with the rule book's typical card
// (rules.md, "Penalties") as the default. A violation's penalty depends on the flag
// when it happened (green or caution); "none" is the card's "—".
import { SetupError } from '../event-setup.js';

/** What officials can call (rules.md): each kind names its rule. */
export const VIOLATIONS = {
  speeding: 'R-PIT-SPEED-1',
  'speeding-on-pass-through': 'R-PIT-SPEED-2',
  'out-of-box': 'R-PIT-BOX-2',
  'commitment-line': 'R-PIT-COMMIT-1',
  'boxes-driven-through': 'R-PIT-BOX-3',
  'crew-too-soon': 'R-PIT-CREW-1',
  'too-many-crew': 'R-PIT-CREW-2',
  'entered-closed': 'R-PIT-OPEN-2',
} as const;
export type ViolationKind = keyof typeof VIOLATIONS;
export type RuleId = (typeof VIOLATIONS)[ViolationKind];

/** A penalty as the card writes it: "pass-through", "stop-and-go", "tail-of-the-field", "1 lap", "2 laps", "none". */
export type PenaltyName = string;

export type Penalty = { kind: 'pass-through' } | { kind: 'stop-and-go' } | { kind: 'tail-of-the-field' } | { kind: 'laps'; laps: number };

export type CardColumn = 'green' | 'caution';

export type PenaltyCard = Record<ViolationKind, Record<CardColumn, PenaltyName>>;

/** rules.md's typical card; R-PIT-SPEED-2 (speeding while serving a pass-through) earns another pass-through. */
export const DEFAULT_PENALTY_CARD: PenaltyCard = {
  speeding: { green: 'pass-through', caution: 'tail-of-the-field' },
  'speeding-on-pass-through': { green: 'pass-through', caution: 'pass-through' },
  'out-of-box': { green: 'pass-through', caution: 'tail-of-the-field' },
  'commitment-line': { green: 'pass-through', caution: 'tail-of-the-field' },
  'boxes-driven-through': { green: 'pass-through', caution: 'tail-of-the-field' },
  'crew-too-soon': { green: 'pass-through', caution: 'tail-of-the-field' },
  'too-many-crew': { green: '1 lap', caution: '1 lap' },
  'entered-closed': { green: 'none', caution: 'tail-of-the-field' },
};

export interface OfficiatingRules {
  penaltyCard: PenaltyCard;
  /** R-PIT-CREW-2: crew over the wall at most (four service, a fueler, a driver assist). */
  crewLimit: number;
  /** R-PIT-CREW-2 during damage repairs (five plus a fueler). */
  crewLimitDamaged: number;
  /** R-PIT-BOX-3: boxes a vehicle may drive through entering or leaving its box. */
  boxesThroughLimit: number;
  /** Boxes not in use this event: driving through them does not count (R-PIT-BOX-3). */
  eliminatedBoxes: number[];
  /** A segment this close to limit + tolerance, either side, is a close call (mph). */
  speedCloseCallMph: number;
  /** Crew this close to one box away, either side, is a close call (mm): the sensors' resolution. */
  crewCloseCallMm: number;
  /** A commitment line crossing this close to pit road closing, either side, is a close call (s). */
  commitmentCloseCallS: number;
  /** R-PEN-2: an unserved pass-through at the finish adds this to the total time (s). */
  unservedPassThroughS: number;
}

export const DEFAULT_OFFICIATING: OfficiatingRules = {
  penaltyCard: DEFAULT_PENALTY_CARD,
  crewLimit: 6,
  crewLimitDamaged: 6,
  boxesThroughLimit: 3,
  eliminatedBoxes: [],
  speedCloseCallMph: 0.05,
  crewCloseCallMm: 200,
  commitmentCloseCallS: 0.25,
  unservedPassThroughS: 30,
};

const LAPS = /^([1-9][0-9]?) laps?$/;

/** A card entry read: null for "none". */
export function penaltyOf(name: PenaltyName): Penalty | null {
  if (name === 'none') return null;
  if (name === 'pass-through' || name === 'stop-and-go' || name === 'tail-of-the-field') return { kind: name };
  const m = LAPS.exec(name);
  if (m) return { kind: 'laps', laps: Number(m[1]) };
  throw new RangeError(`not a penalty: '${name}'`);
}

export function penaltyName(p: Penalty | null): PenaltyName {
  if (p === null) return 'none';
  return p.kind === 'laps' ? `${p.laps} ${p.laps === 1 ? 'lap' : 'laps'}` : p.kind;
}

/** Checks the set-up's `officiating` (undefined: the defaults); every mistake names its field. */
export function validateOfficiating(value: unknown, boxNumbers: ReadonlySet<number>, field = 'officiating'): OfficiatingRules {
  if (value === undefined) return structuredClone(DEFAULT_OFFICIATING);
  const fail = (f: string, detail: string): never => {
    throw new SetupError(f, detail);
  };
  const obj = (v: unknown, f: string, keys: readonly string[]): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(f, 'must be an object');
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${f}.${k}`, `unknown key (expected one of ${keys.join(', ')})`);
    return o;
  };
  const num = (v: unknown, f: string, dflt: number, min: number, max: number, whole = false): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(f, `must be a number within ${min}..${max}`);
    if (whole && !Number.isInteger(v)) fail(f, 'must be a whole number');
    return v as number;
  };
  const d = DEFAULT_OFFICIATING;
  const o = obj(value, field, Object.keys(d));
  const card = structuredClone(d.penaltyCard);
  if (o.penaltyCard !== undefined) {
    const c = obj(o.penaltyCard, `${field}.penaltyCard`, Object.keys(VIOLATIONS));
    for (const [kind, v] of Object.entries(c)) {
      const f = `${field}.penaltyCard.${kind}`;
      const row = obj(v, f, ['green', 'caution']);
      for (const col of ['green', 'caution'] as const) {
        const name = row[col];
        if (name === undefined) continue;
        if (typeof name !== 'string') fail(`${f}.${col}`, 'must be a penalty name');
        try {
          penaltyOf(name as string);
        } catch {
          fail(`${f}.${col}`, `'${String(name)}' is not a penalty (pass-through, stop-and-go, tail-of-the-field, "1 lap", "2 laps", none)`);
        }
        card[kind as ViolationKind][col] = name as string;
      }
    }
  }
  let eliminated: number[] = [];
  if (o.eliminatedBoxes !== undefined) {
    if (!Array.isArray(o.eliminatedBoxes)) fail(`${field}.eliminatedBoxes`, 'must be an array of box numbers');
    eliminated = (o.eliminatedBoxes as unknown[]).map((b, i) => {
      const n = num(b, `${field}.eliminatedBoxes[${i}]`, 0, 1, 0xffff, true);
      if (!boxNumbers.has(n)) fail(`${field}.eliminatedBoxes[${i}]`, `no box ${n} on pit road`);
      return n;
    });
  }
  const crewLimit = num(o.crewLimit, `${field}.crewLimit`, d.crewLimit, 1, 20, true);
  return {
    penaltyCard: card,
    crewLimit,
    crewLimitDamaged: num(o.crewLimitDamaged, `${field}.crewLimitDamaged`, d.crewLimitDamaged, 1, 20, true),
    boxesThroughLimit: num(o.boxesThroughLimit, `${field}.boxesThroughLimit`, d.boxesThroughLimit, 0, 100, true),
    eliminatedBoxes: eliminated,
    speedCloseCallMph: num(o.speedCloseCallMph, `${field}.speedCloseCallMph`, d.speedCloseCallMph, 0, 5),
    crewCloseCallMm: num(o.crewCloseCallMm, `${field}.crewCloseCallMm`, d.crewCloseCallMm, 0, 5000),
    commitmentCloseCallS: num(o.commitmentCloseCallS, `${field}.commitmentCloseCallS`, d.commitmentCloseCallS, 0, 10),
    unservedPassThroughS: num(o.unservedPassThroughS, `${field}.unservedPassThroughS`, d.unservedPassThroughS, 0, 600),
  };
}

// Random but valid qualifying sessions (sim-hardware/scenario.md, "Qualifying
// sessions"), from a seed: a field on a short track with an out-lap and flying laps,
// owner points, one or two rounds whose time runs out while the trucks still lap
// (R-QUAL-3), optionally a red flag in a round (R-QUAL-4), a truck that pits (R-QUAL-1)
// and two trucks with identical lap times (R-QUAL-5). Each one is planned and its truth
// worked out before it is handed out, and nudged until what the gateway cannot tell
// apart stays out of it: no crossing of a start/finish line within MARGIN_US of a round's
// start, expiry or red period; no counted lap starting at a truck's first crossing or
// ending at its last (R-SF-1's speed at the line is wrong there, race.md); no two
// trucks within CLOSE_US of each other at a round's advance cut.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { qualifyingTruth, type QualifyingTruth } from '../../sim-hardware/qualifying-truth.js';
import { planRace } from '../../sim-hardware/race-plan.js';
import { raceCrossings } from '../../sim-hardware/race-truth.js';
import { createRng, hashSeed, type Rng } from '../../sim-hardware/random.js';
import { validateScenario } from '../../sim-hardware/scenario.js';
import { loadTrack } from '../../sim-hardware/track.js';

/** No start/finish crossing this close to a round's start, expiry or red period (µs): the firmware's crossing error is far below. */
export const MARGIN_US = 50_000;
/** Two best times closer than this may come out either way through the firmware (µs). */
export const CLOSE_US = 1_000;

export interface QualifyingScenarioJson {
  track: string;
  session: 'qualifying';
  laps: number;
  seed: number;
  gridGapS: number;
  qualifying: { rounds: Array<{ minutes: number; timedLaps: 1 | 2; advance?: number }> };
  roundStartsS: number[];
  field: Array<{ car: string; driver: string; transponder: number; box: number; noseOffsetM: number; ownerPoints: number; lapTimes: number[] }>;
  pitStops: Array<{ car: string; lap: number; serviceS: number }>;
  redFlags: Array<{ atS: number; minutes: number }>;
}

export interface RandomQualifyingOptions {
  track?: string;
  rounds?: 1 | 2;
  /** The round (1-based) a red flag comes out in; none when left out. */
  redIn?: number;
  pitStop?: boolean;
  /** Two trucks with identical lap times (R-QUAL-5). */
  tie?: boolean;
  timedLaps?: 1 | 2;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.next();
const intIn = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng.next() * (hi - lo + 1));

const CARS = ['2', '5', '7', '12', '17', '24', '38', '42', '51', '66'];
const NAMES = ['Harper Hale', 'Indigo Ives', 'Jordan Jett', 'Kai Keller', 'Logan Lark', 'Morgan Mace', 'Noel Nash', 'Oakley Orr', 'Parker Pike', 'Quinn Quade'];
const BASE_LAP_S: Readonly<Record<string, number>> = { martinsville: 19.8, bristol: 15.6 };

/** The scenario's truth, as the simulator works it out (no sensors needed for it). */
export function truthOf(value: QualifyingScenarioJson): QualifyingTruth {
  const scenario = validateScenario(value, 'random-qualifying.json');
  const plan = planRace(scenario, loadTrack(scenario.track));
  return qualifyingTruth(plan, raceCrossings(plan))!;
}

/** What the firmware could decide either way in a session's truth; empty when nothing. */
export function doubtful(value: QualifyingScenarioJson, q: QualifyingTruth): string[] {
  const scenario = validateScenario(value, 'random-qualifying.json');
  const plan = planRace(scenario, loadTrack(scenario.track));
  const sf = new Set(plan.track.loops.filter((l) => l.role === 'start-finish').map((l) => l.id));
  const lines = raceCrossings(plan).filter((c) => sf.has(c.loop));
  const out: string[] = [];
  for (const r of q.rounds) {
    const bounds = [r.startUs, ...(r.expiresUs === null ? [] : [r.expiresUs]), ...r.redPeriods.flatMap((p) => [p.fromUs, p.toUs])];
    for (const b of bounds) for (const c of lines) if (Math.abs(c.noseUs - b) < MARGIN_US) out.push(`#${c.car} crosses at ${c.noseUs} µs, ${Math.abs(c.noseUs - b).toFixed(0)} µs from round ${r.round}'s ${b} µs`);
    for (const l of r.laps) {
      if (!l.counted) continue;
      const car = plan.cars.find((c) => c.entry.car === l.car)!;
      if (Math.abs(l.endUs - car.finishUs) < 1) out.push(`#${l.car}'s counted lap ${l.lap} ends at its last crossing`);
      if (Math.abs(l.startUs - car.crossings[0]!.noseUs) < 1) out.push(`#${l.car}'s counted lap ${l.lap} starts at its first crossing`);
    }
    if (r.advance !== null && r.advance < r.order.length) {
      const a = r.order[r.advance - 1]!;
      const b = r.order[r.advance]!;
      if (a.exactUs !== null && b.exactUs !== null && Math.abs(a.exactUs - b.exactUs) < CLOSE_US) out.push(`round ${r.round}: #${a.car} and #${b.car} within ${CLOSE_US} µs at the advance cut`);
    }
  }
  return out;
}

/** A qualifying session from a seed, planned and checked (see the head of the file). */
export function randomQualifying(seed: number, opts: RandomQualifyingOptions = {}): QualifyingScenarioJson {
  const rng = createRng(hashSeed(seed, 0x9a11));
  const track = opts.track ?? 'martinsville';
  const base = BASE_LAP_S[track] ?? 20;
  const n = intIn(rng, 4, 8);
  const gridGapS = round(uniform(rng, 1.5, 2.5), 1);
  const start1 = round((n - 1) * gridGapS + uniform(rng, 1, 2), 1);
  const timedLaps = opts.timedLaps ?? 2;
  const points = new Set<number>();
  while (points.size < n) points.add(intIn(rng, 100, 500));
  const owner = [...points];
  const field = Array.from({ length: n }, (_, i) => {
    const pace = base + uniform(rng, -0.3, 0.4);
    const outLap = Math.max(base + uniform(rng, 2.5, 4), start1 + 1.5);
    return {
      car: CARS[i]!,
      driver: NAMES[i]!,
      transponder: 3001 + i,
      box: 2 * i + 1,
      noseOffsetM: round(uniform(rng, 1.2, 2.2), 2),
      ownerPoints: owner[i]!,
      lapTimes: [round(outLap, 3), ...Array.from({ length: 60 }, () => round(pace + uniform(rng, -0.12, 0.12), 3))],
    };
  });
  if (opts.tie) {
    // Identical flying laps: the truth's best laps tie to the nanosecond, owner points decide.
    const i = intIn(rng, 0, n - 2);
    const j = intIn(rng, i + 1, n - 1);
    field[j]!.lapTimes = [field[j]!.lapTimes[0]!, ...field[i]!.lapTimes.slice(1)];
  }
  const rounds: QualifyingScenarioJson['qualifying']['rounds'] = [{ minutes: round(uniform(rng, 1, 1.5), 2), timedLaps }];
  if ((opts.rounds ?? 1) === 2) {
    rounds[0]!.advance = Math.ceil(n / 2);
    rounds.push({ minutes: round(uniform(rng, 0.8, 1.2), 2), timedLaps });
  }
  const value: QualifyingScenarioJson = {
    track,
    session: 'qualifying',
    laps: 0,
    seed,
    gridGapS,
    qualifying: { rounds },
    roundStartsS: [start1],
    field,
    pitStops: opts.pitStop ? [{ car: field[intIn(rng, 0, n - 1)]!.car, lap: intIn(rng, 2, 3), serviceS: round(uniform(rng, 3, 6), 1) }] : [],
    redFlags: [],
  };
  const redMinutes = round(uniform(rng, 0.5, 1), 2);
  const redAfterS = uniform(rng, 0.2, 0.6);
  const gapS = uniform(rng, 10, 20);
  // Lay the rounds out on the clock, then lengthen the runs until every truck laps on past the last expiry.
  for (let nudge = 0; nudge < 200; nudge++) {
    let at = start1;
    value.roundStartsS = [];
    value.redFlags = [];
    rounds.forEach((r, k) => {
      value.roundStartsS.push(round(at, 3));
      let runS = r.minutes * 60;
      if (opts.redIn === k + 1) {
        value.redFlags.push({ atS: round(at + redAfterS * runS + (nudge % 10) * 0.37, 3), minutes: redMinutes });
        runS += redMinutes * 60;
      }
      at += runS + gapS;
    });
    const lastExpiryS = at - gapS;
    value.laps = Math.ceil(lastExpiryS / base) + 3;
    for (let more = 0; more < 6; more++) {
      const q = truthOf(value);
      const bad = doubtful(value, q);
      if (bad.length === 0) return value;
      if (!bad.every((b) => b.includes('last crossing'))) break;
      value.laps++;
    }
    rounds[0]!.minutes = round(rounds[0]!.minutes + 0.013, 3);
  }
  throw new Error(`random qualifying ${seed}: no layout keeps clear of what the firmware cannot tell`);
}

export function writeQualifying(dir: string, value: QualifyingScenarioJson, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
  return file;
}

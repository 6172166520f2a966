// truth.json (sim-hardware/race-truth.ts) as types, a plan-only way to get it, and the
// boards' messages of a simulation decoded, for tests that score the boards (and
// later the gateway) against what really happened.
import { decode } from '../../protocol/codec.js';
import type { BoardEvent, Birth, Death } from '../../protocol/schema.js';
import { planRace, type RacePlan } from '../../sim-hardware/race-plan.js';
import { buildTruth, faultWindows, missedCrossings, raceCrossings, type TrueCrossing } from '../../sim-hardware/race-truth.js';
import { validateScenario, type Fault, type Scenario } from '../../sim-hardware/scenario.js';
import type { BoardMessage } from '../../sim-hardware/sim-board.js';
import { GREEN_EPOCH_US } from '../../sim-hardware/simulation.js';
import { loadTrack, type Track } from '../../sim-hardware/track.js';
import type { ScenarioJson } from './random-scenario.js';

export type TruthCrossing = TrueCrossing;

export interface TruthLap {
  car: string;
  lap: number;
  noseUs: number;
  lapS: number | null;
  onPitRoad: boolean;
  caution: boolean;
  pitStop: boolean;
  redFlagStopS: number;
  scripted: boolean;
}

export interface TruthSegment {
  segment: number;
  fromLoop: number;
  toLoop: number;
  lengthM: number;
  mph: number;
  scripted: boolean;
  byStop: boolean;
  speeding: boolean;
}

export interface TruthPitStop {
  index: number;
  car: string;
  transponder: number;
  lap: number;
  box: number;
  commitmentUs: number;
  /** The crossing of the commitment lane (R-PIT-COMMIT-1): exact tire margins 0..3 (mm), the front axle on the line (frontUs); null on a track without a lane. */
  commitment: { margins: [number, number, number, number]; inside: boolean; marginMm: number; closeCall: boolean; frontUs: number } | null;
  pitRoadOpen: boolean;
  pitInUs: number;
  pitOutUs: number;
  segments: TruthSegment[];
  speeding: number[];
  stop: {
    pose: { xMm: number; yMm: number; yawDeg: number };
    standFromUs: number;
    standToUs: number;
    margins: [number, number, number, number];
    inBox: boolean;
    clause: 'a' | 'b' | 'c' | 'd';
    marginMm: number;
    closeCall: boolean;
    serviceStartUs: number | null;
    serviceEndUs: number | null;
    crewOverUs: number | null;
    crewDistanceMm: number | null;
    crewTooSoon: boolean;
    maxCrew: number;
    tooManyCrew: boolean;
  };
}

export interface TruthFlag {
  atUs: number;
  flag: 'green' | 'yellow' | 'red' | 'white' | 'checkered' | 'stage-end';
  leaderLap: number;
  caution?: number;
  redFlag?: number;
  stage?: number;
}

export interface TruthPitRoad {
  atUs: number;
  open: boolean;
  why: string;
}

export type TruthFault = Fault & { fromUs: number; toUs: number };

export interface Truth {
  format: string;
  scenario: { file: string; track: string; session: string; laps: number; stages: number[]; seed: number; gridGapS: number; pitSpeedLimitMph: number; pitSpeedToleranceMph: number };
  clock: { epochUs: number };
  startUs: number;
  endUs: number;
  field: Array<{ car: string; driver: string; transponder: number; box: number; noseOffsetM: number }>;
  laps: TruthLap[];
  finish: Array<{ car: string; laps: number; noseUs: number }>;
  leaderUs: number[];
  flags: TruthFlag[];
  pitRoad: TruthPitRoad[];
  redStops: Array<{ car: string; redFlag: number; lap: number; fromUs: number; toUs: number }>;
  pitStops: TruthPitStop[];
  skippedStops: Array<{ index: number; car: string; lap: number; why: string }>;
  faults: TruthFault[];
  crossings: TruthCrossing[];
  cars: number;
}

export const asTruth = (doc: Record<string, unknown>): Truth => doc as unknown as Truth;

export interface Planned {
  scenario: Scenario;
  track: Track;
  plan: RacePlan;
  truth: Truth;
}

/** Plan a scenario value and build its truth.json without sensors or boards (no box truth: service times are null). */
export function planTruth(value: unknown, source = 'scenario.json'): Planned {
  const scenario = validateScenario(value, source);
  const track = loadTrack(scenario.track);
  const plan = planRace(scenario, track);
  const crossings = raceCrossings(plan);
  const missed = missedCrossings(plan, crossings);
  const truth = buildTruth({ plan, crossings, stopTruth: new Map(), faults: faultWindows(plan, crossings, missed), epochUs: GREEN_EPOCH_US, scenarioFile: source });
  return { scenario, track, plan, truth: asTruth(truth) };
}

/** One board event with where it came from. */
export type SeenEvent = BoardEvent & { board: string; boot: number; seq: number };
export type SeenOf<K extends BoardEvent['kind']> = Extract<BoardEvent, { kind: K }> & { board: string; boot: number; seq: number };

/** The events of one kind, typed. */
export function eventsOf<K extends BoardEvent['kind']>(d: DecodedMessages, kind: K): Array<SeenOf<K>> {
  return d.events.filter((e): e is SeenOf<K> => e.kind === kind);
}

export interface DecodedMessages {
  events: SeenEvent[];
  envelopes: Array<{ board: string; boot: number; seq: number; count: number; at: number }>;
  births: Array<Birth & { at: number }>;
  deaths: Array<Death & { at: number }>;
  /** Per board, its messages' channels and boots in the order they came (at = index in the message list). */
  order: Map<string, Array<{ channel: BoardMessage['channel']; boot: number; configHash?: number; at: number }>>;
}

export function decodeMessages(messages: readonly BoardMessage[]): DecodedMessages {
  const out: DecodedMessages = { events: [], envelopes: [], births: [], deaths: [], order: new Map() };
  messages.forEach((m, at) => {
    const list = out.order.get(m.board) ?? [];
    out.order.set(m.board, list);
    if (m.channel === 'evt') {
      const e = decode('envelope', m.bytes);
      out.envelopes.push({ board: m.board, boot: e.boot, seq: e.seq, count: e.events.length, at });
      for (const ev of e.events) out.events.push({ ...ev, board: m.board, boot: e.boot, seq: e.seq });
      list.push({ channel: 'evt', boot: e.boot, at });
    } else if (m.channel === 'birth') {
      const b = decode('birth', m.bytes);
      out.births.push({ ...b, at });
      list.push({ channel: 'birth', boot: b.boot, configHash: b.configHash, at });
    } else {
      const d = decode('death', m.bytes);
      out.deaths.push({ ...d, at });
      list.push({ channel: 'death', boot: d.boot, at });
    }
  });
  return out;
}

/** Race time (µs from the green) of a board clock reading, undoing the board's drift. */
export function raceTimeUs(boardUs: number, ppm = 0, epochUs = GREEN_EPOCH_US): number {
  return (boardUs - epochUs) / (1 + ppm * 1e-6);
}

/** R-SF-9 in the truth: a start/finish crossing in the middle of the race the track loop misses. */
export function missTheLine(value: ScenarioJson): ScenarioJson {
  const { truth, track } = planTruth(value);
  const line = track.loops.find((l) => l.role === 'start-finish' && l.path === 'track')!;
  const xs = truth.crossings.filter((c) => c.loop === line.id && c.lap >= 2 && c.lap <= value.laps - 2);
  const c = xs[Math.floor(xs.length / 2)]!;
  return { ...value, faults: [...value.faults.filter((f) => f.kind !== 'missed-read'), { kind: 'missed-read', loop: line.id, car: c.car, lap: c.lap }] };
}

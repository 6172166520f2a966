// The race state: a pure function of the event log (R-AUDIT-1). apply() only files an
// entry away (the gateway applies hundreds of thousands of events a second); results()
// and snapshot() derive everything from what was filed, in event-time order, so the
// outcome never depends on the order entries arrived in (a board's resend after an
// outage arrives late) and the same log always gives the same results.
//
// Derived once, the state is kept (Derivation): what was filed since the last look is
// worked in, and only what it can change is worked out again — at the live edge a
// truck's last few passings, the laps they credit, those laps' order. A new set-up, or
// more new passings than were filed before, derives everything from scratch; either
// way the outcome is the same as deriving the whole log afresh.
import { decode } from '../protocol/codec.js';
import type { Envelope } from '../protocol/schema.js';
import { validateSetup, type EventSetup, type SetupEntry } from './event-setup.js';
import type { BoardEntry, FlagName, LogEntry } from './log-entry.js';
import { cautionsOf, emptyResults, inferredOf, resultsDocument, seconds, type Results, type ResultsCaution, type ResultsInferred } from './results.js';
import { classify, marginOfVictoryUs, positionsKey, type Classified, type PositionsKey } from './scoring/classification.js';
import { BoardClocks, type ClockChange, type ClockReply, type TimeCheck } from './scoring/clock.js';
import { CrossingTrack, type LineCrossing } from './scoring/crossings.js';
import { cautionsDeclared, type FlagCall, type Freeze } from './scoring/freeze-field.js';
import { creditedUpTo, distanceUs, numberLaps, sameLap, type CreditedLap, type LapChart } from './scoring/laps.js';
import { LapTable, type LapLeaders } from './scoring/laps-led.js';
import { byTime, type Passing } from './scoring/passing.js';
import { flagAt, pitRoadTimeline, type PitRoadCall } from './scoring/pit-road.js';
import { positionAt, ranked, runningOrder, type Position } from './scoring/running-order.js';
import { STAGE_TOP, stageFinish, stageFinishIndex, stagePitClosures, stageTop10, type AtStageEnd, type StageResult } from './scoring/stages.js';
import { TrackMap } from './scoring/track-map.js';
import { officiate, type DamageMark, type Decision, type Officiating } from './officiating/officiating.js';
import { PIT_EVENT_KINDS, type FiledPitEvent, type PitEvent, type PitVisit } from './officiating/pit-visits.js';
import type { DamagedVehicleClock } from './officiating/damaged-vehicle.js';
import { qualifying, timingLines, type Qualifying, type RoundCall } from './qualifying/qualifying.js';

export interface SnapshotPosition {
  pos: number;
  car: string;
  laps: number;
  /** Last scoring loop passed (R-SF-5 evidence). */
  loop: number | null;
  atUs: number | null;
}

export interface RaceSnapshot {
  /** The latest time in the log (µs, gateway clock); null for an empty log. */
  atUs: number | null;
  flag: FlagName | null;
  /** The leader's laps completed. */
  leaderLap: number;
  /** The stage being run (1-based); null before the set-up. */
  stage: number | null;
  pitRoad: {
    open: boolean;
    why: string;
    atUs: number | null;
    /** The rule that closed it (R-PIT-OPEN-1, R-PIT-OPEN-3); null for race control's call. */
    rule: string | null;
    history: Array<{ atUs: number; open: boolean; why: string; rule: string | null }>;
  };
  /** Running order now (R-SF-5 order). */
  order: SnapshotPosition[];
  /** Freezes of the field so far (R-SF-5). */
  cautions: ResultsCaution[];
  inferred: ResultsInferred[];
  /** Pit road officiating now: who is on pit road, the calls waiting for an official, penalties. */
  officiating: OfficiatingSnapshot;
  /** A qualifying session's rounds, laps and order (R-QUAL-1…5); null for a race. */
  qualifying: Qualifying | null;
  /** The event as set up (null before the set-up): what the live page labels and colours by. */
  event: { name: string; laps: number; pitSpeedLimitMph: number; pitSpeedToleranceMph: number } | null;
  /** The timing board, one row per truck in running order (see TimingRow). */
  timing: TimingRow[];
}

/**
 * One truck on the timing board (the race-control page's leaderboard). Lap times are the
 * scored times of credited laps (R-SF-1 nose times), lap n's time the crossing that
 * completed it minus the one before; seconds rounded to the µs.
 */
export interface TimingRow {
  /** Running order (R-SF-5), as `order`. */
  pos: number;
  car: string;
  driver: string;
  /** Laps completed (0 before its green crossing). */
  laps: number;
  /** Its last completed lap's time (s); null before lap 1. */
  lastLapS: number | null;
  /** Its fastest lap so far (s); null before lap 1. */
  bestLapS: number | null;
  /**
   * Behind the leader at the line: when the truck completed its last lap L, how long
   * after the first truck credited with lap L (R-SF-7) it did (s). A string "+1 lap" /
   * "+N laps" when the field's leader had already completed N more laps by then (the
   * truck is lapped). null for the truck that led its lap at the line and for a truck
   * with no crossing yet. Never negative: measured in the line order of lap L, which
   * the rows' running order (the latest loop) can differ from after a pass since.
   */
  gapS: number | string | null;
  /**
   * The same, to the truck credited with lap L just before it (the truck ahead at the
   * line on that lap; the row above unless a pass since the line changed the order);
   * "+N laps" when that truck had completed N more laps by then.
   */
  intervalS: number | string | null;
  /** Visits to pit road in which it stopped in its box. */
  pitStops: number;
  /** Outstanding penalties' names ("pass-through", "stop-and-go", ...), oldest first. */
  penalties: string[];
  /** `finished` (took the checkered flag), `not scored` (R-PIT-DAMAGE-1/2), `pit road` (on pit road now) or `running`. */
  status: 'running' | 'pit road' | 'finished' | 'not scored';
  /** Its last crossing was inferred from the loops around the line (R-SF-9). */
  inferred: boolean;
}

/** Each truck's lap times (GET /api/laps): `lapS[i]` is lap i + 1's time (s, to the µs). */
export interface LapTimes {
  car: string;
  driver: string;
  lapS: number[];
  /** Laps completed by an inferred crossing (R-SF-9). */
  inferredLaps: number[];
}

export interface OfficiatingSnapshot {
  /** Visits under way (pit-out not read yet). */
  onPitRoad: PitVisit[];
  proposals: { proposed: number; confirmed: number; dismissed: number; closeCalls: number };
  /** Penalties not yet served. */
  outstanding: Array<{ id: string; car: string; penalty: string; rule: string; assessedUs: number }>;
  /** Damaged vehicles' clocks (R-PIT-DAMAGE-1). */
  damaged: DamagedVehicleClock[];
}

interface RawPassing {
  board: string;
  loop: number;
  timeUs: number;
}

interface Derived {
  setup: EventSetup;
  map: TrackMap;
  flags: FlagCall[];
  points: Map<string, Passing[]>;
  chart: LapChart;
  leaders: LapLeaders;
  classified: Classified[];
  stages: StageResult[];
  freezes: Freeze[];
  pitRoad: PitRoadCall[];
  inferred: CreditedLap[];
  officiating: Officiating;
  qualifying: Qualifying | null;
}

export class RaceState {
  private setup: { seq: number; setup: EventSetup } | null = null;
  private pending: BoardEntry[] = [];
  /** Passings by transponder, each kept once however often it arrived. */
  private readonly passings = new Map<number, RawPassing[]>();
  private filedCount = 0;
  private readonly seen = new Set<string>();
  private readonly checks = new Map<string, TimeCheck & { seq: number }>();
  private readonly replies = new Map<string, ClockReply>();
  private readonly flags: FlagCall[] = [];
  private readonly pitCalls: PitRoadCall[] = [];
  private latestUs: number | null = null;
  private derived: Derived | null = null;
  /** What has been derived so far; null: derive from scratch at the next look. */
  private derivation: Derivation | null = null;
  // Filed since the last look (for the derivation to work in).
  private fresh: RawPassing[] = [];
  private freshTransponders: number[] = [];
  private readonly clockKeys = new Map<string, { board: string; command: number }>();
  private flagsChanged = false;
  private pitChanged = false;
  // Officiating's inputs: pit road readings, decisions and marks; worked out again when any changes.
  private readonly pitEvents: FiledPitEvent[] = [];
  private readonly pitSeen = new Set<string>();
  private readonly decisions: Decision[] = [];
  private readonly damageMarks: DamageMark[] = [];
  private readonly releases: Array<{ car: string; atUs: number; seq: number }> = [];
  private readonly roundCalls: RoundCall[] = [];
  private officiatingVersion = 0;
  private officiatingCache: { key: string; value: Officiating } | null = null;

  apply(entry: LogEntry): void {
    this.derived = null;
    if (Number.isFinite(entry.atUs) && (this.latestUs === null || entry.atUs > this.latestUs)) this.latestUs = entry.atUs;
    if (entry.source === 'board') {
      if (entry.channel === 'evt') this.pending.push(entry);
      return;
    }
    const a = entry.action;
    switch (a?.action) {
      case 'event-setup':
        // The first set-up in the log configures the event.
        if (this.setup === null || entry.seq < this.setup.seq) {
          try {
            this.setup = { seq: entry.seq, setup: validateSetup(a.setup) };
            this.derivation = null;
          } catch {
            // a set-up race control could not have entered; nothing to score with
          }
        }
        return;
      case 'flag':
        this.flags.push({ atUs: entry.atUs, seq: entry.seq, flag: a.flag });
        this.flagsChanged = true;
        return;
      case 'pit-road':
        this.pitCalls.push({ atUs: entry.atUs, seq: entry.seq, open: a.open, why: a.why ?? (a.open ? 'opened by race control' : 'closed by race control'), rule: null });
        this.pitChanged = true;
        return;
      case 'decision':
        this.decisions.push({ proposal: a.proposal, decision: a.decision, who: a.who, why: a.why, atUs: entry.atUs, seq: entry.seq });
        this.officiatingVersion++;
        return;
      case 'damaged':
        this.damageMarks.push({ car: a.car, damaged: a.damaged, atUs: entry.atUs, seq: entry.seq });
        this.officiatingVersion++;
        return;
      case 'release':
        this.releases.push({ car: a.car, atUs: entry.atUs, seq: entry.seq });
        this.officiatingVersion++;
        return;
      case 'qualifying-round':
        this.roundCalls.push({ atUs: entry.atUs, seq: entry.seq, call: a.call, round: a.round });
        return;
      case 'time-check': {
        const key = `${a.board}#${a.command}`;
        const prev = this.checks.get(key);
        if (!prev || entry.seq < prev.seq) {
          this.checks.set(key, { board: a.board, command: a.command, sentUs: a.sentUs, seq: entry.seq });
          this.clockKeys.set(key, { board: a.board, command: a.command });
        }
        return;
      }
      default:
        return;
    }
  }

  results(): Results {
    const d = this.derive();
    if (!d) return emptyResults();
    return resultsDocument({
      setup: d.setup,
      classified: d.classified,
      leaders: d.leaders,
      marginUs: d.chart.finishUs === null ? null : marginOfVictoryUs(d.classified),
      stages: d.stages,
      freezes: d.freezes,
      inferred: d.inferred,
      proposals: d.officiating.proposals,
      penalties: d.officiating.penalties,
      damaged: d.officiating.damaged,
      minimumSpeed: d.officiating.minimumSpeed,
      qualifying: d.qualifying,
    });
  }

  /** Pit road officiating as it stands (null before the set-up). */
  officiating(): Officiating | null {
    return this.derive()?.officiating ?? null;
  }

  /** The event set-up in force, validated (null before one). */
  eventSetup(): EventSetup | null {
    return this.setup?.setup ?? null;
  }

  snapshot(): RaceSnapshot {
    const d = this.derive();
    const atUs = this.latestUs;
    if (!d) {
      return {
        atUs,
        flag: null,
        leaderLap: 0,
        stage: null,
        pitRoad: { open: false, why: 'no call yet', atUs: null, rule: null, history: [] },
        order: [],
        cautions: [],
        inferred: [],
        officiating: { onPitRoad: [], proposals: { proposed: 0, confirmed: 0, dismissed: 0, closeCalls: 0 }, outstanding: [], damaged: [] },
        qualifying: null,
        event: null,
        timing: [],
      };
    }
    const now = atUs ?? 0;
    const order = runningOrder(now, d.setup.field, d.chart, d.points, d.map);
    const leaderLap = Math.max(0, order[0]?.laps ?? 0);
    const stageIndex = d.setup.stages.findIndex((end) => leaderLap < end);
    const history = d.pitRoad.filter((c) => c.atUs <= now).map((c) => ({ atUs: Math.round(c.atUs), open: c.open, why: c.why, rule: c.rule }));
    const last = history[history.length - 1];
    const officiating = officiatingSnapshot(d.officiating, d);
    return {
      atUs,
      flag: flagAt(d.flags, now),
      leaderLap,
      stage: stageIndex < 0 ? d.setup.stages.length : stageIndex + 1,
      pitRoad: last ? { open: last.open, why: last.why, atUs: last.atUs, rule: last.rule, history } : { open: false, why: 'no call yet', atUs: null, rule: null, history },
      order: order.map((p) => ({ pos: p.pos, car: p.car, laps: p.laps, loop: p.loop, atUs: p.atUs === null ? null : Math.round(p.atUs) })),
      cautions: cautionsOf(d.freezes),
      inferred: inferredOf(d.inferred),
      officiating,
      qualifying: d.qualifying,
      event: { name: d.setup.name, laps: d.setup.laps, pitSpeedLimitMph: d.setup.pitSpeedLimitMph, pitSpeedToleranceMph: d.setup.pitSpeedToleranceMph },
      timing: timingRows(order, d, officiating.onPitRoad, now),
    };
  }

  /** Each truck's lap times so far, in entry order (GET /api/laps); `car` picks one. */
  laps(car?: string): LapTimes[] {
    const d = this.derive();
    if (!d) return [];
    const out: LapTimes[] = [];
    for (const e of d.setup.field) {
      if (car !== undefined && e.car !== car) continue;
      const list = d.chart.byCar.get(e.car) ?? [];
      const lapS: number[] = [];
      const inferredLaps: number[] = [];
      for (let i = 1; i < list.length; i++) {
        lapS.push(seconds(list[i]!.scoredUs - list[i - 1]!.scoredUs));
        if (list[i]!.inferred) inferredLaps.push(i);
      }
      out.push({ car: e.car, driver: e.driver, lapS, inferredLaps });
    }
    return out;
  }

  /** Files the board messages that came since the last look; a payload that does not decode is skipped. */
  private drain(): void {
    for (const e of this.pending) {
      let env: Envelope;
      try {
        env = e.value !== undefined ? (e.value as Envelope) : decode('envelope', e.payload);
      } catch {
        continue;
      }
      for (const ev of env.events) {
        if (ev.kind === 'passing') {
          // A resend repeats passings already filed: each one counts once.
          const key = `${e.board}|${ev.loop}|${ev.transponder}|${ev.timeUs}`;
          if (this.seen.has(key)) continue;
          this.seen.add(key);
          const raw = { board: e.board, loop: ev.loop, timeUs: ev.timeUs };
          const list = this.passings.get(ev.transponder) ?? [];
          list.push(raw);
          this.passings.set(ev.transponder, list);
          this.filedCount++;
          this.fresh.push(raw);
          this.freshTransponders.push(ev.transponder);
        } else if (PIT_EVENT_KINDS.has(ev.kind)) {
          // A resend repeats readings already filed: each one counts once.
          const key = `${e.board}|${JSON.stringify(ev)}`;
          if (this.pitSeen.has(key)) continue;
          this.pitSeen.add(key);
          this.pitEvents.push({ board: e.board, boot: env.boot, seq: env.seq, event: ev as PitEvent });
          this.officiatingVersion++;
        } else if (ev.kind === 'clock-reply') {
          // The earliest arrival of a reply is its true round trip (a resent copy comes late).
          const key = `${e.board}#${ev.command}`;
          const prev = this.replies.get(key);
          if (!prev || e.atUs < prev.atUs) {
            this.replies.set(key, { board: e.board, command: ev.command, timeUs: ev.timeUs, atUs: e.atUs });
            this.clockKeys.set(key, { board: e.board, command: ev.command });
          }
        }
      }
    }
    this.pending = [];
  }

  private derive(): Derived | null {
    if (this.derived) return this.derived;
    this.drain();
    if (!this.setup) return null;
    let d = this.derivation;
    // More new passings than were filed before: as quick from scratch.
    if (d === null || this.fresh.length > Math.max(1000, this.filedCount - this.fresh.length)) {
      d = new Derivation(this.setup.setup, new BoardClocks(this.checks.values(), this.replies.values()));
      for (const [transponder, list] of this.passings) for (const r of list) d.add(r.board, r.loop, transponder, r.timeUs);
      d.setFlags(this.flags);
      d.setPitCalls(this.pitCalls);
    } else {
      // Clocks first: the passings already placed move, the new ones are placed on the new clocks.
      for (const [key, { board, command }] of this.clockKeys) d.setClock(board, command, this.checks.get(key), this.replies.get(key));
      for (let i = 0; i < this.fresh.length; i++) {
        const r = this.fresh[i]!;
        d.add(r.board, r.loop, this.freshTransponders[i]!, r.timeUs);
      }
      if (this.flagsChanged) d.setFlags(this.flags);
      if (this.pitChanged) d.setPitCalls(this.pitCalls);
    }
    if (this.derivation !== d || this.clockKeys.size > 0 || this.flagsChanged || this.pitChanged) this.officiatingVersion++;
    this.derivation = d;
    this.fresh = [];
    this.freshTransponders = [];
    this.clockKeys.clear();
    this.flagsChanged = false;
    this.pitChanged = false;
    const settled = d.settle();
    const officiating = this.officiate(d, settled);
    const adjust = officiating.adjustments;
    const classified = adjust.size === 0 ? settled.classified : classify(settled.setup.field, settled.chart, settled.leaders, (car) => d.positionsKeyOf(car), adjust);
    this.derived = { ...settled, classified, officiating, qualifying: this.qualify(d, settled.setup) };
    return this.derived;
  }

  /** R-QUAL-1…5 for a qualifying session, from the line crossings and race control's round calls. */
  private qualify(d: Derivation, setup: EventSetup): Qualifying | null {
    if (setup.session !== 'qualifying' || !setup.qualifying) return null;
    return qualifying({
      format: setup.qualifying,
      calls: this.roundCalls,
      // A timed lap is the lap's own speed: where the truck slows after the line (its run
      // over), the speed before the line alone places the nose (as at a finish, R-SF-3);
      // speeding up across it (a flying lap from the out-lap), both sides' average.
      crossings: d.lineCrossings().map((c) => ({ ...c, noseUs: Math.max(c.noseUs, c.finishNoseUs) })),
      lines: timingLines(setup.track.loops),
      trackLengthM: setup.track.lengthM,
      field: setup.field,
      ownerPoints: Object.fromEntries(setup.field.map((e) => [e.car, e.ownerPoints])),
      nowUs: this.latestUs ?? 0,
    });
  }

  /** Officiating, worked out again only when something it reads changed. */
  private officiate(d: Derivation, settled: Omit<Derived, 'officiating' | 'qualifying'>): Officiating {
    const leaderUs = d.leaderUs();
    // A damaged vehicle's clock runs with the log's latest time.
    const now = this.damageMarks.length > 0 ? this.latestUs : null;
    // Passings count too: a late one can move a commitment line crossing or a lap.
    const key = `${this.officiatingVersion}|${this.filedCount}|${settled.chart.finishUs}|${leaderUs.length}|${now}`;
    if (this.officiatingCache?.key === key) return this.officiatingCache.value;
    const value = officiate({
      setup: settled.setup,
      map: settled.map,
      events: this.pitEvents,
      toGatewayUs: (board, us) => d.toGatewayUs(board, us),
      points: settled.points,
      flags: settled.flags,
      pitRoad: settled.pitRoad,
      decisions: this.decisions,
      damageMarks: this.damageMarks,
      releases: this.releases,
      leaderUs,
      finishUs: settled.chart.finishUs,
      laps: settled.chart.byCar,
      nowUs: this.latestUs ?? 0,
    });
    this.officiatingCache = { key, value };
    return value;
  }
}

function officiatingSnapshot(o: Officiating, d: Derived): OfficiatingSnapshot {
  const onPitRoad: PitVisit[] = [];
  for (const [car, list] of o.visits) {
    const last = list[list.length - 1];
    if (!last || last.complete) continue;
    // R-PIT-EXIT-1 with the pit-out read missed: heard on the track since, it has left pit road.
    const points = d.points.get(car) ?? [];
    const latest = points[points.length - 1];
    if (latest && latest.atUs > last.lastUs && d.map.loop(latest.loop)?.path === 'track') continue;
    onPitRoad.push(last);
  }
  onPitRoad.sort((a, b) => a.firstUs - b.firstUs);
  const count = (status: string): number => o.proposals.filter((p) => p.status === status).length;
  return {
    onPitRoad,
    proposals: { proposed: count('proposed'), confirmed: count('confirmed'), dismissed: count('dismissed'), closeCalls: o.proposals.filter((p) => p.confidence === 'close-call').length },
    outstanding: o.penalties.filter((p) => p.status === 'outstanding').map((p) => ({ id: p.id, car: p.car, penalty: p.penalty, rule: p.rule, assessedUs: p.assessedUs })),
    damaged: o.damaged,
  };
}

/** Each credited-lap list's fastest lap over its first laps, kept (a list is replaced, never changed, when its laps change). */
const bestLaps = new WeakMap<readonly CreditedLap[], { upTo: number; bestUs: number }>();

/** The fastest of laps 1..upTo of a credited-lap list (µs), Infinity for none. */
function bestLapUs(list: readonly CreditedLap[], upTo: number): number {
  let kept = bestLaps.get(list);
  if (!kept || kept.upTo > upTo) kept = { upTo: 0, bestUs: Infinity };
  let best = kept.bestUs;
  for (let i = Math.max(1, kept.upTo + 1); i <= upTo; i++) best = Math.min(best, list[i]!.scoredUs - list[i - 1]!.scoredUs);
  bestLaps.set(list, { upTo, bestUs: best });
  return best;
}

/** "+1 lap" / "+N laps" for n laps down, null for none. */
const lapsDown = (n: number): string | null => (n <= 0 ? null : n === 1 ? '+1 lap' : `+${n} laps`);

/** Laps of a credited-lap list completed by `atUs`, counting from `lap` (its list is in lap order; scored times rise but for a photo finish). */
function lapsBy(list: readonly CreditedLap[], lap: number, atUs: number): number {
  let n = lap;
  while (n + 1 < list.length && list[n + 1]!.scoredUs <= atUs) n++;
  return n;
}

/**
 * Gap and interval at the line, in the line order of the truck's last lap L (the order the
 * field was credited with lap L, R-SF-4/7; a tie goes to the truck higher in the running
 * order): behind the first truck credited with lap L and behind the one credited with it
 * just before, so never negative — the rows' running order (R-SF-5, the latest loop) can
 * differ from it after a pass between the line and the next loop. "+N laps" when, as it
 * crossed, the field's leader (the gap) or that truck (the interval) had completed N more.
 */
function atLine(lists: readonly (readonly CreditedLap[])[], i: number, lap: number): { gapS: number | string | null; intervalS: number | string | null } {
  const atUs = lists[i]![lap]!.scoredUs;
  let first = -1;
  let firstUs = Infinity;
  let prev = -1;
  let prevUs = -Infinity;
  let most = lap;
  for (let j = 0; j < lists.length; j++) {
    if (j === i) continue;
    const list = lists[j]!;
    const theirs = list[lap];
    if (!theirs) continue;
    const us = theirs.scoredUs;
    // Before this truck at the line: earlier, or at the same µs and higher in the running order.
    if (!(us < atUs || (us === atUs && j < i))) continue;
    if (us < firstUs) (first = j), (firstUs = us);
    if (us >= prevUs) (prev = j), (prevUs = us);
    most = Math.max(most, lapsBy(list, lap, atUs));
  }
  if (first < 0) return { gapS: null, intervalS: null };
  return {
    gapS: lapsDown(most - lap) ?? seconds(atUs - firstUs),
    intervalS: lapsDown(lapsBy(lists[prev]!, lap, atUs) - lap) ?? seconds(atUs - prevUs),
  };
}

/** The timing board: running order with lap times, gaps, pit stops, penalties (snapshot().timing). */
function timingRows(order: readonly Position[], d: Derived, onPitRoad: readonly PitVisit[], now: number): TimingRow[] {
  const o = d.officiating;
  const drivers = new Map(d.setup.field.map((e) => [e.car, e.driver]));
  const penalties = new Map<string, string[]>();
  for (const p of o.penalties) {
    if (p.status !== 'outstanding') continue;
    const list = penalties.get(p.car);
    if (list) list.push(p.penalty);
    else penalties.set(p.car, [p.penalty]);
  }
  const onPit = new Set(onPitRoad.map((v) => v.car));
  const rows: TimingRow[] = [];
  const lists = order.map((p) => d.chart.byCar.get(p.car) ?? []);
  for (const [i, p] of order.entries()) {
    const list = lists[i]!;
    const lap = p.laps >= 0 ? list[p.laps] : undefined;
    const best = lap && p.laps >= 1 ? bestLapUs(list, p.laps) : Infinity;
    let stops = 0;
    for (const v of o.visits.get(p.car) ?? []) if (v.stop?.stopUs != null) stops++;
    const out = o.adjustments.get(p.car)?.outUs ?? null;
    rows.push({
      pos: p.pos,
      car: p.car,
      driver: drivers.get(p.car) ?? '',
      laps: Math.max(0, p.laps),
      lastLapS: lap && p.laps >= 1 ? seconds(lap.scoredUs - list[p.laps - 1]!.scoredUs) : null,
      bestLapS: best === Infinity ? null : seconds(best),
      ...(lap ? atLine(lists, i, p.laps) : { gapS: null, intervalS: null }),
      pitStops: stops,
      penalties: penalties.get(p.car) ?? [],
      status: out !== null && out <= now ? 'not scored' : lap?.finish ? 'finished' : onPit.has(p.car) ? 'pit road' : 'running',
      inferred: lap?.inferred ?? false,
    });
  }
  return rows;
}

/** A race state with every entry of a log applied. */
export function replay(entries: Iterable<LogEntry>): RaceState {
  const state = new RaceState();
  for (const e of entries) state.apply(e);
  return state;
}

/** One truck: its passings and what they credit. */
interface Truck {
  entry: SetupEntry;
  /** Passings of loops on the track map, in event-time order (byTime). */
  list: Passing[];
  /** The ones of loops other than start/finish (R-SF-5's evidence). */
  points: Passing[];
  /** `list` is not in order: passings were added in bulk. */
  unsorted: boolean;
  /** The first passing (byTime) added, moved or taken out since the last settle; null: from the start; undefined: none. */
  from: Passing | null | undefined;
  crossings: CrossingTrack;
  /** Crossings numbered from the green (laps.ts numberLaps). */
  numbered: CreditedLap[];
  credited: CreditedLap[];
  /** Its first credited lap that changed at this settle (Infinity: none). */
  changedLap: number;
  /** Index of the first credited lap timed before the one ahead of it (credited.length: none; running-order.ts looks laps up by time). */
  descent: number;
  /** What its place at an instant (running-order.ts positionAt) reads changed from this time on, at this settle (Infinity: nothing). */
  sinceUs: number;
  inferred: CreditedLap[];
}

/** A passing as placed: which truck's, and on the gateway clock as the clocks now stand. */
interface Placed {
  truck: Truck;
  passing: Passing;
}

/** A board's passings, by its clock (for moving them when its clock's offset changes). */
interface OnBoard {
  placed: Placed[];
  sorted: boolean;
}

interface FreezeKeep {
  flag: FlagCall;
  /** Each truck's place then, in entry order. */
  places: Position[];
  freeze: Freeze | null;
}

interface StageKeep {
  endUs: number;
  /** Each truck's stage finish (stages.ts stageFinishIndex), in entry order. */
  index: number[];
  top10: string[] | null;
}

/** Index of `p` in a byTime-ordered list, or where it would go. */
function indexOf(list: readonly Passing[], p: Passing): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byTime(list[mid]!, p) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function earlier(a: Passing | null | undefined, b: Passing): Passing | null {
  if (a === null) return null;
  return a === undefined || byTime(b, a) < 0 ? b : a;
}

/**
 * The derivation of one set-up, kept: passings are added and moved (a board's clock
 * offset changed) as they come, flags and pit road calls replaced, and settle() works
 * out again only what those can change. A truck's crossings are walked again from a
 * little before its first changed passing (crossings.ts CrossingTrack); its laps from
 * the first changed crossing; the order on the laps that changed (laps-led.ts LapTable);
 * stage finishes, freezes of the field and R-SF-4's keys for the trucks that changed.
 * Everything else is cheap enough to work out whole. Built from nothing and given the
 * whole log, it is the from-scratch derivation.
 */
class Derivation {
  private readonly map: TrackMap;
  private readonly trucks: Truck[];
  private readonly byTransponder = new Map<number, Truck>();
  private readonly onBoard = new Map<string, OnBoard>();
  private readonly changed = new Set<Truck>();
  private readonly chart: LapChart;
  private readonly points = new Map<string, Passing[]>();
  private readonly table: LapTable;
  private readonly keys = new Map<string, PositionsKey>();
  private readonly rank: Map<string, number>;
  private flags: FlagCall[] = [];
  private pitCalls: PitRoadCall[] = [];
  private flagsChanged = true;
  private pitChanged = true;
  private renumber = true;
  private freezeKeep: FreezeKeep[] = [];
  private readonly stageKeep = new Map<number, StageKeep>();
  private closures: Array<{ stage: number; atUs: number }> = [];
  private pitRoad: PitRoadCall[] = [];
  private inferred: CreditedLap[] = [];
  private settled = false;

  constructor(
    private readonly setup: EventSetup,
    private readonly clocks: BoardClocks,
  ) {
    this.map = new TrackMap(setup);
    const cars = setup.field.map((e) => e.car);
    this.rank = new Map(cars.map((c, i) => [c, i]));
    this.trucks = setup.field.map((entry) => ({
      entry,
      list: [],
      points: [],
      unsorted: false,
      from: null,
      crossings: new CrossingTrack(entry, this.map),
      numbered: [],
      credited: [],
      changedLap: Infinity,
      descent: 0,
      sinceUs: Infinity,
      inferred: [],
    }));
    this.chart = { greenUs: null, byCar: new Map(), finishUs: null };
    for (const t of this.trucks) {
      this.byTransponder.set(t.entry.transponder, t);
      this.chart.byCar.set(t.entry.car, t.credited);
      this.points.set(t.entry.car, t.points);
      this.changed.add(t);
    }
    this.table = new LapTable(cars);
  }

  /** A passing as filed (the board's clock); one not of a truck in the field or a loop on the map counts for nothing. */
  add(board: string, loop: number, transponder: number, boardUs: number): void {
    const truck = this.byTransponder.get(transponder);
    if (!truck || this.map.loop(loop) === undefined) return;
    const passing: Passing = { car: truck.entry.car, board, loop, boardUs, atUs: this.clocks.toGatewayUs(board, boardUs) };
    const placed = { truck, passing };
    let b = this.onBoard.get(board);
    if (!b) this.onBoard.set(board, (b = { placed: [], sorted: true }));
    const last = b.placed[b.placed.length - 1];
    if (!last || last.passing.boardUs <= boardUs || !b.sorted) b.placed.push(placed);
    else if (!this.settled) {
      // Built in bulk: sorted once at settle.
      b.sorted = false;
      b.placed.push(placed);
    } else {
      let lo = 0;
      let hi = b.placed.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (b.placed[mid]!.passing.boardUs <= boardUs) lo = mid + 1;
        else hi = mid;
      }
      b.placed.splice(lo, 0, placed);
    }
    this.place(truck, passing);
  }

  /** A board's clock reading on the gateway clock, as the clocks now stand. */
  toGatewayUs(board: string, boardUs: number): number {
    return this.clocks.toGatewayUs(board, boardUs);
  }

  /** Every truck's line crossings (R-SF-1 nose times), for qualifying. */
  lineCrossings(): LineCrossing[] {
    return this.trucks.flatMap((t) => t.crossings.crossings);
  }

  /** When the leader completed each lap so far (index = lap). */
  leaderUs(): number[] {
    const out: number[] = [];
    for (let n = 0; ; n++) {
      const first = this.table.first(n);
      if (!first) return out;
      out.push(first.scoredUs);
    }
  }

  /** R-SF-4's key of a car's positions, as kept. */
  positionsKeyOf(car: string): PositionsKey {
    return this.keys.get(car) ?? positionsKey(undefined);
  }

  /** One time check and its reply as they now stand: the passings whose board clock reading it moves are moved. */
  setClock(board: string, command: number, check: TimeCheck | undefined, reply: ClockReply | undefined): void {
    const change = this.clocks.set(board, command, check, reply);
    if (change) this.retime(change);
  }

  /** Flags as filed (any order). */
  setFlags(flags: readonly FlagCall[]): void {
    const sorted = [...flags].sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
    const greenUs = sorted.find((f) => f.flag === 'green')?.atUs ?? null;
    if (greenUs !== this.chart.greenUs) {
      this.chart.greenUs = greenUs;
      this.renumber = true;
    }
    this.flags = sorted;
    this.flagsChanged = true;
  }

  /** Race control's pit road calls as filed (any order). */
  setPitCalls(calls: readonly PitRoadCall[]): void {
    this.pitCalls = [...calls].sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
    this.pitChanged = true;
  }

  private place(truck: Truck, p: Passing): void {
    const { list } = truck;
    const line = this.map.isLine(p.loop);
    truck.from = earlier(truck.from, p);
    this.changed.add(truck);
    const last = list[list.length - 1];
    if (truck.unsorted || !last || byTime(last, p) < 0) {
      list.push(p);
      if (!line) truck.points.push(p);
      return;
    }
    if (list.length > 64 && truck.from === null) {
      // Bulk: sorted once at settle.
      truck.unsorted = true;
      list.push(p);
      return;
    }
    list.splice(indexOf(list, p), 0, p);
    if (!line) truck.points.splice(indexOf(truck.points, p), 0, p);
  }

  private unplace(truck: Truck, p: Passing): void {
    truck.from = earlier(truck.from, p);
    this.changed.add(truck);
    truck.list.splice(indexOf(truck.list, p), 1);
    if (!this.map.isLine(p.loop)) truck.points.splice(indexOf(truck.points, p), 1);
  }

  /** A passing moved on the gateway clock: where it stays between the same neighbours, in place. */
  private move(truck: Truck, from: Passing, to: Passing): void {
    const stays = (list: Passing[]): boolean => {
      const i = indexOf(list, from);
      if ((i > 0 && byTime(list[i - 1]!, to) >= 0) || (i < list.length - 1 && byTime(to, list[i + 1]!) >= 0)) return false;
      list[i] = to;
      return true;
    };
    if (!stays(truck.list)) {
      this.unplace(truck, from);
      this.place(truck, to);
      return;
    }
    if (!this.map.isLine(from.loop) && !stays(truck.points)) {
      truck.points.splice(indexOf(truck.points, from), 1);
      truck.points.splice(indexOf(truck.points, to), 0, to);
    }
    truck.from = earlier(earlier(truck.from, from), to);
    this.changed.add(truck);
  }

  /** A board's clock offset changed for readings fromUs..toUs: its passings there move on the gateway clock. */
  private retime(change: ClockChange): void {
    const b = this.onBoard.get(change.board);
    if (!b) return;
    sortOnBoard(b);
    const placed = b.placed;
    let lo = 0;
    let hi = placed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (placed[mid]!.passing.boardUs < change.fromUs) lo = mid + 1;
      else hi = mid;
    }
    const moves = new Map<Truck, Array<{ from: Passing; to: Passing }>>();
    for (let i = lo; i < placed.length && placed[i]!.passing.boardUs <= change.toUs; i++) {
      const x = placed[i]!;
      const atUs = this.clocks.toGatewayUs(change.board, x.passing.boardUs);
      if (atUs === x.passing.atUs) continue;
      const to = { ...x.passing, atUs };
      const list = moves.get(x.truck) ?? [];
      list.push({ from: x.passing, to });
      moves.set(x.truck, list);
      x.passing = to;
    }
    for (const [truck, list] of moves) {
      if (list.length <= 16) {
        for (const m of list) this.move(truck, m.from, m.to);
        continue;
      }
      // Many moved (a board's first time check, late): put in order again at once.
      const to = new Map(list.map((m) => [m.from, m.to]));
      for (const m of list) truck.from = earlier(earlier(truck.from, m.from), m.to);
      truck.list = truck.list.map((p) => to.get(p) ?? p).sort(byTime);
      truck.points.length = 0;
      for (const p of truck.list) if (!this.map.isLine(p.loop)) truck.points.push(p);
      this.changed.add(truck);
    }
  }

  /** Works in everything added and replaced since the last settle. */
  settle(): Omit<Derived, 'officiating' | 'qualifying'> {
    const { chart, setup } = this;
    const greenUs = chart.greenUs;
    // Crossings and laps numbered, for the trucks whose passings changed (all on a new green).
    const renumbered = new Set<Truck>();
    for (const t of this.changed) {
      if (t.unsorted) {
        t.list.sort(byTime);
        t.points.length = 0;
        for (const p of t.list) if (!this.map.isLine(p.loop)) t.points.push(p);
        t.unsorted = false;
      }
      if (t.from === undefined) continue;
      t.sinceUs = Math.min(t.sinceUs, t.from === null ? -Infinity : t.from.atUs);
      const first = t.crossings.update(t.list, t.from);
      t.from = undefined;
      if (first >= 0 && !this.renumber && greenUs !== null) {
        t.numbered = numberLaps(t.numbered, t.crossings.crossings, greenUs, first);
        renumbered.add(t);
      }
    }
    if (this.renumber) {
      for (const t of this.trucks) {
        t.numbered = greenUs === null ? [] : numberLaps([], t.crossings.crossings, greenUs, 0);
        renumbered.add(t);
      }
      this.renumber = false;
    }
    // R-SF-3: the leader is the first to complete the race distance; that crossing is its finish.
    let finishUs: number | null = null;
    for (const t of this.trucks) {
      const x = distanceUs(t.numbered, setup.laps);
      if (x !== null && (finishUs === null || x < finishUs)) finishUs = x;
    }
    const recredit = finishUs !== chart.finishUs ? this.trucks : renumbered;
    chart.finishUs = finishUs;
    for (const t of recredit) {
      const before = t.credited;
      const after = creditedUpTo(t.numbered, finishUs);
      let first = 0;
      while (first < before.length && first < after.length && sameLap(before[first]!, after[first]!)) first++;
      if (first === before.length && first === after.length) continue;
      this.table.replace(t.entry.car, before, after, first);
      t.credited = after;
      t.changedLap = first;
      const wasInOrder = t.descent >= before.length;
      if (t.descent >= first) {
        t.descent = after.length;
        for (let i = Math.max(1, first); i < after.length; i++) {
          if (after[i]!.scoredUs < after[i - 1]!.scoredUs) {
            t.descent = i;
            break;
          }
        }
      }
      // In time order, the laps before the first changed one are all a lookup by time at an earlier instant reads.
      t.sinceUs = wasInOrder && t.descent >= after.length ? Math.min(t.sinceUs, before[first]?.scoredUs ?? Infinity, after[first]?.scoredUs ?? Infinity) : -Infinity;
      chart.byCar.set(t.entry.car, after);
      const inferred = t.inferred.filter((x) => x.lap < first);
      for (let i = first; i < after.length; i++) if (after[i]!.inferred) inferred.push(after[i]!);
      t.inferred = inferred;
      this.changed.add(t);
    }

    // R-SF-7 and R-SF-4's keys.
    this.table.settle();
    for (const car of this.table.moved) this.keys.set(car, positionsKey(this.table.leaders.positions.get(car)));
    this.table.moved.clear();
    const leaders = this.table.leaders;
    const classified = classify(setup.field, chart, leaders, (car) => this.positionsKeyOf(car));

    const stages = this.stages(classified);
    const freezes = this.freezes();
    const closures = stagePitClosures(setup.stages, (n) => this.table.first(n));
    if (this.flagsChanged || this.pitChanged || !sameClosures(closures, this.closures)) this.pitRoad = pitRoadTimeline(this.pitCalls, this.flags, closures);
    this.closures = closures;
    if (this.changed.size > 0) {
      this.inferred = this.trucks.flatMap((t) => t.inferred).sort((a, b) => a.scoredUs - b.scoredUs || (this.rank.get(a.car) ?? 0) - (this.rank.get(b.car) ?? 0));
    }
    for (const t of this.changed) {
      t.changedLap = Infinity;
      t.sinceUs = Infinity;
    }
    this.changed.clear();
    this.flagsChanged = false;
    this.pitChanged = false;
    if (!this.settled) {
      // Built in bulk: ready for the clocks' changes to come.
      for (const b of this.onBoard.values()) sortOnBoard(b);
      this.settled = true;
    }
    return { setup, map: this.map, flags: this.flags, points: this.points, chart, leaders, classified, stages, freezes, pitRoad: this.pitRoad, inferred: this.inferred };
  }

  /** Stages ended so far (R-SF-3), each stage's finishes kept for the trucks that did not change. */
  private stages(classified: readonly Classified[]): StageResult[] {
    const { chart, setup } = this;
    const out: StageResult[] = [];
    setup.stages.forEach((endLap, i) => {
      if (i === setup.stages.length - 1) {
        // R-SF-3: the race's finish is the last stage's.
        if (chart.finishUs !== null) out.push({ stage: i + 1, endLap, endUs: chart.finishUs, top10: classified.slice(0, STAGE_TOP).map((c) => c.car) });
        return;
      }
      const end = this.table.first(endLap);
      if (!end) {
        this.stageKeep.delete(i);
        return;
      }
      const endUs = end.scoredUs;
      let keep = this.stageKeep.get(i);
      if (!keep || keep.endUs !== endUs) {
        keep = { endUs, index: this.trucks.map((t) => stageFinishIndex(t.credited, endUs, 0)), top10: null };
        this.stageKeep.set(i, keep);
      } else {
        for (const t of this.changed) {
          const k = this.rank.get(t.entry.car)!;
          const was = keep.index[k]!;
          // Its crossings before the first changed one stand; so does a finish among them.
          if (t.changedLap === Infinity || (was >= 0 && was < t.changedLap)) continue;
          keep.index[k] = stageFinishIndex(t.credited, endUs, Math.min(t.changedLap, t.credited.length));
          keep.top10 = null;
        }
      }
      if (!keep.top10) {
        const atLine = this.trucks.map((t, k) => stageFinish(t.entry.car, t.credited, keep!.index[k]!)).filter((x): x is AtStageEnd => x !== null);
        keep.top10 = stageTop10(atLine, this.rank);
      }
      out.push({ stage: i + 1, endLap, endUs, top10: keep.top10 });
    });
    return out;
  }

  /** Freezes of the field (R-SF-5) at each caution declared, each truck's place kept until it changes. */
  private freezes(): Freeze[] {
    const { map } = this;
    const placeOf = (atUs: number, t: Truck): Position => positionAt(atUs, t.entry.car, t.credited, t.points, map);
    if (this.flagsChanged) {
      this.freezeKeep = cautionsDeclared(this.flags).map((flag) => ({ flag, places: this.trucks.map((t) => placeOf(flag.atUs, t)), freeze: null }));
    } else if (this.changed.size > 0) {
      for (const k of this.freezeKeep) {
        for (const t of this.changed) {
          // Nothing it had done by then changed.
          if (t.sinceUs > k.flag.atUs) continue;
          const i = this.rank.get(t.entry.car)!;
          const p = placeOf(k.flag.atUs, t);
          if (!samePlace(p, k.places[i]!)) {
            k.places[i] = p;
            k.freeze = null;
          }
        }
      }
    }
    return this.freezeKeep.map((k) => {
      if (!k.freeze) {
        const order = ranked(k.places);
        k.freeze = { atUs: k.flag.atUs, leaderLap: Math.max(0, order[0]?.laps ?? 0), order };
      }
      return k.freeze;
    });
  }
}

function sortOnBoard(b: OnBoard): void {
  if (b.sorted) return;
  b.placed.sort((x, y) => x.passing.boardUs - y.passing.boardUs);
  b.sorted = true;
}

function samePlace(a: Position, b: Position): boolean {
  return a.car === b.car && a.laps === b.laps && a.loop === b.loop && a.atUs === b.atUs && a.lapPositionM === b.lapPositionM;
}

function sameClosures(a: ReadonlyArray<{ stage: number; atUs: number }>, b: ReadonlyArray<{ stage: number; atUs: number }>): boolean {
  return a.length === b.length && a.every((x, i) => x.stage === b[i]!.stage && x.atUs === b[i]!.atUs);
}

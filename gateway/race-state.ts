// The race state: a pure function of the event log (R-AUDIT-1). apply() only files an
// entry away (the gateway applies hundreds of thousands of events a second); results()
// and snapshot() derive everything from what was filed, in event-time order, so the
// outcome never depends on the order entries arrived in (a board's resend after an
// outage arrives late) and the same log always gives the same results.
import { decode } from '../protocol/codec.js';
import type { Envelope } from '../protocol/schema.js';
import { validateSetup, type EventSetup } from './event-setup.js';
import type { BoardEntry, FlagName, LogEntry } from './log-entry.js';
import { cautionsOf, emptyResults, inferredOf, resultsDocument, type Results, type ResultsCaution, type ResultsInferred } from './results.js';
import { classify, marginOfVictoryUs, type Classified } from './scoring/classification.js';
import { BoardClocks, type ClockReply, type TimeCheck } from './scoring/clock.js';
import { lineCrossings, type LineCrossing } from './scoring/crossings.js';
import { freezes, type FlagCall, type Freeze } from './scoring/freeze-field.js';
import { creditLaps, type CreditedLap, type LapChart } from './scoring/laps.js';
import { lapLeaders, type LapLeaders } from './scoring/laps-led.js';
import { byTime, type Passing } from './scoring/passing.js';
import { flagAt, pitRoadTimeline, type PitRoadCall } from './scoring/pit-road.js';
import { runningOrder } from './scoring/running-order.js';
import { stagePitClosures, stageResults, type StageResult } from './scoring/stages.js';
import { TrackMap } from './scoring/track-map.js';

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
}

export class RaceState {
  private setup: { seq: number; setup: EventSetup } | null = null;
  private pending: BoardEntry[] = [];
  /** Passings by transponder, each kept once however often it arrived. */
  private readonly passings = new Map<number, RawPassing[]>();
  private readonly seen = new Set<string>();
  private readonly checks = new Map<string, TimeCheck & { seq: number }>();
  private readonly replies = new Map<string, ClockReply>();
  private readonly flags: FlagCall[] = [];
  private readonly pitCalls: PitRoadCall[] = [];
  private latestUs: number | null = null;
  private derived: Derived | null = null;

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
          } catch {
            // a set-up race control could not have entered; nothing to score with
          }
        }
        return;
      case 'flag':
        this.flags.push({ atUs: entry.atUs, seq: entry.seq, flag: a.flag });
        return;
      case 'pit-road':
        this.pitCalls.push({ atUs: entry.atUs, seq: entry.seq, open: a.open, why: a.why ?? (a.open ? 'opened by race control' : 'closed by race control'), rule: null });
        return;
      case 'time-check': {
        const key = `${a.board}#${a.command}`;
        const prev = this.checks.get(key);
        if (!prev || entry.seq < prev.seq) this.checks.set(key, { board: a.board, command: a.command, sentUs: a.sentUs, seq: entry.seq });
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
    });
  }

  snapshot(): RaceSnapshot {
    const d = this.derive();
    const atUs = this.latestUs;
    if (!d) {
      return { atUs, flag: null, leaderLap: 0, stage: null, pitRoad: { open: false, why: 'no call yet', atUs: null, rule: null, history: [] }, order: [], cautions: [], inferred: [] };
    }
    const now = atUs ?? 0;
    const order = runningOrder(now, d.setup.field, d.chart, d.points, d.map);
    const leaderLap = Math.max(0, order[0]?.laps ?? 0);
    const stageIndex = d.setup.stages.findIndex((end) => leaderLap < end);
    const history = d.pitRoad.filter((c) => c.atUs <= now).map((c) => ({ atUs: Math.round(c.atUs), open: c.open, why: c.why, rule: c.rule }));
    const last = history[history.length - 1];
    return {
      atUs,
      flag: flagAt(d.flags, now),
      leaderLap,
      stage: stageIndex < 0 ? d.setup.stages.length : stageIndex + 1,
      pitRoad: last ? { open: last.open, why: last.why, atUs: last.atUs, rule: last.rule, history } : { open: false, why: 'no call yet', atUs: null, rule: null, history },
      order: order.map((p) => ({ pos: p.pos, car: p.car, laps: p.laps, loop: p.loop, atUs: p.atUs === null ? null : Math.round(p.atUs) })),
      cautions: cautionsOf(d.freezes),
      inferred: inferredOf(d.inferred),
    };
  }

  /** Files the board messages that came since the last look; a payload that does not decode is skipped. */
  private drain(): void {
    for (const e of this.pending) {
      let events;
      try {
        events = (e.value !== undefined ? (e.value as Envelope) : decode('envelope', e.payload)).events;
      } catch {
        continue;
      }
      for (const ev of events) {
        if (ev.kind === 'passing') {
          // A resend repeats passings already filed: each one counts once.
          const key = `${e.board}|${ev.loop}|${ev.transponder}|${ev.timeUs}`;
          if (this.seen.has(key)) continue;
          this.seen.add(key);
          const list = this.passings.get(ev.transponder) ?? [];
          list.push({ board: e.board, loop: ev.loop, timeUs: ev.timeUs });
          this.passings.set(ev.transponder, list);
        } else if (ev.kind === 'clock-reply') {
          // The earliest arrival of a reply is its true round trip (a resent copy comes late).
          const key = `${e.board}#${ev.command}`;
          const prev = this.replies.get(key);
          if (!prev || e.atUs < prev.atUs) this.replies.set(key, { board: e.board, command: ev.command, timeUs: ev.timeUs, atUs: e.atUs });
        }
      }
    }
    this.pending = [];
  }

  private derive(): Derived | null {
    if (this.derived) return this.derived;
    this.drain();
    if (!this.setup) return null;
    const setup = this.setup.setup;
    const map = new TrackMap(setup);
    const clocks = new BoardClocks(this.checks.values(), this.replies.values());
    const flags = [...this.flags].sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
    const green = flags.find((f) => f.flag === 'green');
    const points = new Map<string, Passing[]>();
    const crossings = new Map<string, LineCrossing[]>();
    for (const entry of setup.field) {
      const raw = this.passings.get(entry.transponder) ?? [];
      const list: Passing[] = raw.map((r) => ({ car: entry.car, board: r.board, loop: r.loop, boardUs: r.timeUs, atUs: clocks.toGatewayUs(r.board, r.timeUs) }));
      list.sort(byTime);
      crossings.set(entry.car, lineCrossings(entry, list, map));
      points.set(
        entry.car,
        list.filter((p) => map.loop(p.loop) !== undefined && !map.isLine(p.loop)),
      );
    }
    const chart = creditLaps(crossings, green ? green.atUs : null, setup.laps);
    const cars = setup.field.map((e) => e.car);
    const leaders = lapLeaders(chart, cars);
    const classified = classify(setup.field, chart, leaders);
    const stages = stageResults(setup.stages, chart, classified, cars);
    const frozen = freezes(flags, setup.field, chart, points, map);
    const pitCalls = [...this.pitCalls].sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
    const pitRoad = pitRoadTimeline(pitCalls, flags, stagePitClosures(setup.stages, chart));
    const rank = new Map(cars.map((c, i) => [c, i]));
    const inferred = [...chart.byCar.values()]
      .flat()
      .filter((x) => x.inferred)
      .sort((a, b) => a.scoredUs - b.scoredUs || (rank.get(a.car) ?? 0) - (rank.get(b.car) ?? 0));
    this.derived = { setup, map, flags, points, chart, leaders, classified, stages, freezes: frozen, pitRoad, inferred };
    return this.derived;
  }
}

/** A race state with every entry of a log applied. */
export function replay(entries: Iterable<LogEntry>): RaceState {
  const state = new RaceState();
  for (const e of entries) state.apply(e);
  return state;
}

// Board lifecycle. BoardsState is a pure function of the event log (R-AUDIT-1): apply
// every entry in order and the snapshot — online or not, boot, firmware, config hash,
// sequence gaps, health, clock offset — is the same on a live gateway, after a restart
// and in an audit. BoardKeeper is the I/O side: it reads that state and asks boards to
// re-send what is missing and to answer time checks, logging each command as a gateway
// action before sending it (firmware/ABI.md, "Life of a board").
import { encode, tryDecode } from '../protocol/codec.js';
import { clockOffsetUs } from './scoring/clock.js';
import { HEALTH_COUNTERS, type BoardKind, type Birth, type Capacities, type ClockReply, type Death, type Envelope, type Health } from '../protocol/schema.js';
import { boardTopic, CHANNEL_MESSAGE } from '../protocol/topics.js';
import type { Action, ActionEntry, BoardEntry, LogEntry } from './log-entry.js';

// ------------------------------------------------------------------ sequence ranges

/** A set of sequence numbers as sorted, disjoint, inclusive ranges (boards send mostly in order). */
export class SeqRanges {
  /** [from0, to0, from1, to1, ...], ascending, never touching. */
  private r: number[] = [];
  private n = 0;

  /** Adds seq; false when it was already there. */
  add(seq: number): boolean {
    const r = this.r;
    const last = r.length - 1;
    // Fast paths: the next in order, or past the end.
    if (last < 0 || seq > r[last]! + 1) {
      r.push(seq, seq);
      this.n++;
      return true;
    }
    if (seq === r[last]! + 1) {
      r[last] = seq;
      this.n++;
      return true;
    }
    // i: first range whose end is ≥ seq - 1.
    let lo = 0;
    let hi = r.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid * 2 + 1]! < seq - 1) lo = mid + 1;
      else hi = mid;
    }
    const i = lo * 2;
    if (seq >= r[i]! && seq <= r[i + 1]!) return false;
    this.n++;
    if (seq === r[i + 1]! + 1) {
      r[i + 1] = seq;
      if (i + 2 < r.length && r[i + 2] === seq + 1) r.splice(i + 1, 2); // joins the next range
    } else if (seq === r[i]! - 1) {
      r[i] = seq;
    } else {
      r.splice(i, 0, seq, seq);
    }
    return true;
  }

  has(seq: number): boolean {
    const r = this.r;
    let lo = 0;
    let hi = r.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid * 2 + 1]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo * 2 < r.length && r[lo * 2]! <= seq;
  }

  get size(): number {
    return this.n;
  }
  get min(): number | undefined {
    return this.r[0];
  }
  get max(): number | undefined {
    return this.r[this.r.length - 1];
  }

  /** Every number of [from, to] (from ≤ to) is in the set. */
  covers(from: number, to: number): boolean {
    // Ranges never touch, so [from, to] is covered only by one range.
    const r = this.r;
    let lo = 0;
    let hi = r.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid * 2 + 1]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo * 2 < r.length && r[lo * 2]! <= from && r[lo * 2 + 1]! >= to;
  }

  /** The ranges of [from, to] not in the set. */
  missing(from: number, to: number): Array<{ from: number; to: number }> {
    const out: Array<{ from: number; to: number }> = [];
    let at = from;
    for (let i = 0; i < this.r.length && at <= to; i += 2) {
      const a = this.r[i]!;
      const b = this.r[i + 1]!;
      if (b < at) continue;
      if (a > at) out.push({ from: at, to: Math.min(a - 1, to) });
      at = b + 1;
    }
    if (at <= to) out.push({ from: at, to });
    return out;
  }
}

// ------------------------------------------------------------------ snapshot types

export interface GapStatus {
  /** Missing sequence numbers from..to (inclusive). */
  from: number;
  to: number;
  /** Gateway time the first of them was known to be missing. */
  sinceUs: number;
  /** Resend requests logged that cover `from`. */
  resends: number;
  lastResendUs: number | null;
}

export interface BootStatus {
  boot: number;
  /** The first sequence number of the boot: its first birth's, else the lowest received. */
  firstSeq: number | null;
  /** The highest sequence number received. */
  lastSeq: number | null;
  /** Envelopes received. */
  received: number;
  dead: boolean;
  gaps: GapStatus[];
}

export interface HealthStatus {
  /** Gateway time the health event was logged. */
  atUs: number;
  /** Board time of the event. */
  timeUs: number;
  uptimeS: number;
  outboxDepth: number;
  /** Counters by name (HEALTH_COUNTERS); keys this gateway does not know by number. */
  counters: Record<string, number>;
}

export interface ClockStatus {
  /** Board clock minus gateway clock, µs: the reply's board time − the midpoint of sent and received. */
  offsetUs: number;
  /** Received − sent gateway time: the offset is good to about half of this. */
  roundTripUs: number;
  command: number;
  /** Gateway time the reply was logged. */
  atUs: number;
}

export interface BoardStatus {
  board: string;
  kind: BoardKind | null;
  /** Listed in the last event setup's track.boards. */
  inSetup: boolean;
  online: boolean;
  /** The current boot: the newest one seen. */
  boot: number | null;
  firmware: string | null;
  configHash: number | null;
  capacities: Capacities | null;
  lastBirthUs: number | null;
  lastSeenUs: number | null;
  /** Highest sequence number received from the current boot. */
  lastSeq: number | null;
  births: number;
  deaths: number;
  envelopes: number;
  events: number;
  /** Every boot seen, in the order they appeared. */
  boots: BootStatus[];
  health: HealthStatus | null;
  clock: ClockStatus | null;
  lastTimeCheckUs: number | null;
  /** Messages quarantined naming this board in their topic (given to snapshot()). */
  quarantined: number;
}

// ------------------------------------------------------------------ state

interface Resend {
  fromSeq: number;
  /** The last sequence number known when it was asked: a resend covers [fromSeq, upTo]. */
  upTo: number;
  atUs: number;
}

interface BootTrack {
  boot: number;
  received: SeqRanges;
  /** Sequence number announced by the boot's first birth (its first envelope). */
  birthSeq: number | undefined;
  /** Highest sequence number a birth said was sent (birth.seq − 1). */
  announced: number;
  /** Where missing numbers were learnt: seqs in [from, to] known missing since atUs. */
  learnt: Array<{ from: number; to: number; atUs: number }>;
  resends: Resend[];
  dead: boolean;
}

/** A board's record as kept: BoardStatus's fields, with its boots and health as tracked. */
interface BoardRecord extends Omit<BoardStatus, 'board' | 'lastSeq' | 'boots' | 'health' | 'quarantined'> {
  id: string;
  boots: Map<number, BootTrack>;
  /** The newest health event by board time, and when it was logged (HealthStatus is made from it when asked). */
  health: { atUs: number; event: Health } | null;
}

const COUNTER_NAMES = new Map<number, string>(Object.entries(HEALTH_COUNTERS).map(([name, key]) => [key, name]));
const U32_MAX = 0xffffffff;
/** Time checks kept waiting for a reply per board; older ones are forgotten. */
const MAX_PENDING_TIME_CHECKS = 64;

function firstSeq(t: BootTrack): number | undefined {
  const lo = t.received.min;
  if (t.birthSeq === undefined) return lo;
  return lo === undefined ? t.birthSeq : Math.min(lo, t.birthSeq);
}

function knownEnd(t: BootTrack): number {
  return Math.max(t.received.max ?? -1, t.announced);
}

/**
 * After an update of `t` that found it at firstSeq `start0` and knownEnd `end0`: notes
 * when the numbers it revealed became known, when some of them are missing — that is
 * when a gap starts to count (BoardKeeper's grace).
 */
function learnt(t: BootTrack, atUs: number, start0: number | undefined, end0: number): void {
  const start1 = firstSeq(t);
  if (start1 === undefined) return;
  const end1 = knownEnd(t);
  if (start0 === undefined) {
    noteMissing(t, atUs, start1, end1);
  } else {
    noteMissing(t, atUs, end0 + 1, end1);
    noteMissing(t, atUs, start1, start0 - 1);
  }
}

function noteMissing(t: BootTrack, atUs: number, from: number, to: number): void {
  if (from <= to && !t.received.covers(from, to)) t.learnt.push({ from, to, atUs });
}

export class BoardsState {
  private readonly boards = new Map<string, BoardRecord>();
  /** Time checks not answered yet, by command id. */
  private readonly pending = new Map<number, { board: string; sentUs: number }>();
  private lastCommand = 0;

  /** Applies one log entry; entries must come in log order. */
  apply(entry: LogEntry): void {
    if (entry.source === 'board') this.applyBoard(entry);
    else this.applyAction(entry);
  }

  /** The command id to use next: one past the highest logged, so it stays unique across restarts. */
  nextCommandId(): number {
    return this.lastCommand >= U32_MAX ? 1 : this.lastCommand + 1;
  }

  /** The highest command id in a logged time-check or resend action (0 when none). */
  get lastCommandId(): number {
    return this.lastCommand;
  }

  /** Every board known from the setup, the log or `quarantined`, sorted by id. */
  snapshot(quarantined: ReadonlyMap<string, number> = new Map()): BoardStatus[] {
    const ids = new Set([...this.boards.keys(), ...quarantined.keys()]);
    return [...ids].sort().map((id) => this.status(this.boards.get(id) ?? newRecord(id), quarantined.get(id) ?? 0));
  }

  /** One board's status, or undefined when it is not known. */
  board(id: string, quarantined = 0): BoardStatus | undefined {
    const r = this.boards.get(id);
    return r && this.status(r, quarantined);
  }

  private record(id: string): BoardRecord {
    let r = this.boards.get(id);
    if (!r) this.boards.set(id, (r = newRecord(id)));
    return r;
  }

  /** The boot's track; a boot never seen before becomes the board's current boot unless `current` is false. */
  private track(r: BoardRecord, boot: number, current: boolean): BootTrack {
    let t = r.boots.get(boot);
    if (!t) {
      t = { boot, received: new SeqRanges(), birthSeq: undefined, announced: -1, learnt: [], resends: [], dead: false };
      r.boots.set(boot, t);
      // Boot ids are random, not ordered: the newest is the one that appeared last.
      // A death alone never makes a boot current — a retained death of an old boot can
      // arrive after the birth of the new one.
      if (current || r.boot === null) r.boot = boot;
    }
    return t;
  }

  private applyBoard(e: BoardEntry): void {
    const r = this.record(e.board);
    r.lastSeenUs = e.atUs;
    let value = e.value;
    if (value === undefined) {
      const d = tryDecode(CHANNEL_MESSAGE[e.channel], e.payload);
      // Only messages that decoded were logged: this log was altered or is not ours.
      if (!d.ok) throw new Error(`log entry ${e.seq}: the ${e.channel} of board ${e.board} does not decode (${d.error.message})`);
      value = d.value;
    }
    if (e.channel === 'birth') this.birth(r, e, value as Birth);
    else if (e.channel === 'death') this.death(r, (value as Death).boot);
    else this.envelope(r, e, value as Envelope);
  }

  private birth(r: BoardRecord, e: BoardEntry, b: Birth): void {
    r.births++;
    const t = this.track(r, b.boot, true);
    const start0 = firstSeq(t);
    const end0 = knownEnd(t);
    // birth.seq is the next envelope's: every one before it was sent.
    t.announced = Math.max(t.announced, b.seq - 1);
    if (t.birthSeq === undefined) t.birthSeq = b.seq;
    learnt(t, e.atUs, start0, end0);
    if (r.boot !== b.boot) return; // a late birth of an older boot
    // A birth after a death of the same boot: the board reconnected (the will went out when the link dropped).
    t.dead = false;
    r.online = true;
    r.kind = b.kind;
    r.firmware = b.firmware;
    r.configHash = b.configHash;
    r.capacities = b.capacities;
    r.lastBirthUs = e.atUs;
  }

  private death(r: BoardRecord, boot: number): void {
    r.deaths++;
    const t = this.track(r, boot, false);
    t.dead = true;
    if (r.boot === boot) r.online = false;
  }

  private envelope(r: BoardRecord, e: BoardEntry, env: Envelope): void {
    // An envelope from a boot without a birth still counts: a birth can be lost.
    const t = this.track(r, env.boot, true);
    const start0 = firstSeq(t);
    const end0 = knownEnd(t);
    // Ingest refuses duplicates; a replayed log never has them.
    if (!t.received.add(env.seq)) return;
    // The next number in order reveals nothing missing; anything else may.
    if (!(env.seq === end0 + 1 && start0 !== undefined && start0 <= env.seq)) learnt(t, e.atUs, start0, end0);
    r.envelopes++;
    r.events += env.events.length;
    if (r.boot === env.boot) {
      // It is talking, so it is online, whatever the last death said.
      t.dead = false;
      r.online = true;
    }
    for (const ev of env.events) {
      if (ev.kind === 'health') this.health(r, e.atUs, ev);
      else if (ev.kind === 'clock-reply') this.clockReply(r, e.atUs, ev);
    }
  }

  private health(r: BoardRecord, atUs: number, h: Health): void {
    // A re-sent old envelope carries old health: keep the newest by board time.
    if (r.health && r.health.event.timeUs > h.timeUs) return;
    if (r.health) {
      r.health.atUs = atUs;
      r.health.event = h;
    } else {
      r.health = { atUs, event: h };
    }
  }

  private clockReply(r: BoardRecord, atUs: number, c: ClockReply): void {
    const p = this.pending.get(c.command);
    // Only replies to a logged time check of this board, echoing what it sent.
    if (!p || p.board !== r.id || p.sentUs !== c.echoUs) return;
    this.pending.delete(c.command);
    r.clock = { offsetUs: clockOffsetUs(p.sentUs, c.timeUs, atUs), roundTripUs: atUs - p.sentUs, command: c.command, atUs };
  }

  private applyAction(e: ActionEntry): void {
    const a = e.action;
    switch (a.action) {
      case 'event-setup': {
        const ids = new Map(a.setup.track.boards.map((b) => [b.id, b.kind]));
        for (const r of this.boards.values()) r.inSetup = ids.has(r.id);
        for (const [id, kind] of ids) {
          const r = this.record(id);
          r.inSetup = true;
          if (r.kind === null) r.kind = kind;
        }
        return;
      }
      case 'time-check': {
        this.command(a.command);
        const r = this.record(a.board);
        r.lastTimeCheckUs = e.atUs;
        this.pending.set(a.command, { board: a.board, sentUs: a.sentUs });
        // Boards that never answer must not grow this without bound.
        if (this.pending.size > MAX_PENDING_TIME_CHECKS * Math.max(1, this.boards.size)) this.pending.delete(this.pending.keys().next().value!);
        return;
      }
      case 'resend': {
        this.command(a.command);
        const t = this.track(this.record(a.board), a.boot, false);
        t.resends.push({ fromSeq: a.fromSeq, upTo: knownEnd(t), atUs: e.atUs });
        return;
      }
      default:
        return; // flags, pit road, decisions: not the boards' business
    }
  }

  private command(id: number): void {
    if (id > this.lastCommand) this.lastCommand = id;
  }

  private status(r: BoardRecord, quarantined: number): BoardStatus {
    const current = r.boot === null ? undefined : r.boots.get(r.boot);
    return {
      board: r.id,
      kind: r.kind,
      inSetup: r.inSetup,
      online: r.online,
      boot: r.boot,
      firmware: r.firmware,
      configHash: r.configHash,
      capacities: r.capacities && { ...r.capacities },
      lastBirthUs: r.lastBirthUs,
      lastSeenUs: r.lastSeenUs,
      lastSeq: current?.received.max ?? null,
      births: r.births,
      deaths: r.deaths,
      envelopes: r.envelopes,
      events: r.events,
      boots: [...r.boots.values()].map(bootStatus),
      health: r.health && healthStatus(r.health.atUs, r.health.event),
      clock: r.clock && { ...r.clock },
      lastTimeCheckUs: r.lastTimeCheckUs,
      quarantined,
    };
  }
}

function newRecord(id: string): BoardRecord {
  return {
    id,
    kind: null,
    inSetup: false,
    online: false,
    boot: null,
    firmware: null,
    configHash: null,
    capacities: null,
    lastBirthUs: null,
    lastSeenUs: null,
    births: 0,
    deaths: 0,
    envelopes: 0,
    events: 0,
    boots: new Map(),
    health: null,
    clock: null,
    lastTimeCheckUs: null,
  };
}

function healthStatus(atUs: number, h: Health): HealthStatus {
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(h.counters)) counters[COUNTER_NAMES.get(Number(k)) ?? k] = v;
  return { atUs, timeUs: h.timeUs, uptimeS: h.uptimeS, outboxDepth: h.outboxDepth, counters };
}

function bootStatus(t: BootTrack): BootStatus {
  const start = firstSeq(t);
  const gaps = start === undefined ? [] : t.received.missing(start, knownEnd(t));
  return {
    boot: t.boot,
    firstSeq: start ?? null,
    lastSeq: t.received.max ?? null,
    received: t.received.size,
    dead: t.dead,
    gaps: gaps.map((g) => {
      const covering = t.resends.filter((x) => x.fromSeq <= g.from && g.from <= x.upTo);
      const since = t.learnt.find((l) => l.from <= g.from && g.from <= l.to);
      return {
        from: g.from,
        to: g.to,
        sinceUs: since?.atUs ?? 0,
        resends: covering.length,
        lastResendUs: covering.length === 0 ? null : covering[covering.length - 1]!.atUs,
      };
    }),
  };
}

// ------------------------------------------------------------------ keeper (I/O)

export interface BoardKeeperOptions {
  site: string;
  /** Kept up to date with every logged entry by the caller. */
  state: BoardsState;
  /** Gateway clock, µs since the epoch (simulated time in the simulator). */
  clock: () => number;
  /** Sends a command (QoS 1) on a board's cmd topic. */
  publish: (topic: string, payload: Uint8Array) => void;
  /**
   * Logs a gateway action and applies it to `state` before returning — what
   * Ingest.action does when its onAccepted applies entries to the state.
   */
  logAction: (action: Action) => void;
  /** Time check period per online board (default 10 s of gateway clock). */
  timeCheckEveryUs?: number;
  /** How long a gap may stand before a resend is asked (default 1 s): a reconnecting board re-sends by itself. */
  gapGraceUs?: number;
  /** How long to wait for a requested gap to close before asking again (default 10 s). */
  resendRetryUs?: number;
  /** Requests per gap before giving up (default 3): the board may have overwritten those envelopes. */
  maxResends?: number;
}

export const KEEPER_DEFAULTS = { timeCheckEveryUs: 10_000_000, gapGraceUs: 1_000_000, resendRetryUs: 10_000_000, maxResends: 3 } as const;

export class BoardKeeper {
  private readonly o: Required<BoardKeeperOptions>;

  constructor(opts: BoardKeeperOptions) {
    this.o = { ...KEEPER_DEFAULTS, ...opts };
    for (const k of ['timeCheckEveryUs', 'gapGraceUs', 'resendRetryUs', 'maxResends'] as const) {
      const v = this.o[k];
      if (Number.isNaN(v) || v < 0 || (k !== 'timeCheckEveryUs' && !Number.isFinite(v))) throw new RangeError(`BoardKeeper: ${k} must be a number ≥ 0 (got ${String(v)}; only timeCheckEveryUs may be Infinity)`);
    }
  }

  /** Looks at the state and sends what is due; returns the actions logged (and sent). */
  poll(): Action[] {
    const now = this.o.clock();
    const due: Action[] = [];
    for (const b of this.o.state.snapshot()) {
      // An offline board cannot hear commands; on reconnect it re-sends by itself.
      if (!b.online || b.boot === null) continue;
      const resend = this.resendDue(b, now);
      if (resend) due.push(resend);
      if (Number.isFinite(this.o.timeCheckEveryUs) && (b.lastTimeCheckUs === null || now - b.lastTimeCheckUs >= this.o.timeCheckEveryUs)) {
        due.push({ action: 'time-check', board: b.board, command: 0, sentUs: now });
      }
    }
    // Decided on one snapshot; each command is logged (write-ahead) and then sent.
    return due.map((a) => this.send(a));
  }

  private resendDue(b: BoardStatus, now: number): Action | undefined {
    // A resend reaches the board's current boot only: older boots' outboxes are gone.
    const boot = b.boots.find((x) => x.boot === b.boot);
    const gap = boot?.gaps.find((g) =>
      g.resends === 0 ? now - g.sinceUs >= this.o.gapGraceUs : g.resends < this.o.maxResends && now - g.lastResendUs! >= this.o.resendRetryUs,
    );
    // One request from the first due gap covers every gap after it.
    return gap && { action: 'resend', board: b.board, boot: b.boot!, fromSeq: gap.from, command: 0 };
  }

  private send(a: Action): Action {
    if (a.action !== 'resend' && a.action !== 'time-check') throw new Error(`BoardKeeper cannot send ${a.action}`);
    const id = this.o.state.nextCommandId();
    const action: Action = { ...a, command: id };
    this.o.logAction(action);
    if (this.o.state.lastCommandId !== id) {
      throw new Error('BoardKeeper: logAction must log the action and apply it to the BoardsState (command ids come from the state)');
    }
    const body = action.action === 'resend' ? { kind: 'resend' as const, fromSeq: action.fromSeq } : { kind: 'time-check' as const, sentUs: (action as { sentUs: number }).sentUs };
    this.o.publish(boardTopic(this.o.site, a.board, 'cmd'), encode('command', { board: a.board, id, body }));
    return action;
  }
}

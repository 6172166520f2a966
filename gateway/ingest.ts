// Ingest: every message from the broker is checked, then either appended to the event
// log and handed on, or quarantined with its reason and raw bytes — counted, never
// thrown, never dropped silently (design.md, Gateway). The log write comes first, the
// callback second: what the race state acts on is already on the record (R-AUDIT-1).
//
// Checks, in order (the first failure is the reason):
//   bad-topic          not a pitwall topic, another site, or not a channel boards publish on
//   oversize           over MAX_MESSAGE_BYTES
//   malformed          does not decode as the channel's message (detail: reason, path, byte)
//   unknown-board      once an event setup is logged, a board not in its track.boards
//   identity-mismatch  the payload names another board than the topic
//   duplicate          an envelope whose (boot, seq) is logged already (a re-send after a
//                      resend request, a QoS 1 redelivery); a birth equal to a logged one
//                      (same boot, seq, board time, config, firmware: a retained birth
//                      redelivered); a retained death of a boot whose death is logged
//
// An envelope from a boot with no birth logged is accepted: a birth can be lost (the
// retained birth replaced before the gateway subscribed, a broker restart), and refusing
// the boot's events would lose passings for the want of a lifecycle message. The board
// state takes such a boot as the board's current one (boards.ts).
import { decode, DecodeError, tryDecode } from '../protocol/codec.js';
import { MAX_MESSAGE_BYTES, type Birth, type Death, type Envelope } from '../protocol/schema.js';
import { CHANNEL_MESSAGE, isValidBoardId, isValidSiteId, parseTopic, type ParsedTopic } from '../protocol/topics.js';
import { SeqRanges } from './boards.js';
import { validateSetup } from './event-setup.js';
import { QUARANTINE_REASONS, type EventLog, type QuarantineReason } from './event-log.js';
import { FLAG_NAMES, ROUND_CALLS, type Action, type ActionEntry, type BoardEntry, type LogEntry } from './log-entry.js';

export type IngestResult = 'accepted' | 'quarantined';

export interface MessageOptions {
  /**
   * The broker delivered it as a retained message (on subscribing). A retained death
   * equal to one already logged is a redelivery, not a new death; a live one is new:
   * a board that loses its link twice in one boot sends the same will twice.
   */
  retained?: boolean;
}

/** A race-control or gateway action that cannot be logged (the caller's mistake, thrown). */
export class ActionError extends Error {
  override readonly name = 'ActionError';
}

type BoardChannel = BoardEntry['channel'];
const BOARD_CHANNELS: readonly BoardChannel[] = ['birth', 'evt', 'death'];
const U32_MAX = 0xffffffff;

class Refused {
  constructor(
    readonly reason: QuarantineReason,
    readonly detail: string,
  ) {}
}

/** What one board has had logged: envelopes per boot, births, its last lifecycle message. */
interface Seen {
  envelopes: Map<number, SeqRanges>;
  births: Set<string>;
  deaths: Set<number>;
}

const birthKey = (b: Birth): string => `${b.boot}/${b.seq}/${b.timeUs}/${b.configHash}/${b.firmware}`;

export class Ingest {
  private readonly log: EventLog;
  private readonly site: string;
  private readonly onAccepted: (entry: LogEntry) => void;
  /** Boards of the last event setup logged; undefined before any. */
  private setupBoards: Set<string> | undefined;
  private readonly seen = new Map<string, Seen>();
  private readonly reasons: Record<QuarantineReason, number>;
  private readonly byBoard: Map<string, number>;
  private acceptedCount = 0;

  /**
   * Reads the log to learn the setup and what is logged already (a restart refuses
   * the same duplicates); onAccepted is not called for those entries.
   */
  constructor(log: EventLog, site: string, onAccepted: (entry: LogEntry) => void) {
    if (!isValidSiteId(site)) throw new RangeError(`ingest: bad site id ${JSON.stringify(site)}`);
    this.log = log;
    this.site = site;
    this.onAccepted = onAccepted;
    this.reasons = log.quarantineCounts();
    this.byBoard = log.quarantineCountsByBoard();
    for (const e of log.entries()) {
      if (e.source !== 'board') {
        this.noteAction(e.action);
        continue;
      }
      this.acceptedCount++;
      const decoded = tryDecode(CHANNEL_MESSAGE[e.channel], e.payload);
      if (decoded.ok) this.note(e.board, e.channel, decoded.value as Birth | Death | Envelope);
    }
  }

  /**
   * Checks one message from the broker; logs it and calls onAccepted, or quarantines it.
   * Bad input never throws. What does: a log that cannot be written, an atUs that is not
   * a µs count, and onAccepted's own errors (the entry is logged by then).
   */
  message(topic: string, payload: Uint8Array, atUs: number, opts: MessageOptions = {}): IngestResult {
    let board: string | undefined;
    let channel: BoardChannel;
    let value: Birth | Death | Envelope;
    let known: string;
    try {
      const t = this.topic(topic);
      board = t.board;
      channel = t.channel;
      known = t.topic;
      value = this.check(t.board, t.channel, payload, opts);
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      this.log.quarantine({ atUs, topic: String(topic), board, reason: e.reason, detail: e.detail, payload });
      this.reasons[e.reason]++;
      if (board !== undefined) this.byBoard.set(board, (this.byBoard.get(board) ?? 0) + 1);
      return 'quarantined';
    }
    // The decoded value rides along (never stored): whoever applies the entry need not decode it again.
    // The topic as first seen (the same text): entries keep one string per topic, not one each.
    const entry: BoardEntry = { seq: 0, atUs, source: 'board', topic: known, board, channel, payload, value };
    entry.seq = this.log.append(entry);
    this.note(board, channel, value);
    this.acceptedCount++;
    this.onAccepted(entry);
    return 'accepted';
  }

  /**
   * Logs a race-control or gateway action, then calls onAccepted with it. Throws
   * ActionError (or SetupError for an event setup) when it is not a valid action.
   */
  action(source: ActionEntry['source'], action: Action, atUs: number): ActionEntry {
    if (source !== 'race-control' && source !== 'gateway') throw new ActionError(`an action comes from race-control or gateway, not ${JSON.stringify(source)}`);
    const checked = checkAction(action);
    const entry: ActionEntry = { seq: 0, atUs, source, action: checked };
    entry.seq = this.log.append(entry);
    this.noteAction(checked);
    this.onAccepted(entry);
    return entry;
  }

  /** Quarantined messages per reason since the log began. */
  counts(): Record<QuarantineReason, number> {
    return { ...this.reasons };
  }

  /** Quarantined messages per board named in their topic. */
  quarantinedByBoard(): Map<string, number> {
    return new Map(this.byBoard);
  }

  /** Board messages in the log. */
  get accepted(): number {
    return this.acceptedCount;
  }

  /** Quarantined messages in all. */
  get quarantined(): number {
    return QUARANTINE_REASONS.reduce((n, r) => n + this.reasons[r], 0);
  }

  /** Good topics seen (a site has a few dozen): parsing each message's topic again costs more than the rest of the check. */
  private readonly topics = new Map<string, { topic: string; board: string; channel: BoardChannel }>();

  private topic(topic: string): { topic: string; board: string; channel: BoardChannel } {
    const known = this.topics.get(topic);
    if (known) return known;
    const parsed = this.parseBoardTopic(topic);
    if (this.topics.size < 10_000) this.topics.set(topic, parsed);
    return parsed;
  }

  private parseBoardTopic(topic: string): { topic: string; board: string; channel: BoardChannel } {
    let t: ParsedTopic;
    try {
      t = parseTopic(topic);
    } catch (e) {
      throw new Refused('bad-topic', `not a pitwall topic: ${(e as Error).message}`);
    }
    if (t.site !== this.site) throw new Refused('bad-topic', `site '${t.site}' is not this gateway's site '${this.site}'`);
    if (t.board === undefined) throw new Refused('bad-topic', `a ${t.channel} topic, not a board's`);
    if (!(BOARD_CHANNELS as readonly string[]).includes(t.channel)) {
      throw new Refused('bad-topic', `channel '${t.channel}' is not one boards publish on (${BOARD_CHANNELS.join(', ')})`);
    }
    return { topic, board: t.board, channel: t.channel as BoardChannel };
  }

  private check(board: string, channel: BoardChannel, payload: Uint8Array, opts: MessageOptions): Birth | Death | Envelope {
    if (!(payload instanceof Uint8Array)) throw new Refused('malformed', 'the payload is not bytes');
    if (payload.length > MAX_MESSAGE_BYTES) throw new Refused('oversize', `${payload.length} bytes, over MAX_MESSAGE_BYTES (${MAX_MESSAGE_BYTES})`);
    const type = CHANNEL_MESSAGE[channel];
    let value: Birth | Death | Envelope;
    try {
      value = decode(type, payload) as Birth | Death | Envelope;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      throw new Refused('malformed', `${type} does not decode: ${e.reason} at ${e.path || '(message)'}, byte ${e.offset}`);
    }
    if (this.setupBoards && !this.setupBoards.has(board)) throw new Refused('unknown-board', `board '${board}' is not in the event setup's track.boards`);
    if (value.board !== board) throw new Refused('identity-mismatch', `the topic names board '${board}', the ${type} says '${value.board}'`);
    const seen = this.seen.get(board);
    if (channel === 'evt') {
      const env = value as Envelope;
      if (seen?.envelopes.get(env.boot)?.has(env.seq)) throw new Refused('duplicate', `envelope boot ${env.boot} seq ${env.seq} is logged already`);
    } else if (channel === 'birth') {
      const b = value as Birth;
      // A birth carries the board clock: a new one never repeats an old one byte for byte.
      if (seen?.births.has(birthKey(b))) throw new Refused('duplicate', `birth boot ${b.boot} seq ${b.seq} at ${b.timeUs} µs is logged already`);
    } else if (opts.retained && seen?.deaths.has(value.boot)) {
      throw new Refused('duplicate', `retained death of boot ${value.boot} is logged already`);
    }
    return value;
  }

  private note(board: string, channel: BoardChannel, value: Birth | Death | Envelope): void {
    let s = this.seen.get(board);
    if (!s) this.seen.set(board, (s = { envelopes: new Map(), births: new Set(), deaths: new Set() }));
    if (channel === 'evt') {
      const env = value as Envelope;
      let r = s.envelopes.get(env.boot);
      if (!r) s.envelopes.set(env.boot, (r = new SeqRanges()));
      r.add(env.seq);
    } else if (channel === 'birth') s.births.add(birthKey(value as Birth));
    else s.deaths.add(value.boot);
  }

  private noteAction(a: Action): void {
    if (a.action === 'event-setup') this.setupBoards = new Set(a.setup.track.boards.map((b) => b.id));
  }
}

/** The action checked (an event setup validated and normalised); throws ActionError or SetupError. */
export function checkAction(a: Action): Action {
  const name = typeof a === 'object' && a !== null && typeof a.action === 'string' ? `'${a.action}'` : '(unnamed)';
  const fail = (detail: string): never => {
    throw new ActionError(`action ${name}: ${detail}`);
  };
  if (typeof a !== 'object' || a === null) return fail('must be an object');
  const uint = (v: unknown, name: string, max = U32_MAX): number => (Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max ? (v as number) : fail(`${name} must be a whole number within 0..${max}`));
  const text = (v: unknown, name: string): string => (typeof v === 'string' && v.length > 0 ? v : fail(`${name} must be a non-empty string`));
  const board = (v: unknown): string => (typeof v === 'string' && isValidBoardId(v) ? v : fail(`board ${JSON.stringify(v)} is not a board id`));
  switch (a.action) {
    case 'event-setup':
      return { action: 'event-setup', setup: validateSetup(a.setup) };
    case 'flag':
      return FLAG_NAMES.includes(a.flag) ? { action: 'flag', flag: a.flag } : fail(`flag must be one of ${FLAG_NAMES.join(', ')}`);
    case 'pit-road': {
      if (typeof a.open !== 'boolean') fail('open must be true or false');
      if (a.why !== undefined && typeof a.why !== 'string') fail('why must be a string');
      return a.why === undefined ? { action: 'pit-road', open: a.open } : { action: 'pit-road', open: a.open, why: a.why };
    }
    case 'time-check':
      return { action: 'time-check', board: board(a.board), command: uint(a.command, 'command'), sentUs: uint(a.sentUs, 'sentUs', Number.MAX_SAFE_INTEGER) };
    case 'resend':
      return { action: 'resend', board: board(a.board), boot: uint(a.boot, 'boot'), fromSeq: uint(a.fromSeq, 'fromSeq'), command: uint(a.command, 'command') };
    case 'decision': {
      if (a.decision !== 'confirm' && a.decision !== 'dismiss') fail('decision must be confirm or dismiss');
      if (typeof a.why !== 'string') fail('why must be a string');
      return { action: 'decision', proposal: text(a.proposal, 'proposal'), decision: a.decision, who: text(a.who, 'who'), why: a.why };
    }
    case 'damaged': {
      if (typeof a.damaged !== 'boolean') fail('damaged must be true or false');
      if (a.why !== undefined && typeof a.why !== 'string') fail('why must be a string');
      const marked = { action: 'damaged' as const, car: text(a.car, 'car'), damaged: a.damaged, who: text(a.who, 'who') };
      return a.why === undefined ? marked : { ...marked, why: a.why };
    }
    case 'release':
      return { action: 'release', car: text(a.car, 'car'), who: text(a.who, 'who') };
    case 'qualifying-round': {
      if (!ROUND_CALLS.includes(a.call)) fail(`call must be one of ${ROUND_CALLS.join(', ')}`);
      const round = uint(a.round, 'round', 100);
      if (round < 1) fail('round must be 1 or more');
      return { action: 'qualifying-round', round, call: a.call };
    }
    default:
      return fail('unknown action');
  }
}

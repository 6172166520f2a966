// What every board does, whatever it measures: identity and boot, birth and death,
// events batched into envelopes with sequence numbers, the outbox and re-sending,
// health, commands (config, resend, time check, reboot) and race-control state.
// A board image (firmware/boards/*.ts) re-exports these ABI entry points and adds
// its own input call. Everything here is allocated at start; no call allocates.

import { clock_us, publish, CH_BIRTH, CH_DEATH, CH_EVT, CH_WILL, LOG_INFO, LOG_WARN, logText } from './abi';
import { Reader, Writer, fnv1a32, MAX_MESSAGE, validBoardId } from './cbor';
import {
  BirthMsg,
  CommandMsg,
  ControlStateMsg,
  MAX_EVENTS,
  CMD_CONFIG,
  CMD_RESEND,
  CMD_TIME_CHECK,
  CMD_REBOOT,
  decodeCommand,
  decodeControlState,
  encodeBirth,
  encodeDeath,
  encodeEnvelopeHead,
  encodeHealth,
  encodeConfigRejected,
  encodeClockReply,
} from './messages';
import { Outbox } from './outbox';
import { FIRMWARE_VERSION } from '../generated/build-info';

// ---------------------------------------------------------------- capacities

export const INPUT_CAP: u32 = 16384;
export const OUTBOX_BYTES: u32 = 65536;
export const OUTBOX_SLOTS: u32 = 512;
/** Room for the envelope's own keys before the events (board id up to 32 bytes). */
const ENVELOPE_HEAD_ROOM: u32 = 64;
const HEALTH_PERIOD_US: u64 = 1_000_000;
const RETRY_PERIOD_US: u64 = 100_000;

// Command results (ABI.md).
export const CMD_APPLIED: i32 = 0;
export const CMD_REBOOT_REQUESTED: i32 = 1;
export const CMD_REFUSED: i32 = 2;

// Health counters (protocol/schema.ts HEALTH_COUNTERS).
export const C_TABLE_FULL: u32 = 1;
export const C_OUTBOX_OVERWRITTEN: u32 = 2;
export const C_BAD_READINGS: u32 = 3;
export const C_BAD_COMMANDS: u32 = 4;
export const C_LATE_READINGS: u32 = 5;
export const C_PUBLISH_FAILURES: u32 = 6;
export const C_RESENT: u32 = 7;
const N_COUNTERS: u32 = 7;

// Reject codes of config-rejected (protocol/schema.ts REJECT_CODES).
export const REJ_MALFORMED: u32 = 1;
export const REJ_OUT_OF_RANGE: u32 = 2;
export const REJ_OVER_CAPACITY: u32 = 3;
export const REJ_INCONSISTENT: u32 = 4;
export const REJ_WRONG_BOARD_KIND: u32 = 5;

// ---------------------------------------------------------------- static memory

export const INPUT = memory.data(<i32>INPUT_CAP);
const MSG = memory.data(<i32>MAX_MESSAGE); // one message being built
const BATCH = memory.data(<i32>MAX_MESSAGE); // encoded events waiting for an envelope
const EVT = memory.data(256); // one event being built
const ARENA = memory.data(<i32>OUTBOX_BYTES);
const REASON = memory.data(64);
const COUNTERS = memory.data(<i32>((N_COUNTERS + 1) * 4)); // u32 per counter key, index 0 unused

const outbox = new Outbox(ARENA, OUTBOX_BYTES, OUTBOX_SLOTS);
const msg = new Writer(MSG, MAX_MESSAGE);
const evt = new Writer(EVT, 256);
const reader = new Reader();
const birth = new BirthMsg();
const cmd = new CommandMsg();
const ctl = new ControlStateMsg();

// ---------------------------------------------------------------- state

let started = false;
let linkUp = false;
let birthPending = false;
let kind: u32 = 0;
let boot: u32 = 0;
let startUs: u64 = 0;
let lastHealthUs: u64 = 0;
let lastRetryUs: u64 = 0;
let firstUnsent: u32 = 0; // sequence number of the first envelope the host has not taken
let batchLen: u32 = 0;
let batchCount: u32 = 0;
let configHash: u32 = 0;

/** Race-control state as last received (0 = none yet). */
export let raceFlag: u32 = 0;
export let pitOpen: bool = false;

/**
 * Board-specific config check and apply, set by the board image. Returns 0 when
 * the candidate in `cmd` was applied, else a reject code with `rejectReason` set.
 */
let applyConfig: (c: CommandMsg) => u32 = (c: CommandMsg): u32 => REJ_WRONG_BOARD_KIND;
let rejectReason: string = '';

/** For a board's config check: remembers why, returns the reject code. */
export function setRejectReason(code: u32, reason: string): u32 {
  rejectReason = reason;
  return code;
}

let tickHook: (t: u64) => void = (t: u64): void => {};

/** A board image's periodic work, run by every `tick` with the board clock. */
export function onTick(fn: (t: u64) => void): void {
  tickHook = fn;
}

/** Called once by the board image at start. */
export function defineBoard(boardKind: u32, apply: (c: CommandMsg) => u32, caps: (m: BirthMsg) => void): void {
  kind = boardKind;
  applyConfig = apply;
  birth.kind = boardKind;
  birth.setCapacity(1, <u16>OUTBOX_SLOTS);
  birth.setCapacity(6, <u16>MAX_MESSAGE);
  caps(birth);
}

export function isStarted(): bool {
  return started;
}

export function count(counter: u32, n: u32 = 1): void {
  const p = COUNTERS + <usize>(counter * 4);
  store<u32>(p, load<u32>(p) + n);
}

export function now(): u64 {
  return clock_us();
}

// ---------------------------------------------------------------- ABI entry points

export function input_ptr(): usize {
  return INPUT;
}

export function input_cap(): u32 {
  return INPUT_CAP;
}

export function init(bootId: u32, idLen: u32): i32 {
  if (started) return 1;
  if (idLen < 1 || idLen > 32 || !validBoardId(INPUT, idLen)) return 1;
  birth.setBoard(INPUT, idLen);
  boot = bootId;
  birth.boot = bootId;
  birth.setFirmware(FIRMWARE_VERSION);
  startUs = clock_us();
  lastHealthUs = startUs;
  outbox.reset(0);
  firstUnsent = 0;
  started = true;
  msg.reset(MSG, MAX_MESSAGE);
  encodeDeath(msg, birth.boardPtr(), birth.boardLen, boot);
  publish(CH_WILL, MSG, msg.pos, 1);
  logText(LOG_INFO, 'board started');
  return 0;
}

export function link(up: u32): void {
  if (!started) return;
  linkUp = up != 0;
  if (linkUp) {
    birthPending = true;
    pump();
  }
}

export function tick(): void {
  if (!started) return;
  const t = clock_us();
  tickHook(t);
  if (t - lastHealthUs >= HEALTH_PERIOD_US) {
    lastHealthUs = t;
    emitHealth(t);
    flush();
  }
  if (t - lastRetryUs >= RETRY_PERIOD_US) {
    lastRetryUs = t;
    pump();
  }
}

export function command(len: u32): i32 {
  if (!started) return CMD_REFUSED;
  if (len > INPUT_CAP) {
    count(C_BAD_COMMANDS);
    return -5; // too-large
  }
  reader.reset(INPUT, len);
  const err = decodeCommand(reader, cmd);
  if (err != 0) {
    count(C_BAD_COMMANDS);
    logText(LOG_WARN, 'command refused: does not decode');
    return -err;
  }
  if (!cmd.boardEquals(birth.boardPtr(), birth.boardLen)) {
    count(C_BAD_COMMANDS);
    logText(LOG_WARN, 'command refused: addressed to another board');
    return CMD_REFUSED;
  }
  const t = clock_us();
  if (cmd.bodyKind == CMD_TIME_CHECK) {
    evt.reset(EVT, 256);
    encodeClockReply(evt, t, cmd.id, cmd.sentUs);
    addEvent();
    flush();
    return CMD_APPLIED;
  }
  if (cmd.bodyKind == CMD_RESEND) {
    resendFrom(cmd.fromSeq);
    return CMD_APPLIED;
  }
  if (cmd.bodyKind == CMD_REBOOT) {
    flush();
    msg.reset(MSG, MAX_MESSAGE);
    encodeDeath(msg, birth.boardPtr(), birth.boardLen, boot);
    publish(CH_DEATH, MSG, msg.pos, 1);
    logText(LOG_INFO, 'rebooting on command');
    return CMD_REBOOT_REQUESTED;
  }
  // CMD_CONFIG: the image checks and applies it; a refused one leaves the old in force.
  const hash = fnv1a32(INPUT + <usize>cmd.configOffset, cmd.configLen);
  const code: u32 =
    cmd.configKind != kind ? setRejectReason(REJ_WRONG_BOARD_KIND, 'config is for another kind of board') : applyConfig(cmd);
  if (code != 0) {
    count(C_BAD_COMMANDS);
    evt.reset(EVT, 256);
    const n = asciiInto(REASON, 64, rejectReason);
    encodeConfigRejected(evt, t, cmd.id, code, REASON, n, hash);
    addEvent();
    flush();
    logText(LOG_WARN, 'config refused');
    return CMD_REFUSED;
  }
  configHash = hash;
  logText(LOG_INFO, 'config applied');
  // A new birth tells race control which config is in force (Sparkplug's rebirth).
  flush();
  birthPending = true;
  pump();
  return CMD_APPLIED;
}

export function control(len: u32): i32 {
  if (!started) return 0;
  if (len > INPUT_CAP) return -5;
  reader.reset(INPUT, len);
  const err = decodeControlState(reader, ctl);
  if (err != 0) {
    count(C_BAD_COMMANDS);
    return -err;
  }
  raceFlag = ctl.flag;
  pitOpen = ctl.pitOpen;
  return 0;
}

// ---------------------------------------------------------------- events and envelopes

/** The writer a board encodes its next event into; then call `addEvent`. */
export function eventWriter(): Writer {
  evt.reset(EVT, 256);
  return evt;
}

/** Queues the event just encoded into `eventWriter()`; a full batch becomes an envelope. */
export function addEvent(): void {
  if (evt.overflow || evt.pos == 0) return;
  if (batchCount == MAX_EVENTS || batchLen + evt.pos > MAX_MESSAGE - ENVELOPE_HEAD_ROOM) flush();
  memory.copy(BATCH + <usize>batchLen, EVT, evt.pos);
  batchLen += evt.pos;
  batchCount++;
}

/** Seals the queued events into the next envelope, keeps it and sends it. */
export function flush(): void {
  if (batchCount == 0) return;
  msg.reset(MSG, MAX_MESSAGE);
  encodeEnvelopeHead(msg, birth.boardPtr(), birth.boardLen, boot, outbox.nextSeq, batchCount);
  msg.raw(BATCH, batchLen);
  batchLen = 0;
  batchCount = 0;
  if (msg.overflow) return; // cannot happen: the batch leaves room for the head
  const before = outbox.overwritten;
  outbox.append(MSG, msg.pos);
  if (outbox.overwritten != before) count(C_OUTBOX_OVERWRITTEN, outbox.overwritten - before);
  pump();
}

/** Sends the birth if due, then every kept envelope the host has not taken yet. */
function pump(): void {
  if (!linkUp) return;
  if (birthPending) {
    buildBirth();
    if (publish(CH_BIRTH, MSG, msg.pos, 1) != 0) {
      count(C_PUBLISH_FAILURES);
      return;
    }
    birthPending = false;
  }
  if (<i32>(firstUnsent - outbox.oldestSeq) < 0) firstUnsent = outbox.oldestSeq; // the ring overwrote them unsent
  while (firstUnsent != outbox.nextSeq) {
    if (publish(CH_EVT, outbox.ptr(firstUnsent), outbox.len(firstUnsent), 1) != 0) {
      count(C_PUBLISH_FAILURES);
      return;
    }
    firstUnsent++;
  }
}

/** Re-sends every kept envelope from `from` on (from the oldest kept when it was overwritten). */
function resendFrom(from: u32): void {
  flush();
  if (outbox.count == 0) return;
  let seq = from;
  if (!outbox.has(from)) {
    if (<i32>(from - outbox.oldestSeq) >= 0) return; // not sent yet: nothing to re-send
    seq = outbox.oldestSeq;
  }
  // Envelopes from firstUnsent on were never taken: pump sends them in order.
  while (<i32>(firstUnsent - seq) > 0 && linkUp) {
    if (publish(CH_EVT, outbox.ptr(seq), outbox.len(seq), 1) != 0) {
      count(C_PUBLISH_FAILURES);
      return;
    }
    count(C_RESENT);
    seq++;
  }
  pump();
}

function buildBirth(): void {
  birth.configHash = configHash;
  birth.timeUs = clock_us();
  birth.seq = outbox.nextSeq;
  msg.reset(MSG, MAX_MESSAGE);
  encodeBirth(msg, birth);
}

function emitHealth(t: u64): void {
  evt.reset(EVT, 256);
  encodeHealth(evt, t, <u32>((t - startUs) / 1_000_000), outbox.count, COUNTERS, N_COUNTERS);
  addEvent();
}

/** Copies an ASCII string literal into a static buffer; returns the byte length. */
export function asciiInto(dst: usize, cap: u32, s: string): u32 {
  let n = <u32>s.length;
  if (n > cap) n = cap;
  for (let i: u32 = 0; i < n; i++) store<u8>(dst + <usize>i, <u8>s.charCodeAt(<i32>i));
  return n;
}

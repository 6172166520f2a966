// Test harness for the firmware codec (target codec-harness; never part of a board
// image). It lets the tests drive firmware/lib/messages.ts from JavaScript without
// any glue: messages go in and out as bytes, decoded values as "slots" — a flat
// i64 array plus a byte pool for text — in the order test/support/slots.ts
// describes (the schema table's field order).
//
//   decode(type, len): decodes `len` bytes at inPtr() as message `type`
//     (MESSAGE_TYPE_CODES); returns the slot count, or -code with errOffset().
//   encode(type, nSlots): reads a value from the slots and pool, encodes it at
//     outPtr(); returns the length, or -code (too-large over 4096 bytes; a slot
//     outside its range gives the code the decoder would give for it).

import {
  Reader,
  Writer,
  MAX_MESSAGE,
  ERR_TRUNCATED,
  ERR_TOO_LARGE,
  ERR_TRAILING_BYTES,
  ERR_MISSING_FIELD,
  ERR_OUT_OF_RANGE,
  ERR_BAD_COUNT,
  ERR_UNKNOWN_KIND,
  ERR_DUPLICATE_KEY,
  ERR_INVALID_UTF8,
  validUtf8,
  validBoardId,
  fnv1a32,
} from '../lib/cbor';
import {
  BirthMsg,
  DeathMsg,
  EnvelopeMsg,
  EventMsg,
  CommandMsg,
  ControlStateMsg,
  LoopConfigMsg,
  BoxConfigMsg,
  decodeBirth,
  decodeDeath,
  decodeEnvelope,
  decodeCommand,
  decodeControlState,
  encodeBirth,
  encodeDeath,
  encodeEnvelope,
  encodeCommand,
  encodeControlState,
  encodeHealth,
  U8_MAX,
  U16_MAX,
  U32_MAX,
  TIME_MAX,
  BOARD_ID_CAP,
  FIRMWARE_CAP,
  REASON_CAP,
  MAX_EVENTS,
  MAX_COUNTERS,
  MAX_LOOPS,
  MAX_BOXES,
  MAX_LANES,
  BOARD_LOOP,
  CMD_CONFIG,
  CMD_RESEND,
  CMD_TIME_CHECK,
  CMD_REBOOT,
  EV_PASSING,
  EV_SEGMENT_SPEED,
  EV_PIT_IN,
  EV_PIT_OUT,
  EV_BOX_VERDICT,
  EV_CREW_OVER_WALL,
  EV_HEALTH,
  EV_CONFIG_REJECTED,
  EV_CLOCK_REPLY,
  EV_COMMITMENT,
  EV_LAST,
} from '../lib/messages';

const T_BIRTH: i32 = 0;
const T_DEATH: i32 = 1;
const T_ENVELOPE: i32 = 2;
const T_COMMAND: i32 = 3;
const T_CONTROL_STATE: i32 = 4;

const IN_CAP: u32 = 8192; // room for inputs over the 4096-byte limit (too-large tests)
const OUT_CAP: u32 = 8192;
const SLOTS_CAP: u32 = 8192; // the largest envelope needs about 4,500
const POOL_CAP: u32 = 16384;

const IN = memory.data(<i32>IN_CAP);
const OUT = memory.data(<i32>OUT_CAP);
const SLOTS = memory.data(<i32>SLOTS_CAP * 8, 8);
const POOL = memory.data(<i32>POOL_CAP);

const reader = new Reader();
const writer = new Writer();
const birth = new BirthMsg();
const death = new DeathMsg();
const envelope = new EnvelopeMsg();
const command = new CommandMsg();
const control = new ControlStateMsg();

let lastErrOffset: u32 = 0;

export function inPtr(): usize {
  return IN;
}
export function inCap(): u32 {
  return IN_CAP;
}
export function outPtr(): usize {
  return OUT;
}
export function outCap(): u32 {
  return OUT_CAP;
}
export function slotsPtr(): usize {
  return SLOTS;
}
export function slotsCap(): u32 {
  return SLOTS_CAP;
}
export function poolPtr(): usize {
  return POOL;
}
export function poolCap(): u32 {
  return POOL_CAP;
}
/** Offset of the offending item after a failed decode. */
export function errOffset(): u32 {
  return lastErrOffset;
}

// ------------------------------------------------------------------ decode → slots

let nOut: u32 = 0;
let poolOut: u32 = 0;
let outFull = false;

function put(v: i64): void {
  if (nOut >= SLOTS_CAP) {
    outFull = true;
    return;
  }
  store<i64>(SLOTS + <usize>nOut * 8, v);
  nOut++;
}

function putU(v: u64): void {
  put(<i64>v);
}

function putBool(v: bool): void {
  put(v ? 1 : 0);
}

function putText(p: usize, len: u32): void {
  put(<i64>len);
  if (len > POOL_CAP - poolOut) {
    outFull = true;
    return;
  }
  memory.copy(POOL + <usize>poolOut, p, len);
  poolOut += len;
}

export function decode(type: i32, len: i32): i32 {
  lastErrOffset = 0;
  if (len < 0) return -ERR_TRUNCATED;
  if (<u32>len > IN_CAP) {
    lastErrOffset = MAX_MESSAGE;
    return -ERR_TOO_LARGE;
  }
  reader.reset(IN, <u32>len);
  let err: i32;
  if (type == T_BIRTH) err = decodeBirth(reader, birth);
  else if (type == T_DEATH) err = decodeDeath(reader, death);
  else if (type == T_ENVELOPE) err = decodeEnvelope(reader, envelope);
  else if (type == T_COMMAND) err = decodeCommand(reader, command);
  else if (type == T_CONTROL_STATE) err = decodeControlState(reader, control);
  else return -ERR_UNKNOWN_KIND;
  if (err != 0) {
    lastErrOffset = reader.errOffset;
    return -err;
  }
  nOut = 0;
  poolOut = 0;
  outFull = false;
  if (type == T_BIRTH) dumpBirth();
  else if (type == T_DEATH) dumpDeath();
  else if (type == T_ENVELOPE) dumpEnvelope();
  else if (type == T_COMMAND) dumpCommand();
  else dumpControlState();
  if (outFull) return -ERR_TOO_LARGE;
  return <i32>nOut;
}

function dumpBirth(): void {
  const m = birth;
  putText(m.board, m.boardLen);
  putU(m.boot);
  putU(m.kind);
  putText(m.firmware, m.firmwareLen);
  putU(m.configHash);
  for (let key: u32 = 1; key <= 6; key++) {
    putBool(m.hasCapacity(key));
    if (m.hasCapacity(key)) putU(m.capacity(key));
  }
  putU(m.timeUs);
  putU(m.seq);
}

function dumpDeath(): void {
  putText(death.board, death.boardLen);
  putU(death.boot);
}

function dumpEnvelope(): void {
  const m = envelope;
  putText(m.board, m.boardLen);
  putU(m.boot);
  putU(m.seq);
  putU(m.nEvents);
  for (let i: u32 = 0; i < m.nEvents && i < MAX_EVENTS; i++) dumpEvent(unchecked(m.events[<i32>i]));
}

function dumpEvent(e: EventMsg): void {
  putU(e.kind);
  switch (e.kind) {
    case EV_PASSING:
      putU(e.loop);
      putU(e.transponder);
      putU(e.timeUs);
      putU(e.strength);
      putU(e.hits);
      putU(e.flags);
      break;
    case EV_SEGMENT_SPEED:
      putU(e.transponder);
      putU(e.segment);
      putU(e.entryUs);
      putU(e.exitUs);
      putU(e.speed);
      putU(e.limit);
      putBool(e.over);
      break;
    case EV_PIT_IN:
    case EV_PIT_OUT:
      putU(e.transponder);
      putU(e.timeUs);
      putU(e.loop);
      break;
    case EV_HEALTH:
      putU(e.timeUs);
      putU(e.uptimeS);
      putU(e.outboxDepth);
      dumpCounters(e);
      break;
    case EV_CONFIG_REJECTED:
      putU(e.timeUs);
      putU(e.command);
      putU(e.code);
      putText(e.reason, e.reasonLen);
      putU(e.configHash);
      break;
    case EV_CLOCK_REPLY:
      putU(e.timeUs);
      putU(e.command);
      putU(e.echoUs);
      break;
    case EV_COMMITMENT:
      putU(e.lane);
      putU(e.transponder);
      putU(e.timeUs);
      putBool(e.inside);
      put(e.marginMm);
      putBool(e.closeCall);
      dumpMargins(e);
      break;
    default:
      putU(e.box);
      putU(e.transponder);
      putU(e.timeUs);
      if (e.kind == EV_BOX_VERDICT) {
        putBool(e.inBox);
        putU(e.clause);
        put(e.marginMm);
        putBool(e.closeCall);
        putU(e.phase);
        dumpMargins(e);
      } else if (e.kind == EV_CREW_OVER_WALL) {
        putU(e.distanceMm);
        putBool(e.tooSoon);
        putU(e.crew);
      }
  }
}

/** The four tire or clause margins of a verdict or commitment: a count slot, then each. */
function dumpMargins(e: EventMsg): void {
  put(4);
  for (let k: u32 = 0; k < 4; k++) put(e.margin(k));
}

/** Counters in ascending key order (the decoder keeps wire order). */
function dumpCounters(e: EventMsg): void {
  const n = e.nCounters < MAX_COUNTERS ? e.nCounters : MAX_COUNTERS;
  putU(n);
  let prev: i64 = -1;
  for (let i: u32 = 0; i < n; i++) {
    // the smallest key above the previous one; keys are distinct
    let best: i64 = -1;
    let bestAt: u32 = 0;
    for (let j: u32 = 0; j < n; j++) {
      const k = <i64>load<u32>(e.counterKeys + <usize>j * 4);
      if (k > prev && (best < 0 || k < best)) {
        best = k;
        bestAt = j;
      }
    }
    if (best < 0) return;
    put(best);
    putU(load<u32>(e.counterValues + <usize>bestAt * 4));
    prev = best;
  }
}

function dumpCommand(): void {
  const m = command;
  putText(m.board, m.boardLen);
  putU(m.id);
  putU(m.bodyKind);
  if (m.bodyKind == CMD_CONFIG) {
    putU(m.configKind);
    if (m.configKind == BOARD_LOOP) dumpLoopConfig(m.loop);
    else dumpBoxConfig(m.box);
  } else if (m.bodyKind == CMD_RESEND) {
    putU(m.fromSeq);
  } else if (m.bodyKind == CMD_TIME_CHECK) {
    putU(m.sentUs);
  }
}

function dumpLoopConfig(c: LoopConfigMsg): void {
  putU(c.nLoops);
  for (let i: u32 = 0; i < c.nLoops && i < MAX_LOOPS; i++) {
    const d = unchecked(c.loops[<i32>i]);
    putU(d.id);
    putU(d.role);
    putU(d.distanceMm);
  }
  putU(c.quietGapUs);
  putU(c.minHits);
  putBool(c.hasPitRoad);
  if (c.hasPitRoad) {
    putU(c.pitLimit);
    putU(c.pitTolerance);
  }
}

function dumpBoxConfig(c: BoxConfigMsg): void {
  putU(c.nBoxes);
  for (let i: u32 = 0; i < c.nBoxes && i < MAX_BOXES; i++) {
    const b = unchecked(c.boxes[<i32>i]);
    putU(b.number);
    putU(b.lengthMm);
    putU(b.widthMm);
    putU(b.lineMm);
    putBool(b.outsideLeft);
  }
  putU(c.trackMm);
  putU(c.wheelbaseMm);
  putU(c.tireWidthMm);
  putU(c.patchMm);
  putU(c.frontOverhangMm);
  putU(c.rearOverhangMm);
  putU(c.bodyWidthMm);
  putU(c.uncertaintyMm);
  putU(c.sampleUs);
  putBool(c.nLanes > 0);
  if (c.nLanes > 0) {
    putU(c.nLanes);
    for (let i: u32 = 0; i < c.nLanes && i < MAX_LANES; i++) {
      const l = unchecked(c.lanes[<i32>i]);
      putU(l.id);
      putU(l.widthMm);
      putU(l.lineMm);
      putU(l.uncertaintyMm);
    }
  }
}

function dumpControlState(): void {
  putU(control.timeUs);
  putU(control.flag);
  putBool(control.pitOpen);
}

// ------------------------------------------------------------------ slots → encode

let nIn: u32 = 0;
let at: u32 = 0;
let poolIn: u32 = 0;
let loadErr: i32 = 0;

function loadFail(code: i32): void {
  if (loadErr == 0) loadErr = code;
}

function get(): i64 {
  if (loadErr != 0) return 0;
  if (at >= nIn) {
    loadFail(ERR_MISSING_FIELD);
    return 0;
  }
  const v = load<i64>(SLOTS + <usize>at * 8);
  at++;
  return v;
}

function getU(max: u64): u64 {
  const v = get();
  if (v < 0 || <u64>v > max) {
    loadFail(ERR_OUT_OF_RANGE);
    return 0;
  }
  return <u64>v;
}

function getU32(max: u64): u32 {
  return <u32>getU(max);
}

function getEnum(lo: u32, hi: u32): u32 {
  const v = getU32(hi);
  if (v < lo) loadFail(ERR_OUT_OF_RANGE);
  return v;
}

function getInt(min: i64, max: i64): i64 {
  const v = get();
  if (v < min || v > max) {
    loadFail(ERR_OUT_OF_RANGE);
    return 0;
  }
  return v;
}

function getBool(): bool {
  return getU(1) == 1;
}

function getCount(min: u32, max: u32): u32 {
  const v = get();
  if (v < <i64>min || v > <i64>max) {
    loadFail(ERR_BAD_COUNT);
    return 0;
  }
  return <u32>v;
}

/** A text slot: its length, its bytes from the pool into dst. */
function getText(dst: usize, min: u32, max: u32): u32 {
  const n = getU32(max);
  if (loadErr != 0) return 0;
  if (n < min || n > POOL_CAP - poolIn) {
    loadFail(ERR_OUT_OF_RANGE);
    return 0;
  }
  const src = POOL + <usize>poolIn;
  if (!validUtf8(src, n)) {
    loadFail(ERR_INVALID_UTF8);
    return 0;
  }
  memory.copy(dst, src, n);
  poolIn += n;
  return n;
}

function getBoardId(dst: usize): u32 {
  const n = getText(dst, 1, BOARD_ID_CAP);
  if (loadErr == 0 && !validBoardId(dst, n)) loadFail(ERR_OUT_OF_RANGE);
  return n;
}

export function encode(type: i32, nSlots: i32): i32 {
  if (nSlots < 0 || <u32>nSlots > SLOTS_CAP) return -ERR_BAD_COUNT;
  nIn = <u32>nSlots;
  at = 0;
  poolIn = 0;
  loadErr = 0;
  if (type == T_BIRTH) loadBirth();
  else if (type == T_DEATH) loadDeath();
  else if (type == T_ENVELOPE) loadEnvelope();
  else if (type == T_COMMAND) loadCommand();
  else if (type == T_CONTROL_STATE) loadControlState();
  else return -ERR_UNKNOWN_KIND;
  if (loadErr != 0) return -loadErr;
  if (at != nIn) return -ERR_TRAILING_BYTES; // slots left over: not this type's layout

  writer.reset(OUT, MAX_MESSAGE);
  if (type == T_BIRTH) encodeBirth(writer, birth);
  else if (type == T_DEATH) encodeDeath(writer, death.board, death.boardLen, death.boot);
  else if (type == T_ENVELOPE) encodeEnvelope(writer, envelope);
  else if (type == T_COMMAND) encodeCommand(writer, command);
  else encodeControlState(writer, control);
  if (writer.overflow) return -ERR_TOO_LARGE;
  return <i32>writer.pos;
}

function loadBirth(): void {
  const m = birth;
  m.boardLen = getBoardId(m.board);
  m.boot = getU32(U32_MAX);
  m.kind = getEnum(0, 1);
  m.firmwareLen = getText(m.firmware, 1, FIRMWARE_CAP);
  m.configHash = getU32(U32_MAX);
  m.clearCapacities();
  for (let key: u32 = 1; key <= 6; key++) {
    if (getBool()) m.setCapacity(key, <u16>getU(U16_MAX));
  }
  m.timeUs = getU(TIME_MAX);
  m.seq = getU32(U32_MAX);
}

function loadDeath(): void {
  death.boardLen = getBoardId(death.board);
  death.boot = getU32(U32_MAX);
}

function loadEnvelope(): void {
  const m = envelope;
  m.boardLen = getBoardId(m.board);
  m.boot = getU32(U32_MAX);
  m.seq = getU32(U32_MAX);
  const n = getCount(1, MAX_EVENTS);
  for (let i: u32 = 0; i < n && loadErr == 0; i++) loadEvent(unchecked(m.events[<i32>i]));
  m.nEvents = n;
}

function loadEvent(e: EventMsg): void {
  const kind = getU32(U32_MAX);
  if (loadErr != 0) return;
  if (kind < 1 || kind > EV_LAST) {
    loadFail(ERR_UNKNOWN_KIND);
    return;
  }
  e.kind = kind;
  switch (kind) {
    case EV_PASSING:
      e.loop = getU32(U8_MAX);
      e.transponder = getU32(U32_MAX);
      e.timeUs = getU(TIME_MAX);
      e.strength = getU32(U8_MAX);
      e.hits = getU32(U16_MAX);
      e.flags = getU32(15);
      break;
    case EV_SEGMENT_SPEED:
      e.transponder = getU32(U32_MAX);
      e.segment = getU32(U8_MAX);
      e.entryUs = getU(TIME_MAX);
      e.exitUs = getU(TIME_MAX);
      e.speed = getU32(U16_MAX);
      e.limit = getU32(U16_MAX);
      e.over = getBool();
      break;
    case EV_PIT_IN:
    case EV_PIT_OUT:
      e.transponder = getU32(U32_MAX);
      e.timeUs = getU(TIME_MAX);
      e.loop = getU32(U8_MAX);
      break;
    case EV_HEALTH:
      e.timeUs = getU(TIME_MAX);
      e.uptimeS = getU32(U32_MAX);
      e.outboxDepth = getU32(U16_MAX);
      loadCounters(e);
      break;
    case EV_CONFIG_REJECTED:
      e.timeUs = getU(TIME_MAX);
      e.command = getU32(U32_MAX);
      e.code = getEnum(1, 5);
      e.reasonLen = getText(e.reason, 0, REASON_CAP);
      e.configHash = getU32(U32_MAX);
      break;
    case EV_CLOCK_REPLY:
      e.timeUs = getU(TIME_MAX);
      e.command = getU32(U32_MAX);
      e.echoUs = getU(TIME_MAX);
      break;
    case EV_COMMITMENT:
      e.lane = getU32(U8_MAX);
      e.transponder = getU32(U32_MAX);
      e.timeUs = getU(TIME_MAX);
      e.inside = getBool();
      e.marginMm = <i32>getInt(i32.MIN_VALUE, i32.MAX_VALUE);
      e.closeCall = getBool();
      loadMargins(e);
      break;
    default:
      e.box = getU32(U16_MAX);
      e.transponder = getU32(U32_MAX);
      e.timeUs = getU(TIME_MAX);
      if (kind == EV_BOX_VERDICT) {
        e.inBox = getBool();
        e.clause = getEnum(1, 4);
        e.marginMm = <i32>getInt(i32.MIN_VALUE, i32.MAX_VALUE);
        e.closeCall = getBool();
        e.phase = getEnum(0, 1);
        loadMargins(e);
      } else if (kind == EV_CREW_OVER_WALL) {
        e.distanceMm = getU32(U32_MAX);
        e.tooSoon = getBool();
        e.crew = getU32(U8_MAX);
      }
  }
}

function loadMargins(e: EventMsg): void {
  getCount(4, 4);
  for (let k: u32 = 0; k < 4; k++) store<i32>(e.margins + <usize>k * 4, <i32>getInt(i32.MIN_VALUE, i32.MAX_VALUE));
}

/** Counter pairs, kept sorted by key (the wire order); a repeated key is refused. */
function loadCounters(e: EventMsg): void {
  const n = getCount(0, MAX_COUNTERS);
  e.nCounters = 0;
  for (let i: u32 = 0; i < n && loadErr == 0; i++) {
    const key = getU32(U32_MAX);
    const v = getU32(U32_MAX);
    if (loadErr != 0) return;
    // insertion into the sorted prefix [0, i)
    let j = i;
    while (j > 0 && load<u32>(e.counterKeys + <usize>(j - 1) * 4) > key) {
      store<u32>(e.counterKeys + <usize>j * 4, load<u32>(e.counterKeys + <usize>(j - 1) * 4));
      store<u32>(e.counterValues + <usize>j * 4, load<u32>(e.counterValues + <usize>(j - 1) * 4));
      j--;
    }
    if (j > 0 && load<u32>(e.counterKeys + <usize>(j - 1) * 4) == key) {
      loadFail(ERR_DUPLICATE_KEY);
      return;
    }
    store<u32>(e.counterKeys + <usize>j * 4, key);
    store<u32>(e.counterValues + <usize>j * 4, v);
    e.nCounters = i + 1;
  }
}

function loadCommand(): void {
  const m = command;
  m.boardLen = getBoardId(m.board);
  m.id = getU32(U32_MAX);
  const kind = getU32(U32_MAX);
  if (loadErr != 0) return;
  if (kind < 1 || kind > 4) {
    loadFail(ERR_UNKNOWN_KIND);
    return;
  }
  m.bodyKind = kind;
  if (kind == CMD_CONFIG) {
    const ck = getU32(U32_MAX);
    if (loadErr != 0) return;
    if (ck > 1) {
      loadFail(ERR_UNKNOWN_KIND);
      return;
    }
    m.configKind = ck;
    if (ck == BOARD_LOOP) loadLoopConfig(m.loop);
    else loadBoxConfig(m.box);
  } else if (kind == CMD_RESEND) {
    m.fromSeq = getU32(U32_MAX);
  } else if (kind == CMD_TIME_CHECK) {
    m.sentUs = getU(TIME_MAX);
  } else if (kind != CMD_REBOOT) {
    loadFail(ERR_UNKNOWN_KIND);
  }
}

function loadLoopConfig(c: LoopConfigMsg): void {
  const n = getCount(1, MAX_LOOPS);
  for (let i: u32 = 0; i < n && loadErr == 0; i++) {
    const d = unchecked(c.loops[<i32>i]);
    d.id = getU32(U8_MAX);
    d.role = getEnum(0, 6);
    d.distanceMm = getU32(U32_MAX);
  }
  c.nLoops = n;
  c.quietGapUs = getU32(U32_MAX);
  c.minHits = getU32(U16_MAX);
  c.hasPitRoad = getBool();
  if (c.hasPitRoad) {
    c.pitLimit = getU32(U16_MAX);
    c.pitTolerance = getU32(U16_MAX);
  }
}

function loadBoxConfig(c: BoxConfigMsg): void {
  const n = getCount(1, MAX_BOXES);
  for (let i: u32 = 0; i < n && loadErr == 0; i++) {
    const b = unchecked(c.boxes[<i32>i]);
    b.number = getU32(U16_MAX);
    b.lengthMm = getU32(U32_MAX);
    b.widthMm = getU32(U32_MAX);
    b.lineMm = getU32(U16_MAX);
    b.outsideLeft = getBool();
  }
  c.nBoxes = n;
  c.trackMm = getU32(U16_MAX);
  c.wheelbaseMm = getU32(U16_MAX);
  c.tireWidthMm = getU32(U16_MAX);
  c.patchMm = getU32(U16_MAX);
  c.frontOverhangMm = getU32(U16_MAX);
  c.rearOverhangMm = getU32(U16_MAX);
  c.bodyWidthMm = getU32(U16_MAX);
  c.uncertaintyMm = getU32(U16_MAX);
  c.sampleUs = getU32(U32_MAX);
  c.nLanes = 0;
  if (getBool()) {
    const nl = getCount(1, MAX_LANES);
    for (let i: u32 = 0; i < nl && loadErr == 0; i++) {
      const l = unchecked(c.lanes[<i32>i]);
      l.id = getU32(U8_MAX);
      l.widthMm = getU32(U32_MAX);
      l.lineMm = getU32(U16_MAX);
      l.uncertaintyMm = getU32(U16_MAX);
    }
    c.nLanes = nl;
  }
}

function loadControlState(): void {
  control.timeUs = getU(TIME_MAX);
  control.flag = getEnum(0, 6);
  control.pitOpen = getBool();
}

// ------------------------------------------------------------------ selftest

const ST_BUF = memory.data(64);
const ST_COUNTERS = memory.data(32); // u32 per counter key 0..7, entry 0 unused

// A loop-config command (test/firmware/codec.test.ts, sample command-loop-config);
// its config item is bytes 18..47, FNV-1a 0xc491f351 (protocol/config-hash.ts).
const ST_COMMAND: StaticArray<u8> = [
  0xa4, 0x00, 0x01, 0x01, 0x67, 0x6c, 0x6f, 0x6f, 0x70, 0x2d, 0x73, 0x66, 0x02, 0x18, 0x29, 0x03, 0x82, 0x01, 0xa5, 0x00,
  0x00, 0x01, 0x82, 0x83, 0x01, 0x00, 0x00, 0x83, 0x02, 0x03, 0x1a, 0x00, 0x12, 0x4f, 0x80, 0x02, 0x19, 0x4e, 0x20, 0x03,
  0x03, 0x04, 0x82, 0x19, 0x15, 0x7c, 0x18, 0x64,
];
const ST_HASH: u32 = 0xc491f351;
const ST_FOOBAR: StaticArray<u8> = [0x66, 0x6f, 0x6f, 0x62, 0x61, 0x72];

let stFailures: i32 = 0;

function stCheck(ok: bool): void {
  if (!ok) stFailures++;
}

/** The writer's bytes so far, as one number per byte compared with `hex` (up to 8 bytes). */
function stWrote(w: Writer, n: u32, expect: u64): bool {
  if (w.overflow || w.pos != n) return false;
  let got: u64 = 0;
  for (let i: u32 = 0; i < n; i++) got = (got << 8) | <u64>load<u8>(ST_BUF + <usize>i);
  return got == expect;
}

/**
 * Checks what the differential tests cannot see through the slots: the config hash
 * and its byte range, the writer's overflow rule and head widths, the health
 * encoder's zero-skipping. Returns the number of failed checks.
 */
export function selftest(): i32 {
  stFailures = 0;
  // FNV-1a 32 reference values
  stCheck(fnv1a32(ST_BUF, 0) == 0x811c9dc5);
  store<u8>(ST_BUF, 0x61);
  stCheck(fnv1a32(ST_BUF, 1) == 0xe40c292c);
  stCheck(fnv1a32(changetype<usize>(ST_FOOBAR), 6) == 0xbf9cf968);

  // the config item's byte range, hashed as a board does
  const len = <u32>ST_COMMAND.length;
  memory.copy(IN, changetype<usize>(ST_COMMAND), len);
  reader.reset(IN, len);
  stCheck(decodeCommand(reader, command) == 0);
  stCheck(command.bodyKind == CMD_CONFIG && command.configOffset == 18 && command.configLen == 30);
  stCheck(fnv1a32(IN + <usize>command.configOffset, command.configLen) == ST_HASH);

  // heads: shortest form at every width boundary
  const w = writer;
  w.reset(ST_BUF, 64);
  w.uint(23);
  stCheck(stWrote(w, 1, 0x17));
  w.reset(ST_BUF, 64);
  w.uint(24);
  stCheck(stWrote(w, 2, 0x1818));
  w.reset(ST_BUF, 64);
  w.uint(256);
  stCheck(stWrote(w, 3, 0x190100));
  w.reset(ST_BUF, 64);
  w.uint(65536);
  stCheck(stWrote(w, 5, 0x1a00010000));
  w.reset(ST_BUF, 64);
  w.uint(0x100000000);
  stCheck(w.pos == 9 && load<u8>(ST_BUF) == 0x1b && load<u8>(ST_BUF + 4) == 1);
  w.reset(ST_BUF, 64);
  w.int(-1);
  stCheck(stWrote(w, 1, 0x20));
  w.reset(ST_BUF, 64);
  w.int(-25);
  stCheck(stWrote(w, 2, 0x3818));
  w.reset(ST_BUF, 64);
  w.int(i64.MIN_VALUE);
  stCheck(w.pos == 9 && load<u8>(ST_BUF) == 0x3b && load<u8>(ST_BUF + 1) == 0x7f && load<u8>(ST_BUF + 8) == 0xff);

  // overflow: the write that does not fit writes nothing, and nothing after it is written
  w.reset(ST_BUF, 3);
  store<u8>(ST_BUF + 2, 0xaa);
  w.uint(1);
  w.uint(0x10000);
  stCheck(w.overflow && w.pos == 1 && load<u8>(ST_BUF + 2) == 0xaa);
  w.uint(2);
  stCheck(w.pos == 1);

  // health from a counter table indexed by key: zero counts are left out
  memory.fill(ST_COUNTERS, 0, 32);
  store<u32>(ST_COUNTERS + 2 * 4, 5);
  store<u32>(ST_COUNTERS + 7 * 4, 1);
  w.reset(ST_BUF, 64);
  encodeHealth(w, 1, 2, 3, ST_COUNTERS, 7);
  // [13, 1, 2, 3, {2: 5, 7: 1}]
  stCheck(w.pos == 10 && load<u8>(ST_BUF) == 0x85 && load<u8>(ST_BUF + 5) == 0xa2 && load<u8>(ST_BUF + 6) == 0x02 && load<u8>(ST_BUF + 9) == 0x01);
  return stFailures;
}

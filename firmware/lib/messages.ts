// The pitwall messages (protocol/pitwall.cddl) for the boards: encoders that write
// straight from scalars or static structs, and decoders into static structs.
//
// Structs are allocated once, when the caller creates them at module start; their
// text fields are fixed buffers (pointer + byte length). Nothing here allocates.
// Decoding follows the rules in firmware/CODEC.md, the same as the gateway's codec:
// every decoder first checks the whole input (Reader.wellFormed), then walks it and
// returns 0 or the first DECODE_ERRORS code (position in Reader.errOffset).

import {
  Reader,
  Writer,
  MAX_DEPTH,
  ERR_WRONG_TYPE,
  ERR_MISSING_FIELD,
  ERR_OUT_OF_RANGE,
  ERR_BAD_COUNT,
  ERR_UNKNOWN_KIND,
  ERR_UNSUPPORTED_VERSION,
  ERR_DUPLICATE_KEY,
  validBoardId,
} from './cbor';

export const PROTOCOL_VERSION: u32 = 1;

export const U8_MAX: u64 = 0xff;
export const U16_MAX: u64 = 0xffff;
export const U32_MAX: u64 = 0xffffffff;
/** Largest time in µs (2^53 - 1, exact in a JS number). */
export const TIME_MAX: u64 = 9007199254740991;
const ANY: u64 = u64.MAX_VALUE;
const MM_MIN: i64 = -2147483648;
const MM_MAX: i64 = 2147483647;

export const BOARD_ID_CAP: u32 = 32;
export const FIRMWARE_CAP: u32 = 16;
export const REASON_CAP: u32 = 64;
export const MAX_EVENTS: u32 = 64;
export const MAX_COUNTERS: u32 = 32;
export const MAX_LOOPS: u32 = 16;
export const MAX_BOXES: u32 = 4;
/** Commitment lanes per box board (config key 5, protocol/schema.ts MAX_COMMITMENT_LANES). */
export const MAX_LANES: u32 = 2;

// Board kinds (birth key 3, config key 0).
export const BOARD_LOOP: u32 = 0;
export const BOARD_BOX: u32 = 1;

// Event kinds: the first element of every event.
export const EV_PASSING: u32 = 1;
export const EV_SEGMENT_SPEED: u32 = 2;
export const EV_PIT_IN: u32 = 3;
export const EV_PIT_OUT: u32 = 4;
export const EV_BOX_ARRIVAL: u32 = 5;
export const EV_BOX_STOP: u32 = 6;
export const EV_BOX_VERDICT: u32 = 7;
export const EV_SERVICE_START: u32 = 8;
export const EV_SERVICE_END: u32 = 9;
export const EV_CREW_OVER_WALL: u32 = 10;
export const EV_BOX_DEPARTURE: u32 = 11;
export const EV_BOX_TRANSIT: u32 = 12;
export const EV_HEALTH: u32 = 13;
export const EV_CONFIG_REJECTED: u32 = 14;
export const EV_CLOCK_REPLY: u32 = 15;
export const EV_COMMITMENT: u32 = 16;
/** The largest event kind this version knows. */
export const EV_LAST: u32 = EV_COMMITMENT;

// Command bodies: the first element of a command's key 3.
export const CMD_CONFIG: u32 = 1;
export const CMD_RESEND: u32 = 2;
export const CMD_TIME_CHECK: u32 = 3;
export const CMD_REBOOT: u32 = 4;

// Capacity keys of a birth.
export const CAP_OUTBOX: u32 = 1;
export const CAP_LOOPS: u32 = 2;
export const CAP_TRANSPONDERS: u32 = 3;
export const CAP_BOXES: u32 = 4;
export const CAP_INPUT_BATCH: u32 = 5;
export const CAP_MAX_MESSAGE: u32 = 6;

export { validBoardId };

// ------------------------------------------------------------------ structs

function copyAscii(dst: usize, cap: u32, s: string): u32 {
  let n = <u32>s.length;
  if (n > cap) n = cap;
  for (let i: u32 = 0; i < n; i++) store<u8>(dst + <usize>i, <u8>s.charCodeAt(<i32>i));
  return n;
}

function copyBytes(dst: usize, cap: u32, src: usize, len: u32): u32 {
  const n = len < cap ? len : cap;
  memory.copy(dst, src, n);
  return n;
}

function bytesEqual(a: usize, aLen: u32, b: usize, bLen: u32): bool {
  if (aLen != bLen) return false;
  return memory.compare(a, b, aLen) == 0;
}

export class BirthMsg {
  /** Board id: 32-byte buffer, `boardLen` bytes used. */
  board: usize = heap.alloc(BOARD_ID_CAP);
  boardLen: u32 = 0;
  boot: u32 = 0;
  kind: u32 = 0;
  /** Firmware version text: 16-byte buffer, `firmwareLen` bytes used (1..16 on the wire). */
  firmware: usize = heap.alloc(FIRMWARE_CAP);
  firmwareLen: u32 = 0;
  configHash: u32 = 0;
  /** Bit (key - 1) is set when capacity `key` (CAP_*) is present. */
  capPresent: u32 = 0;
  /** One u16 per capacity key 1..6, at (key - 1) * 2. */
  caps: usize = heap.alloc(12);
  timeUs: u64 = 0;
  seq: u32 = 0;

  boardPtr(): usize {
    return this.board;
  }

  setBoard(ptr: usize, len: u32): void {
    this.boardLen = copyBytes(this.board, BOARD_ID_CAP, ptr, len);
  }

  /** Copies an ASCII string literal (no run-time string building). */
  setFirmware(s: string): void {
    this.firmwareLen = copyAscii(this.firmware, FIRMWARE_CAP, s);
  }

  setFirmwareBytes(ptr: usize, len: u32): void {
    this.firmwareLen = copyBytes(this.firmware, FIRMWARE_CAP, ptr, len);
  }

  /** Announces capacity `key` (1..6); other keys are ignored. */
  setCapacity(key: u32, value: u16): void {
    if (key < 1 || key > 6) return;
    this.capPresent |= 1 << (key - 1);
    store<u16>(this.caps + <usize>(key - 1) * 2, value);
  }

  hasCapacity(key: u32): bool {
    return key >= 1 && key <= 6 && (this.capPresent & (1 << (key - 1))) != 0;
  }

  capacity(key: u32): u32 {
    return this.hasCapacity(key) ? <u32>load<u16>(this.caps + <usize>(key - 1) * 2) : 0;
  }

  clearCapacities(): void {
    this.capPresent = 0;
  }
}

export class DeathMsg {
  board: usize = heap.alloc(BOARD_ID_CAP);
  boardLen: u32 = 0;
  boot: u32 = 0;
}

/**
 * One decoded event: `kind` (EV_*) says which fields mean something (the names of
 * protocol/schema.ts). Only the harness and tests decode events; boards encode them
 * with the scalar encoders below.
 */
export class EventMsg {
  kind: u32 = 0;
  // passing, pit-in/out
  loop: u32 = 0;
  strength: u32 = 0;
  hits: u32 = 0;
  flags: u32 = 0;
  // most events
  transponder: u32 = 0;
  timeUs: u64 = 0;
  // segment-speed
  segment: u32 = 0;
  entryUs: u64 = 0;
  exitUs: u64 = 0;
  speed: u32 = 0;
  limit: u32 = 0;
  over: bool = false;
  // box events
  box: u32 = 0;
  inBox: bool = false;
  clause: u32 = 0;
  marginMm: i32 = 0;
  closeCall: bool = false;
  phase: u32 = 0;
  /** Four i32 margins, clauses a..d. */
  margins: usize = heap.alloc(16);
  distanceMm: u32 = 0;
  tooSoon: bool = false;
  crew: u32 = 0;
  // commitment (margins above hold the four tires')
  lane: u32 = 0;
  inside: bool = false;
  // health
  uptimeS: u32 = 0;
  outboxDepth: u32 = 0;
  nCounters: u32 = 0;
  /** Counter keys and values (u32 each), in wire order. */
  counterKeys: usize = heap.alloc(MAX_COUNTERS * 4);
  counterValues: usize = heap.alloc(MAX_COUNTERS * 4);
  // config-rejected, clock-reply
  command: u32 = 0;
  code: u32 = 0;
  reason: usize = heap.alloc(REASON_CAP);
  reasonLen: u32 = 0;
  configHash: u32 = 0;
  echoUs: u64 = 0;

  margin(i: u32): i32 {
    return i < 4 ? load<i32>(this.margins + <usize>i * 4) : 0;
  }
}

export class EnvelopeMsg {
  board: usize = heap.alloc(BOARD_ID_CAP);
  boardLen: u32 = 0;
  boot: u32 = 0;
  seq: u32 = 0;
  nEvents: u32 = 0;
  events: StaticArray<EventMsg> = newEvents();
}

function newEvents(): StaticArray<EventMsg> {
  const a = new StaticArray<EventMsg>(<i32>MAX_EVENTS);
  for (let i = 0; i < <i32>MAX_EVENTS; i++) unchecked((a[i] = new EventMsg()));
  return a;
}

export class LoopDefMsg {
  id: u32 = 0;
  role: u32 = 0;
  distanceMm: u32 = 0;
}

export class LoopConfigMsg {
  nLoops: u32 = 0;
  loops: StaticArray<LoopDefMsg> = newLoopDefs();
  quietGapUs: u32 = 0;
  minHits: u32 = 0;
  hasPitRoad: bool = false;
  pitLimit: u32 = 0;
  pitTolerance: u32 = 0;
}

function newLoopDefs(): StaticArray<LoopDefMsg> {
  const a = new StaticArray<LoopDefMsg>(<i32>MAX_LOOPS);
  for (let i = 0; i < <i32>MAX_LOOPS; i++) unchecked((a[i] = new LoopDefMsg()));
  return a;
}

export class BoxDefMsg {
  number: u32 = 0;
  lengthMm: u32 = 0;
  widthMm: u32 = 0;
  lineMm: u32 = 0;
  outsideLeft: bool = false;
}

/** A commitment lane (config key 5): the painted box at a commitment line. */
export class LaneDefMsg {
  id: u32 = 0;
  widthMm: u32 = 0;
  lineMm: u32 = 0;
  uncertaintyMm: u32 = 0;
}

export class BoxConfigMsg {
  nBoxes: u32 = 0;
  boxes: StaticArray<BoxDefMsg> = newBoxDefs();
  /** Commitment lanes, 0 when key 5 is absent. */
  nLanes: u32 = 0;
  lanes: StaticArray<LaneDefMsg> = newLaneDefs();
  // vehicle geometry
  trackMm: u32 = 0;
  wheelbaseMm: u32 = 0;
  tireWidthMm: u32 = 0;
  patchMm: u32 = 0;
  frontOverhangMm: u32 = 0;
  rearOverhangMm: u32 = 0;
  bodyWidthMm: u32 = 0;
  uncertaintyMm: u32 = 0;
  sampleUs: u32 = 0;
}

function newLaneDefs(): StaticArray<LaneDefMsg> {
  const a = new StaticArray<LaneDefMsg>(<i32>MAX_LANES);
  for (let i = 0; i < <i32>MAX_LANES; i++) unchecked((a[i] = new LaneDefMsg()));
  return a;
}

function newBoxDefs(): StaticArray<BoxDefMsg> {
  const a = new StaticArray<BoxDefMsg>(<i32>MAX_BOXES);
  for (let i = 0; i < <i32>MAX_BOXES; i++) unchecked((a[i] = new BoxDefMsg()));
  return a;
}

export class CommandMsg {
  board: usize = heap.alloc(BOARD_ID_CAP);
  boardLen: u32 = 0;
  id: u32 = 0;
  /** CMD_* */
  bodyKind: u32 = 0;
  fromSeq: u32 = 0;
  sentUs: u64 = 0;
  /** For CMD_CONFIG: BOARD_LOOP (fields in `loop`) or BOARD_BOX (fields in `box`). */
  configKind: u32 = 0;
  loop: LoopConfigMsg = new LoopConfigMsg();
  box: BoxConfigMsg = new BoxConfigMsg();
  /** Where the config item (the whole board-config map) lies in the input: hash these bytes. */
  configOffset: u32 = 0;
  configLen: u32 = 0;

  boardEquals(ptr: usize, len: u32): bool {
    return bytesEqual(this.board, this.boardLen, ptr, len);
  }
}

export class ControlStateMsg {
  timeUs: u64 = 0;
  flag: u32 = 0;
  pitOpen: bool = false;
}

// ------------------------------------------------------------------ encoders
//
// Every encoder writes preferred serialization with map keys ascending, exactly the
// bytes of the TypeScript codec. Values are written as given: callers pass values
// in range (the harness checks its inputs before calling).

export function encodeBirth(w: Writer, m: BirthMsg): void {
  w.mapHead(9);
  w.uint(0);
  w.uint(PROTOCOL_VERSION);
  w.uint(1);
  w.text(m.board, m.boardLen);
  w.uint(2);
  w.uint(m.boot);
  w.uint(3);
  w.uint(m.kind);
  w.uint(4);
  w.text(m.firmware, m.firmwareLen);
  w.uint(5);
  w.uint(m.configHash);
  w.uint(6);
  w.mapHead(<u32>popcnt(m.capPresent & 0x3f));
  for (let key: u32 = 1; key <= 6; key++) {
    if (m.hasCapacity(key)) {
      w.uint(key);
      w.uint(m.capacity(key));
    }
  }
  w.uint(7);
  w.uint(m.timeUs);
  w.uint(8);
  w.uint(m.seq);
}

export function encodeDeath(w: Writer, board: usize, boardLen: u32, boot: u32): void {
  w.mapHead(3);
  w.uint(0);
  w.uint(PROTOCOL_VERSION);
  w.uint(1);
  w.text(board, boardLen);
  w.uint(2);
  w.uint(boot);
}

/**
 * The envelope up to its events: keys 0..3 and key 4 with the head of an array of
 * `nEvents` (1..64). The caller then appends exactly that many encoded events
 * (`w.raw` of bytes kept from the event encoders below).
 */
export function encodeEnvelopeHead(w: Writer, board: usize, boardLen: u32, boot: u32, seq: u32, nEvents: u32): void {
  w.mapHead(5);
  w.uint(0);
  w.uint(PROTOCOL_VERSION);
  w.uint(1);
  w.text(board, boardLen);
  w.uint(2);
  w.uint(boot);
  w.uint(3);
  w.uint(seq);
  w.uint(4);
  w.arrayHead(nEvents);
}

export function encodePassing(w: Writer, loop: u32, transponder: u32, timeUs: u64, strength: u32, hits: u32, flags: u32): void {
  w.arrayHead(7);
  w.uint(EV_PASSING);
  w.uint(loop);
  w.uint(transponder);
  w.uint(timeUs);
  w.uint(strength);
  w.uint(hits);
  w.uint(flags);
}

export function encodeSegmentSpeed(
  w: Writer,
  transponder: u32,
  segment: u32,
  entryUs: u64,
  exitUs: u64,
  speed: u32,
  limit: u32,
  over: bool,
): void {
  w.arrayHead(8);
  w.uint(EV_SEGMENT_SPEED);
  w.uint(transponder);
  w.uint(segment);
  w.uint(entryUs);
  w.uint(exitUs);
  w.uint(speed);
  w.uint(limit);
  w.bool(over);
}

/** pit-in (kind EV_PIT_IN = 3) or pit-out (EV_PIT_OUT = 4). */
export function encodePitLine(w: Writer, kind: u32, transponder: u32, timeUs: u64, loop: u32): void {
  w.arrayHead(4);
  w.uint(kind);
  w.uint(transponder);
  w.uint(timeUs);
  w.uint(loop);
}

/**
 * The box events that carry only the box head: EV_BOX_ARRIVAL, EV_BOX_STOP,
 * EV_SERVICE_START, EV_SERVICE_END, EV_BOX_DEPARTURE, EV_BOX_TRANSIT.
 */
export function encodeBoxMoment(w: Writer, kind: u32, box: u32, transponder: u32, timeUs: u64): void {
  w.arrayHead(4);
  w.uint(kind);
  w.uint(box);
  w.uint(transponder);
  w.uint(timeUs);
}

export function encodeBoxVerdict(
  w: Writer,
  box: u32,
  transponder: u32,
  timeUs: u64,
  inBox: bool,
  clause: u32,
  marginMm: i32,
  closeCall: bool,
  phase: u32,
  ma: i32,
  mb: i32,
  mc: i32,
  md: i32,
): void {
  w.arrayHead(10);
  w.uint(EV_BOX_VERDICT);
  w.uint(box);
  w.uint(transponder);
  w.uint(timeUs);
  w.bool(inBox);
  w.uint(clause);
  w.int(marginMm);
  w.bool(closeCall);
  w.uint(phase);
  w.arrayHead(4);
  w.int(ma);
  w.int(mb);
  w.int(mc);
  w.int(md);
}

export function encodeCrewOverWall(
  w: Writer,
  box: u32,
  transponder: u32,
  timeUs: u64,
  distanceMm: u32,
  tooSoon: bool,
  crew: u32,
): void {
  w.arrayHead(7);
  w.uint(EV_CREW_OVER_WALL);
  w.uint(box);
  w.uint(transponder);
  w.uint(timeUs);
  w.uint(distanceMm);
  w.bool(tooSoon);
  w.uint(crew);
}

/** A commitment line crossing (R-PIT-COMMIT-1): margins of tires 0..3, mm, > 0 inside. */
export function encodeCommitment(
  w: Writer,
  lane: u32,
  transponder: u32,
  timeUs: u64,
  inside: bool,
  marginMm: i32,
  closeCall: bool,
  m0: i32,
  m1: i32,
  m2: i32,
  m3: i32,
): void {
  w.arrayHead(8);
  w.uint(EV_COMMITMENT);
  w.uint(lane);
  w.uint(transponder);
  w.uint(timeUs);
  w.bool(inside);
  w.int(marginMm);
  w.bool(closeCall);
  w.arrayHead(4);
  w.int(m0);
  w.int(m1);
  w.int(m2);
  w.int(m3);
}

/**
 * A health event from the board's counter table: `counters` points to u32 values
 * indexed by counter key, so key k is at counters + k * 4 for k = 1..nCounters
 * (entry 0 is not read). Counters that are zero are left out of the map; the
 * gateway reads a missing counter as zero.
 */
export function encodeHealth(w: Writer, timeUs: u64, uptimeS: u32, outboxDepth: u32, counters: usize, nCounters: u32): void {
  let n: u32 = 0;
  for (let k: u32 = 1; k <= nCounters; k++) if (load<u32>(counters + <usize>k * 4) != 0) n++;
  healthHead(w, timeUs, uptimeS, outboxDepth, n);
  for (let k: u32 = 1; k <= nCounters; k++) {
    const v = load<u32>(counters + <usize>k * 4);
    if (v != 0) {
      w.uint(k);
      w.uint(v);
    }
  }
}

/**
 * A health event with an explicit counters map: `n` pairs, keys and values as u32
 * arrays; keys must be distinct and ascending (written as given, zeroes included).
 */
export function encodeHealthPairs(
  w: Writer,
  timeUs: u64,
  uptimeS: u32,
  outboxDepth: u32,
  keys: usize,
  values: usize,
  n: u32,
): void {
  healthHead(w, timeUs, uptimeS, outboxDepth, n);
  for (let i: u32 = 0; i < n; i++) {
    w.uint(load<u32>(keys + <usize>i * 4));
    w.uint(load<u32>(values + <usize>i * 4));
  }
}

function healthHead(w: Writer, timeUs: u64, uptimeS: u32, outboxDepth: u32, nCounters: u32): void {
  w.arrayHead(5);
  w.uint(EV_HEALTH);
  w.uint(timeUs);
  w.uint(uptimeS);
  w.uint(outboxDepth);
  w.mapHead(nCounters);
}

export function encodeConfigRejected(
  w: Writer,
  timeUs: u64,
  command: u32,
  code: u32,
  reasonPtr: usize,
  reasonLen: u32,
  configHash: u32,
): void {
  w.arrayHead(6);
  w.uint(EV_CONFIG_REJECTED);
  w.uint(timeUs);
  w.uint(command);
  w.uint(code);
  w.text(reasonPtr, reasonLen);
  w.uint(configHash);
}

export function encodeClockReply(w: Writer, timeUs: u64, command: u32, echoUs: u64): void {
  w.arrayHead(4);
  w.uint(EV_CLOCK_REPLY);
  w.uint(timeUs);
  w.uint(command);
  w.uint(echoUs);
}

/** Any decoded event, through the encoder of its kind. */
export function encodeEvent(w: Writer, e: EventMsg): void {
  switch (e.kind) {
    case EV_PASSING:
      encodePassing(w, e.loop, e.transponder, e.timeUs, e.strength, e.hits, e.flags);
      break;
    case EV_SEGMENT_SPEED:
      encodeSegmentSpeed(w, e.transponder, e.segment, e.entryUs, e.exitUs, e.speed, e.limit, e.over);
      break;
    case EV_PIT_IN:
    case EV_PIT_OUT:
      encodePitLine(w, e.kind, e.transponder, e.timeUs, e.loop);
      break;
    case EV_BOX_VERDICT:
      encodeBoxVerdict(
        w,
        e.box,
        e.transponder,
        e.timeUs,
        e.inBox,
        e.clause,
        e.marginMm,
        e.closeCall,
        e.phase,
        e.margin(0),
        e.margin(1),
        e.margin(2),
        e.margin(3),
      );
      break;
    case EV_CREW_OVER_WALL:
      encodeCrewOverWall(w, e.box, e.transponder, e.timeUs, e.distanceMm, e.tooSoon, e.crew);
      break;
    case EV_HEALTH:
      encodeHealthPairs(w, e.timeUs, e.uptimeS, e.outboxDepth, e.counterKeys, e.counterValues, e.nCounters);
      break;
    case EV_CONFIG_REJECTED:
      encodeConfigRejected(w, e.timeUs, e.command, e.code, e.reason, e.reasonLen, e.configHash);
      break;
    case EV_CLOCK_REPLY:
      encodeClockReply(w, e.timeUs, e.command, e.echoUs);
      break;
    case EV_COMMITMENT:
      encodeCommitment(w, e.lane, e.transponder, e.timeUs, e.inside, e.marginMm, e.closeCall, e.margin(0), e.margin(1), e.margin(2), e.margin(3));
      break;
    default:
      encodeBoxMoment(w, e.kind, e.box, e.transponder, e.timeUs);
  }
}

export function encodeEnvelope(w: Writer, m: EnvelopeMsg): void {
  const n = m.nEvents < MAX_EVENTS ? m.nEvents : MAX_EVENTS;
  encodeEnvelopeHead(w, m.board, m.boardLen, m.boot, m.seq, n);
  for (let i: u32 = 0; i < n; i++) encodeEvent(w, unchecked(m.events[<i32>i]));
}

function encodeLoopConfig(w: Writer, c: LoopConfigMsg): void {
  const n = c.nLoops < MAX_LOOPS ? c.nLoops : MAX_LOOPS;
  w.mapHead(c.hasPitRoad ? 5 : 4);
  w.uint(0);
  w.uint(BOARD_LOOP);
  w.uint(1);
  w.arrayHead(n);
  for (let i: u32 = 0; i < n; i++) {
    const d = unchecked(c.loops[<i32>i]);
    w.arrayHead(3);
    w.uint(d.id);
    w.uint(d.role);
    w.uint(d.distanceMm);
  }
  w.uint(2);
  w.uint(c.quietGapUs);
  w.uint(3);
  w.uint(c.minHits);
  if (c.hasPitRoad) {
    w.uint(4);
    w.arrayHead(2);
    w.uint(c.pitLimit);
    w.uint(c.pitTolerance);
  }
}

function encodeBoxConfig(w: Writer, c: BoxConfigMsg): void {
  const n = c.nBoxes < MAX_BOXES ? c.nBoxes : MAX_BOXES;
  const nLanes = c.nLanes < MAX_LANES ? c.nLanes : MAX_LANES;
  w.mapHead(nLanes > 0 ? 6 : 5);
  w.uint(0);
  w.uint(BOARD_BOX);
  w.uint(1);
  w.arrayHead(n);
  for (let i: u32 = 0; i < n; i++) {
    const b = unchecked(c.boxes[<i32>i]);
    w.arrayHead(5);
    w.uint(b.number);
    w.uint(b.lengthMm);
    w.uint(b.widthMm);
    w.uint(b.lineMm);
    w.bool(b.outsideLeft);
  }
  w.uint(2);
  w.arrayHead(7);
  w.uint(c.trackMm);
  w.uint(c.wheelbaseMm);
  w.uint(c.tireWidthMm);
  w.uint(c.patchMm);
  w.uint(c.frontOverhangMm);
  w.uint(c.rearOverhangMm);
  w.uint(c.bodyWidthMm);
  w.uint(3);
  w.uint(c.uncertaintyMm);
  w.uint(4);
  w.uint(c.sampleUs);
  if (nLanes > 0) {
    w.uint(5);
    w.arrayHead(nLanes);
    for (let i: u32 = 0; i < nLanes; i++) {
      const l = unchecked(c.lanes[<i32>i]);
      w.arrayHead(4);
      w.uint(l.id);
      w.uint(l.widthMm);
      w.uint(l.lineMm);
      w.uint(l.uncertaintyMm);
    }
  }
}

export function encodeCommand(w: Writer, m: CommandMsg): void {
  w.mapHead(4);
  w.uint(0);
  w.uint(PROTOCOL_VERSION);
  w.uint(1);
  w.text(m.board, m.boardLen);
  w.uint(2);
  w.uint(m.id);
  w.uint(3);
  if (m.bodyKind == CMD_CONFIG) {
    w.arrayHead(2);
    w.uint(CMD_CONFIG);
    if (m.configKind == BOARD_LOOP) encodeLoopConfig(w, m.loop);
    else encodeBoxConfig(w, m.box);
  } else if (m.bodyKind == CMD_RESEND) {
    w.arrayHead(2);
    w.uint(CMD_RESEND);
    w.uint(m.fromSeq);
  } else if (m.bodyKind == CMD_TIME_CHECK) {
    w.arrayHead(2);
    w.uint(CMD_TIME_CHECK);
    w.uint(m.sentUs);
  } else {
    w.arrayHead(1);
    w.uint(CMD_REBOOT);
  }
}

export function encodeControlState(w: Writer, m: ControlStateMsg): void {
  w.mapHead(4);
  w.uint(0);
  w.uint(PROTOCOL_VERSION);
  w.uint(1);
  w.uint(m.timeUs);
  w.uint(2);
  w.uint(m.flag);
  w.uint(3);
  w.bool(m.pitOpen);
}

// ------------------------------------------------------------------ decoding helpers
//
// The walk is top-down, in the order the gateway's codec checks things, so that both
// refuse the same input for the same reason at the same offset:
// - a map the schema knows: the map itself (wrong-type), then every key is a uint
//   (wrong-type at the first that is not), then no key repeats (duplicate-key at the
//   first repeat), then its fields in ascending key order, each checked completely
//   before the next (missing-field at the map for a required key that is absent);
// - an array with positional fields: the array, then its kind code for a variant
//   (wrong-type, unknown-kind at the code), then enough elements for every known
//   field (missing-field at the array), then the fields in order.

const NONE: u32 = u32.MAX_VALUE;

/** Bit of a map key < 64 in a seen-set (larger keys are checked by re-reading). */
function keyBit(key: u64): u64 {
  return key < 64 ? <u64>1 << key : 0;
}

// Set by openMap: where the map's first entry starts and where the map ends.
let mapFirst: u32 = 0;
let mapEnd: u32 = 0;

// Scratch for finding repeated keys among large ones: the keys of one map, sorted,
// and a bit per sorted slot. 2048 entries cover any map in a 4096-byte message.
const KEYS_CAP: u32 = 2048;
const KEYS = memory.data(<i32>KEYS_CAP * 8, 8);
const KEYS_SEEN = memory.data(<i32>KEYS_CAP / 8);

/**
 * Checks that the item at r.pos is a map whose keys are distinct uints; returns its
 * entry count with `mapFirst`/`mapEnd` set (read them before the next openMap).
 */
function openMap(r: Reader): u32 {
  const n = r.readMapHead();
  if (r.error != 0) return 0;
  const first = r.pos;
  let small = true;
  for (let i: u32 = 0; i < n; i++) {
    if (!r.atUint()) {
      r.fail(ERR_WRONG_TYPE, r.pos);
      return 0;
    }
    if (r.readUint(ANY) >= 64) small = false;
    r.skip();
  }
  const end = r.pos;
  const dupAt = small ? firstRepeatSmall(r, first, n) : firstRepeat(r, first, n);
  if (dupAt != NONE) {
    r.fail(ERR_DUPLICATE_KEY, dupAt);
    return 0;
  }
  if (r.error != 0) return 0;
  mapFirst = first;
  mapEnd = end;
  r.pos = first;
  return n;
}

/** Offset of the first key (in wire order) equal to an earlier one, all keys < 64. */
function firstRepeatSmall(r: Reader, first: u32, n: u32): u32 {
  r.pos = first;
  let seen: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const at = r.pos;
    const bit = keyBit(r.readUint(ANY));
    if ((seen & bit) != 0) return at;
    seen |= bit;
    r.skip();
  }
  return NONE;
}

/**
 * The same for any keys, in O(n log n): sort a copy of the keys, and only when two
 * are equal walk the map again marking each key's sorted run as seen.
 */
function firstRepeat(r: Reader, first: u32, n: u32): u32 {
  if (n > KEYS_CAP) return firstRepeatSlow(r, first, n);
  r.pos = first;
  for (let i: u32 = 0; i < n; i++) {
    store<u64>(KEYS + <usize>i * 8, r.readUint(ANY));
    r.skip();
  }
  sortKeys(n);
  let any = false;
  for (let i: u32 = 1; i < n && !any; i++) any = load<u64>(KEYS + <usize>i * 8) == load<u64>(KEYS + <usize>(i - 1) * 8);
  if (!any) return NONE;
  memory.fill(KEYS_SEEN, 0, (n + 7) >> 3);
  r.pos = first;
  for (let i: u32 = 0; i < n; i++) {
    const at = r.pos;
    const slot = lowerBound(n, r.readUint(ANY));
    const byte = KEYS_SEEN + <usize>(slot >> 3);
    const bit: u32 = 1 << (slot & 7);
    const seen = <u32>load<u8>(byte);
    if ((seen & bit) != 0) return at;
    store<u8>(byte, <u8>(seen | bit));
    r.skip();
  }
  return NONE;
}

/** Pairwise comparison, for maps longer than the scratch (only with a raised reader limit). */
function firstRepeatSlow(r: Reader, first: u32, n: u32): u32 {
  r.pos = first;
  for (let i: u32 = 0; i < n; i++) {
    const at = r.pos;
    const key = r.readUint(ANY);
    const next = r.pos;
    r.pos = first;
    for (let j: u32 = 0; j < i; j++) {
      if (r.readUint(ANY) == key) return at;
      r.skip();
    }
    r.pos = next;
    r.skip();
  }
  return NONE;
}

/** Heapsort of KEYS[0, n): no recursion, no allocation. */
function sortKeys(n: u32): void {
  if (n < 2) return;
  for (let i = n >> 1; i > 0; i--) siftDown(i - 1, n);
  for (let end = n - 1; end > 0; end--) {
    const a = KEYS + <usize>end * 8;
    const t = load<u64>(KEYS);
    store<u64>(KEYS, load<u64>(a));
    store<u64>(a, t);
    siftDown(0, end);
  }
}

function siftDown(root: u32, n: u32): void {
  for (;;) {
    let child = root * 2 + 1;
    if (child >= n) return;
    if (child + 1 < n && load<u64>(KEYS + <usize>(child + 1) * 8) > load<u64>(KEYS + <usize>child * 8)) child++;
    const pr = KEYS + <usize>root * 8;
    const pc = KEYS + <usize>child * 8;
    const vr = load<u64>(pr);
    const vc = load<u64>(pc);
    if (vr >= vc) return;
    store<u64>(pr, vc);
    store<u64>(pc, vr);
    root = child;
  }
}

/** First slot of the sorted KEYS[0, n) holding `key` (it is there). */
function lowerBound(n: u32, key: u64): u32 {
  let lo: u32 = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (load<u64>(KEYS + <usize>mid * 8) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Offset of the value of `key` in an opened map, or NONE. */
function findKey(r: Reader, first: u32, n: u32, key: u64): u32 {
  r.pos = first;
  for (let i: u32 = 0; i < n; i++) {
    const k = r.readUint(ANY);
    if (r.error != 0) return NONE;
    if (k == key) return r.pos;
    r.skip();
  }
  return NONE;
}

/**
 * Moves to the value of a required key of an opened map; missing-field (at the map,
 * `mapAt`) when it is absent. False when there is nothing to read.
 */
function field(r: Reader, mapAt: u32, first: u32, n: u32, key: u64): bool {
  if (r.error != 0) return false;
  const at = findKey(r, first, n, key);
  if (at == NONE) {
    r.fail(ERR_MISSING_FIELD, mapAt);
    return false;
  }
  r.pos = at;
  return true;
}

/** Like field, for an optional key: false without an error when it is absent. */
function optField(r: Reader, first: u32, n: u32, key: u64): bool {
  if (r.error != 0) return false;
  const at = findKey(r, first, n, key);
  if (at == NONE) return false;
  r.pos = at;
  return true;
}

/**
 * The top-level map of a message after the first pass, with its version (key 0:
 * missing-field, wrong-type, unsupported-version). Returns the entry count, with
 * `mapFirst`/`mapEnd` set.
 */
function openMessage(r: Reader): u32 {
  if (r.wellFormed(MAX_DEPTH) != 0) return 0;
  const n = openMap(r);
  if (r.error != 0) return 0;
  const first = mapFirst;
  if (!field(r, 0, first, n, 0)) return 0;
  const at = r.pos;
  const v = r.readUint(ANY);
  if (r.error == 0 && v != <u64>PROTOCOL_VERSION) r.fail(ERR_UNSUPPORTED_VERSION, at);
  mapFirst = first;
  return n;
}

/** A board id into dst (32 bytes); returns its length. */
function readBoardId(r: Reader, dst: usize): u32 {
  const at = r.pos;
  const n = r.readText(dst, BOARD_ID_CAP, 1, BOARD_ID_CAP);
  if (r.error == 0 && !validBoardId(dst, n)) r.fail(ERR_OUT_OF_RANGE, at);
  return n;
}

/** An enum coded as a uint in [lo, hi] (out-of-range outside). */
function readEnum(r: Reader, lo: u32, hi: u32): u32 {
  const at = r.pos;
  const v = r.readUint(hi);
  if (r.error == 0 && v < <u64>lo) r.fail(ERR_OUT_OF_RANGE, at);
  return <u32>v;
}

/**
 * Head of an array of positional fields: at least `nFields` elements (missing-field
 * at the array). Returns the number of elements past them, to skip afterwards.
 */
function openTuple(r: Reader, nFields: u32): u32 {
  const at = r.pos;
  const n = r.readArrayHead();
  if (r.error != 0) return 0;
  if (n < nFields) {
    r.fail(ERR_MISSING_FIELD, at);
    return 0;
  }
  return n - nFields;
}

/** Skips the elements of an array past the ones this version knows. */
function skipItems(r: Reader, n: u32): void {
  for (let i: u32 = 0; i < n && r.error == 0; i++) r.skip();
}

/** Head of a list of min..max items (wrong-type, bad-count). */
function readListHead(r: Reader, min: u32, max: u32): u32 {
  const at = r.pos;
  const n = r.readArrayHead();
  if (r.error == 0 && (n < min || n > max)) r.fail(ERR_BAD_COUNT, at);
  return r.error == 0 ? n : 0;
}

// ------------------------------------------------------------------ top-level messages

export function decodeBirth(r: Reader, out: BirthMsg): i32 {
  const n = openMessage(r);
  const first = mapFirst;
  if (field(r, 0, first, n, 1)) out.boardLen = readBoardId(r, out.board);
  if (field(r, 0, first, n, 2)) out.boot = <u32>r.readUint(U32_MAX);
  if (field(r, 0, first, n, 3)) out.kind = readEnum(r, BOARD_LOOP, BOARD_BOX);
  if (field(r, 0, first, n, 4)) out.firmwareLen = r.readText(out.firmware, FIRMWARE_CAP, 1, FIRMWARE_CAP);
  if (field(r, 0, first, n, 5)) out.configHash = <u32>r.readUint(U32_MAX);
  if (field(r, 0, first, n, 6)) readCapacities(r, out);
  if (field(r, 0, first, n, 7)) out.timeUs = r.readUint(TIME_MAX);
  if (field(r, 0, first, n, 8)) out.seq = <u32>r.readUint(U32_MAX);
  return r.error;
}

function readCapacities(r: Reader, out: BirthMsg): void {
  out.capPresent = 0;
  const n = openMap(r);
  if (r.error != 0) return;
  const first = mapFirst;
  const end = mapEnd;
  for (let key: u32 = 1; key <= 6; key++) {
    if (optField(r, first, n, key)) {
      const v = <u16>r.readUint(U16_MAX);
      if (r.error == 0) out.setCapacity(key, v);
    }
  }
  if (r.error == 0) r.pos = end;
}

export function decodeDeath(r: Reader, out: DeathMsg): i32 {
  const n = openMessage(r);
  const first = mapFirst;
  if (field(r, 0, first, n, 1)) out.boardLen = readBoardId(r, out.board);
  if (field(r, 0, first, n, 2)) out.boot = <u32>r.readUint(U32_MAX);
  return r.error;
}

export function decodeEnvelope(r: Reader, out: EnvelopeMsg): i32 {
  out.nEvents = 0;
  const n = openMessage(r);
  const first = mapFirst;
  if (field(r, 0, first, n, 1)) out.boardLen = readBoardId(r, out.board);
  if (field(r, 0, first, n, 2)) out.boot = <u32>r.readUint(U32_MAX);
  if (field(r, 0, first, n, 3)) out.seq = <u32>r.readUint(U32_MAX);
  if (field(r, 0, first, n, 4)) {
    const count = readListHead(r, 1, MAX_EVENTS);
    for (let k: u32 = 0; k < count && r.error == 0; k++) decodeEvent(r, unchecked(out.events[<i32>k]));
    if (r.error == 0) out.nEvents = count;
  }
  return r.error;
}

/**
 * A command. On success every field of `out` for its body is set. Fields are read
 * in key order (board, id, body); on failure those read before it stay set (the
 * others are 0), and for a config body `configOffset`/`configLen` are set as soon
 * as the config item is reached, so a board can hash a config it refuses.
 */
export function decodeCommand(r: Reader, out: CommandMsg): i32 {
  out.boardLen = 0;
  out.id = 0;
  out.bodyKind = 0;
  out.configOffset = 0;
  out.configLen = 0;
  const n = openMessage(r);
  const first = mapFirst;
  if (field(r, 0, first, n, 1)) out.boardLen = readBoardId(r, out.board);
  if (field(r, 0, first, n, 2)) out.id = <u32>r.readUint(U32_MAX);
  if (field(r, 0, first, n, 3)) readCommandBody(r, out);
  return r.error;
}

export function decodeControlState(r: Reader, out: ControlStateMsg): i32 {
  const n = openMessage(r);
  const first = mapFirst;
  if (field(r, 0, first, n, 1)) out.timeUs = r.readUint(TIME_MAX);
  if (field(r, 0, first, n, 2)) out.flag = readEnum(r, 0, 6);
  if (field(r, 0, first, n, 3)) out.pitOpen = r.readBool();
  return r.error;
}

// ------------------------------------------------------------------ events

/** Known fields after the kind code, per event kind 1..16. */
function eventFields(kind: u32): u32 {
  switch (kind) {
    case EV_PASSING:
      return 6;
    case EV_SEGMENT_SPEED:
      return 7;
    case EV_BOX_VERDICT:
      return 9;
    case EV_CREW_OVER_WALL:
      return 6;
    case EV_HEALTH:
      return 4;
    case EV_CONFIG_REJECTED:
      return 5;
    case EV_COMMITMENT:
      return 7;
    default:
      return 3; // pit-in/out, clock-reply and the box moments
  }
}

// Set by openVariant: the elements after the code.
let variantLeft: u32 = 0;

/**
 * The head of a variant array (wrong-type; missing-field when empty) and its uint
 * kind code (wrong-type) in [lo, hi] (unknown-kind at the code). Returns the code,
 * 0 on error.
 */
function openVariant(r: Reader, lo: u64, hi: u64): u32 {
  const at = r.pos;
  const n = r.readArrayHead();
  if (r.error != 0) return 0;
  if (n == 0) {
    r.fail(ERR_MISSING_FIELD, at);
    return 0;
  }
  const codeAt = r.pos;
  const code = r.readUint(ANY);
  if (r.error != 0) return 0;
  if (code < lo || code > hi) {
    r.fail(ERR_UNKNOWN_KIND, codeAt);
    return 0;
  }
  variantLeft = n - 1;
  return <u32>code;
}

/** After openVariant: enough elements for `nFields` (missing-field at the array, `at`)? Returns the extras. */
function variantFields(r: Reader, at: u32, nFields: u32): u32 {
  if (r.error != 0) return 0;
  if (variantLeft < nFields) {
    r.fail(ERR_MISSING_FIELD, at);
    return 0;
  }
  return variantLeft - nFields;
}

function decodeEvent(r: Reader, e: EventMsg): void {
  const at = r.pos;
  const kind = openVariant(r, 1, EV_LAST);
  if (r.error != 0) return;
  const extra = variantFields(r, at, eventFields(kind));
  if (r.error != 0) return;
  e.kind = kind;
  switch (kind) {
    case EV_PASSING: {
      e.loop = <u32>r.readUint(U8_MAX);
      e.transponder = <u32>r.readUint(U32_MAX);
      e.timeUs = r.readUint(TIME_MAX);
      e.strength = <u32>r.readUint(U8_MAX);
      e.hits = <u32>r.readUint(U16_MAX);
      e.flags = <u32>r.readUint(15);
      break;
    }
    case EV_SEGMENT_SPEED: {
      e.transponder = <u32>r.readUint(U32_MAX);
      e.segment = <u32>r.readUint(U8_MAX);
      e.entryUs = r.readUint(TIME_MAX);
      e.exitUs = r.readUint(TIME_MAX);
      e.speed = <u32>r.readUint(U16_MAX);
      e.limit = <u32>r.readUint(U16_MAX);
      e.over = r.readBool();
      break;
    }
    case EV_PIT_IN:
    case EV_PIT_OUT: {
      e.transponder = <u32>r.readUint(U32_MAX);
      e.timeUs = r.readUint(TIME_MAX);
      e.loop = <u32>r.readUint(U8_MAX);
      break;
    }
    case EV_HEALTH: {
      e.timeUs = r.readUint(TIME_MAX);
      e.uptimeS = <u32>r.readUint(U32_MAX);
      e.outboxDepth = <u32>r.readUint(U16_MAX);
      readCounters(r, e);
      break;
    }
    case EV_CONFIG_REJECTED: {
      e.timeUs = r.readUint(TIME_MAX);
      e.command = <u32>r.readUint(U32_MAX);
      e.code = readEnum(r, 1, 5);
      e.reasonLen = r.readText(e.reason, REASON_CAP, 0, REASON_CAP);
      e.configHash = <u32>r.readUint(U32_MAX);
      break;
    }
    case EV_CLOCK_REPLY: {
      e.timeUs = r.readUint(TIME_MAX);
      e.command = <u32>r.readUint(U32_MAX);
      e.echoUs = r.readUint(TIME_MAX);
      break;
    }
    case EV_COMMITMENT: {
      e.lane = <u32>r.readUint(U8_MAX);
      e.transponder = <u32>r.readUint(U32_MAX);
      e.timeUs = r.readUint(TIME_MAX);
      e.inside = r.readBool();
      e.marginMm = <i32>r.readInt(MM_MIN, MM_MAX);
      e.closeCall = r.readBool();
      readMargins(r, e);
      break;
    }
    default: {
      // every box event starts with the box head
      e.box = <u32>r.readUint(U16_MAX);
      e.transponder = <u32>r.readUint(U32_MAX);
      e.timeUs = r.readUint(TIME_MAX);
      if (kind == EV_BOX_VERDICT) {
        e.inBox = r.readBool();
        e.clause = readEnum(r, 1, 4);
        e.marginMm = <i32>r.readInt(MM_MIN, MM_MAX);
        e.closeCall = r.readBool();
        e.phase = readEnum(r, 0, 1);
        readMargins(r, e);
      } else if (kind == EV_CREW_OVER_WALL) {
        e.distanceMm = <u32>r.readUint(U32_MAX);
        e.tooSoon = r.readBool();
        e.crew = <u32>r.readUint(U8_MAX);
      }
    }
  }
  skipItems(r, extra);
}

/** Exactly four mm margins (bad-count otherwise) into e.margins. */
function readMargins(r: Reader, e: EventMsg): void {
  const count = readListHead(r, 4, 4);
  for (let k: u32 = 0; k < count && r.error == 0; k++) {
    store<i32>(e.margins + <usize>k * 4, <i32>r.readInt(MM_MIN, MM_MAX));
  }
}

/**
 * A health event's counters, {* uint => u32}: at most 32 entries (bad-count), every
 * key <= 2^32 - 1 (out-of-range at the first larger one), then the values in wire
 * order. Kept in wire order.
 */
function readCounters(r: Reader, e: EventMsg): void {
  e.nCounters = 0;
  const at = r.pos;
  const n = openMap(r);
  if (r.error != 0) return;
  const end = mapEnd;
  if (n > MAX_COUNTERS) {
    r.fail(ERR_BAD_COUNT, at);
    return;
  }
  for (let i: u32 = 0; i < n; i++) {
    const keyAt = r.pos;
    if (r.readUint(ANY) > U32_MAX) {
      r.fail(ERR_OUT_OF_RANGE, keyAt);
      return;
    }
    r.skip();
  }
  r.pos = mapFirst;
  for (let i: u32 = 0; i < n && r.error == 0; i++) {
    const key = <u32>r.readUint(ANY);
    const v = <u32>r.readUint(U32_MAX);
    store<u32>(e.counterKeys + <usize>i * 4, key);
    store<u32>(e.counterValues + <usize>i * 4, v);
  }
  if (r.error != 0) return;
  e.nCounters = n;
  r.pos = end;
}

// ------------------------------------------------------------------ commands

function readCommandBody(r: Reader, out: CommandMsg): void {
  const at = r.pos;
  const kind = openVariant(r, 1, 4);
  if (r.error != 0) return;
  out.bodyKind = kind;
  const extra = variantFields(r, at, kind == CMD_REBOOT ? 0 : 1);
  if (kind == CMD_CONFIG) readBoardConfig(r, out);
  else if (kind == CMD_RESEND) out.fromSeq = <u32>r.readUint(U32_MAX);
  else if (kind == CMD_TIME_CHECK) out.sentUs = r.readUint(TIME_MAX);
  skipItems(r, extra);
}

/**
 * A board-config map: key 0 says the kind (missing-field at the map, wrong-type or
 * unknown-kind at the value), which says what the other keys are. Its byte range is
 * recorded first, so a board can hash the bytes of a config it refuses.
 */
function readBoardConfig(r: Reader, out: CommandMsg): void {
  if (r.error != 0) return;
  const at = r.pos;
  r.skip();
  if (r.error != 0) return;
  out.configOffset = at;
  out.configLen = r.pos - at;
  r.pos = at;

  const n = openMap(r);
  if (r.error != 0) return;
  const first = mapFirst;
  const end = mapEnd;
  if (!field(r, at, first, n, 0)) return;
  const kindAt = r.pos;
  const kind = r.readUint(ANY);
  if (r.error != 0) return;
  if (kind > 1) {
    r.fail(ERR_UNKNOWN_KIND, kindAt);
    return;
  }
  out.configKind = <u32>kind;
  if (kind == BOARD_LOOP) {
    const c = out.loop;
    c.hasPitRoad = false;
    if (field(r, at, first, n, 1)) readLoopDefs(r, c);
    if (field(r, at, first, n, 2)) c.quietGapUs = <u32>r.readUint(U32_MAX);
    if (field(r, at, first, n, 3)) c.minHits = <u32>r.readUint(U16_MAX);
    if (optField(r, first, n, 4)) readPitRoad(r, c);
  } else {
    const c = out.box;
    if (field(r, at, first, n, 1)) readBoxDefs(r, c);
    if (field(r, at, first, n, 2)) readVehicle(r, c);
    if (field(r, at, first, n, 3)) c.uncertaintyMm = <u32>r.readUint(U16_MAX);
    if (field(r, at, first, n, 4)) c.sampleUs = <u32>r.readUint(U32_MAX);
    c.nLanes = 0;
    if (optField(r, first, n, 5)) readLaneDefs(r, c);
  }
  if (r.error == 0) r.pos = end;
}

function readLoopDefs(r: Reader, c: LoopConfigMsg): void {
  c.nLoops = 0;
  const count = readListHead(r, 1, MAX_LOOPS);
  for (let k: u32 = 0; k < count && r.error == 0; k++) {
    const d = unchecked(c.loops[<i32>k]);
    const extra = openTuple(r, 3);
    if (r.error != 0) return;
    d.id = <u32>r.readUint(U8_MAX);
    d.role = readEnum(r, 0, 6);
    d.distanceMm = <u32>r.readUint(U32_MAX);
    skipItems(r, extra);
  }
  if (r.error == 0) c.nLoops = count;
}

function readPitRoad(r: Reader, c: LoopConfigMsg): void {
  const extra = openTuple(r, 2);
  if (r.error != 0) return;
  c.pitLimit = <u32>r.readUint(U16_MAX);
  c.pitTolerance = <u32>r.readUint(U16_MAX);
  skipItems(r, extra);
  c.hasPitRoad = r.error == 0;
}

function readBoxDefs(r: Reader, c: BoxConfigMsg): void {
  c.nBoxes = 0;
  const count = readListHead(r, 1, MAX_BOXES);
  for (let k: u32 = 0; k < count && r.error == 0; k++) {
    const b = unchecked(c.boxes[<i32>k]);
    const extra = openTuple(r, 5);
    if (r.error != 0) return;
    b.number = <u32>r.readUint(U16_MAX);
    b.lengthMm = <u32>r.readUint(U32_MAX);
    b.widthMm = <u32>r.readUint(U32_MAX);
    b.lineMm = <u32>r.readUint(U16_MAX);
    b.outsideLeft = r.readBool();
    skipItems(r, extra);
  }
  if (r.error == 0) c.nBoxes = count;
}

function readLaneDefs(r: Reader, c: BoxConfigMsg): void {
  c.nLanes = 0;
  const count = readListHead(r, 1, MAX_LANES);
  for (let k: u32 = 0; k < count && r.error == 0; k++) {
    const l = unchecked(c.lanes[<i32>k]);
    const extra = openTuple(r, 4);
    if (r.error != 0) return;
    l.id = <u32>r.readUint(U8_MAX);
    l.widthMm = <u32>r.readUint(U32_MAX);
    l.lineMm = <u32>r.readUint(U16_MAX);
    l.uncertaintyMm = <u32>r.readUint(U16_MAX);
    skipItems(r, extra);
  }
  if (r.error == 0) c.nLanes = count;
}

function readVehicle(r: Reader, c: BoxConfigMsg): void {
  const extra = openTuple(r, 7);
  if (r.error != 0) return;
  c.trackMm = <u32>r.readUint(U16_MAX);
  c.wheelbaseMm = <u32>r.readUint(U16_MAX);
  c.tireWidthMm = <u32>r.readUint(U16_MAX);
  c.patchMm = <u32>r.readUint(U16_MAX);
  c.frontOverhangMm = <u32>r.readUint(U16_MAX);
  c.rearOverhangMm = <u32>r.readUint(U16_MAX);
  c.bodyWidthMm = <u32>r.readUint(U16_MAX);
  skipItems(r, extra);
}

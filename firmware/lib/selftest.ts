// The built-in self test every board image runs (export `selftest`): golden vectors
// of the encoder and decoder, the config hash and the outbox ring, on buffers of its
// own so the board's state is untouched. The vectors' bytes are compiled in from
// protocol/vectors by firmware/build.mjs (each `@vector NAME` below names one);
// the values are written here, so a drift on either side fails the test.

import { LOG_ERROR, logText } from './abi';
import { Reader, Writer, fnv1a32 } from './cbor';
import {
  BirthMsg,
  CommandMsg,
  BOARD_LOOP,
  CMD_CONFIG,
  encodeBirth,
  encodePassing,
  encodeSegmentSpeed,
  encodeBoxVerdict,
  encodeEnvelopeHead,
  encodeHealthPairs,
  decodeCommand,
} from './messages';
import { Outbox } from './outbox';
import * as V from '../generated/vectors';

const BUF = memory.data(512);
const RING = memory.data(64);
const COUNTER_KEYS = memory.data(8);
const COUNTER_VALUES = memory.data(8);
const TEXT = memory.data(32);
const w = new Writer();
const r = new Reader();
const birth = new BirthMsg();
const cmd = new CommandMsg();
const ring = new Outbox(RING, 64, 4);

let failures: i32 = 0;

function check(ok: bool, what: string): void {
  if (!ok) {
    failures++;
    logText(LOG_ERROR, what);
  }
}

/** Whether the writer produced exactly the vector's bytes. */
function same(vector: StaticArray<u8>): bool {
  if (w.overflow || w.pos != <u32>vector.length) return false;
  return memory.compare(BUF, changetype<usize>(vector), w.pos) == 0;
}

function loadInput(vector: StaticArray<u8>): void {
  memory.copy(BUF, changetype<usize>(vector), vector.length);
  r.reset(BUF, <u32>vector.length);
}

/** An ASCII literal in a static buffer (one at a time). */
function ascii(t: string): usize {
  for (let i = 0; i < t.length && i < 32; i++) store<u8>(TEXT + <usize>i, <u8>t.charCodeAt(i));
  return TEXT;
}

export function runSelftest(): i32 {
  failures = 0;

  // @vector envelope/passing-typical
  w.reset(BUF, 512);
  encodeEnvelopeHead(w, ascii('loop-sf'), 7, 3735928559, 42, 1);
  encodePassing(w, 1, 1234567, 1763726400123456, 187, 14, 0);
  check(same(V.V_ENVELOPE_PASSING_TYPICAL), 'selftest: passing envelope bytes differ from the golden vector');

  // @vector envelope/segment-speed-over
  w.reset(BUF, 512);
  encodeEnvelopeHead(w, ascii('loop-pit'), 8, 1, 7, 1);
  encodeSegmentSpeed(w, 4242, 3, 1763726400000000, 1763726404704000, 3006, 3000, true);
  check(same(V.V_ENVELOPE_SEGMENT_SPEED_OVER), 'selftest: segment speed bytes differ from the golden vector');

  // @vector envelope/box-verdict-out-a
  w.reset(BUF, 512);
  encodeEnvelopeHead(w, ascii('box-12'), 6, 9, 100, 1);
  encodeBoxVerdict(w, 12, 4242, 1763726400000000, false, 1, -3, true, 1, -3, 250, 400, 120);
  check(same(V.V_ENVELOPE_BOX_VERDICT_OUT_A), 'selftest: box verdict bytes differ from the golden vector');

  // @vector envelope/health-counters
  w.reset(BUF, 512);
  store<u32>(COUNTER_KEYS, 1);
  store<u32>(COUNTER_VALUES, 3);
  store<u32>(COUNTER_KEYS + 4, 2);
  store<u32>(COUNTER_VALUES + 4, 65536);
  encodeEnvelopeHead(w, ascii('loop-sf'), 7, 1, 0, 1);
  encodeHealthPairs(w, 1763726400000000, 3600, 5, COUNTER_KEYS, COUNTER_VALUES, 2);
  check(same(V.V_ENVELOPE_HEALTH_COUNTERS), 'selftest: health bytes differ from the golden vector');

  // @vector birth/loop-typical
  w.reset(BUF, 512);
  birth.setBoard(ascii('loop-sf'), 7);
  birth.boot = 3735928559;
  birth.kind = BOARD_LOOP;
  birth.setFirmware('0.1.0');
  birth.configHash = 0x94f986a;
  birth.clearCapacities();
  birth.setCapacity(1, 512);
  birth.setCapacity(2, 16);
  birth.setCapacity(6, 4096);
  birth.timeUs = 1763726400000000;
  birth.seq = 0;
  encodeBirth(w, birth);
  check(same(V.V_BIRTH_LOOP_TYPICAL), 'selftest: birth bytes differ from the golden vector');

  // @vector command/config-loop
  loadInput(V.V_COMMAND_CONFIG_LOOP);
  const err = decodeCommand(r, cmd);
  check(err == 0, 'selftest: a golden config command does not decode');
  if (err == 0) {
    check(cmd.id == 5 && cmd.bodyKind == CMD_CONFIG && cmd.configKind == BOARD_LOOP, 'selftest: config command header');
    check(cmd.loop.nLoops == 2 && cmd.loop.loops[1].id == 2 && cmd.loop.loops[1].distanceMm == 63100, 'selftest: config loops');
    check(cmd.loop.quietGapUs == 20000 && cmd.loop.minHits == 3, 'selftest: config detection values');
    check(cmd.loop.hasPitRoad && cmd.loop.pitLimit == 3000 && cmd.loop.pitTolerance == 500, 'selftest: config pit road');
  }

  // @vector invalid/envelope-empty-batch
  loadInput(V.V_INVALID_ENVELOPE_EMPTY_BATCH);
  check(decodeCommand(r, cmd) != 0, 'selftest: a refused message decoded');

  // FNV-1a 32 of "pitwall".
  check(fnv1a32(ascii('pitwall'), 7) == 0x094f986a, 'selftest: config hash');

  checkOutbox();
  return failures;
}

/** The ring keeps consecutive sequence numbers, evicts the oldest, and wraps its arena. */
function checkOutbox(): void {
  ring.reset(10);
  let ok = true; // payloads are 20 bytes of their index
  for (let i: u32 = 0; i < 7; i++) {
    memory.fill(BUF, <u8>i, 20);
    ok = ok && ring.append(BUF, 20);
  }
  // 64-byte arena holds three 20-byte envelopes: seqs 14, 15, 16 remain.
  ok = ok && ring.count == 3 && ring.oldestSeq == 14 && ring.nextSeq == 17 && ring.overwritten == 4;
  ok = ok && !ring.has(13) && ring.has(14) && ring.has(16) && !ring.has(17);
  ok = ok && ring.len(16) == 20 && load<u8>(ring.ptr(16)) == 6 && load<u8>(ring.ptr(14)) == 4;
  ok = ok && !ring.append(BUF, 65);
  check(ok, 'selftest: outbox ring');
}

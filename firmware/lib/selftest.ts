// The built-in self test every board image runs (export `selftest`): golden vectors
// of the encoder and decoder, the config hash and the outbox ring, on buffers of its
// own so the board's state is untouched. The vectors' bytes are compiled in from
// protocol/vectors by firmware/build.mjs (each `@vector NAME` below names one);
// the values are written here, so a drift on either side fails the test.

import { LOG_ERROR, logText } from './abi';
import { Reader, Writer, fnv1a32, ERR_UNKNOWN_KIND } from './cbor';
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
const COUNTER_KEYS = memory.data(16);
const COUNTER_VALUES = memory.data(16);
const TEXT = memory.data(32);
const w = new Writer();
const r = new Reader();
const birth = new BirthMsg();
const cmd = new CommandMsg();
const ring = new Outbox(RING, 64, 4);

const HEALTH_PAIRS: StaticArray<u32> = [1, 0, 2, 3, 3, 17, 5, 2];

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

  // @vector envelope-passing
  w.reset(BUF, 512);
  encodeEnvelopeHead(w, ascii('loop-sf'), 7, 7, 1, 1);
  encodePassing(w, 1, 1234567, 1763726400123456, 200, 37, 0);
  check(same(V.V_ENVELOPE_PASSING), 'selftest: passing envelope bytes differ from the golden vector');

  // @vector envelope-segment-speed
  w.reset(BUF, 512);
  encodeEnvelopeHead(w, ascii('loop-sf'), 7, 7, 1, 1);
  encodeSegmentSpeed(w, 1234567, 1, 1763726460000000, 1763726461415000, 4998, 4500, true);
  check(same(V.V_ENVELOPE_SEGMENT_SPEED), 'selftest: segment speed bytes differ from the golden vector');

  // @vector envelope-box-verdict
  w.reset(BUF, 512);
  encodeEnvelopeHead(w, ascii('loop-sf'), 7, 7, 1, 1);
  encodeBoxVerdict(w, 17, 1234567, 1763726471300000, true, 1, 120, false, 0, 120, 340, 560, 780);
  check(same(V.V_ENVELOPE_BOX_VERDICT), 'selftest: box verdict bytes differ from the golden vector');

  // @vector envelope-health
  w.reset(BUF, 512);
  for (let i = 0; i < 4; i++) {
    store<u32>(COUNTER_KEYS + <usize>(i * 4), HEALTH_PAIRS[i * 2]);
    store<u32>(COUNTER_VALUES + <usize>(i * 4), HEALTH_PAIRS[i * 2 + 1]);
  }
  encodeEnvelopeHead(w, ascii('loop-sf'), 7, 7, 1, 1);
  encodeHealthPairs(w, 1763726401000000, 3600, 12, COUNTER_KEYS, COUNTER_VALUES, 4);
  check(same(V.V_ENVELOPE_HEALTH), 'selftest: health bytes differ from the golden vector');

  // @vector birth-loop
  w.reset(BUF, 512);
  birth.setBoard(ascii('loop-sf'), 7);
  birth.boot = 1;
  birth.kind = BOARD_LOOP;
  birth.setFirmware('0.1.0');
  birth.configHash = 1592594996;
  birth.clearCapacities();
  birth.setCapacity(1, 256);
  birth.setCapacity(2, 4);
  birth.setCapacity(3, 64);
  birth.setCapacity(5, 256);
  birth.setCapacity(6, 4096);
  birth.timeUs = 1763726400000000;
  birth.seq = 0;
  encodeBirth(w, birth);
  check(same(V.V_BIRTH_LOOP), 'selftest: birth bytes differ from the golden vector');

  // @vector command-config-loop-pit-road
  loadInput(V.V_COMMAND_CONFIG_LOOP_PIT_ROAD);
  const err = decodeCommand(r, cmd);
  check(err == 0, 'selftest: a golden config command does not decode');
  if (err == 0) {
    check(cmd.id == 2 && cmd.bodyKind == CMD_CONFIG && cmd.configKind == BOARD_LOOP, 'selftest: config command header');
    check(cmd.boardEquals(ascii('loop-pit'), 8), 'selftest: config command board');
    check(cmd.loop.nLoops == 4 && cmd.loop.loops[1].id == 4 && cmd.loop.loops[1].role == 4, 'selftest: config loops');
    check(cmd.loop.loops[1].distanceMm == 63094 && cmd.loop.loops[3].distanceMm == 412000, 'selftest: config distances');
    check(cmd.loop.quietGapUs == 1500 && cmd.loop.minHits == 2, 'selftest: config detection values');
    check(cmd.loop.hasPitRoad && cmd.loop.pitLimit == 4500 && cmd.loop.pitTolerance == 500, 'selftest: config pit road');
  }

  // @vector command-kind-5
  loadInput(V.V_COMMAND_KIND_5);
  check(decodeCommand(r, cmd) == ERR_UNKNOWN_KIND, 'selftest: an unknown command kind was not refused');

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

// The golden vectors' sources. generate.ts turns these into the JSON files next to this
// one (bytes, diagnostic notation); the JSON files are the contract both codecs are
// tested against, so a change here only takes effect once they are regenerated.
//
// - CASES: typed values; encode(value) must give the vector's bytes and decode(bytes)
//   the value again.
// - ACCEPTED: bytes that are not what the encoder writes but that a decoder must accept
//   (forward compatibility, non-preferred heads, ...), with the value they decode to.
// - INVALID: bytes a decoder must refuse, with the reason.

import { toDataModel } from '../codec.js';
import {
  MAX_SAFE_TIME_US,
  type BoardEvent,
  type Passing,
  type DecodeErrorReason,
  type MessageType,
  type MessageTypes,
} from '../schema.js';

export interface Case<T extends MessageType = MessageType> {
  name: string;
  type: T;
  value: MessageTypes[T];
}
export interface AcceptedCase<T extends MessageType = MessageType> extends Case<T> {
  hex: string;
  note: string;
}
export interface InvalidCase {
  name: string;
  type: MessageType;
  hex: string;
  reason: DecodeErrorReason;
  note: string;
}

export const U32_MAX = 4294967295;
/** 2025-11-21T12:00:00Z in µs since the epoch. */
export const EPOCH_US = 1763726400000000;
const ID_32 = 'abcdefghijklmnopqrstuvwxyz-01234'; // longest board id

const c = <T extends MessageType>(type: T, name: string, value: MessageTypes[T]): Case<T> => ({
  name: `${type}-${name}`,
  type,
  value,
});

// ------------------------------------------------------------------ events

/** A passing with every field at its largest valid value: the largest a passing gets. */
export const passingMax: BoardEvent = {
  kind: 'passing',
  loop: 255,
  transponder: U32_MAX,
  timeUs: MAX_SAFE_TIME_US,
  strength: 255,
  hits: 65535,
  flags: 15,
};

/** One representative event of every kind, in kind order. */
export const SAMPLE_EVENTS: BoardEvent[] = [
  { kind: 'passing', loop: 1, transponder: 1234567, timeUs: EPOCH_US + 123456, strength: 200, hits: 37, flags: 0 },
  {
    kind: 'segment-speed',
    transponder: 1234567,
    segment: 1,
    entryUs: EPOCH_US + 60_000_000,
    exitUs: EPOCH_US + 61_415_000,
    speed: 4998,
    limit: 4500,
    over: true,
  },
  { kind: 'pit-in', transponder: 1234567, timeUs: EPOCH_US + 59_000_000, loop: 3 },
  { kind: 'pit-out', transponder: 1234567, timeUs: EPOCH_US + 95_000_000, loop: 9 },
  { kind: 'box-arrival', box: 17, transponder: 1234567, timeUs: EPOCH_US + 70_000_000 },
  { kind: 'box-stop', box: 17, transponder: 1234567, timeUs: EPOCH_US + 71_200_000 },
  {
    kind: 'box-verdict',
    box: 17,
    transponder: 1234567,
    timeUs: EPOCH_US + 71_300_000,
    inBox: true,
    clause: 'a',
    marginMm: 120,
    closeCall: false,
    phase: 'stop',
    margins: [120, 340, 560, 780],
  },
  { kind: 'service-start', box: 17, transponder: 1234567, timeUs: EPOCH_US + 71_400_000 },
  { kind: 'service-end', box: 17, transponder: 1234567, timeUs: EPOCH_US + 83_900_000 },
  {
    kind: 'crew-over-wall',
    box: 17,
    transponder: 1234567,
    timeUs: EPOCH_US + 70_500_000,
    distanceMm: 7315,
    tooSoon: true,
    crew: 1,
  },
  { kind: 'box-departure', box: 17, transponder: 1234567, timeUs: EPOCH_US + 84_100_000 },
  { kind: 'box-transit', box: 16, transponder: 7654321, timeUs: EPOCH_US + 70_100_000 },
  {
    kind: 'health',
    timeUs: EPOCH_US + 1_000_000,
    uptimeS: 3600,
    outboxDepth: 12,
    counters: { 1: 0, 2: 3, 3: 17, 5: 2 },
  },
  {
    kind: 'config-rejected',
    timeUs: EPOCH_US + 2_000_000,
    command: 42,
    code: 'out-of-range',
    reason: 'loops[2].distanceMm over track length',
    configHash: 0x811c9dc5,
  },
  { kind: 'clock-reply', timeUs: EPOCH_US + 3_000_250, command: 43, echoUs: EPOCH_US + 3_000_000 },
];

/**
 * A commitment line crossing (R-PIT-COMMIT-1), kind 16: kept out of SAMPLE_EVENTS so
 * the vectors made from that list (all-kinds, batch-64) keep their bytes.
 */
export const COMMITMENT_SAMPLE: BoardEvent = {
  kind: 'commitment',
  lane: 1,
  transponder: 1234567,
  timeUs: EPOCH_US + 58_200_000,
  inside: true,
  marginMm: 212,
  closeCall: false,
  margins: [212, 888, 230, 870],
};

const env = (name: string, events: BoardEvent[], boot = 7, seq = 1, board = 'loop-sf'): Case<'envelope'> =>
  c('envelope', name, { board, boot, seq, events });

const fullCounters: Record<number, number> = {};
[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 255, 256, 65535, 65536, 16777216, 4294967294, U32_MAX].forEach(
  (k, i) => {
    fullCounters[k] = [0, 23, 24, 255, 256, 65535, 65536, U32_MAX][i % 8];
  },
);

function batch64(): BoardEvent[] {
  const out: BoardEvent[] = [];
  for (let i = 0; i < 64; i++) {
    const base = SAMPLE_EVENTS[i % SAMPLE_EVENTS.length];
    const t = EPOCH_US + i * 1000;
    out.push(base.kind === 'segment-speed' ? { ...base, entryUs: t, exitUs: t + 1_415_000 } : { ...base, timeUs: t });
  }
  return out;
}

// ------------------------------------------------------------------ valid messages

export const CASES: Case[] = [
  // birth
  c('birth', 'loop', {
    board: 'loop-sf',
    boot: 1,
    kind: 'loop',
    firmware: '0.1.0',
    configHash: 0x5eed1234,
    capacities: { outbox: 256, loops: 4, transponders: 64, inputBatch: 256, maxMessage: 4096 },
    timeUs: EPOCH_US,
    seq: 0,
  }),
  c('birth', 'box-some-capacities', {
    board: 'box-17',
    boot: 65536,
    kind: 'box',
    firmware: '1.2.3-rc.1',
    configHash: 0,
    capacities: { boxes: 4, maxMessage: 4096 },
    timeUs: EPOCH_US + 1,
    seq: 24,
  }),
  c('birth', 'no-capacities', {
    board: 'a',
    boot: 0,
    kind: 'loop',
    firmware: 'x',
    configHash: 0,
    capacities: {},
    timeUs: 0,
    seq: 0,
  }),
  c('birth', 'edges', {
    board: '0-9',
    boot: 23,
    kind: 'box',
    firmware: '2.0.0-β',
    configHash: 24,
    capacities: { outbox: 23, loops: 24, transponders: 255, boxes: 256, inputBatch: 65535, maxMessage: 0 },
    timeUs: 4294967295,
    seq: 65535,
  }),
  c('birth', 'time-2-32', {
    board: 'loop-t1',
    boot: 255,
    kind: 'loop',
    firmware: '1.0.0',
    configHash: 65536,
    capacities: { outbox: 1 },
    timeUs: 4294967296,
    seq: 256,
  }),
  c('birth', 'max', {
    board: ID_32,
    boot: U32_MAX,
    kind: 'box',
    firmware: '1.0.0+build.1234',
    configHash: U32_MAX,
    capacities: { outbox: 65535, loops: 65535, transponders: 65535, boxes: 65535, inputBatch: 65535, maxMessage: 65535 },
    timeUs: MAX_SAFE_TIME_US,
    seq: U32_MAX,
  }),

  // death
  c('death', 'typical', { board: 'loop-sf', boot: 1 }),
  c('death', 'edges', { board: '0', boot: 24 }),
  c('death', 'boot-65536', { board: 'box-17', boot: 65536 }),
  c('death', 'max', { board: ID_32, boot: U32_MAX }),

  // envelope: one event of every kind, then edge values
  ...SAMPLE_EVENTS.map((e) => env(e.kind, [e])),
  env('passing-zero', [{ kind: 'passing', loop: 0, transponder: 0, timeUs: 0, strength: 0, hits: 0, flags: 0 }], 0, 0, '0'),
  env('passing-max', [passingMax], U32_MAX, U32_MAX, ID_32),
  env('passing-edges', [
    { kind: 'passing', loop: 23, transponder: 65536, timeUs: 4294967296, strength: 24, hits: 256, flags: 8 },
    { kind: 'passing', loop: 24, transponder: 65535, timeUs: 4294967295, strength: 255, hits: 255, flags: 7 },
  ], 23, 24),
  env('segment-speed-under', [
    {
      kind: 'segment-speed',
      transponder: 24,
      segment: 255,
      entryUs: 0,
      exitUs: MAX_SAFE_TIME_US,
      speed: 0,
      limit: 65535,
      over: false,
    },
  ], 255, 256),
  env('box-transit-unidentified', [{ kind: 'box-transit', box: 0, transponder: 0, timeUs: EPOCH_US }], 256, 65535),
  env('box-moments-max', [
    { kind: 'box-arrival', box: 65535, transponder: U32_MAX, timeUs: MAX_SAFE_TIME_US },
    { kind: 'box-stop', box: 256, transponder: 65536, timeUs: EPOCH_US },
    { kind: 'service-start', box: 255, transponder: 256, timeUs: EPOCH_US },
    { kind: 'service-end', box: 24, transponder: 24, timeUs: EPOCH_US },
    { kind: 'box-departure', box: 23, transponder: 23, timeUs: EPOCH_US },
  ], 65535, 65536, 'box-17'),
  env('box-verdict-out', [
    {
      kind: 'box-verdict',
      box: 17,
      transponder: 1234567,
      timeUs: EPOCH_US,
      inBox: false,
      clause: 'd',
      marginMm: -25,
      closeCall: true,
      phase: 'service',
      margins: [-1, -24, -25, -2147483648],
    },
  ], 65536, 4294967294, 'box-17'),
  env('box-verdict-extremes', [
    {
      kind: 'box-verdict',
      box: 65535,
      transponder: U32_MAX,
      timeUs: MAX_SAFE_TIME_US,
      inBox: true,
      clause: 'b',
      marginMm: 2147483647,
      closeCall: false,
      phase: 'stop',
      margins: [2147483647, -2147483648, 0, 23],
    },
    {
      kind: 'box-verdict',
      box: 0,
      transponder: 0,
      timeUs: 0,
      inBox: false,
      clause: 'c',
      marginMm: -2147483648,
      closeCall: true,
      phase: 'service',
      margins: [-256, -257, -65536, -65537],
    },
  ], 1, 2, 'box-17'),
  env('crew-over-wall-max', [
    {
      kind: 'crew-over-wall',
      box: 65535,
      transponder: U32_MAX,
      timeUs: MAX_SAFE_TIME_US,
      distanceMm: U32_MAX,
      tooSoon: false,
      crew: 255,
    },
    { kind: 'crew-over-wall', box: 1, transponder: 0, timeUs: EPOCH_US, distanceMm: 0, tooSoon: false, crew: 0 },
  ], 3, 4, 'box-17'),
  env('health-no-counters', [{ kind: 'health', timeUs: EPOCH_US, uptimeS: 0, outboxDepth: 0, counters: {} }]),
  env('health-all-counters', [
    {
      kind: 'health',
      timeUs: EPOCH_US,
      uptimeS: 86400,
      outboxDepth: 256,
      counters: { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7 },
    },
  ]),
  env('health-full-counters', [
    { kind: 'health', timeUs: MAX_SAFE_TIME_US, uptimeS: U32_MAX, outboxDepth: 65535, counters: fullCounters },
  ]),
  ...(['malformed', 'out-of-range', 'over-capacity', 'inconsistent', 'wrong-board-kind'] as const).map((code, i) =>
    env(`config-rejected-${code}`, [
      {
        kind: 'config-rejected',
        timeUs: EPOCH_US + i,
        command: [0, 23, 24, 65536, U32_MAX][i],
        code,
        reason: ['', 'r', 'x'.repeat(23), 'x'.repeat(24), 'boxes: 5 > capacity 4'][i],
        configHash: [0, 1, 0xffff, 0x10000, U32_MAX][i],
      },
    ]),
  ),
  env('config-rejected-reason-64-ascii', [
    { kind: 'config-rejected', timeUs: EPOCH_US, command: 7, code: 'malformed', reason: 'm'.repeat(64), configHash: 1 },
  ]),
  env('config-rejected-reason-64-bytes-2', [
    { kind: 'config-rejected', timeUs: EPOCH_US, command: 7, code: 'inconsistent', reason: 'é'.repeat(32), configHash: 2 },
  ]),
  env('config-rejected-reason-64-bytes-4', [
    { kind: 'config-rejected', timeUs: EPOCH_US, command: 7, code: 'inconsistent', reason: '🏁'.repeat(16), configHash: 3 },
  ]),
  env('clock-reply-edges', [
    { kind: 'clock-reply', timeUs: MAX_SAFE_TIME_US, command: U32_MAX, echoUs: 0 },
    { kind: 'clock-reply', timeUs: 4294967296, command: 0, echoUs: 4294967295 },
  ]),
  env('commitment', [COMMITMENT_SAMPLE], 7, 1, 'box-01'),
  env('commitment-out', [
    {
      kind: 'commitment',
      lane: 0,
      transponder: 0,
      timeUs: EPOCH_US,
      inside: false,
      marginMm: -25,
      closeCall: false,
      margins: [-25, 1088, -24, 1087],
    },
    {
      kind: 'commitment',
      lane: 255,
      transponder: U32_MAX,
      timeUs: MAX_SAFE_TIME_US,
      inside: false,
      marginMm: 0,
      closeCall: true,
      margins: [0, 2147483647, -2147483648, 1],
    },
  ], 24, 256, 'box-01'),
  env('commitment-with-box-events', [
    { kind: 'box-transit', box: 4, transponder: 1234567, timeUs: EPOCH_US + 58_000_000 },
    { ...COMMITMENT_SAMPLE, lane: 23, marginMm: 1, closeCall: true, margins: [1, 23, 24, 255] } as BoardEvent,
    { kind: 'box-arrival', box: 4, transponder: 7654321, timeUs: EPOCH_US + 58_400_000 },
  ], 65536, U32_MAX, 'box-01'),
  env('batch-64', batch64(), 9, 1000),
  env('all-kinds', SAMPLE_EVENTS, 9, 1001),

  // command
  c('command', 'config-loop', {
    board: 'loop-sf',
    id: 1,
    body: {
      kind: 'config',
      config: {
        kind: 'loop',
        loops: [
          { id: 0, role: 'start-finish', distanceMm: 0 },
          { id: 1, role: 'sector', distanceMm: 402336 },
          { id: 2, role: 'commitment', distanceMm: 2380000 },
        ],
        quietGapUs: 2000,
        minHits: 3,
      },
    },
  }),
  c('command', 'config-loop-pit-road', {
    board: 'loop-pit',
    id: 2,
    body: {
      kind: 'config',
      config: {
        kind: 'loop',
        loops: [
          { id: 3, role: 'pit-entry', distanceMm: 0 },
          { id: 4, role: 'pit-timing', distanceMm: 63094 },
          { id: 5, role: 'pit-exit', distanceMm: 380000 },
          { id: 6, role: 'pit-out', distanceMm: 412000 },
        ],
        quietGapUs: 1500,
        minHits: 2,
        pitRoad: { limit: 4500, tolerance: 500 },
      },
    },
  }),
  c('command', 'config-loop-16', {
    board: ID_32,
    id: U32_MAX,
    body: {
      kind: 'config',
      config: {
        kind: 'loop',
        loops: Array.from({ length: 16 }, (_, i) => ({
          id: [0, 23, 24, 255][i % 4],
          role: (['start-finish', 'sector', 'commitment', 'pit-entry', 'pit-timing', 'pit-exit', 'pit-out'] as const)[i % 7],
          distanceMm: [0, 23, 24, 255, 256, 65535, 65536, U32_MAX][i % 8],
        })),
        quietGapUs: U32_MAX,
        minHits: 65535,
        pitRoad: { limit: 65535, tolerance: 0 },
      },
    },
  }),
  c('command', 'config-box', {
    board: 'box-17',
    id: 3,
    body: {
      kind: 'config',
      config: {
        kind: 'box',
        boxes: [{ number: 17, lengthMm: 7315, widthMm: 4267, lineMm: 102, outsideLeft: false }],
        vehicle: {
          trackMm: 1600,
          wheelbaseMm: 2845,
          tireWidthMm: 300,
          patchMm: 180,
          frontOverhangMm: 1040,
          rearOverhangMm: 1120,
          bodyWidthMm: 2030,
        },
        uncertaintyMm: 15,
        sampleUs: 10000,
      },
    },
  }),
  c('command', 'config-box-4', {
    board: 'box-13',
    id: 65536,
    body: {
      kind: 'config',
      config: {
        kind: 'box',
        boxes: [
          { number: 0, lengthMm: 0, widthMm: 0, lineMm: 0, outsideLeft: true },
          { number: 23, lengthMm: 24, widthMm: 255, lineMm: 256, outsideLeft: false },
          { number: 256, lengthMm: 65535, widthMm: 65536, lineMm: 65535, outsideLeft: true },
          { number: 65535, lengthMm: U32_MAX, widthMm: U32_MAX, lineMm: 24, outsideLeft: false },
        ],
        vehicle: {
          trackMm: 0,
          wheelbaseMm: 23,
          tireWidthMm: 24,
          patchMm: 255,
          frontOverhangMm: 256,
          rearOverhangMm: 65535,
          bodyWidthMm: 65535,
        },
        uncertaintyMm: 65535,
        sampleUs: U32_MAX,
      },
    },
  }),
  c('command', 'config-box-commitment-lane', {
    board: 'box-01',
    id: 7,
    body: {
      kind: 'config',
      config: {
        kind: 'box',
        boxes: [
          { number: 1, lengthMm: 6700, widthMm: 3700, lineMm: 100, outsideLeft: false },
          { number: 2, lengthMm: 6700, widthMm: 3700, lineMm: 100, outsideLeft: false },
          { number: 3, lengthMm: 6700, widthMm: 3700, lineMm: 100, outsideLeft: false },
          { number: 4, lengthMm: 6700, widthMm: 3700, lineMm: 100, outsideLeft: false },
        ],
        vehicle: {
          trackMm: 1600,
          wheelbaseMm: 2845,
          tireWidthMm: 300,
          patchMm: 200,
          frontOverhangMm: 1050,
          rearOverhangMm: 1200,
          bodyWidthMm: 2000,
        },
        uncertaintyMm: 10,
        sampleUs: 10000,
        commitmentLanes: [{ id: 0, widthMm: 3000, lineMm: 100, uncertaintyMm: 10 }],
      },
    },
  }),
  c('command', 'config-box-commitment-lanes-2', {
    board: 'box-13',
    id: 24,
    body: {
      kind: 'config',
      config: {
        kind: 'box',
        boxes: [{ number: 65535, lengthMm: 0, widthMm: U32_MAX, lineMm: 65535, outsideLeft: true }],
        vehicle: {
          trackMm: 65535,
          wheelbaseMm: 0,
          tireWidthMm: 23,
          patchMm: 24,
          frontOverhangMm: 255,
          rearOverhangMm: 256,
          bodyWidthMm: 0,
        },
        uncertaintyMm: 0,
        sampleUs: 0,
        commitmentLanes: [
          { id: 255, widthMm: U32_MAX, lineMm: 65535, uncertaintyMm: 65535 },
          { id: 24, widthMm: 65536, lineMm: 0, uncertaintyMm: 0 },
        ],
      },
    },
  }),
  c('command', 'resend', { board: 'loop-sf', id: 4, body: { kind: 'resend', fromSeq: 1000 } }),
  c('command', 'resend-zero', { board: 'loop-sf', id: 0, body: { kind: 'resend', fromSeq: 0 } }),
  c('command', 'resend-max', { board: 'loop-sf', id: U32_MAX, body: { kind: 'resend', fromSeq: U32_MAX } }),
  c('command', 'time-check', { board: 'loop-sf', id: 5, body: { kind: 'time-check', sentUs: EPOCH_US } }),
  c('command', 'time-check-max', { board: 'box-17', id: 24, body: { kind: 'time-check', sentUs: MAX_SAFE_TIME_US } }),
  c('command', 'reboot', { board: 'loop-sf', id: 6, body: { kind: 'reboot' } }),
  c('command', 'reboot-max', { board: ID_32, id: U32_MAX, body: { kind: 'reboot' } }),

  // control-state: every flag
  ...(['none', 'green', 'yellow', 'red', 'white', 'checkered', 'stage-end'] as const).map((flag, i) =>
    c('control-state', flag, {
      timeUs: [0, EPOCH_US, EPOCH_US + 1, 23, 24, 4294967296, MAX_SAFE_TIME_US][i],
      flag,
      pitOpen: i % 2 === 1,
    }),
  ),
];

// ------------------------------------------------------------------ hand-made bytes

/** Preferred-serialization head, as hex. */
function head(major: number, n: number | bigint): string {
  const v = BigInt(n);
  const ib = (ai: number): string => ((major << 5) | ai).toString(16).padStart(2, '0');
  if (v < 24n) return ib(Number(v));
  if (v < 0x100n) return ib(24) + v.toString(16).padStart(2, '0');
  if (v < 0x10000n) return ib(25) + v.toString(16).padStart(4, '0');
  if (v < 0x100000000n) return ib(26) + v.toString(16).padStart(8, '0');
  return ib(27) + v.toString(16).padStart(16, '0');
}

const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const textHex = (s: string): string => head(3, utf8(s).length) + hexOf(utf8(s));

/** Preferred-serialization hex of a CBOR data model (Map, array, integer, text, bool, null, bytes). */
function cborHex(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint') {
    const n = BigInt(v);
    return n >= 0n ? head(0, n) : head(1, -1n - n);
  }
  if (typeof v === 'string') return textHex(v);
  if (v === false) return 'f4';
  if (v === true) return 'f5';
  if (v === null) return 'f6';
  if (v instanceof Uint8Array) return head(2, v.length) + hexOf(v);
  if (Array.isArray(v)) return head(4, v.length) + v.map(cborHex).join('');
  if (v instanceof Map) return head(5, v.size) + [...v].map(([k, x]) => cborHex(k) + cborHex(x)).join('');
  throw new Error(`cannot encode ${String(v)}`);
}

type Model = Map<number, unknown>;
/** Hex of a case's data model after `edit`. */
function edited<T extends MessageType>(type: T, value: MessageTypes[T], edit: (m: Model) => void): string {
  const m = toDataModel(type, value);
  edit(m);
  return cborHex(m);
}

const DEATH = { board: 'loop-sf', boot: 1 };
const DEATH_HEX = cborHex(toDataModel('death', DEATH));
const ENV = (events: BoardEvent[]): MessageTypes['envelope'] => ({ board: 'loop-sf', boot: 7, seq: 1, events });
const PASSING = SAMPLE_EVENTS[0] as Passing;
const passingEnv = ENV([PASSING]);
const events = (m: Model): unknown[][] => m.get(4) as unknown[][];
const nested = (depth: number): string => '81'.repeat(depth - 1) + '80';
/** A death map with one more, unknown key (9) holding `inner` (hex). */
const deathWith = (inner: string): string => 'a4' + DEATH_HEX.slice(2) + '09' + inner;

/** Replaces the first byte-aligned occurrence of `from` in `hex`. */
function swap(hex: string, from: string, to: string): string {
  for (let i = hex.indexOf(from); i >= 0; i = hex.indexOf(from, i + 1)) {
    if (i % 2 === 0) return hex.slice(0, i) + to + hex.slice(i + from.length);
  }
  throw new Error(`${from} not found in ${hex}`);
}
const plain = <T extends MessageType>(type: T, value: MessageTypes[T]): string => cborHex(toDataModel(type, value));
const configCmd = CASES.find((x) => x.name === 'command-config-loop')!.value as MessageTypes['command'];
const boxCmd = CASES.find((x) => x.name === 'command-config-box')!.value as MessageTypes['command'];
const birthLoop = CASES[0].value as MessageTypes['birth'];
const healthEnv = ENV([SAMPLE_EVENTS[12]]);
const verdictEnv = ENV([SAMPLE_EVENTS[6]]);
const commitmentEnv = ENV([COMMITMENT_SAMPLE]);
const laneCmd = CASES.find((x) => x.name === 'command-config-box-commitment-lane')!.value as MessageTypes['command'];
const control = { timeUs: EPOCH_US, flag: 'green', pitOpen: true } as MessageTypes['control-state'];

const bad = (name: string, type: MessageType, reason: DecodeErrorReason, hex: string, note: string): InvalidCase => ({
  name,
  type,
  hex,
  reason,
  note,
});

export const INVALID: InvalidCase[] = [
  // well-formedness
  bad('empty', 'death', 'truncated', '', 'no bytes at all'),
  bad('truncated-envelope', 'envelope', 'truncated', cborHex(toDataModel('envelope', passingEnv)).slice(0, -6), 'last 3 bytes cut off'),
  bad('truncated-text', 'death', 'truncated', 'a3000101' + '78' + '20' + '61'.repeat(4), 'text head says 32 bytes, 4 follow'),
  bad('truncated-head', 'death', 'truncated', 'a30001011a0000', 'uint32 head with 2 of its 4 bytes'),
  bad('truncated-map', 'death', 'truncated', 'a3000101', 'map of 3 entries holding 1'),
  bad('reserved-ai-28', 'death', 'malformed', 'a30001011c', 'additional information 28 is reserved'),
  bad('reserved-ai-30', 'death', 'malformed', deathWith('be'), 'additional information 30 (map) is reserved'),
  bad('stray-break', 'death', 'malformed', 'ff', 'a break where an item should be'),
  bad('break-in-definite-array', 'death', 'malformed', deathWith('8201ff'), 'break inside a definite-length array'),
  bad('uint-ai-31', 'death', 'malformed', deathWith('1f'), 'major type 0 with additional information 31'),
  bad('tag-ai-31', 'death', 'malformed', deathWith('df'), 'major type 6 with additional information 31'),
  bad('simple-two-byte-below-32', 'death', 'malformed', deathWith('f810'), 'two-byte simple value 16 is not well-formed'),
  bad('indefinite-map', 'death', 'indefinite-length', 'bf' + DEATH_HEX.slice(2) + 'ff', 'the whole message is an indefinite map'),
  bad('indefinite-events', 'envelope', 'indefinite-length',
    swap(plain('envelope', passingEnv), '0481', '049f') + 'ff', 'events as an indefinite array'),
  bad('indefinite-text-ignored', 'death', 'indefinite-length', deathWith('7f6161ff'), 'indefinite text under an unknown key'),
  bad('indefinite-bytes-ignored', 'death', 'indefinite-length', deathWith('5f4101ff'), 'indefinite byte string under an unknown key'),
  bad('trailing-byte', 'death', 'trailing-bytes', DEATH_HEX + '00', 'one byte after the message'),
  bad('two-messages', 'death', 'trailing-bytes', DEATH_HEX + DEATH_HEX, 'two messages back to back'),
  bad('too-large', 'death', 'too-large', deathWith(head(2, 4079) + '00'.repeat(4079)),
    '4097 bytes (a byte string under an unknown key), one over MAX_MESSAGE_BYTES'),
  bad('too-deep', 'death', 'too-deep', deathWith(nested(16)), '16 nested arrays under the top-level map: 17 levels'),
  bad('too-deep-map', 'death', 'too-deep', deathWith('a101'.repeat(15) + 'a0'), '16 nested maps under the top-level map'),
  bad('invalid-utf8-board', 'death', 'invalid-utf8', 'a3000101' + '63' + '61ff62' + '0201', 'board id with byte 0xff'),
  bad('invalid-utf8-overlong', 'death', 'invalid-utf8', 'a3000101' + '62' + 'c0af' + '0201', 'overlong encoding of "/"'),
  bad('invalid-utf8-surrogate', 'death', 'invalid-utf8', 'a3000101' + '63' + 'eda080' + '0201', 'UTF-8 of surrogate U+D800'),
  bad('invalid-utf8-ignored', 'death', 'invalid-utf8', deathWith('62c328'), 'bad UTF-8 in ignored content is refused too'),
  bad('invalid-utf8-cut', 'envelope', 'invalid-utf8',
    swap(edited('envelope', ENV([SAMPLE_EVENTS[13]]), (m) => void (events(m)[0][4] = 'é')), '62c3a9', '61c3'),
    'reason text ending inside a 2-byte sequence'),
  bad('tag-ignored', 'death', 'unsupported-item', deathWith('c100'), 'a tag (1) under an unknown key'),
  bad('tag-self-described', 'death', 'unsupported-item', 'd9d9f7' + DEATH_HEX, 'self-described CBOR tag 55799 in front'),
  bad('float-time', 'envelope', 'unsupported-item',
    swap(plain('envelope', passingEnv), head(0, PASSING.timeUs), 'fb' + float64Hex(PASSING.timeUs)),
    'passing time as a float64'),
  bad('half-float', 'death', 'unsupported-item', deathWith('f93c00'), 'half-precision 1.0 under an unknown key'),
  bad('single-float-boot', 'death', 'unsupported-item', 'a3000101' + textHex('loop-sf') + '02' + 'fa3f800000', 'boot as a float32'),
  bad('undefined', 'death', 'unsupported-item', deathWith('f7'), 'undefined under an unknown key'),
  bad('simple-16', 'death', 'unsupported-item', deathWith('f0'), 'simple value 16'),
  bad('simple-32', 'death', 'unsupported-item', deathWith('f820'), 'simple value 32 (two-byte form)'),

  // schema
  bad('not-a-map', 'death', 'wrong-type', '83' + '01' + textHex('loop-sf') + '01', 'an array instead of a map'),
  bad('version-missing', 'death', 'missing-field', 'a2' + DEATH_HEX.slice(6), 'no key 0'),
  bad('version-text', 'death', 'wrong-type', edited('death', DEATH, (m) => m.set(0, '1')), 'version "1"'),
  bad('version-negative', 'death', 'wrong-type', edited('death', DEATH, (m) => m.set(0, -1)), 'version -1'),
  bad('version-2', 'death', 'unsupported-version', edited('death', DEATH, (m) => m.set(0, 2)), 'version 2'),
  bad('version-0', 'envelope', 'unsupported-version', edited('envelope', passingEnv, (m) => m.set(0, 0)), 'version 0'),
  bad('board-id-uint', 'death', 'wrong-type', edited('death', DEATH, (m) => m.set(1, 17)), 'board id as a number'),
  bad('board-id-bytes', 'death', 'wrong-type', edited('death', DEATH, (m) => m.set(1, utf8('loop-sf'))), 'board id as a byte string'),
  bad('board-id-capital', 'death', 'out-of-range', edited('death', DEATH, (m) => m.set(1, 'Loop-sf')), 'capital letter'),
  bad('board-id-empty', 'birth', 'out-of-range', edited('birth', birthLoop, (m) => m.set(1, '')), 'empty board id'),
  bad('board-id-33', 'envelope', 'out-of-range', edited('envelope', passingEnv, (m) => m.set(1, ID_32 + 'x')), '33 characters'),
  bad('board-id-leading-hyphen', 'command', 'out-of-range',
    edited('command', configCmd, (m) => m.set(1, '-loop')), 'must start with a letter or digit'),
  bad('board-id-slash', 'death', 'out-of-range', edited('death', DEATH, (m) => m.set(1, 'loop/sf')), 'a topic separator'),
  bad('board-id-newline', 'death', 'out-of-range', edited('death', DEATH, (m) => m.set(1, 'loop\n')), 'trailing newline'),
  bad('boot-missing', 'death', 'missing-field', edited('death', DEATH, (m) => m.delete(2)), 'no boot id'),
  bad('boot-over-u32', 'death', 'out-of-range', edited('death', DEATH, (m) => m.set(2, 2n ** 32n)), 'boot 2^32'),
  bad('boot-negative', 'death', 'wrong-type', edited('death', DEATH, (m) => m.set(2, -1)), 'boot -1 (major type 1)'),
  bad('key-text', 'death', 'wrong-type', 'a4' + DEATH_HEX.slice(2) + textHex('x') + '00', 'a text key next to the known ones'),
  bad('key-negative', 'death', 'wrong-type', 'a4' + DEATH_HEX.slice(2) + '2000', 'key -1'),
  bad('duplicate-key', 'death', 'duplicate-key', 'a4' + DEATH_HEX.slice(2) + '0202', 'key 2 twice'),
  bad('duplicate-key-non-preferred', 'death', 'duplicate-key', 'a4' + DEATH_HEX.slice(2) + '180200', 'key 2, then key 2 written as 0x1802'),
  bad('duplicate-unknown-key', 'death', 'duplicate-key', 'a5' + DEATH_HEX.slice(2) + '0900' + '0901', 'unknown key 9 twice'),
  bad('duplicate-version', 'death', 'duplicate-key', 'a4' + DEATH_HEX.slice(2) + '0001', 'key 0 twice'),
  bad('duplicate-capacity', 'birth', 'duplicate-key',
    swap(plain('birth', birthLoop), 'a501190100', 'a6011901000101'), 'capacities key 1 twice'),
  bad('duplicate-counter', 'envelope', 'duplicate-key',
    swap(plain('envelope', healthEnv), 'a40100', 'a501000100'), 'health counter 1 twice'),
  bad('duplicate-config-kind', 'command', 'duplicate-key',
    swap(plain('command', configCmd), 'a40000', 'a500000000'), 'config key 0 twice'),
  bad('events-empty', 'envelope', 'bad-count', edited('envelope', passingEnv, (m) => m.set(4, [])), 'an envelope without events'),
  bad('events-65', 'envelope', 'bad-count',
    edited('envelope', passingEnv, (m) => m.set(4, Array.from({ length: 65 }, () => events(m)[0]))), '65 events'),
  bad('events-map', 'envelope', 'wrong-type', edited('envelope', passingEnv, (m) => m.set(4, new Map([[0, events(m)[0]]]))), 'events as a map'),
  bad('events-missing', 'envelope', 'missing-field', edited('envelope', passingEnv, (m) => m.delete(4)), 'no key 4'),
  bad('event-kind-unknown', 'envelope', 'unknown-kind', edited('envelope', passingEnv, (m) => void (events(m)[0][0] = 17)), 'event kind 17'),
  bad('event-kind-0', 'envelope', 'unknown-kind', edited('envelope', passingEnv, (m) => void (events(m)[0][0] = 0)), 'event kind 0'),
  bad('event-kind-text', 'envelope', 'wrong-type', edited('envelope', passingEnv, (m) => void (events(m)[0][0] = 'passing')), 'event kind as text'),
  bad('event-empty', 'envelope', 'missing-field', edited('envelope', passingEnv, (m) => void (events(m)[0] = [])), 'event []'),
  bad('event-not-array', 'envelope', 'wrong-type', edited('envelope', passingEnv, (m) => void ((m.get(4) as unknown[])[0] = 1)), 'event 1'),
  bad('passing-short', 'envelope', 'missing-field', edited('envelope', passingEnv, (m) => void events(m)[0].pop()), 'passing without flags'),
  bad('passing-loop-256', 'envelope', 'out-of-range', edited('envelope', passingEnv, (m) => void (events(m)[0][1] = 256)), 'loop 256'),
  bad('passing-flags-16', 'envelope', 'out-of-range', edited('envelope', passingEnv, (m) => void (events(m)[0][6] = 16)), 'flags 16'),
  bad('passing-time-2-53', 'envelope', 'out-of-range',
    edited('envelope', passingEnv, (m) => void (events(m)[0][3] = 2n ** 53n)), 'time 2^53, one over MAX_SAFE_TIME_US'),
  bad('passing-time-u64-max', 'envelope', 'out-of-range',
    edited('envelope', passingEnv, (m) => void (events(m)[0][3] = 2n ** 64n - 1n)), 'time 2^64-1'),
  bad('passing-transponder-negative', 'envelope', 'wrong-type',
    edited('envelope', passingEnv, (m) => void (events(m)[0][2] = -1)), 'transponder -1'),
  bad('passing-strength-null', 'envelope', 'wrong-type',
    edited('envelope', passingEnv, (m) => void (events(m)[0][4] = null)), 'strength null'),
  bad('second-event-bad', 'envelope', 'out-of-range',
    edited('envelope', ENV([PASSING, PASSING]), (m) => void (events(m)[1][5] = 65536)), 'hits 65536 in the second event'),
  bad('segment-over-int', 'envelope', 'wrong-type',
    edited('envelope', ENV([SAMPLE_EVENTS[1]]), (m) => void (events(m)[0][7] = 1)), 'over as 1, not true'),
  bad('segment-over-null', 'envelope', 'wrong-type',
    edited('envelope', ENV([SAMPLE_EVENTS[1]]), (m) => void (events(m)[0][7] = null)), 'over as null'),
  bad('commitment-short', 'envelope', 'missing-field',
    edited('envelope', commitmentEnv, (m) => void events(m)[0].pop()), 'commitment without margins'),
  bad('commitment-lane-256', 'envelope', 'out-of-range',
    edited('envelope', commitmentEnv, (m) => void (events(m)[0][1] = 256)), 'lane 256'),
  bad('commitment-inside-null', 'envelope', 'wrong-type',
    edited('envelope', commitmentEnv, (m) => void (events(m)[0][4] = null)), 'inside null'),
  bad('commitment-margin-above', 'envelope', 'out-of-range',
    edited('envelope', commitmentEnv, (m) => void (events(m)[0][5] = 2147483648)), 'marginMm 2^31'),
  bad('commitment-margins-3', 'envelope', 'bad-count',
    edited('envelope', commitmentEnv, (m) => void (events(m)[0][7] as unknown[]).pop()), '3 tire margins'),
  bad('verdict-clause-0', 'envelope', 'out-of-range', edited('envelope', verdictEnv, (m) => void (events(m)[0][5] = 0)), 'clause 0'),
  bad('verdict-clause-5', 'envelope', 'out-of-range', edited('envelope', verdictEnv, (m) => void (events(m)[0][5] = 5)), 'clause 5'),
  bad('verdict-phase-2', 'envelope', 'out-of-range', edited('envelope', verdictEnv, (m) => void (events(m)[0][8] = 2)), 'phase 2'),
  bad('verdict-margin-below', 'envelope', 'out-of-range',
    edited('envelope', verdictEnv, (m) => void (events(m)[0][6] = -2147483649)), 'margin -2^31-1'),
  bad('verdict-margin-above', 'envelope', 'out-of-range',
    edited('envelope', verdictEnv, (m) => void (events(m)[0][6] = 2147483648)), 'margin 2^31'),
  bad('verdict-margin-nint64', 'envelope', 'out-of-range',
    swap(plain('envelope', verdictEnv), '1878', '3b0000000080000000'), 'margin -2^31-1 written with an 8-byte head'),
  bad('verdict-margins-3', 'envelope', 'bad-count', edited('envelope', verdictEnv, (m) => void (events(m)[0][9] as unknown[]).pop()), '3 margins'),
  bad('verdict-margins-5', 'envelope', 'bad-count',
    edited('envelope', verdictEnv, (m) => void (events(m)[0][9] as unknown[]).push(0)), '5 margins'),
  bad('counters-array', 'envelope', 'wrong-type', edited('envelope', healthEnv, (m) => void (events(m)[0][4] = [0])), 'counters as an array'),
  bad('counter-key-text', 'envelope', 'wrong-type',
    edited('envelope', healthEnv, (m) => void (events(m)[0][4] = new Map([['1', 0]]))), 'counter key "1"'),
  bad('counter-key-over-u32', 'envelope', 'out-of-range',
    edited('envelope', healthEnv, (m) => void (events(m)[0][4] = new Map([[2n ** 32n, 0]]))), 'counter key 2^32'),
  bad('counter-value-over-u32', 'envelope', 'out-of-range',
    edited('envelope', healthEnv, (m) => void (events(m)[0][4] = new Map([[1, 2n ** 32n]]))), 'counter value 2^32'),
  bad('counters-33', 'envelope', 'bad-count',
    edited('envelope', healthEnv, (m) => void (events(m)[0][4] = new Map(Array.from({ length: 33 }, (_, i) => [i, 0])))),
    '33 counters'),
  bad('reason-65-bytes', 'envelope', 'out-of-range',
    edited('envelope', ENV([SAMPLE_EVENTS[13]]), (m) => void (events(m)[0][4] = 'é'.repeat(32) + 'x')), 'reason of 65 bytes'),
  bad('reject-code-6', 'envelope', 'out-of-range', edited('envelope', ENV([SAMPLE_EVENTS[13]]), (m) => void (events(m)[0][3] = 6)), 'reject code 6'),
  bad('firmware-empty', 'birth', 'out-of-range', edited('birth', birthLoop, (m) => m.set(4, '')), 'firmware ""'),
  bad('firmware-17', 'birth', 'out-of-range', edited('birth', birthLoop, (m) => m.set(4, '1.0.0-rc.1+build1')), 'firmware of 17 bytes'),
  bad('board-kind-2', 'birth', 'out-of-range', edited('birth', birthLoop, (m) => m.set(3, 2)), 'board kind 2'),
  bad('capacity-over-u16', 'birth', 'out-of-range',
    edited('birth', birthLoop, (m) => (m.get(6) as Map<number, unknown>).set(6, 65536)), 'maxMessage 65536'),
  bad('capacities-missing', 'birth', 'missing-field', edited('birth', birthLoop, (m) => m.delete(6)), 'no capacities'),
  bad('birth-seq-missing', 'birth', 'missing-field', edited('birth', birthLoop, (m) => m.delete(8)), 'no seq'),
  bad('command-kind-5', 'command', 'unknown-kind', edited('command', configCmd, (m) => m.set(3, [5])), 'command kind 5'),
  bad('command-body-empty', 'command', 'missing-field', edited('command', configCmd, (m) => m.set(3, [])), 'command body []'),
  bad('resend-no-seq', 'command', 'missing-field', edited('command', configCmd, (m) => m.set(3, [2])), 'resend without fromSeq'),
  bad('time-check-over', 'command', 'out-of-range', edited('command', configCmd, (m) => m.set(3, [3, 2n ** 53n])), 'sentUs 2^53'),
  bad('config-kind-2', 'command', 'unknown-kind',
    edited('command', configCmd, (m) => (m.get(3) as [number, Model])[1].set(0, 2)), 'config kind 2'),
  bad('config-kind-missing', 'command', 'missing-field',
    edited('command', configCmd, (m) => (m.get(3) as [number, Model])[1].delete(0)), 'config without kind'),
  bad('config-kind-text', 'command', 'wrong-type',
    edited('command', configCmd, (m) => (m.get(3) as [number, Model])[1].set(0, 'loop')), 'config kind "loop"'),
  bad('config-loops-0', 'command', 'bad-count',
    edited('command', configCmd, (m) => (m.get(3) as [number, Model])[1].set(1, [])), 'no loops'),
  bad('config-loops-17', 'command', 'bad-count',
    edited('command', configCmd, (m) => {
      const cfg = (m.get(3) as [number, Model])[1];
      cfg.set(1, Array.from({ length: 17 }, () => [0, 0, 0]));
    }), '17 loops'),
  bad('config-loop-role-7', 'command', 'out-of-range',
    edited('command', configCmd, (m) => void ((m.get(3) as [number, Model])[1].get(1) as unknown[][])[0].splice(1, 1, 7)), 'loop role 7'),
  bad('config-pit-road-short', 'command', 'missing-field',
    edited('command', configCmd, (m) => (m.get(3) as [number, Model])[1].set(4, [4500])), 'pit road without tolerance'),
  bad('config-boxes-5', 'command', 'bad-count',
    edited('command', boxCmd, (m) => {
      const cfg = (m.get(3) as [number, Model])[1];
      const boxes = cfg.get(1) as unknown[];
      cfg.set(1, [boxes[0], boxes[0], boxes[0], boxes[0], boxes[0]]);
    }), '5 boxes'),
  bad('config-commitment-lanes-0', 'command', 'bad-count',
    edited('command', laneCmd, (m) => void (m.get(3) as [number, Model])[1].set(5, [])), 'an empty commitment lane list'),
  bad('config-commitment-lanes-3', 'command', 'bad-count',
    edited('command', laneCmd, (m) => {
      const cfg = (m.get(3) as [number, Model])[1];
      const lanes = cfg.get(5) as unknown[];
      cfg.set(5, [lanes[0], lanes[0], lanes[0]]);
    }), '3 commitment lanes, 2 at most'),
  bad('config-commitment-lane-short', 'command', 'missing-field',
    edited('command', laneCmd, (m) => void ((m.get(3) as [number, Model])[1].get(5) as unknown[][])[0].pop()), 'a lane without uncertaintyMm'),
  bad('config-commitment-lane-id-256', 'command', 'out-of-range',
    edited('command', laneCmd, (m) => void (((m.get(3) as [number, Model])[1].get(5) as unknown[][])[0][0] = 256)), 'lane id 256'),
  bad('config-box-vehicle-short', 'command', 'missing-field',
    edited('command', boxCmd, (m) => void ((m.get(3) as [number, Model])[1].get(2) as unknown[]).pop()), 'vehicle with 6 of 7 fields'),
  bad('control-flag-7', 'control-state', 'out-of-range', edited('control-state', control, (m) => m.set(2, 7)), 'flag 7'),
  bad('control-pit-open-null', 'control-state', 'wrong-type', edited('control-state', control, (m) => m.set(3, null)), 'pitOpen null'),
  bad('control-time-negative', 'control-state', 'wrong-type', edited('control-state', control, (m) => m.set(1, -5)), 'time -5'),
];

function float64Hex(x: number): string {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x);
  return hexOf(b);
}

// ------------------------------------------------------------------ accepted, not preferred

const acc = <T extends MessageType>(type: T, name: string, hex: string, value: MessageTypes[T], note: string): AcceptedCase<T> => ({
  name: `accepted-${name}`,
  type,
  hex,
  value,
  note,
});

export const ACCEPTED: AcceptedCase[] = [
  acc('death', 'unknown-keys', 'a5' + DEATH_HEX.slice(2) + '09' + textHex('later') + '1bffffffffffffffff' + 'a20180' + '0240',
    DEATH, 'unknown keys 9 and 2^64-1 (with a map and an array inside) are ignored'),
  acc('death', 'ignored-content', deathWith('8b' + '3bffffffffffffffff' + '40' + '60' + 'f6' + 'f4' + 'f5' + 'a0' + '80' + '2000' + '5801ff'),
    DEATH, 'every kind of item pitwall allows, under an unknown key'),
  acc('death', 'duplicate-in-ignored-map', deathWith('a2' + '0100' + '0101'),
    DEATH, 'duplicate keys are refused in maps the schema describes only, not inside ignored content'),
  acc('death', 'depth-16', deathWith(nested(15)), DEATH, '15 nested arrays under the top-level map: 16 levels, the most allowed'),
  acc('death', 'keys-descending', 'a3' + '02' + '01' + '01' + textHex('loop-sf') + '00' + '01', DEATH, 'keys in descending order'),
  acc('death', 'non-preferred-heads', 'b803' + '1800' + '1b0000000000000001' + '01' + '7807' + hexOf(utf8('loop-sf')) + '1a00000002' + '190001',
    DEATH, 'map, key, version, text and uint heads longer than needed'),
  acc('death', 'size-4096', deathWith(head(2, 4078) + '00'.repeat(4078)), DEATH, 'exactly MAX_MESSAGE_BYTES'),
  acc('envelope', 'event-extra-elements', edited('envelope', passingEnv, (m) => void events(m)[0].push('future', [1, 2], new Map([[1, 2]]))),
    passingEnv, 'elements after the known ones of an event are ignored'),
  acc('envelope', 'non-preferred-array-heads', swap(plain('envelope', passingEnv), '048187', '0498019807'),
    passingEnv, 'event list and event with 1-byte count heads'),
  acc('envelope', 'margin-nint64', swap(plain('envelope', verdictEnv), '1878', '3b0000000000000000'),
    { ...verdictEnv, events: [{ ...SAMPLE_EVENTS[6], marginMm: -1 } as BoardEvent] },
    'margin -1 written with an 8-byte negative head (0x3b)'),
  acc('envelope', 'uint64-head', swap(plain('envelope', passingEnv), head(0, PASSING.transponder), '1b' + PASSING.transponder.toString(16).padStart(16, '0')),
    passingEnv, 'transponder written with an 8-byte head'),
  acc('envelope', 'unknown-envelope-key', edited('envelope', passingEnv, (m) => m.set(5, [1, 2, 3])), passingEnv, 'key 5 is ignored'),
  acc('birth', 'unknown-capacity', edited('birth', birthLoop, (m) => (m.get(6) as Map<number, unknown>).set(7, 'new')),
    birthLoop, 'capacities key 7 is ignored'),
  acc('command', 'config-extra', edited('command', configCmd, (m) => {
    const body = m.get(3) as unknown[];
    body.push(null);
    const cfg = body[1] as Model;
    cfg.set(9, 1);
    (cfg.get(1) as unknown[][])[0].push(true);
  }), configCmd, 'extra body element, unknown config key, extra loop-def element'),
  acc('command', 'reboot-extra', edited('command', CASES.find((x) => x.name === 'command-reboot')!.value as MessageTypes['command'], (m) =>
    void (m.get(3) as unknown[]).push(1, 2)), CASES.find((x) => x.name === 'command-reboot')!.value as MessageTypes['command'],
    'reboot with two extra elements'),
  acc('envelope', 'commitment-extra-elements', edited('envelope', commitmentEnv, (m) => void events(m)[0].push(1, 'later')),
    commitmentEnv, 'elements after the known ones of a commitment event are ignored'),
  acc('command', 'config-box-lane-extra', edited('command', laneCmd, (m) => {
    const cfg = (m.get(3) as [number, Model])[1];
    (cfg.get(5) as unknown[][])[0].push(500, 'later');
    cfg.set(6, [1]);
  }), laneCmd, 'extra commitment-lane elements and an unknown box config key'),
  acc('control-state', 'unknown-key', edited('control-state', control, (m) => m.set(4, 'later')), control, 'key 4 is ignored'),
];

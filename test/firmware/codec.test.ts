// The firmware codec (firmware/lib/cbor.ts, messages.ts) through its harness:
// the golden vectors of protocol/vectors, hand-written samples with their exact
// bytes, the decode rules case by case (reason and offset, the same as the gateway
// codec's), and the shape of the harness module itself.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decode as tsDecode, DecodeError } from '../../protocol/codec.js';
import { configHash, fnv1a32 } from '../../protocol/config-hash.js';
import { MESSAGE_TYPE_CODES, type MessageType, type MessageTypes } from '../../protocol/schema.js';
import { ROOT, firmwareCodec, harnessPath, isAsDecodeError } from '../support/firmware.js';

const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function tsResult(type: MessageType, bytes: Uint8Array): unknown {
  try {
    return tsDecode(type, bytes);
  } catch (e) {
    if (e instanceof DecodeError) return { error: e.reason, offset: e.offset };
    throw e;
  }
}

// ------------------------------------------------------------------ the module

describe('harness module', () => {
  const bytes = readFileSync(harnessPath());
  firmwareCodec(); // builds it when missing
  const mod = new WebAssembly.Module(readFileSync(harnessPath()));

  test('imports nothing but env.abort', () => {
    expect(WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`)).toEqual(['env.abort']);
  });

  test('has a fixed memory that cannot grow', () => {
    const inst = new WebAssembly.Instance(mod, { env: { abort: () => {} } });
    expect(() => (inst.exports.memory as WebAssembly.Memory).grow(1)).toThrow(RangeError);
  });

  test('exports only the harness calls and its memory', () => {
    expect(WebAssembly.Module.exports(mod).map((e) => e.name).sort()).toEqual(
      ['decode', 'encode', 'errOffset', 'inCap', 'inPtr', 'memory', 'outCap', 'outPtr', 'poolCap', 'poolPtr', 'selftest', 'slotsCap', 'slotsPtr'].sort(),
    );
    expect(bytes.length).toBeGreaterThan(0);
  });

  test('selftest passes: config hash and range, head widths, writer overflow, health zero-skipping', () => {
    const inst = new WebAssembly.Instance(mod, { env: { abort: () => { throw new Error('abort'); } } });
    expect((inst.exports.selftest as () => number)()).toBe(0);
    // the hash selftest pins is the gateway's config hash of the same config
    const cmd = SAMPLES.find((x) => x.name === 'command-loop-config')!;
    const body = (cmd.value as MessageTypes['command']).body as Extract<MessageTypes['command']['body'], { kind: 'config' }>;
    expect(configHash(body.config)).toBe(0xc491f351);
    expect(fnv1a32(fromHex(cmd.hex).subarray(18))).toBe(0xc491f351);
  });

  test('refuses an unknown message type and impossible lengths without trapping', () => {
    const fw = firmwareCodec();
    expect(fw.decodeRaw(9, fromHex('a0'))).toBe(-11);
    expect(fw.decodeRaw(-1, fromHex('a0'))).toBe(-11);
    expect(fw.decodeRaw('death', new Uint8Array(100_000))).toBe(-5);
  });
});

// ------------------------------------------------------------------ golden vectors

interface Vector {
  name: string;
  type: MessageType;
  value: unknown;
  hex: string;
  file: string;
}
interface InvalidVector {
  name?: string;
  type: MessageType;
  hex: string;
  reason: string;
  code?: number;
}

const VECTOR_DIR = join(ROOT, 'protocol', 'vectors');
const vectorFiles = existsSync(VECTOR_DIR) ? readdirSync(VECTOR_DIR).filter((f) => f.endsWith('.json')).sort() : [];
const vectors: Vector[] = vectorFiles
  .filter((f) => f !== 'invalid.json')
  .flatMap((file) => (JSON.parse(readFileSync(join(VECTOR_DIR, file), 'utf8')) as Omit<Vector, 'file'>[]).map((v) => ({ ...v, file })));
const invalidVectors: InvalidVector[] = vectorFiles.includes('invalid.json')
  ? JSON.parse(readFileSync(join(VECTOR_DIR, 'invalid.json'), 'utf8'))
  : [];
/** Vectors of bytes a decoder accepts but an encoder would not write (non-preferred, unknown content). */
const isAcceptedOnly = (v: Vector): boolean => v.file === 'accepted.json' || v.name.startsWith('accepted-');

describe('golden vectors (protocol/vectors/*.json)', () => {
  if (vectors.length === 0 && invalidVectors.length === 0) {
    test.skip('no vector files yet', () => {});
    return;
  }
  const preferred = vectors.filter((v) => !isAcceptedOnly(v));

  test.each(preferred.map((v) => [`${v.file}: ${v.name}`, v] as const))('firmware encoder writes %s', (_, v) => {
    expect(toHex(firmwareCodec().encode(v.type, v.value as never))).toBe(v.hex.toLowerCase());
  });

  test.each(vectors.map((v) => [`${v.file}: ${v.name}`, v] as const))('firmware decoder reads %s', (_, v) => {
    expect(firmwareCodec().decode(v.type, fromHex(v.hex))).toEqual(v.value);
  });

  test.each(invalidVectors.map((v, i) => [v.name ?? `#${i}`, v] as const))('firmware decoder refuses %s', (_, v) => {
    const r = firmwareCodec().decode(v.type, fromHex(v.hex));
    expect(isAsDecodeError(r) ? r.error : 'accepted').toBe(v.reason);
    if (v.code !== undefined && isAsDecodeError(r)) expect(r.code).toBe(v.code);
  });
});

// ------------------------------------------------------------------ samples

interface Sample<T extends MessageType = MessageType> {
  name: string;
  type: T;
  value: MessageTypes[T];
  hex: string;
}
const s = <T extends MessageType>(name: string, type: T, value: MessageTypes[T], hex: string): Sample => ({ name, type, value, hex });

// Exact bytes, written down once: they pin the encoding independently of both codecs.
const SAMPLES: Sample[] = [
  s('birth-loop', 'birth', {
    board: 'loop-sf', boot: 1234567, kind: 'loop', firmware: '0.1.0', configHash: 0xdeadbeef,
    capacities: { outbox: 512, loops: 4, transponders: 64, inputBatch: 1024, maxMessage: 4096 }, timeUs: 1700000000000000, seq: 0,
  }, 'a9000101676c6f6f702d7366021a0012d68703000465302e312e30051adeadbeef06a50119020002040318400519040006191000071b00060a24181e40000800'),
  s('birth-box-no-capacities', 'birth', {
    board: 'b', boot: 0, kind: 'box', firmware: 'é', configHash: 0, capacities: {}, timeUs: 9007199254740991, seq: 4294967295,
  }, 'a90001016162020003010462c3a9050006a0071b001fffffffffffff081affffffff'),
  s('death', 'death', { board: 'box-12', boot: 7 }, 'a300010166626f782d31320207'),
  s('envelope-mixed', 'envelope', {
    board: 'pit-3', boot: 99, seq: 65536, events: [
      { kind: 'passing', loop: 2, transponder: 4000123, timeUs: 1700000000123456, strength: 200, hits: 37, flags: 4 },
      { kind: 'segment-speed', transponder: 24, segment: 1, entryUs: 1700000000000000, exitUs: 1700000001500000, speed: 5512, limit: 5500, over: true },
      { kind: 'pit-in', transponder: 24, timeUs: 23, loop: 24 },
      { kind: 'pit-out', transponder: 0, timeUs: 0, loop: 255 },
      { kind: 'box-stop', box: 12, transponder: 24, timeUs: 1700000002000000 },
      { kind: 'box-verdict', box: 12, transponder: 24, timeUs: 1700000002000001, inBox: false, clause: 'c', marginMm: -25, closeCall: true, phase: 'service', margins: [120, -1, -25, -2147483648] },
      { kind: 'crew-over-wall', box: 12, transponder: 24, timeUs: 1700000001900000, distanceMm: 4200, tooSoon: true, crew: 5 },
      { kind: 'health', timeUs: 1700000003000000, uptimeS: 3600, outboxDepth: 2, counters: { 2: 1, 6: 300, 4294967295: 4294967295 } },
      { kind: 'config-rejected', timeUs: 1, command: 77, code: 'inconsistent', reason: 'loop 3 listed twice', configHash: 305419896 },
      { kind: 'clock-reply', timeUs: 1700000004000000, command: 78, echoUs: 1700000003999000 },
    ],
  }, 'a5000101657069742d33021863031a00010000048a8701021a003d097b1b00060a241820224018c818250488021818011b00060a24181e40001b00060a241835236019158819157cf5840318181718188404000018ff84060c18181b00060a24183cc4808a070c18181b00060a24183cc481f4033818f5018418782038183a7fffffff870a0c18181b00060a24183b3de0191068f505850d1b00060a24184c06c0190e1002a302010619012c1affffffff1affffffff860e01184d04736c6f6f702033206c69737465642074776963651a12345678840f1b00060a24185b4900184e1b00060a24185b4518'),
  s('command-loop-config', 'command', {
    board: 'loop-sf', id: 41, body: { kind: 'config', config: {
      kind: 'loop', loops: [{ id: 1, role: 'start-finish', distanceMm: 0 }, { id: 2, role: 'pit-entry', distanceMm: 1200000 }],
      quietGapUs: 20000, minHits: 3, pitRoad: { limit: 5500, tolerance: 100 } } },
  }, 'a4000101676c6f6f702d7366021829038201a500000182830100008302031a00124f8002194e200303048219157c1864'),
  s('command-box-config', 'command', {
    board: 'box-12', id: 42, body: { kind: 'config', config: {
      kind: 'box', boxes: [{ number: 12, lengthMm: 7000, widthMm: 3500, lineMm: 100, outsideLeft: true }],
      vehicle: { trackMm: 1600, wheelbaseMm: 2800, tireWidthMm: 300, patchMm: 150, frontOverhangMm: 1000, rearOverhangMm: 1100, bodyWidthMm: 2000 },
      uncertaintyMm: 5, sampleUs: 1000 } },
  }, 'a400010166626f782d313202182a038201a500010181850c191b58190dac1864f50287190640190af019012c18961903e819044c1907d00305041903e8'),
  s('command-resend', 'command', { board: 'a', id: 0, body: { kind: 'resend', fromSeq: 1000 } }, 'a4000101616102000382021903e8'),
  s('command-time-check', 'command', { board: 'a', id: 4294967295, body: { kind: 'time-check', sentUs: 1700000000000000 } }, 'a40001016161021affffffff0382031b00060a24181e4000'),
  s('command-reboot', 'command', { board: '0-', id: 1, body: { kind: 'reboot' } }, 'a400010162302d0201038104'),
  s('control-state', 'control-state', { timeUs: 1700000000000000, flag: 'stage-end', pitOpen: true }, 'a40001011b00060a24181e4000020603f5'),
];

describe('samples with exact bytes', () => {
  test.each(SAMPLES.map((x) => [x.name, x] as const))('%s: firmware encoder writes the bytes, decoder reads the value', (_, x) => {
    const fw = firmwareCodec();
    expect(toHex(fw.encode(x.type, x.value))).toBe(x.hex);
    expect(fw.decode(x.type, fromHex(x.hex))).toEqual(x.value);
  });
});

// ------------------------------------------------------------------ decode rules

const DEATH = 'a30001016162' + '0207'; // {0: 1, 1: "b", 2: 7}
const CONTROL = 'a4000101000201' + '03f5'; // timeUs 0, green, pit open
const ENV_HEAD = 'a50001016162020103020481'; // envelope b/1/2 with one event, which follows
const PIT_IN = '8403010203';
const CMD_HEAD = 'a40001016162020103'; // command b/1, body follows
const passing = (flags: string): string => '87' + '01' + '00'.repeat(5) + flags;
const verdict = (margins: string): string => '8a070c1818' + '00' + 'f4' + '01' + '20' + 'f5' + '00' + margins;
const health = (counters: string): string => '850d000000' + counters;
const loopConfig = (loops: string): string => 'a4' + '0000' + '01' + loops + '0200' + '0300';
const nested = (n: number): string => '81'.repeat(n - 1) + '80';
const repeat = (hex: string, n: number): string => hex.repeat(n);

interface Rule {
  name: string;
  type: MessageType;
  hex: string;
  reason?: string;
  offset?: number;
  value?: unknown;
}
const refuse = (name: string, type: MessageType, hex: string, reason: string, offset: number): Rule => ({ name, type, hex, reason, offset });
const accept = (name: string, type: MessageType, hex: string, value: unknown): Rule => ({ name, type, hex, value });

const RULES: Rule[] = [
  // the message map and its version
  refuse('empty input', 'death', '', 'truncated', 0),
  refuse('not a map', 'death', '83000102', 'wrong-type', 0),
  refuse('version missing', 'death', 'a2016162' + '0207', 'missing-field', 0),
  refuse('version text', 'death', 'a300616101616202' + '07', 'wrong-type', 2),
  refuse('version 2', 'death', 'a30002016162' + '0207', 'unsupported-version', 2),
  refuse('version 2 beats a bad board id', 'death', 'a3000201614202' + '07', 'unsupported-version', 2),
  refuse('required key missing', 'death', 'a2000101' + '6162', 'missing-field', 0),
  // keys
  refuse('text key', 'death', 'a4' + DEATH.slice(2) + '617800', 'wrong-type', 8),
  refuse('negative key', 'death', 'a4' + DEATH.slice(2) + '2000', 'wrong-type', 8),
  refuse('duplicate key', 'death', 'a4' + DEATH.slice(2) + '0208', 'duplicate-key', 8),
  refuse('duplicate key, other head width', 'death', 'a4' + DEATH.slice(2) + '180208', 'duplicate-key', 8),
  refuse('duplicate unknown key', 'death', 'a5' + DEATH.slice(2) + '186400' + '186400', 'duplicate-key', 11),
  refuse('first repeat in wire order, large keys', 'death', 'a7' + DEATH.slice(2) + '186400' + '18c800' + '18c800' + '186400', 'duplicate-key', 14),
  refuse('first repeat in wire order, 8-byte key', 'death', 'a6' + DEATH.slice(2) + '1bffffffffffffffff00' + '0500' + '1bffffffffffffffff00', 'duplicate-key', 20),
  refuse('key types are checked before duplicates', 'death', 'a5' + DEATH.slice(2) + '0207' + '617800', 'wrong-type', 10),
  accept('duplicate keys inside ignored content', 'death', 'a4' + DEATH.slice(2) + '09a201000101', { board: 'b', boot: 7 }),
  accept('keys in any order, unknown keys ignored', 'death', 'a4' + '0207' + '096178' + '016162' + '0001', { board: 'b', boot: 7 }),
  accept('non-shortest heads', 'death', 'b803' + '1b0000000000000000' + '1801' + '190001' + '780162' + '1a00000002' + '1a00000007', { board: 'b', boot: 7 }),
  // board ids
  refuse('board id uppercase', 'death', 'a30001016142' + '0207', 'out-of-range', 4),
  refuse('board id leading dash', 'death', 'a3000101622d61' + '0207', 'out-of-range', 4),
  refuse('board id empty', 'death', 'a300010160' + '0207', 'out-of-range', 4),
  refuse('board id 33 bytes', 'death', 'a3000101' + '7821' + repeat('61', 33) + '0207', 'out-of-range', 4),
  accept('board id 32 bytes', 'death', 'a3000101' + '7820' + repeat('61', 32) + '0207', { board: 'a'.repeat(32), boot: 7 }),
  refuse('board id as bytes', 'death', 'a30001014162' + '0207', 'wrong-type', 4),
  // numbers and booleans
  refuse('boot over u32', 'death', 'a30001016162' + '021b0000000100000000', 'out-of-range', 7),
  refuse('boot negative', 'death', 'a30001016162' + '0220', 'wrong-type', 7),
  refuse('time over 2^53 - 1', 'control-state', 'a40001011b0020000000000000' + '0201' + '03f5', 'out-of-range', 4),
  accept('time 2^53 - 1', 'control-state', 'a40001011b001fffffffffffff' + '0201' + '03f5', { timeUs: 2 ** 53 - 1, flag: 'green', pitOpen: true }),
  refuse('flag 7', 'control-state', 'a4000101000207' + '03f5', 'out-of-range', 6),
  refuse('pit open null', 'control-state', CONTROL.slice(0, -2) + 'f6', 'wrong-type', 8),
  refuse('pit open 1', 'control-state', CONTROL.slice(0, -2) + '01', 'wrong-type', 8),
  refuse('a float anywhere', 'control-state', CONTROL.slice(0, -2) + 'f93c00', 'unsupported-item', 8),
  // events
  refuse('no events', 'envelope', ENV_HEAD.slice(0, -2) + '80', 'bad-count', 11),
  refuse('65 events', 'envelope', ENV_HEAD.slice(0, -2) + '9841' + repeat(PIT_IN, 65), 'bad-count', 11),
  accept('64 events', 'envelope', ENV_HEAD.slice(0, -2) + '9840' + repeat(PIT_IN, 64), {
    board: 'b', boot: 1, seq: 2, events: Array.from({ length: 64 }, () => ({ kind: 'pit-in', transponder: 1, timeUs: 2, loop: 3 })),
  }),
  refuse('event not an array', 'envelope', ENV_HEAD + 'a0', 'wrong-type', 12),
  refuse('event empty', 'envelope', ENV_HEAD + '80', 'missing-field', 12),
  refuse('event kind text', 'envelope', ENV_HEAD + '82616100', 'wrong-type', 13),
  refuse('event kind 17', 'envelope', ENV_HEAD + '8111', 'unknown-kind', 13),
  refuse('event kind 0', 'envelope', ENV_HEAD + '8400010203', 'unknown-kind', 13),
  refuse('event kind 2^64 - 1', 'envelope', ENV_HEAD + '811bffffffffffffffff', 'unknown-kind', 13),
  refuse('event too short', 'envelope', ENV_HEAD + '83030102', 'missing-field', 12),
  refuse('count is checked before the fields', 'envelope', ENV_HEAD + '8303617802', 'missing-field', 12),
  accept('extra event elements ignored', 'envelope', ENV_HEAD + '8603010203' + 'f6' + '81a0', {
    board: 'b', boot: 1, seq: 2, events: [{ kind: 'pit-in', transponder: 1, timeUs: 2, loop: 3 }],
  }),
  refuse('passing flags 16', 'envelope', ENV_HEAD + passing('10'), 'out-of-range', 19),
  refuse('margins: 3 of 4', 'envelope', ENV_HEAD + verdict('83000000'), 'bad-count', 23),
  refuse('margin over i32', 'envelope', ENV_HEAD + verdict('84' + '000000' + '1a80000000'), 'out-of-range', 27),
  refuse('margin under i32', 'envelope', ENV_HEAD + verdict('84' + '000000' + '3a80000000'), 'out-of-range', 27),
  refuse('margin with an 8-byte negative head, out of range', 'envelope', ENV_HEAD + verdict('84' + '000000' + '3bffffffffffffffff'), 'out-of-range', 27),
  refuse('verdict clause 0', 'envelope', ENV_HEAD + '8a070c1818' + '00' + 'f4' + '00' + '20' + 'f5' + '00' + '8400000000', 'out-of-range', 19),
  refuse('33 counters', 'envelope', ENV_HEAD + health('b821' + Array.from({ length: 33 }, (_, i) => (i < 23 ? (i + 1).toString(16).padStart(2, '0') : '18' + (i + 1).toString(16).padStart(2, '0')) + '01').join('')), 'bad-count', 17),
  refuse('counter key over u32', 'envelope', ENV_HEAD + health('a2' + '0101' + '1b000000010000000001'), 'out-of-range', 20),
  refuse('counter value over u32', 'envelope', ENV_HEAD + health('a1' + '01' + '1b0000000100000000'), 'out-of-range', 19),
  refuse('counter key repeated', 'envelope', ENV_HEAD + health('a2' + '0101' + '0102'), 'duplicate-key', 20),
  accept('counter with key 2^32 - 1 and value 0', 'envelope', ENV_HEAD + health('a1' + '1affffffff' + '00'), {
    board: 'b', boot: 1, seq: 2, events: [{ kind: 'health', timeUs: 0, uptimeS: 0, outboxDepth: 0, counters: { 4294967295: 0 } }],
  }),
  refuse('reason 65 bytes', 'envelope', ENV_HEAD + '860e0000' + '01' + '7841' + repeat('72', 65) + '00', 'out-of-range', 17),
  refuse('reject code 6', 'envelope', ENV_HEAD + '860e0000' + '06' + '60' + '00', 'out-of-range', 16),
  // commands
  refuse('body empty', 'command', CMD_HEAD + '80', 'missing-field', 9),
  refuse('body kind 5', 'command', CMD_HEAD + '8105', 'unknown-kind', 10),
  refuse('resend without seq', 'command', CMD_HEAD + '8102', 'missing-field', 9),
  accept('reboot with extra elements', 'command', CMD_HEAD + '830401f6', { board: 'b', id: 1, body: { kind: 'reboot' } }),
  refuse('config not a map', 'command', CMD_HEAD + '820180', 'wrong-type', 11),
  refuse('config kind missing', 'command', CMD_HEAD + '8201a10180', 'missing-field', 11),
  refuse('config kind text', 'command', CMD_HEAD + '8201a1006161', 'wrong-type', 13),
  refuse('config kind 2', 'command', CMD_HEAD + '8201a10002', 'unknown-kind', 13),
  refuse('config: no loops', 'command', CMD_HEAD + '8201' + loopConfig('80'), 'bad-count', 15),
  refuse('config: 17 loops', 'command', CMD_HEAD + '8201' + loopConfig('91' + repeat('83000000', 17)), 'bad-count', 15),
  refuse('config: loop role 7', 'command', CMD_HEAD + '8201' + loopConfig('81830007' + '00'), 'out-of-range', 18),
  refuse('config: required key missing', 'command', CMD_HEAD + '8201' + 'a3' + '0000' + '0181830000' + '00' + '0200', 'missing-field', 11),
  refuse('config: pit road short', 'command', CMD_HEAD + '8201' + 'a5' + '0000' + '0181830000' + '00' + '0200' + '0300' + '048100', 'missing-field', 25),
  accept('config kind last, unknown keys', 'command', CMD_HEAD + '8201' + 'a5' + '0300' + '0200' + '0181830000' + '00' + '09f6' + '0000', {
    board: 'b', id: 1, body: { kind: 'config', config: { kind: 'loop', loops: [{ id: 0, role: 'start-finish', distanceMm: 0 }], quietGapUs: 0, minHits: 0 } },
  }),
  // the scan: well-formedness before anything else
  refuse('too deep: 17 levels', 'death', 'a4' + DEATH.slice(2) + '09' + nested(16), 'too-deep', 9 + 15),
  accept('16 levels', 'death', 'a4' + DEATH.slice(2) + '09' + nested(15), { board: 'b', boot: 7 }),
  refuse('too large: 4097 bytes', 'death', 'a4' + DEATH.slice(2) + '09' + '590ff5' + repeat('00', 4085), 'too-large', 4096),
  accept('4096 bytes', 'death', 'a4' + DEATH.slice(2) + '09' + '590ff4' + repeat('00', 4084), { board: 'b', boot: 7 }),
  refuse('truncated float is unsupported first', 'death', 'a4' + DEATH.slice(2) + '09' + 'fb00', 'unsupported-item', 9),
  refuse('truncated tag is unsupported first', 'death', 'a4' + DEATH.slice(2) + '09' + 'd9', 'unsupported-item', 9),
  refuse('two-byte simple value below 32', 'death', 'a4' + DEATH.slice(2) + '09' + 'f810', 'malformed', 9),
  refuse('two-byte simple value 32', 'death', 'a4' + DEATH.slice(2) + '09' + 'f820', 'unsupported-item', 9),
  refuse('undefined', 'death', 'a4' + DEATH.slice(2) + '09' + 'f7', 'unsupported-item', 9),
  refuse('bad UTF-8 in ignored content', 'death', 'a4' + DEATH.slice(2) + '09' + '62c328', 'invalid-utf8', 9),
  refuse('scan errors come first', 'death', 'a4' + '0002' + DEATH.slice(6) + '09' + 'f7', 'unsupported-item', 9),
  refuse('indefinite array', 'death', 'a4' + DEATH.slice(2) + '09' + '9fff', 'indefinite-length', 9),
  refuse('stray break', 'death', 'ff', 'malformed', 0),
  refuse('trailing byte', 'death', DEATH + '00', 'trailing-bytes', 8),
  refuse('truncated head', 'death', 'a30001016162021a0000', 'truncated', 7),
];

describe('decode rules (reason and offset, as the gateway codec)', () => {
  test.each(RULES.map((r) => [r.name, r] as const))('%s', (_, r) => {
    const bytes = fromHex(r.hex);
    const got = firmwareCodec().decode(r.type, bytes);
    const want = r.reason !== undefined ? { error: r.reason, offset: r.offset } : r.value;
    if (r.reason !== undefined) {
      expect(isAsDecodeError(got) ? { error: got.error, offset: got.offset } : got).toEqual(want);
    } else {
      expect(got).toEqual(want);
    }
    expect(tsResult(r.type, bytes)).toEqual(want);
  });

  test('a health map of 33 entries is refused as bad-count even when two keys round to one float', () => {
    // keys 2^60 and 2^60 + 1 are distinct on the wire (the gateway codec, which reads
    // 8-byte integers as doubles, sees 32 entries and refuses with out-of-range)
    const keys = Array.from({ length: 31 }, (_, i) => (i + 1 < 24 ? (i + 1).toString(16).padStart(2, '0') : '18' + (i + 1).toString(16)) + '01');
    const hex = ENV_HEAD + health('b821' + keys.join('') + '1b1000000000000000' + '01' + '1b1000000000000001' + '01');
    const got = firmwareCodec().decode('envelope', fromHex(hex));
    expect(isAsDecodeError(got) && got.error).toBe('bad-count');
    expect((tsResult('envelope', fromHex(hex)) as { error?: string }).error).toBeDefined();
  });

  test('message type codes follow MESSAGE_TYPE_CODES', () => {
    const fw = firmwareCodec();
    for (const type of Object.keys(MESSAGE_TYPE_CODES) as MessageType[]) {
      const sample = SAMPLES.find((x) => x.type === type)!;
      expect(fw.decodeRaw(MESSAGE_TYPE_CODES[type], fromHex(sample.hex))).toBeGreaterThan(0);
    }
  });
});

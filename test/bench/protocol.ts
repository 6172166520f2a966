// `npm run bench protocol [--count N]`: wire sizes (CBOR vs JSON of the typed value) per
// message and per event kind, the worst-case size of a passing in an envelope, and the
// TS codec's encode/decode throughput. Measures only; the tests decide.

import { decode, encode, encodeEvent } from '../../protocol/codec.js';
import type { BoardEvent, MessageType, MessageTypes } from '../../protocol/schema.js';
import { CASES, EPOCH_US, SAMPLE_EVENTS, passingMax } from '../../protocol/vectors/cases.js';
import { table } from './table.js';

const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

const pct = (a: number, b: number): string => `${Math.round((100 * a) / b)}%`;

function sizes(): void {
  const pick = (name: string) => CASES.find((c) => c.name === name)!;
  const messages = [
    pick('birth-loop'),
    pick('death-typical'),
    pick('envelope-passing'),
    pick('envelope-all-kinds'),
    pick('envelope-batch-64'),
    pick('command-config-loop-pit-road'),
    pick('command-config-box'),
    pick('command-resend'),
    pick('command-time-check'),
    pick('command-reboot'),
    pick('control-state-green'),
  ];
  console.log('\nmessage sizes (representative golden vectors)\n');
  table(
    ['vector', 'CBOR B', 'JSON B', 'CBOR/JSON'],
    messages.map((c) => {
      const cbor = encode(c.type, c.value as never).length;
      const json = jsonBytes(c.value);
      return [c.name, cbor, json, pct(cbor, json)];
    }),
  );

  console.log('\nevent sizes (one event as it sits in the event list)\n');
  table(
    ['event kind', 'CBOR B', 'JSON B', 'CBOR/JSON'],
    SAMPLE_EVENTS.map((e) => {
      const cbor = encodeEvent(e).length;
      return [e.kind, cbor, jsonBytes(e), pct(cbor, jsonBytes(e))];
    }),
  );

  const n = encodeEvent(passingMax).length;
  console.log(`\npassing, worst-case valid values, in an envelope's event list: ${n} B (target <= 24 B) ${n <= 24 ? 'OK' : 'OVER'}`);
}

function rate(label: string, count: number, eventsPer: number, f: () => void): string[] {
  for (let i = 0; i < Math.min(count, 2000); i++) f(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < count; i++) f();
  const s = (performance.now() - t0) / 1000;
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  return [label, fmt(count), s.toFixed(3), fmt(count / s), eventsPer ? fmt((count * eventsPer) / s) : '-'];
}

function throughput(count: number): void {
  const passings: BoardEvent[] = Array.from({ length: 64 }, (_, i) => ({
    kind: 'passing',
    loop: i % 4,
    transponder: 1000 + i,
    timeUs: EPOCH_US + i * 7919,
    strength: 180 + (i % 60),
    hits: 20 + (i % 30),
    flags: i % 16 === 0 ? 4 : 0,
  }));
  const env64: MessageTypes['envelope'] = { board: 'loop-sf', boot: 7, seq: 1, events: passings };
  const env1: MessageTypes['envelope'] = { board: 'loop-sf', boot: 7, seq: 1, events: [passings[0]] };
  const mixed: MessageTypes['envelope'] = { board: 'box-17', boot: 7, seq: 1, events: SAMPLE_EVENTS };
  const control = CASES.find((c) => c.name === 'control-state-green')!;
  const b64 = encode('envelope', env64);
  const b1 = encode('envelope', env1);
  const bMixed = encode('envelope', mixed);
  const bControl = encode(control.type, control.value as never);
  let sink = 0;
  const dec = (type: MessageType, b: Uint8Array) => () => {
    sink += decode(type, b) ? 1 : 0;
  };
  console.log(`\nTS codec throughput (${count.toLocaleString('en-US')} messages per row)\n`);
  table(
    ['operation', 'messages', 'seconds', 'messages/s', 'events/s'],
    [
      rate(`encode envelope, 64 passings (${b64.length} B)`, count, 64, () => void (sink += encode('envelope', env64).length)),
      rate(`decode envelope, 64 passings (${b64.length} B)`, count, 64, dec('envelope', b64)),
      rate(`encode envelope, 1 passing (${b1.length} B)`, count, 1, () => void (sink += encode('envelope', env1).length)),
      rate(`decode envelope, 1 passing (${b1.length} B)`, count, 1, dec('envelope', b1)),
      rate(`encode envelope, 15 kinds (${bMixed.length} B)`, count, 15, () => void (sink += encode('envelope', mixed).length)),
      rate(`decode envelope, 15 kinds (${bMixed.length} B)`, count, 15, dec('envelope', bMixed)),
      rate(`decode control-state (${bControl.length} B)`, count, 0, dec('control-state', bControl)),
    ],
  );
  if (sink < 0) console.log(sink);
}

export async function run(args: string[]): Promise<void> {
  const at = args.indexOf('--count');
  const count = at >= 0 ? Number(args[at + 1]) : 20_000;
  if (!Number.isInteger(count) || count <= 0) throw new Error('--count needs a positive integer');
  sizes();
  throughput(count);
}

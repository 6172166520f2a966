// The commitment event (kind 16, R-PIT-COMMIT-1) and the box config's commitment lanes
// (key 5) in the TS codec and the CDDL: round trips, the bytes laid out as the CDDL
// says, what is refused, and messages from before them still decoding as they did.
import { readFileSync } from 'node:fs';
import { decode as cborgDecode, encode as cborgEncode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { parseCddl, validate } from '../../protocol/cddl.js';
import { DecodeError, decode, encode, encodeEvent, toDataModel } from '../../protocol/codec.js';
import type { BoxConfig, Commitment, Envelope } from '../../protocol/schema.js';
import { COMMITMENT_SAMPLE } from '../../protocol/vectors/cases.js';
import { VALID, bytes } from './golden.js';

const schema = parseCddl(readFileSync(new URL('../../protocol/pitwall.cddl', import.meta.url), 'utf8'));
const STRICT = { useMaps: true, rejectDuplicateMapKeys: true, strict: true } as const;

const config: BoxConfig = {
  kind: 'box',
  boxes: [{ number: 1, lengthMm: 6700, widthMm: 3700, lineMm: 100, outsideLeft: false }],
  vehicle: { trackMm: 1600, wheelbaseMm: 2845, tireWidthMm: 300, patchMm: 200, frontOverhangMm: 1050, rearOverhangMm: 1200, bodyWidthMm: 2000 },
  uncertaintyMm: 10,
  sampleUs: 10_000,
};
const command = (c: BoxConfig) => ({ board: 'box-01', id: 3, body: { kind: 'config' as const, config: c } });

describe('the commitment event', () => {
  const out: Commitment = { kind: 'commitment', lane: 0, transponder: 3005, timeUs: 1_776_540_760_888_584, inside: false, marginMm: -70, closeCall: false, margins: [-70, 1170, -69, 1171] };

  it('round-trips in an envelope, and its bytes are [16, lane, transponder, timeUs, inside, marginMm, closeCall, [m0..m3]]', () => {
    const env: Envelope = { board: 'box-01', boot: 1, seq: 2, events: [out, COMMITMENT_SAMPLE] };
    const b = encode('envelope', env);
    expect(decode('envelope', b)).toEqual(env);
    const model = cborgDecode(b, STRICT) as Map<number, unknown>;
    expect((model.get(4) as unknown[])[0]).toEqual([16, 0, 3005, 1_776_540_760_888_584, false, -70, false, [-70, 1170, -69, 1171]]);
    expect(validate(schema, 'envelope', model)).toBeNull();
    expect(validate(schema, 'commitment', (model.get(4) as unknown[])[0])).toBeNull();
  });

  it('is small: 30 bytes for typical values', () => {
    expect(encodeEvent(out).length).toBe(30);
  });

  it('refuses what the CDDL refuses: a lane over u8, three margins, inside as 0', () => {
    const env = (e: unknown[]) => {
      const m = toDataModel('envelope', { board: 'box-01', boot: 1, seq: 2, events: [out] });
      m.set(4, [e]);
      return m;
    };
    const base = [16, 0, 3005, 1000, false, -70, false, [-70, 1170, -69, 1171]];
    for (const [what, e, reason] of [
      ['lane 256', [16, 256, ...base.slice(2)], 'out-of-range'],
      ['three margins', [...base.slice(0, 7), [1, 2, 3]], 'bad-count'],
      ['inside as 0', [...base.slice(0, 4), 0, ...base.slice(5)], 'wrong-type'],
      ['no margins', base.slice(0, 7), 'missing-field'],
    ] as const) {
      const m = env([...e]);
      expect(validate(schema, 'envelope', m), what).not.toBeNull();
      const cbor = cborgEncode(m);
      expect(() => decode('envelope', cbor), what).toThrow(DecodeError);
      try {
        decode('envelope', cbor);
      } catch (err) {
        expect((err as DecodeError).reason, what).toBe(reason);
      }
    }
  });
});

describe('commitment lanes in the box config', () => {
  it('round-trip as key 5, after sampleUs; the CDDL takes them', () => {
    const withLanes: BoxConfig = { ...config, commitmentLanes: [{ id: 0, widthMm: 3000, lineMm: 100, uncertaintyMm: 10 }] };
    const b = encode('command', command(withLanes));
    expect(decode('command', b)).toEqual(command(withLanes));
    const model = cborgDecode(b, STRICT) as Map<number, unknown>;
    const cfg = (model.get(3) as [number, Map<number, unknown>])[1];
    expect([...cfg.keys()]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(cfg.get(5)).toEqual([[0, 3000, 100, 10]]);
    expect(validate(schema, 'command', model)).toBeNull();
  });

  it('are optional: a box config without them is the bytes it always was, and decodes with no commitmentLanes key', () => {
    const b = encode('command', command(config));
    const d = decode('command', b);
    expect(d).toEqual(command(config));
    expect('commitmentLanes' in (d.body as { config: BoxConfig }).config).toBe(false);
    // The shipped vectors from before the lanes decode exactly as they did.
    for (const v of VALID.filter((x) => x.name.startsWith('command-config-box') && !x.name.includes('commitment'))) {
      expect(decode('command', bytes(v.hex))).toEqual(v.value);
    }
  });

  it('at most two per board: three are refused by the encoder and the decoder (bad-count), none is not a list', () => {
    const three = { ...config, commitmentLanes: [0, 1, 2].map((id) => ({ id, widthMm: 3000, lineMm: 100, uncertaintyMm: 10 })) };
    expect(() => encode('command', command(three))).toThrow(/bad-count/);
    expect(() => encode('command', command({ ...config, commitmentLanes: [] }))).toThrow(/bad-count/);
  });
});

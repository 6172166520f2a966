// Property tests: for random valid messages of every type, the firmware codec and the
// gateway codec (protocol/codec.ts) agree byte for byte and read each other's output.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decode, encode } from '../../protocol/codec.js';
import { MESSAGE_TYPES, type MessageType, type MessageTypes } from '../../protocol/schema.js';
import { messageArb } from '../support/arbitrary.js';
import { asDecode, asEncode } from '../support/firmware.js';

const RUNS = 1000;
const SEED = 0x5eed;

describe.each(MESSAGE_TYPES.map((t, i) => [t, i] as const))('%s', (type: MessageType, i: number) => {
  const arb = messageArb(type) as fc.Arbitrary<MessageTypes[typeof type]>;
  const opts = { numRuns: RUNS, seed: SEED + i * 3 };

  test('gateway encode -> firmware decode gives the value back', () => {
    fc.assert(
      fc.property(arb, (v) => {
        expect(asDecode(type, encode(type, v))).toEqual(v);
      }),
      opts,
    );
  });

  test('firmware encode -> gateway decode gives the value back', () => {
    fc.assert(
      fc.property(arb, (v) => {
        expect(decode(type, asEncode(type, v))).toEqual(v);
      }),
      { ...opts, seed: opts.seed + 1 },
    );
  });

  test('both encoders write the same bytes', () => {
    fc.assert(
      fc.property(arb, (v) => {
        expect(Buffer.from(asEncode(type, v)).toString('hex')).toBe(Buffer.from(encode(type, v)).toString('hex'));
      }),
      { ...opts, seed: opts.seed + 2 },
    );
  });
});

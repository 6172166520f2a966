// The loop board's stored selftest crossings are what the loop field model makes:
// a change of the model shows up here, not as a silent drift of the selftest.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { FIXTURE, makeStoredCrossings } from '../support/selftest-crossings.js';

it('firmware/selftest-crossings.json matches the loop field model', () => {
  expect(JSON.parse(readFileSync(FIXTURE, 'utf8'))).toEqual(makeStoredCrossings());
});

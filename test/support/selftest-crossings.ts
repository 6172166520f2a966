// The stored hit sequences the loop board's selftest times (firmware/lib/selftest-loop.ts):
// a few crossings made by the loop field model, frozen in firmware/selftest-crossings.json
// and compiled into the image by firmware/build.mjs.
//   node dist/test/support/selftest-crossings.js           rewrite the file
//   node dist/test/support/selftest-crossings.js --check   compare only
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { DEFAULT_PROFILE, HARSH_PROFILE, loopHits, makeTransponder, type LoopFieldProfile } from '../../sim-hardware/loop-field.js';
import { constantSpeed } from '../../sim-hardware/motion.js';
import { repoPath } from '../../protocol/repo-root.js';

export interface StoredCrossing {
  name: string;
  /** Hit times, µs after the first hit. */
  t: number[];
  strength: number[];
  /** True transponder crossing, µs after the first hit. */
  truthUs: number;
  /** The selftest fails when the board's time is further off than this. */
  toleranceUs: number;
}

export const FIXTURE = repoPath('firmware', 'selftest-crossings.json');

const CASES: Array<{ name: string; mph: number; profile: LoopFieldProfile; seed: number; toleranceUs: number }> = [
  { name: 'default-200mph', mph: 200, profile: DEFAULT_PROFILE, seed: 101, toleranceUs: 100 },
  { name: 'default-55mph', mph: 55, profile: DEFAULT_PROFILE, seed: 102, toleranceUs: 100 },
  { name: 'default-30mph', mph: 30, profile: DEFAULT_PROFILE, seed: 103, toleranceUs: 150 },
  { name: 'harsh-120mph', mph: 120, profile: HARSH_PROFILE, seed: 104, toleranceUs: 400 },
];

export function makeStoredCrossings(): StoredCrossing[] {
  return CASES.map((c) => {
    const t0 = 1_763_726_400_000_000;
    const { hits, truth } = loopHits(
      [{ loop: 1, positionM: 10 }],
      [{ transponder: makeTransponder(42, c.profile, c.seed), motion: constantSpeed(t0 + 0.37, 10, c.mph * 0.44704) }],
      c.profile,
      c.seed,
    );
    const first = hits[0]!.timeUs;
    return {
      name: c.name,
      t: hits.map((h) => h.timeUs - first),
      strength: hits.map((h) => h.strength),
      truthUs: truth[0]!.transponderUs - first,
      toleranceUs: c.toleranceUs,
    };
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = JSON.stringify(makeStoredCrossings(), null, 1) + '\n';
  if (process.argv.includes('--check')) {
    const same = readFileSync(FIXTURE, 'utf8') === text;
    console.log(same ? 'selftest crossings: up to date' : 'selftest crossings: differ from the model');
    process.exitCode = same ? 0 : 1;
  } else {
    writeFileSync(FIXTURE, text);
    console.log(`wrote ${FIXTURE}`);
  }
}

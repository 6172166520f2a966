// `npm run bench loop [--crossings N]`: the loop board against the loop field model —
// passing time error vs truth per speed and profile, pit segment speed error, and
// the board's throughput in hits per second inside the Wasm image (V8, one core).
import { readFileSync } from 'node:fs';
import type { LoopConfig } from '../../protocol/schema.js';
import { BoardHost, boardImagePath } from '../../sim-hardware/board-host.js';
import { encode } from '../../protocol/codec.js';
import { DEFAULT_PROFILE, HARSH_PROFILE, encodeHitRecords, loopHits, makeTransponder, type LoopFieldProfile } from '../../sim-hardware/loop-field.js';
import { constantSpeed } from '../../sim-hardware/motion.js';
import { MPH, matchPassings, percentile, pitRoadLayout, runLoops, segmentSpeedErrors } from '../support/loop-run.js';
import { table } from './table.js';

const T0 = 1_763_726_400_000_000;
const SF: LoopConfig = { kind: 'loop', loops: [{ id: 1, role: 'start-finish', distanceMm: 0 }], quietGapUs: 20_000, minHits: 3 };
const SPEEDS = [30, 45, 55, 120, 160, 200];
const PROFILES: Array<[string, LoopFieldProfile]> = [
  ['default', DEFAULT_PROFILE],
  ['harsh', HARSH_PROFILE],
];

function vehicles(n: number, mph: number, profile: LoopFieldProfile, seed: number) {
  return Array.from({ length: n }, (_, i) => ({
    transponder: makeTransponder(1000 + i, profile, seed),
    motion: constantSpeed(T0 + i * 400_000, 100, mph * MPH),
  }));
}

function accuracy(crossings: number): void {
  console.log(`\npassing time error vs truth (transponder crossing), ${crossings} crossings per row\n`);
  const rows: (string | number)[][] = [];
  for (const [name, profile] of PROFILES) {
    for (const mph of SPEEDS) {
      const run = runLoops({ config: SF, lines: [{ loop: 1, positionM: 100 }], vehicles: vehicles(crossings, mph, profile, 11), profile, seed: 11 });
      const m = matchPassings(run);
      const e = m.errorsUs.sort((a, b) => a - b);
      rows.push([name, mph, (run.hits / crossings).toFixed(1), m.missed, m.extra, percentile(e, 0.5).toFixed(0), percentile(e, 0.99).toFixed(0), (e.at(-1) ?? NaN).toFixed(0)]);
    }
  }
  table(['profile', 'mph', 'hits/crossing', 'missed', 'extra', 'p50 µs', 'p99 µs', 'max µs'], rows);
}

function pitSpeeds(): void {
  console.log('\npit road segment speed error vs truth (ten 207 ft segments, 100 vehicles per row)\n');
  const { lines, config, segmentM } = pitRoadLayout();
  const rows: (string | number)[][] = [];
  for (const [name, profile] of PROFILES) {
    for (const mph of [30, 45, 55]) {
      const vehicles = Array.from({ length: 100 }, (_, i) => ({
        transponder: makeTransponder(500 + i, profile, 21),
        motion: constantSpeed(T0 + i * 20_000_000, 0, (mph - 0.5 + i * 0.010037) * MPH),
      }));
      const run = runLoops({ config, lines, vehicles, profile, seed: 21 });
      const e = segmentSpeedErrors(run, segmentM);
      rows.push([name, mph, e.length, percentile(e, 0.5).toFixed(4), percentile(e, 0.99).toFixed(4), (e.at(-1) ?? NaN).toFixed(4)]);
    }
  }
  table(['profile', 'mph', 'segments', 'p50 mph', 'p99 mph', 'max mph'], rows);
}

/** Hits per second inside `hits` (records already in the board's input format). */
function throughput(): void {
  console.log('\nthroughput of the loop board image in V8 (one core): hits per second inside `hits`\n');
  const rows: (string | number)[][] = [];
  for (const mph of [55, 200]) {
    const { hits } = loopHits([{ loop: 1, positionM: 100 }], vehicles(16_000, mph, DEFAULT_PROFILE, 3), DEFAULT_PROFILE, 3);
    const batches: Uint8Array[] = [];
    for (let i = 0; i < hits.length; i += 1024) batches.push(encodeHitRecords(hits.slice(i, i + 1024)));
    // Seven rounds on fresh boards; the median round is reported.
    const rounds: number[] = [];
    for (let round = 0; round < 7; round++) {
      const now = BigInt(hits[0]!.timeUs);
      const board = BoardHost.create({ kind: 'loop', id: 'loop-bench', boot: 1, clock: () => now, publish: () => true, log: () => {} });
      board.link(true);
      board.command(encode('command', { board: 'loop-bench', id: 1, body: { kind: 'config', config: SF } }));
      const t0 = performance.now();
      for (const b of batches) board.hits(b);
      rounds.push(performance.now() - t0);
    }
    const ms = rounds.sort((x, y) => x - y)[3]!;
    rows.push([mph, hits.length, (hits.length / 16_000).toFixed(1), ms.toFixed(1), ((hits.length / ms) * 1000).toFixed(0), ((ms * 1e6) / hits.length).toFixed(0)]);
  }
  table(['mph', 'hits', 'hits/crossing', 'median ms', 'hits/s', 'ns/hit'], rows);
  console.log(`\nloop.wasm: ${readFileSync(boardImagePath('loop')).length} bytes`);
}

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--crossings');
  const crossings = i >= 0 ? Number(args[i + 1]) : 2000;
  accuracy(crossings);
  pitSpeeds();
  throughput();
}

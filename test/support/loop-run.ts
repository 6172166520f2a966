// Runs vehicles over loops through a real loop board image: the field model makes the
// hits, the board gets them in 10 ms slices as a decoder would deliver them, and the
// passings, segment speeds and pit line events come back decoded, beside the truth.
import { encode, decode } from '../../protocol/codec.js';
import type { BoardEvent, LoopConfig } from '../../protocol/schema.js';
import { BoardHost } from '../../sim-hardware/board-host.js';
import { encodeHitRecords, loopHits, type LoopFieldProfile, type LoopLine, type Transponder, type LoopCrossingTruth } from '../../sim-hardware/loop-field.js';
import type { PathMotion } from '../../sim-hardware/motion.js';

export interface LoopRun {
  events: BoardEvent[];
  truth: LoopCrossingTruth[];
  hits: number;
  /** Health counters of the board at the end. */
  counters: Record<number, number>;
  /** Milliseconds spent inside the board's `hits` calls. */
  boardMs: number;
}

const SLICE_US = 10_000;
const DELIVERY_US = 2_000; // decoder to board

export function runLoops(opts: {
  config: LoopConfig;
  lines: LoopLine[];
  vehicles: Array<{ transponder: Transponder; motion: PathMotion }>;
  profile: LoopFieldProfile;
  seed: number;
}): LoopRun {
  const { hits, truth } = loopHits(opts.lines, opts.vehicles, opts.profile, opts.seed);
  const events: BoardEvent[] = [];
  let now = BigInt(Math.floor((hits[0]?.timeUs ?? 0) - 1000));
  const board = BoardHost.create({
    kind: 'loop',
    id: 'loop-test',
    boot: 1,
    clock: () => now,
    publish: (channel, bytes) => {
      if (channel === 'evt') events.push(...decode('envelope', bytes).events);
      return true;
    },
    log: () => {},
  });
  board.link(true);
  const rc = board.command(encode('command', { board: 'loop-test', id: 1, body: { kind: 'config', config: opts.config } }));
  if (rc !== 0) throw new Error(`loop config refused: ${JSON.stringify(events.at(-1))}`);
  const cap = board.inputCapacity / 16;
  let boardMs = 0;
  let i = 0;
  while (i < hits.length) {
    const sliceEnd = Math.floor(hits[i]!.timeUs / SLICE_US) * SLICE_US + SLICE_US;
    let j = i;
    while (j < hits.length && hits[j]!.timeUs < sliceEnd && j - i < cap) j++;
    now = BigInt(sliceEnd + DELIVERY_US);
    const records = encodeHitRecords(hits.slice(i, j));
    const t0 = performance.now();
    board.hits(records);
    boardMs += performance.now() - t0;
    board.tick();
    i = j;
  }
  now += 1_000_000n; // let every crossing close and one health go out
  board.tick();
  const health = events.filter((e) => e.kind === 'health').at(-1);
  return { events, truth, hits: hits.length, counters: health?.kind === 'health' ? health.counters : {}, boardMs };
}

/** Passings matched to the truth of the same loop and transponder, in time order. */
export function matchPassings(run: LoopRun): { errorsUs: number[]; missed: number; extra: number } {
  const key = (loop: number, tx: number) => `${loop}/${tx}`;
  const byKey = new Map<string, number[]>();
  let passings = 0;
  for (const p of run.events) {
    if (p.kind !== 'passing') continue;
    passings++;
    listAt(byKey, key(p.loop, p.transponder)).push(p.timeUs);
  }
  const truthByKey = new Map<string, LoopCrossingTruth[]>();
  for (const t of run.truth) listAt(truthByKey, key(t.loop, t.transponder)).push(t);
  const errorsUs: number[] = [];
  let missed = 0;
  let matched = 0;
  for (const [k, truths] of truthByKey) {
    const times = (byKey.get(k) ?? []).slice().sort((a, b) => a - b);
    truths.sort((a, b) => a.transponderUs - b.transponderUs);
    // Crossings of one loop by one vehicle are a lap apart: nearest passing within 0.5 s.
    let p = 0;
    for (const t of truths) {
      while (p < times.length && times[p]! < t.transponderUs - 500_000) p++;
      if (p < times.length && Math.abs(times[p]! - t.transponderUs) < 500_000) {
        errorsUs.push(Math.abs(times[p]! - t.transponderUs));
        p++;
        matched++;
      } else missed++;
    }
  }
  return { errorsUs, missed, extra: passings - matched };
}

function listAt<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const MPH = 0.44704;

/**
 * A pit road as the loop board sees it: entry yellow line (loop 10), ten segments of
 * 207 ft (63.0936 m) through timing lines 11-19 to the exit yellow line (loop 20),
 * then the pit-out line (loop 30); limit 45 mph, tolerance 5 mph.
 */
export function pitRoadLayout(): { lines: LoopLine[]; config: LoopConfig; segmentM: number } {
  const segmentM = 63.0936;
  const lines: LoopLine[] = [
    ...Array.from({ length: 11 }, (_, i) => ({ loop: 10 + i, positionM: 50 + i * segmentM })),
    { loop: 30, positionM: 50 + 10 * segmentM + 25 },
  ];
  const role = (i: number) => (i === 0 ? ('pit-entry' as const) : i === 10 ? ('pit-exit' as const) : ('pit-timing' as const));
  const config: LoopConfig = {
    kind: 'loop',
    loops: [
      ...lines.slice(0, 11).map((l, i) => ({ id: l.loop, role: role(i), distanceMm: Math.round((l.positionM - 50) * 1000) })),
      { id: 30, role: 'pit-out' as const, distanceMm: Math.round((lines[11]!.positionM - 50) * 1000) },
    ],
    quietGapUs: 40_000,
    minHits: 3,
    pitRoad: { limit: 4500, tolerance: 500 },
  };
  return { lines, config, segmentM };
}

/** |reported − true| segment speed (mph) of every segment-speed event of a pitRoadLayout run. */
export function segmentSpeedErrors(run: LoopRun, segmentM: number): number[] {
  const truthAt = new Map(run.truth.map((t) => [`${t.loop}/${t.transponder}`, t.transponderUs]));
  const errors: number[] = [];
  for (const e of run.events) {
    if (e.kind !== 'segment-speed') continue;
    const t1 = truthAt.get(`${9 + e.segment}/${e.transponder}`)!;
    const t2 = truthAt.get(`${10 + e.segment}/${e.transponder}`)!;
    errors.push(Math.abs(e.speed / 100 - segmentM / ((t2 - t1) / 1e6) / MPH));
  }
  return errors.sort((a, b) => a - b);
}
export type { Transponder };

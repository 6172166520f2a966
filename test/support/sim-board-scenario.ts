// A small, fully determined life of a loop board on a broker, run the same way
// through any SimBoard: config from race control, vehicles over the start/finish
// loop, a partition, a power cycle, a reboot race control asks for, a stop.
import { decode } from '../../protocol/codec.js';
import type { Birth, Envelope, LoopConfig } from '../../protocol/schema.js';
import { DEFAULT_PROFILE, encodeHitRecords, loopHits, makeTransponder, type LoopHit } from '../../sim-hardware/loop-field.js';
import { constantSpeed } from '../../sim-hardware/motion.js';
import type { SimBoard } from '../../sim-hardware/sim-board.js';
import type { Monitor } from './mqtt-monitor.js';

export const T0 = 1_763_726_400_000_000; // 2025-11-21T12:00:00Z in µs
export const SF_CONFIG: LoopConfig = { kind: 'loop', loops: [{ id: 1, role: 'start-finish', distanceMm: 0 }], quietGapUs: 20_000, minHits: 3 };
const MPH = 0.44704;

/** `count` vehicles over the start/finish loop (100 m along), the first at `firstUs`, `gapUs` apart. */
export function crossings(count: number, firstUs: number, gapUs: number, seed = 7): LoopHit[] {
  const vehicles = Array.from({ length: count }, (_, i) => ({
    transponder: makeTransponder(100 + i, DEFAULT_PROFILE, seed),
    motion: constantSpeed(firstUs + i * gapUs, 100, 180 * MPH),
  }));
  return loopHits([{ loop: 1, positionM: 100 }], vehicles, DEFAULT_PROFILE, seed).hits;
}

/**
 * Board time from `fromUs` to `toUs` in 10 ms slices, as a decoder delivers hits:
 * each slice's hits 2 ms after it ends, then a tick.
 */
export function drive(board: SimBoard, hits: readonly LoopHit[], fromUs: number, toUs: number): void {
  for (let s = fromUs; s < toUs; s += 10_000) {
    board.clock(BigInt(s + 12_000));
    const slice = hits.filter((h) => h.timeUs >= s && h.timeUs < s + 10_000);
    if (slice.length > 0) board.hits(encodeHitRecords(slice));
    board.tick();
  }
}

export const births = (seen: { bytes: Uint8Array }[]): Birth[] => seen.map((s) => decode('birth', s.bytes));
export const envelopes = (seen: { bytes: Uint8Array }[]): Envelope[] => seen.map((s) => decode('envelope', s.bytes));

/**
 * The scenario; `board` was started with boot 41 at clock T0 on `site`, its birth out.
 * Ends with the board stopped.
 */
export async function lifeOfALoopBoard(board: SimBoard, site: string, monitor: Monitor): Promise<void> {
  const hits = crossings(4, T0 + 100_000, 300_000);
  const said = (channel: 'birth' | 'evt' | 'death') => monitor.of(site, board.id, channel);

  await monitor.command(site, { board: board.id, id: 1, body: { kind: 'config', config: SF_CONFIG } });
  await monitor.waitFor('the birth with the config', () => births(said('birth')).some((b) => b.configHash !== 0));

  drive(board, hits, T0, T0 + 500_000);
  await board.sync();

  board.link(false);
  drive(board, hits, T0 + 500_000, T0 + 1_200_000);
  await board.sync();
  board.link(true);
  await board.sync();

  await board.reboot(42);
  drive(board, hits, T0 + 1_200_000, T0 + 1_300_000);
  await board.sync();

  await monitor.command(site, { board: board.id, id: 2, body: { kind: 'reboot' } });
  await monitor.waitFor('the birth after the reboot race control asked for', () => births(said('birth')).some((b) => b.boot === 43));
  await board.sync();
  drive(board, hits, T0 + 1_300_000, T0 + 2_400_000); // a health goes out
  await board.sync();

  await board.stop();
  await monitor.waitFor('the last death', () => said('death').length === 3);
}

// Pit road open or closed, and why. Race control opens and closes it; the state also
// closes it on its own where the rules say so: the instant a caution is declared
// (R-PIT-OPEN-1), while a red flag is out, and under green when the leader completes
// the lap two before a stage's end (R-PIT-OPEN-3). The latest call stands.
import { cautionsDeclared, type FlagCall } from './freeze-field.js';

export interface PitRoadCall {
  atUs: number;
  seq: number;
  open: boolean;
  why: string;
  /** The rule that closed it; null for race control's own call. */
  rule: string | null;
}

/** The call in force at an instant: the last of `calls` (in time order) at or before it. */
function callAt<T extends { atUs: number }>(calls: readonly T[], atUs: number): T | undefined {
  let last: T | undefined;
  for (const c of calls) {
    if (c.atUs > atUs) break;
    last = c;
  }
  return last;
}

/** The flag shown at an instant, or null. `flags` in time order. */
export function flagAt(flags: readonly FlagCall[], atUs: number): FlagCall['flag'] | null {
  return callAt(flags, atUs)?.flag ?? null;
}

/** Whether pit road is open at an instant (R-PIT-OPEN-1/2); closed before any call. `calls` in time order. */
export function pitRoadOpenAt(calls: readonly PitRoadCall[], atUs: number): boolean {
  return callAt(calls, atUs)?.open ?? false;
}

/**
 * Every pit road call in time order: race control's (`calls`), and the ones the rules
 * make. `flags` in time order; `stageClosures` from stages.ts.
 */
export function pitRoadTimeline(calls: readonly PitRoadCall[], flags: readonly FlagCall[], stageClosures: ReadonlyArray<{ stage: number; atUs: number }>): PitRoadCall[] {
  const derived: PitRoadCall[] = [];
  const cautions = new Set(cautionsDeclared(flags));
  for (const f of flags) {
    if (cautions.has(f)) derived.push({ atUs: f.atUs, seq: f.seq, open: false, why: 'caution', rule: 'R-PIT-OPEN-1' });
    else if (f.flag === 'red') derived.push({ atUs: f.atUs, seq: f.seq, open: false, why: 'red flag', rule: 'R-PIT-OPEN-1' });
  }
  for (const s of stageClosures) {
    // R-PIT-OPEN-3 holds under green only: a caution has closed it already.
    if (flagAt(flags, s.atUs) === 'green') derived.push({ atUs: s.atUs, seq: -1, open: false, why: `stage ${s.stage} ends in two laps`, rule: 'R-PIT-OPEN-3' });
  }
  // At one instant the rules' calls come before race control's (a yellow closes pit road first).
  const all = [...derived.map((c) => ({ c, k: 0 })), ...calls.map((c) => ({ c, k: 1 }))];
  all.sort((a, b) => a.c.atUs - b.c.atUs || a.k - b.k || a.c.seq - b.c.seq);
  return all.map((x) => x.c);
}

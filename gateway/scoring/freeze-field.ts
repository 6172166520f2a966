// Freeze the field (R-SF-5): when a caution is declared (a yellow while the field is
// racing under green or white) the running order is frozen as of that instant. A
// yellow that follows a red flag continues the caution and freezes nothing new.
import type { FlagName } from '../log-entry.js';
import type { SetupEntry } from '../event-setup.js';
import type { LapChart } from './laps.js';
import type { Passing } from './passing.js';
import { runningOrder, type Position } from './running-order.js';
import type { TrackMap } from './track-map.js';

export interface FlagCall {
  atUs: number;
  seq: number;
  flag: FlagName;
}

export interface Freeze {
  atUs: number;
  /** The leader's laps completed at that instant. */
  leaderLap: number;
  order: Position[];
}

/** The yellows that declared a caution, in time order. */
export function cautionsDeclared(flags: readonly FlagCall[]): FlagCall[] {
  const out: FlagCall[] = [];
  let current: FlagName | null = null;
  for (const f of flags) {
    if (f.flag === 'yellow' && (current === 'green' || current === 'white')) out.push(f);
    current = f.flag;
  }
  return out;
}

/** `flags` in time order. */
export function freezes(flags: readonly FlagCall[], field: readonly SetupEntry[], chart: LapChart, points: ReadonlyMap<string, readonly Passing[]>, map: TrackMap): Freeze[] {
  return cautionsDeclared(flags).map((f) => {
    const order = runningOrder(f.atUs, field, chart, points, map);
    return { atUs: f.atUs, leaderLap: Math.max(0, order[0]?.laps ?? 0), order };
  });
}

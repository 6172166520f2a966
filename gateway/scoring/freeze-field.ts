// Freeze the field (R-SF-5): when a caution is declared (a yellow while the field is
// racing under green or white) the running order is frozen as of that instant. A
// yellow that follows a red flag continues the caution and freezes nothing new.
import type { FlagName } from '../log-entry.js';
import type { Position } from './running-order.js';

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

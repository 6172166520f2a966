// One entry of the event log, the official record (R-AUDIT-1): a board message exactly
// as it arrived, or an action of race control or of the gateway itself. The race
// state is a pure function of these entries (race-state.ts), so the log alone scores
// the race again, byte for byte.
import type { EventSetupInput } from './event-setup.js';

export type LogSource = 'board' | 'race-control' | 'gateway';

/** A board message as received: its topic's board and channel, the payload bytes untouched. */
export interface BoardEntry {
  seq: number;
  /** Gateway clock when it was logged (µs since the epoch). */
  atUs: number;
  source: 'board';
  topic: string;
  board: string;
  channel: 'birth' | 'evt' | 'death';
  payload: Uint8Array;
  /**
   * The payload decoded, when whoever logged it had it at hand (ingest checks every
   * message by decoding it). Never stored: a replay decodes the bytes itself.
   */
  value?: unknown;
}

/** A race-control or gateway action; payload is its JSON (UTF-8). */
export interface ActionEntry {
  seq: number;
  atUs: number;
  source: 'race-control' | 'gateway';
  action: Action;
}

export type LogEntry = BoardEntry | ActionEntry;

export const FLAG_NAMES = ['green', 'yellow', 'red', 'white', 'checkered'] as const;
export type FlagName = (typeof FLAG_NAMES)[number];

/** A qualifying round's clock calls (R-QUAL-3/4). */
export const ROUND_CALLS = ['start', 'red', 'green', 'end'] as const;

/**
 * What race control does (through the API) and what the gateway does on its own
 * (time checks, resend requests), as logged. `atUs` of the entry is when it took effect.
 */
export type Action =
  | { action: 'event-setup'; setup: EventSetupInput }
  | { action: 'flag'; flag: FlagName }
  | { action: 'pit-road'; open: boolean; why?: string }
  | { action: 'time-check'; board: string; command: number; sentUs: number }
  | { action: 'resend'; board: string; boot: number; fromSeq: number; command: number }
  | { action: 'decision'; proposal: string; decision: 'confirm' | 'dismiss'; who: string; why: string }
  /** R-PIT-DAMAGE-1: race control marks a vehicle damaged (or clears the mark). */
  | { action: 'damaged'; car: string; damaged: boolean; who: string; why?: string }
  /** R-PEN-1 stop-and-go: an official releases the vehicle from its box. */
  | { action: 'release'; car: string; who: string }
  /** R-QUAL-3/4: a qualifying round's clock: start, red (stopped), green (resumed), end. */
  | { action: 'qualifying-round'; round: number; call: (typeof ROUND_CALLS)[number] };

export function encodeAction(a: Action): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(a));
}

export function decodeAction(bytes: Uint8Array): Action {
  return JSON.parse(new TextDecoder().decode(bytes)) as Action;
}

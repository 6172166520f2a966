// Small hand-built event logs for scoring tests: a 1000 m oval whose pit road runs
// past the line (with a start/finish loop of its own), a field of trucks, and helpers
// that write what race control and the loop boards would log — flags, pit road calls,
// time checks, passings one by one or a truck lapping at an even speed.
import type { EventSetupInput, SetupEntry } from '../../gateway/event-setup.js';
import type { Action, FlagName, LogEntry } from '../../gateway/log-entry.js';
import { encode } from '../../protocol/codec.js';
import type { BoardEvent } from '../../protocol/schema.js';
import { boardTopic } from '../../protocol/topics.js';

/** The green flag of every hand-built race (µs since the epoch). */
export const GREEN_US = Date.UTC(2026, 3, 18, 19, 30, 0) * 1000;
export const LAP_M = 1000;

/** Loops of the small oval. */
export const LOOP = { line: 1, sector1: 2, sector2: 3, commitment: 5, pitEntry: 10, pitLine: 20, pitExit: 30, pitOut: 31 } as const;

export function entry(car: string, transponder: number, noseOffsetM = 2, box = 1): SetupEntry {
  return { car, driver: `Driver ${car}`, transponder, box, noseOffsetM, ownerPoints: 0 };
}

export function tinySetup(field: EventSetupInput['field'], laps = 10, stages: number[] = [laps]): EventSetupInput {
  return {
    name: 'Test 10',
    session: 'race',
    laps,
    stages,
    pitSpeedLimitMph: 30,
    pitSpeedToleranceMph: 5,
    track: {
      id: 'tiny',
      name: 'Tiny Oval',
      lengthM: LAP_M,
      loops: [
        { id: LOOP.line, name: 'start/finish', role: 'start-finish', path: 'track', positionM: 0, board: 'loop-sf' },
        { id: LOOP.sector1, name: 'sector 1', role: 'sector', path: 'track', positionM: 250, board: 'loop-sectors' },
        { id: LOOP.sector2, name: 'sector 2', role: 'sector', path: 'track', positionM: 500, board: 'loop-sectors' },
        { id: LOOP.commitment, name: 'commitment line', role: 'commitment', path: 'track', positionM: 800, board: 'loop-sectors' },
        { id: LOOP.pitEntry, name: 'pit entry', role: 'pit-entry', path: 'pit', positionM: 20, board: 'loop-pit' },
        { id: LOOP.pitLine, name: 'start/finish (pit road)', role: 'start-finish', path: 'pit', positionM: 150, board: 'loop-pit' },
        { id: LOOP.pitExit, name: 'pit exit', role: 'pit-exit', path: 'pit', positionM: 270, board: 'loop-pit' },
        { id: LOOP.pitOut, name: 'pit out', role: 'pit-out', path: 'pit', positionM: 290, board: 'loop-pit' },
      ],
      pitRoad: {
        entryM: 850,
        exitM: 150,
        lengthM: 300,
        boxes: Array.from({ length: 16 }, (_, i) => ({ number: i + 1, positionM: 40 + 6 * i, board: 'box-01' })),
        openings: [],
      },
      boards: [
        { id: 'loop-sf', kind: 'loop' },
        { id: 'loop-sectors', kind: 'loop' },
        { id: 'loop-pit', kind: 'loop' },
        { id: 'box-01', kind: 'box' },
      ],
    },
    field,
  };
}

export interface DriveOptions {
  /** When the nose crosses the line for lap 0 (µs). */
  lineUs: number;
  speedMps: number;
  /** Laps to drive after lap 0 (default the race distance). */
  laps?: number;
  /** Also the track loops of the lap before lap 0 (a pace lap). */
  paceLap?: boolean;
  /** Loop reads to leave out: `${loop}@${lap}` (the lap being run; a line crossing belongs to the lap it completes). */
  miss?: string[];
}

export class ScoringLog {
  readonly entries: LogEntry[] = [];
  private readonly envelopeSeq = new Map<string, number>();

  constructor(readonly setup: EventSetupInput) {
    this.action(GREEN_US - 60_000_000, { action: 'event-setup', setup });
  }

  action(atUs: number, action: Action, source: 'race-control' | 'gateway' = 'race-control'): this {
    this.entries.push({ seq: this.entries.length + 1, atUs, source, action });
    return this;
  }

  flag(atUs: number, flag: FlagName): this {
    return this.action(atUs, { action: 'flag', flag });
  }

  pitRoad(atUs: number, open: boolean, why?: string): this {
    return this.action(atUs, why === undefined ? { action: 'pit-road', open } : { action: 'pit-road', open, why });
  }

  timeCheck(board: string, command: number, sentUs: number): this {
    return this.action(sentUs, { action: 'time-check', board, command, sentUs }, 'gateway');
  }

  /** A board message with these events, logged at atUs. */
  events(board: string, events: BoardEvent[], atUs: number): this {
    const seq = (this.envelopeSeq.get(board) ?? 0) + 1;
    this.envelopeSeq.set(board, seq);
    return this.raw(board, encode('envelope', { board, boot: 7, seq, events }), atUs);
  }

  raw(board: string, payload: Uint8Array, atUs: number): this {
    this.entries.push({ seq: this.entries.length + 1, atUs, source: 'board', topic: boardTopic('test', board, 'evt'), board, channel: 'evt', payload });
    return this;
  }

  clockReply(board: string, command: number, timeUs: number, atUs: number): this {
    return this.events(board, [{ kind: 'clock-reply', timeUs, command, echoUs: 0 }], atUs);
  }

  /** One passing as its loop's board reports it (board clock), logged 5 ms later. */
  passing(loop: number, transponder: number, timeUs: number, atUs = timeUs + 5_000): this {
    const board = this.setup.track.loops.find((l) => l.id === loop)!.board;
    return this.events(board, [{ kind: 'passing', loop, transponder, timeUs: Math.round(timeUs), strength: 180, hits: 40, flags: 0 }], Math.round(atUs));
  }

  /**
   * A truck lapping the track at an even speed: every track loop each lap, the
   * transponder `noseOffsetM` behind the nose (R-SF-1), so the nose is at the line
   * exactly at lineUs + n · lap time.
   */
  drive(car: string, o: DriveOptions): this {
    const e = this.setup.field.find((f) => f.car === car)!;
    const laps = o.laps ?? this.setup.laps;
    const track = this.setup.track.loops.filter((l) => l.path === 'track');
    const miss = new Set(o.miss ?? []);
    for (let k = o.paceLap ? -1 : 0; k <= laps; k++) {
      for (const l of track) {
        // The line ends lap k; the other loops lie in lap k + 1 (none after the last crossing).
        if (l.positionM > 0 && k === laps) continue;
        const lap = l.positionM === 0 ? k : k + 1;
        if (miss.has(`${l.id}@${lap}`)) continue;
        const x = k * LAP_M + l.positionM + e.noseOffsetM;
        this.passing(l.id, e.transponder, o.lineUs + (x / o.speedMps) * 1e6);
      }
    }
    return this;
  }

  /** The nose at the line for lap n of a truck driven at an even speed (µs). */
  static lineUs(o: DriveOptions, n: number): number {
    return o.lineUs + ((n * LAP_M) / o.speedMps) * 1e6;
  }
}

/** A deterministic shuffle (the order entries arrive in must not matter). */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

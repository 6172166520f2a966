// A simulated race as the gateway's event log: race control's set-up (from the
// scenario and its track), the boards' messages in the order they arrived, race
// control's flags and pit road calls from the truth, and the gateway's time checks of
// the loop boards. runSimulation gives no way to send a command to a board while it
// runs, so each time check's reply is written here from the simulator's clock model
// (race-rig.ts boardClockUs: drift included) with an even link delay each way: what a
// board would answer, exactly.
import { eventSetupFor } from '../../gateway/commands/sim-race-control.js';
import type { EventSetupInput } from '../../gateway/event-setup.js';
import type { Action, LogEntry } from '../../gateway/log-entry.js';
import { decode, encode } from '../../protocol/codec.js';
import { boardTopic } from '../../protocol/topics.js';
import { boardClockUs } from '../../sim-hardware/race-rig.js';
import type { Scenario } from '../../sim-hardware/scenario.js';
import type { BoardMessage } from '../../sim-hardware/sim-board.js';
import { DEFAULT_SITE } from '../../sim-hardware/simulation.js';
import type { Track } from '../../sim-hardware/track.js';
import type { Truth } from './truth.js';

export interface RaceLogOptions {
  /** Time checks of every loop board this often (race µs); 0 for none. Default 5 s. */
  timeCheckEveryUs?: number;
  /** One way of a time check's trip (µs). Default 3 ms. */
  linkUs?: number;
  site?: string;
}

export interface SimulatedRace {
  scenario: Scenario;
  track: Track;
  truth: Truth;
  messages: readonly BoardMessage[];
}

/** The event set-up race control enters for a simulated race (gateway/commands/sim-race-control.ts). */
export function setupOf(scenario: Scenario, track: Track): EventSetupInput {
  return eventSetupFor(scenario, track);
}

/** The board time a message carries (its latest event's), or null. */
function messageTimeUs(m: BoardMessage): number | null {
  try {
    if (m.channel === 'birth') return decode('birth', m.bytes).timeUs;
    if (m.channel !== 'evt') return null;
    let t: number | null = null;
    for (const e of decode('envelope', m.bytes).events) {
      const x = 'timeUs' in e ? e.timeUs : 'exitUs' in e ? e.exitUs : null;
      if (x !== null && (t === null || x > t)) t = x;
    }
    return t;
  } catch {
    return null;
  }
}

export function raceLog(race: SimulatedRace, opts: RaceLogOptions = {}): LogEntry[] {
  const { scenario, track, truth, messages } = race;
  const site = opts.site ?? DEFAULT_SITE;
  const epoch = truth.clock.epochUs;
  const every = opts.timeCheckEveryUs ?? 5_000_000;
  const link = opts.linkUs ?? 3_000;
  const items: Array<{ atUs: number; make: (seq: number) => LogEntry }> = [];
  const action = (atUs: number, a: Action, source: 'race-control' | 'gateway' = 'race-control'): void => {
    const at = Math.round(atUs);
    items.push({ atUs: at, make: (seq) => ({ seq, atUs: at, source, action: a }) });
  };

  action(epoch + truth.startUs - 1_000_000, { action: 'event-setup', setup: setupOf(scenario, track) });
  for (const f of truth.flags) {
    // A stage end is the scoring's to call (R-SF-3), not race control's.
    if (f.flag === 'stage-end') continue;
    action(epoch + f.atUs, { action: 'flag', flag: f.flag });
  }
  for (const p of truth.pitRoad) {
    // R-PIT-OPEN-3 is the state's to derive.
    if (p.why === 'stage-end') continue;
    action(epoch + p.atUs, { action: 'pit-road', open: p.open, why: p.why });
  }

  // Board messages in arrival order, logged at the latest board time seen so far.
  let clock = epoch + truth.startUs;
  const boots = new Map<string, number>();
  for (const m of messages) {
    const t = messageTimeUs(m);
    if (t !== null && t > clock) clock = t;
    if (m.channel === 'birth' && !boots.has(m.board)) boots.set(m.board, decode('birth', m.bytes).boot);
    const at = clock;
    items.push({ atUs: at, make: (seq) => ({ seq, atUs: at, source: 'board', topic: boardTopic(site, m.board, m.channel), board: m.board, channel: m.channel, payload: m.bytes }) });
  }

  if (every > 0) {
    const drift = new Map<string, number>();
    for (const f of scenario.faults) if (f.kind === 'clock-drift') drift.set(f.board, f.ppm);
    let command = 0x10000;
    for (const b of track.boards.filter((x) => x.kind === 'loop')) {
      for (let t = truth.startUs; t <= truth.endUs; t += every) {
        const id = command++;
        const sentUs = epoch + Math.round(t);
        const timeUs = boardClockUs(epoch, drift.get(b.id) ?? 0, Math.round(t) + link);
        const payload = encode('envelope', { board: b.id, boot: boots.get(b.id) ?? 1, seq: id, events: [{ kind: 'clock-reply', timeUs, command: id, echoUs: sentUs }] });
        action(sentUs, { action: 'time-check', board: b.id, command: id, sentUs }, 'gateway');
        const at = sentUs + 2 * link;
        items.push({ atUs: at, make: (seq) => ({ seq, atUs: at, source: 'board', topic: boardTopic(site, b.id, 'evt'), board: b.id, channel: 'evt', payload }) });
      }
    }
  }
  // Stable: entries logged at one instant keep the order they were made in.
  const order = items.map((x, i) => ({ x, i })).sort((a, b) => a.x.atUs - b.x.atUs || a.i - b.i);
  return order.map(({ x }, i) => x.make(i + 1));
}

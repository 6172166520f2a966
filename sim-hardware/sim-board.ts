// What the simulator needs of a board it drives: a clock it sets, sensor input, ticks,
// the broker link, power cycles. Three shapes stand behind it — in memory without a
// broker (memory-board.ts), hosted in this process on an MQTT connection
// (mqtt-board.ts), and its own process fed over a pipe (process-board.ts, the
// hardware-in-the-loop shape where a rig or a real board could stand in).
import type { BoardImageKind } from './board-host.js';

export interface SimBoard {
  readonly id: string;
  readonly kind: BoardImageKind;
  /** The board's boot id now (changes on reboot). */
  readonly boot: number;
  /** Sets the board clock (µs since the UTC epoch) from now on; never goes backwards. */
  clock(us: bigint): void;
  /** Raw loop hits, 16-byte records (firmware/ABI.md), any number: split to fit the input buffer. */
  hits(records: Uint8Array): void;
  /** Box samples, 64-byte records (firmware/BOX-BOARD.md), any number. */
  samples(records: Uint8Array): void;
  tick(): void;
  /** Cuts (false) or restores (true) the board's path to the broker; the connection itself is kept. */
  link(up: boolean): void;
  /** Resolves once everything the board published so far has reached the network (MQTT: acknowledged). */
  sync(): Promise<void>;
  /** A power cycle: the board dies without a goodbye (the broker publishes its will) and boots again with `boot`. */
  reboot(boot: number): Promise<void>;
  /** Stops the board: its death is published, the connection closed. */
  stop(): Promise<void>;
}

/** One message a board put on the wire, as the simulator saw it. */
export interface BoardMessage {
  board: string;
  /** birth | evt | death */
  channel: 'birth' | 'evt' | 'death';
  bytes: Uint8Array;
}

// Drives a board image in-process with a simulated clock and a recording network,
// so the board's lifecycle can be tested deterministically.
import { decode } from '../../protocol/codec.js';
import type { Birth, Envelope } from '../../protocol/schema.js';
import { BoardHost, type BoardImageKind, type ChannelName } from '../../sim-hardware/board-host.js';

export const T0 = 1_763_726_400_000_000n; // 2025-11-21T12:00:00Z in µs

export interface Sent {
  channel: ChannelName;
  bytes: Uint8Array;
}

export class BoardDriver {
  readonly host: BoardHost;
  now = T0;
  /** Whether the network takes what the board publishes. */
  up = true;
  readonly sent: Sent[] = [];
  readonly logs: string[] = [];

  constructor(kind: BoardImageKind, id = `${kind}-test`, boot = 7) {
    this.host = BoardHost.create({
      kind,
      id,
      boot,
      clock: () => this.now,
      publish: (channel, bytes) => {
        if (!this.up) return false;
        this.sent.push({ channel, bytes });
        return true;
      },
      log: (level, text) => this.logs.push(`${level}: ${text}`),
    });
  }

  /** Lets board time pass, ticking every `tickUs` as the host does. */
  advance(us: number, tickUs = 10_000): void {
    const end = this.now + BigInt(us);
    while (this.now < end) {
      this.now += BigInt(Math.min(tickUs, Number(end - this.now)));
      this.host.tick();
    }
  }

  take(): Sent[] {
    return this.sent.splice(0, this.sent.length);
  }

  static births(sent: Sent[]): Birth[] {
    return sent.filter((s) => s.channel === 'birth').map((s) => decode('birth', s.bytes));
  }

  static envelopes(sent: Sent[]): Envelope[] {
    return sent.filter((s) => s.channel === 'evt').map((s) => decode('envelope', s.bytes));
  }
}

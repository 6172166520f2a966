// The board feed: frames survive any chunking, malformed ones are refused at once,
// and a feed is applied strictly in order, a SYNC holding back what follows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOARD_FRAMES,
  bootFrame,
  clockFrame,
  DRIVER_FRAMES,
  encodeFrame,
  FeedError,
  FRAME,
  FrameReader,
  linkFrame,
  MAX_PAYLOAD,
  payloadU32,
  payloadU64,
  serveFeed,
  syncFrame,
  type Frame,
} from '../../sim-hardware/board-feed.js';
import type { SimBoard } from '../../sim-hardware/sim-board.js';

const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const header = (type: number, length: number): Uint8Array => {
  const h = new Uint8Array(5);
  new DataView(h.buffer).setUint8(0, type);
  new DataView(h.buffer).setUint32(1, length, true);
  return h;
};

const sample: Uint8Array[] = [
  clockFrame(1_763_726_400_000_000n),
  encodeFrame(FRAME.hits, Uint8Array.from({ length: 48 }, (_, i) => i)),
  encodeFrame(FRAME.tick),
  linkFrame(false),
  syncFrame(7),
  encodeFrame(FRAME.samples, new Uint8Array(64).fill(9)),
  linkFrame(true),
  encodeFrame(FRAME.end),
];
const stream = concat(sample);

function readAll(reader: FrameReader, chunks: Uint8Array[]): Frame[] {
  return chunks.flatMap((c) => reader.push(c));
}

describe('frames', () => {
  it('encodes type, length (u32 little endian) and payload', () => {
    expect([...clockFrame(0x0102030405060708n)]).toEqual([1, 8, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect([...syncFrame(0xdeadbeef)]).toEqual([6, 4, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde]);
    expect([...encodeFrame(FRAME.end)]).toEqual([7, 0, 0, 0, 0]);
  });

  it('refuses to encode a payload of the wrong size', () => {
    expect(() => encodeFrame(FRAME.clock, new Uint8Array(4))).toThrow(FeedError);
    expect(() => encodeFrame(FRAME.hits, new Uint8Array(17))).toThrow(/16-byte records/);
    expect(() => bootFrame(-1)).toThrow(/u32/);
  });

  it('reads several frames out of one chunk', () => {
    const frames = new FrameReader().push(stream);
    expect(frames.map((f) => f.type)).toEqual([1, 2, 4, 5, 6, 3, 5, 7]);
    expect(payloadU64(frames[0]!.payload)).toBe(1_763_726_400_000_000n);
    expect(frames[1]!.payload).toEqual(Uint8Array.from({ length: 48 }, (_, i) => i));
    expect(payloadU32(frames[4]!.payload)).toBe(7);
    expect(frames[6]!.payload).toEqual(Uint8Array.of(1));
  });

  it('reads the same frames however the stream is cut into chunks', () => {
    const whole = new FrameReader().push(stream);
    expect(readAll(new FrameReader(), [...stream].map((b) => Uint8Array.of(b)))).toEqual(whole);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        const at = [0, ...cuts.sort((a, b) => a - b), stream.length];
        const chunks = at.slice(1).map((end, i) => stream.subarray(at[i], end));
        expect(readAll(new FrameReader(), chunks)).toEqual(whole);
      }),
      { numRuns: 300, seed: 0xfeed },
    );
  });

  it('holds a frame back until its last byte has come', () => {
    const reader = new FrameReader();
    const frame = syncFrame(3);
    expect(reader.push(frame.subarray(0, 6))).toEqual([]);
    expect(reader.pending).toBe(6);
    expect(reader.push(frame.subarray(6))).toHaveLength(1);
    expect(reader.pending).toBe(0);
  });

  it('refuses an unknown type, a wrong size or an oversized length as soon as the header is in', () => {
    expect(() => new FrameReader().push(header(9, 0))).toThrow(/frame 1 \(at byte 0\): unknown frame type 9/);
    expect(() => new FrameReader().push(header(0, 0))).toThrow(/unknown frame type 0/);
    expect(() => new FrameReader().push(header(FRAME.clock, 7))).toThrow(/CLOCK: payload must be 8 bytes, not 7/);
    expect(() => new FrameReader().push(header(FRAME.tick, 1))).toThrow(/TICK: payload must be 0 bytes/);
    expect(() => new FrameReader().push(header(FRAME.samples, 65))).toThrow(/64-byte records/);
    expect(() => new FrameReader().push(header(FRAME.hits, MAX_PAYLOAD + 16))).toThrow(/over the 16 MiB limit/);
    expect(() => new FrameReader().push(concat([syncFrame(1), header(FRAME.link, 1), Uint8Array.of(2)]))).toThrow(
      /frame 2 \(at byte 9\): LINK: payload must be 0 or 1, not 2/,
    );
  });

  it('refuses frames not meant for its side, and stays broken after an error', () => {
    expect(() => new FrameReader(DRIVER_FRAMES).push(bootFrame(1))).toThrow(/unknown frame type 8/);
    expect(() => new FrameReader(BOARD_FRAMES).push(encodeFrame(FRAME.tick))).toThrow(/unknown frame type 4/);
    const reader = new FrameReader();
    expect(() => reader.push(header(42, 0))).toThrow(FeedError);
    expect(() => reader.push(encodeFrame(FRAME.tick))).toThrow(/unknown frame type 42/);
  });
});

/** A board that records what it is told; its sync() waits until the test lets it go. */
class FakeBoard implements SimBoard {
  readonly id = 'loop-fake';
  readonly kind = 'loop' as const;
  readonly boot = 1;
  readonly calls: string[] = [];
  private release: (() => void) | undefined;
  clock(us: bigint) {
    if (us === 0n) throw new Error('no such time');
    this.calls.push(`clock ${us}`);
  }
  hits(r: Uint8Array) {
    this.calls.push(`hits ${r.length / 16}`);
  }
  samples(r: Uint8Array) {
    this.calls.push(`samples ${r.length / 64}`);
  }
  tick() {
    this.calls.push('tick');
  }
  link(up: boolean) {
    this.calls.push(`link ${up}`);
  }
  sync() {
    this.calls.push('sync');
    return new Promise<void>((resolve) => (this.release = resolve));
  }
  async reboot() {}
  async stop() {}
  letSyncGo() {
    this.release?.();
    this.release = undefined;
  }
}

/** An input the test feeds chunk by chunk, ended when it says so. */
function feedInput() {
  const chunks: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  return {
    push(c: Uint8Array) {
      chunks.push(c);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (chunks.length > 0) yield chunks.shift()!;
        else if (ended) return;
        else await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('serveFeed', () => {
  it('applies frames in order and answers a SYNC only after sync(), holding back what follows', async () => {
    const board = new FakeBoard();
    const input = feedInput();
    const replies: Uint8Array[] = [];
    const served = serveFeed(board, input, (b) => replies.push(b));
    input.push(concat([clockFrame(5n), encodeFrame(FRAME.hits, new Uint8Array(32)), syncFrame(11), encodeFrame(FRAME.tick), linkFrame(false)]));
    await tick();
    expect(board.calls).toEqual(['clock 5', 'hits 2', 'sync']);
    expect(replies).toEqual([]);
    board.letSyncGo();
    await tick();
    expect(replies).toEqual([syncFrame(11)]);
    expect(board.calls).toEqual(['clock 5', 'hits 2', 'sync', 'tick', 'link false']);
    input.push(concat([encodeFrame(FRAME.samples, new Uint8Array(64)), encodeFrame(FRAME.end), encodeFrame(FRAME.tick)]));
    expect(await served).toBe('end');
    expect(board.calls.slice(-1)).toEqual(['samples 1']); // nothing after END
  });

  it('ends at the end of the input', async () => {
    const board = new FakeBoard();
    const input = feedInput();
    const served = serveFeed(board, input, () => {});
    input.push(encodeFrame(FRAME.tick));
    input.end();
    expect(await served).toBe('eof');
    expect(board.calls).toEqual(['tick']);
  });

  it('fails on a malformed frame, a frame cut short by the end, or one the board refuses', async () => {
    const run = async (...chunks: Uint8Array[]) => {
      const input = feedInput();
      const served = serveFeed(new FakeBoard(), input, () => {});
      chunks.forEach((c) => input.push(c));
      input.end();
      return served;
    };
    await expect(run(encodeFrame(FRAME.tick), header(8, 4))).rejects.toThrow(/frame 2 \(at byte 5\): unknown frame type 8/);
    await expect(run(syncFrame(1).subarray(0, 7))).rejects.toThrow(/ended inside frame 1 \(7 bytes of it\)/);
    await expect(run(encodeFrame(FRAME.tick), clockFrame(0n))).rejects.toThrow(/frame 2 \(CLOCK\): no such time/);
  });
});

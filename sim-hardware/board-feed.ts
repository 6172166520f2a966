// The board feed: how a driver (the simulator, a test rig) plays the sensors and the
// clock of a board in another process — `pitwall board --feed stdin` reads it on
// stdin and answers on stdout. Binary frames, strictly in order; board-feed.md is the
// protocol. Both sides use this module: the frame table, `encodeFrame`, the
// incremental `FrameReader`, and `serveFeed`, which applies a feed to a SimBoard.
import type { SimBoard } from './sim-board.js';

/** Frame types. 1-7 go from the driver to the board, 6 and 8 from the board to the driver. */
export const FRAME = {
  /** u64le: the board clock from now on, µs since the UTC epoch. */
  clock: 1,
  /** Loop hit records, 16 bytes each (firmware/ABI.md). */
  hits: 2,
  /** Box sample records, 64 bytes each (firmware/BOX-BOARD.md). */
  samples: 3,
  /** Empty: run the board's tick. */
  tick: 4,
  /** u8 0|1: cut or restore the board's path to the broker. */
  link: 5,
  /** u32le token; the board sends it back once everything before it is acknowledged. */
  sync: 6,
  /** Empty: stop gracefully (death published) and exit. */
  end: 7,
  /** u32le, board to driver: the board (re)started with this boot id. */
  boot: 8,
} as const;
export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export const FRAME_NAMES: Readonly<Record<FrameType, string>> = {
  1: 'CLOCK',
  2: 'HITS',
  3: 'SAMPLES',
  4: 'TICK',
  5: 'LINK',
  6: 'SYNC',
  7: 'END',
  8: 'BOOT',
};

/** What a board accepts, and what a driver accepts back. */
export const DRIVER_FRAMES: readonly FrameType[] = [1, 2, 3, 4, 5, 6, 7];
export const BOARD_FRAMES: readonly FrameType[] = [FRAME.sync, FRAME.boot];

export const HEADER_BYTES = 5;
/** Largest payload: a bound on what one frame can make the other side buffer. */
export const MAX_PAYLOAD = 16 * 1024 * 1024;

export interface Frame {
  type: FrameType;
  payload: Uint8Array;
}

/** A feed that breaks the protocol: the other side is a program with a bug, not the field. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
}

/** Why a payload of `length` bytes cannot go in a frame of `type`, or undefined. */
function lengthProblem(type: FrameType, length: number): string | undefined {
  if (length > MAX_PAYLOAD) return `payload of ${length} bytes is over the ${MAX_PAYLOAD / 1024 / 1024} MiB limit`;
  const exact = (n: number) => (length === n ? undefined : `payload must be ${n} bytes, not ${length}`);
  const records = (n: number) => (length % n === 0 ? undefined : `payload of ${length} bytes is not whole ${n}-byte records`);
  switch (type) {
    case FRAME.clock:
      return exact(8);
    case FRAME.hits:
      return records(16);
    case FRAME.samples:
      return records(64);
    case FRAME.tick:
    case FRAME.end:
      return exact(0);
    case FRAME.link:
      return exact(1);
    case FRAME.sync:
    case FRAME.boot:
      return exact(4);
  }
}

function isFrameType(type: number): type is FrameType {
  return Number.isInteger(type) && type >= 1 && type <= 8;
}

export function encodeFrame(type: FrameType, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (!isFrameType(type)) throw new FeedError(`no frame type ${type}`);
  const problem = lengthProblem(type, payload.length);
  if (problem) throw new FeedError(`${FRAME_NAMES[type]} frame: ${problem}`);
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, type);
  view.setUint32(1, payload.length, true);
  out.set(payload, HEADER_BYTES);
  return out;
}

export function clockFrame(us: bigint): Uint8Array {
  if (us < 0n || us >= 1n << 64n) throw new FeedError(`CLOCK frame: ${us} µs is not a u64`);
  const p = new Uint8Array(8);
  new DataView(p.buffer).setBigUint64(0, us, true);
  return encodeFrame(FRAME.clock, p);
}

export function linkFrame(up: boolean): Uint8Array {
  return encodeFrame(FRAME.link, Uint8Array.of(up ? 1 : 0));
}

function u32Frame(type: FrameType, n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new FeedError(`${FRAME_NAMES[type]} frame: ${n} is not a u32`);
  const p = new Uint8Array(4);
  new DataView(p.buffer).setUint32(0, n, true);
  return encodeFrame(type, p);
}

export const syncFrame = (token: number): Uint8Array => u32Frame(FRAME.sync, token);
export const bootFrame = (boot: number): Uint8Array => u32Frame(FRAME.boot, boot);

/** The u32 of a SYNC or BOOT payload. */
export function payloadU32(payload: Uint8Array): number {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0, true);
}

/** The µs of a CLOCK payload. */
export function payloadU64(payload: Uint8Array): bigint {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getBigUint64(0, true);
}

/**
 * Cuts a byte stream into frames, however it arrives in chunks. A header is checked as
 * soon as it is complete, so a bad type or length fails at once, not after 16 MiB.
 * After an error the reader stays broken: the stream is out of step for good.
 */
export class FrameReader {
  private readonly accept: ReadonlySet<number>;
  private readonly header = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  private payload: Uint8Array | undefined;
  private payloadFill = 0;
  private type: FrameType = FRAME.tick;
  private frames = 0;
  private offset = 0;
  private broken: FeedError | undefined;

  /** `accept`: the frame types this side takes (DRIVER_FRAMES on a board, BOARD_FRAMES on a driver). */
  constructor(accept: readonly FrameType[] = [...DRIVER_FRAMES, FRAME.boot]) {
    this.accept = new Set(accept);
  }

  /** The complete frames the chunk finishes, in order; throws FeedError on a malformed one. */
  push(chunk: Uint8Array): Frame[] {
    if (this.broken) throw this.broken;
    const out: Frame[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (!this.payload) {
        const n = Math.min(HEADER_BYTES - this.headerFill, chunk.length - i);
        this.header.set(chunk.subarray(i, i + n), this.headerFill);
        this.headerFill += n;
        i += n;
        if (this.headerFill < HEADER_BYTES) break;
        this.startPayload();
      }
      const payload = this.payload!;
      const n = Math.min(payload.length - this.payloadFill, chunk.length - i);
      payload.set(chunk.subarray(i, i + n), this.payloadFill);
      this.payloadFill += n;
      i += n;
      if (this.payloadFill === payload.length) out.push(this.finish(payload));
    }
    return out;
  }

  /** Bytes of a frame begun and not finished (non-zero at the end of a stream: it was cut short). */
  get pending(): number {
    return this.headerFill + this.payloadFill;
  }

  private startPayload(): void {
    const view = new DataView(this.header.buffer);
    const type = view.getUint8(0);
    const length = view.getUint32(1, true);
    if (!isFrameType(type) || !this.accept.has(type)) this.fail(`unknown frame type ${type}`);
    const problem = lengthProblem(type as FrameType, length);
    if (problem) this.fail(`${FRAME_NAMES[type as FrameType]}: ${problem}`);
    this.type = type as FrameType;
    this.payload = new Uint8Array(length);
    this.payloadFill = 0;
  }

  private finish(payload: Uint8Array): Frame {
    if (this.type === FRAME.link && payload[0]! > 1) this.fail(`LINK: payload must be 0 or 1, not ${payload[0]}`);
    const frame = { type: this.type, payload };
    this.offset += HEADER_BYTES + payload.length;
    this.frames++;
    this.payload = undefined;
    this.headerFill = 0;
    this.payloadFill = 0;
    return frame;
  }

  private fail(why: string): never {
    this.broken = new FeedError(`frame ${this.frames + 1} (at byte ${this.offset}): ${why}`);
    throw this.broken;
  }
}

/**
 * Applies a feed to a board, frame by frame and strictly in order: a SYNC is answered
 * (through `reply`) only after `board.sync()`, and no later frame is applied before.
 * Returns at END (without stopping the board: the caller does) or at the end of the
 * input; throws FeedError for a malformed frame or one the board refuses.
 */
export async function serveFeed(
  board: SimBoard,
  input: AsyncIterable<Uint8Array>,
  reply: (bytes: Uint8Array) => void,
): Promise<'end' | 'eof'> {
  const reader = new FrameReader(DRIVER_FRAMES);
  let n = 0;
  for await (const chunk of input) {
    for (const frame of reader.push(chunk)) {
      n++;
      if (frame.type === FRAME.end) return 'end';
      try {
        await apply(board, frame, reply);
      } catch (err) {
        throw new FeedError(`frame ${n} (${FRAME_NAMES[frame.type]}): ${(err as Error).message}`);
      }
    }
  }
  if (reader.pending > 0) throw new FeedError(`the feed ended inside frame ${n + 1} (${reader.pending} bytes of it)`);
  return 'eof';
}

async function apply(board: SimBoard, { type, payload }: Frame, reply: (bytes: Uint8Array) => void): Promise<void> {
  switch (type) {
    case FRAME.clock:
      return board.clock(payloadU64(payload));
    case FRAME.hits:
      return board.hits(payload);
    case FRAME.samples:
      return board.samples(payload);
    case FRAME.tick:
      return board.tick();
    case FRAME.link:
      return board.link(payload[0] === 1);
    case FRAME.sync:
      await board.sync();
      reply(encodeFrame(FRAME.sync, payload));
      return;
    default:
      throw new FeedError(`a board takes no ${FRAME_NAMES[type]} frame`);
  }
}

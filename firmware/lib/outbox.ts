// The outbox: every envelope a board sends is kept here, encoded, under its sequence
// number, so that a broker or network outage shorter than the ring loses nothing —
// the board re-sends from a sequence number on request and after a reconnect.
//
// Envelopes lie one after another in a byte arena used as a ring; an envelope that
// does not fit before the arena's end starts again at offset 0. Making room evicts
// the oldest envelopes, so the kept ones always have consecutive sequence numbers.
// Tables are allocated once, at start; append and lookup never allocate.

export class Outbox {
  private offs: StaticArray<u32>;
  private lens: StaticArray<u32>;
  private head: u32 = 0; // slot of the oldest kept envelope
  private writePos: u32 = 0; // arena offset after the newest envelope
  count: u32 = 0;
  oldestSeq: u32 = 0;
  /** Envelopes evicted to make room since start. */
  overwritten: u32 = 0;

  constructor(private arena: usize, readonly arenaCap: u32, readonly slots: u32) {
    this.offs = new StaticArray<u32>(<i32>slots);
    this.lens = new StaticArray<u32>(<i32>slots);
  }

  /** Sequence number the next appended envelope must carry. */
  get nextSeq(): u32 {
    return this.oldestSeq + this.count;
  }

  /** Forgets everything; the next envelope will be `seq`. */
  reset(seq: u32): void {
    this.head = 0;
    this.writePos = 0;
    this.count = 0;
    this.oldestSeq = seq;
  }

  /** Number of arena bytes in use. */
  bytesUsed(): u32 {
    let n: u32 = 0;
    for (let i: u32 = 0; i < this.count; i++) n += unchecked(this.lens[<i32>((this.head + i) % this.slots)]);
    return n;
  }

  /**
   * Keeps `len` bytes at `src` as the envelope with sequence number `nextSeq`.
   * Returns false (and keeps nothing) only for an envelope larger than the arena.
   */
  append(src: usize, len: u32): bool {
    if (len > this.arenaCap || len == 0) return false;
    let at = this.writePos;
    if (at + len > this.arenaCap) at = 0;
    while (this.count > 0 && (this.count == this.slots || this.overlapsOldest(at, len))) this.evictOldest();
    if (this.count == 0) {
      // An empty ring restarts at the arena's start: the position no longer matters.
      at = 0;
    }
    memory.copy(this.arena + <usize>at, src, len);
    const slot = (this.head + this.count) % this.slots;
    unchecked((this.offs[<i32>slot] = at));
    unchecked((this.lens[<i32>slot] = len));
    this.count++;
    this.writePos = at + len;
    return true;
  }

  /** Whether the envelope with this sequence number is still kept. */
  has(seq: u32): bool {
    return seq - this.oldestSeq < this.count; // u32 wrap-around makes older seqs huge
  }

  /** Pointer to a kept envelope (check `has` first). */
  ptr(seq: u32): usize {
    const slot = (this.head + (seq - this.oldestSeq)) % this.slots;
    return this.arena + <usize>unchecked(this.offs[<i32>slot]);
  }

  /** Length of a kept envelope (check `has` first). */
  len(seq: u32): u32 {
    const slot = (this.head + (seq - this.oldestSeq)) % this.slots;
    return unchecked(this.lens[<i32>slot]);
  }

  private overlapsOldest(at: u32, len: u32): bool {
    const o = unchecked(this.offs[<i32>this.head]);
    const l = unchecked(this.lens[<i32>this.head]);
    return o < at + len && at < o + l;
  }

  private evictOldest(): void {
    this.head = (this.head + 1) % this.slots;
    this.count--;
    this.oldestSeq++;
    this.overwritten++;
  }
}

// Crossings in progress: the hits of each transponder over each loop, kept until the
// transponder has been quiet for the quiet gap, then handed over to be timed.
//
// Fixed tables, allocated as static memory: MAX_ACTIVE crossings at once across the
// board's loops (a restart puts a whole field over one loop), each holding up to
// HITS_PER_CROSSING hits. When the table is full a new crossing's hits are refused
// and counted (health counter 1, table full). A vehicle crawling over a loop fills
// its hit buffer: neighbouring hits are then merged in pairs, halving the time
// resolution instead of losing the start or the end of the crossing.

import { setU32, setU64, u32at, u64at } from './tables';

export const MAX_ACTIVE: i32 = 128;
export const HITS_PER_CROSSING: i32 = 128;
const INDEX_SIZE: i32 = 512; // open addressing, kept under 25% full
const RECENT: i32 = 256; // recently closed or refused crossings, to refuse their stragglers

export const ADD_OK: i32 = 0;
export const ADD_TABLE_FULL: i32 = 1;
export const ADD_LATE: i32 = 2;

const sLoop = memory.data(MAX_ACTIVE * 4);
const sTx = memory.data(MAX_ACTIVE * 4);
const sFirst = memory.data(MAX_ACTIVE * 8);
const sLast = memory.data(MAX_ACTIVE * 8);
const sN = memory.data(MAX_ACTIVE * 4); // hits stored
const sHits = memory.data(MAX_ACTIVE * 4); // hits received
const sPeak = memory.data(MAX_ACTIVE * 4);
const sTimes = memory.data(MAX_ACTIVE * HITS_PER_CROSSING * 4); // µs after the first hit
const sStr = memory.data(MAX_ACTIVE * HITS_PER_CROSSING * 2);
const index = memory.data(INDEX_SIZE * 2); // slot + 1, 0 = empty
const active = memory.data(MAX_ACTIVE * 2); // slots in use, dense
const freeSlots = memory.data(MAX_ACTIVE * 2);
const rLoop = memory.data(RECENT * 4);
const rTx = memory.data(RECENT * 4);
const rLast = memory.data(RECENT * 8);
const rRefused = memory.data(RECENT); // 1: refused for want of a slot, 0: closed
// Recent entries are chained per hash bucket so a new crossing's check stays short.
const RECENT_BUCKETS: i32 = 256;
const rHead = memory.data(RECENT_BUCKETS * 2); // entry + 1, 0 = none
const rNext = memory.data(RECENT * 2); // entry + 1, 0 = end
const rUsed = memory.data(RECENT);

let nActive: i32 = 0;
let nFree: i32 = 0;
let recentNext: i32 = 0;
let quietGapUs: u64 = 20_000;

@inline function slotAt(list: usize, i: i32): i32 {
  return <i32>load<u16>(list + (<usize>i << 1));
}
@inline function setSlotAt(list: usize, i: i32, v: i32): void {
  store<u16>(list + (<usize>i << 1), <u16>v);
}

/** Empties every table (at start and when a new config is applied). */
export function resetCrossings(quietGap: u64): void {
  quietGapUs = quietGap;
  memory.fill(index, 0, INDEX_SIZE * 2);
  memory.fill(rLast, 0, RECENT * 8);
  memory.fill(rTx, 0, RECENT * 4);
  memory.fill(rLoop, 0xff, RECENT * 4);
  memory.fill(rRefused, 0, RECENT);
  memory.fill(rUsed, 0, RECENT);
  memory.fill(rHead, 0, RECENT_BUCKETS * 2);
  nActive = 0;
  nFree = MAX_ACTIVE;
  for (let i = 0; i < MAX_ACTIVE; i++) setSlotAt(freeSlots, i, MAX_ACTIVE - 1 - i);
  recentNext = 0;
}

export function activeCount(): i32 {
  return nActive;
}

@inline function hash(loop: u32, tx: u32): i32 {
  return <i32>(((tx ^ (loop << 24)) * 0x9e3779b1) >> 23) & (INDEX_SIZE - 1);
}

function find(loop: u32, tx: u32): i32 {
  let i = hash(loop, tx);
  for (let probe = 0; probe < INDEX_SIZE; probe++) {
    const v = <i32>load<u16>(index + (<usize>i << 1));
    if (v == 0) return -1;
    const slot = v - 1;
    if (u32at(sTx, slot) == tx && u32at(sLoop, slot) == loop) return slot;
    i = (i + 1) & (INDEX_SIZE - 1);
  }
  return -1;
}

function indexInsert(loop: u32, tx: u32, slot: i32): void {
  let i = hash(loop, tx);
  while (load<u16>(index + (<usize>i << 1)) != 0) i = (i + 1) & (INDEX_SIZE - 1);
  store<u16>(index + (<usize>i << 1), <u16>(slot + 1));
}

/** Removes a slot from the index by backward-shift deletion (no tombstones). */
function indexRemove(slot: i32): void {
  let i = hash(u32at(sLoop, slot), u32at(sTx, slot));
  while (<i32>load<u16>(index + (<usize>i << 1)) != slot + 1) i = (i + 1) & (INDEX_SIZE - 1);
  let hole = i;
  let j = i;
  for (let probe = 0; probe < INDEX_SIZE; probe++) {
    j = (j + 1) & (INDEX_SIZE - 1);
    const v = <i32>load<u16>(index + (<usize>j << 1));
    if (v == 0) break;
    const home = hash(u32at(sLoop, v - 1), u32at(sTx, v - 1));
    // Move the entry back unless its home lies cyclically in (hole, j].
    const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
    if (!between) {
      store<u16>(index + (<usize>hole << 1), <u16>v);
      hole = j;
    }
  }
  store<u16>(index + (<usize>hole << 1), 0);
}

@inline function bucket(loop: u32, tx: u32): usize {
  return rHead + (<usize>(hash(loop, tx) & (RECENT_BUCKETS - 1)) << 1);
}

/** The recent entry this hit continues (within the quiet gap), or -1. */
function recentEntry(loop: u32, tx: u32, t: u64): i32 {
  let e = <i32>load<u16>(bucket(loop, tx)) - 1;
  while (e >= 0) {
    if (u32at(rTx, e) == tx && u32at(rLoop, e) == loop && t <= u64at(rLast, e) + quietGapUs) return e;
    e = <i32>load<u16>(rNext + (<usize>e << 1)) - 1;
  }
  return -1;
}

function remember(loop: u32, tx: u32, last: u64, refused: bool): void {
  const e = recentNext;
  if (load<u8>(rUsed + <usize>e) != 0) forget(e); // the ring comes round: the oldest entry goes
  setU32(rLoop, e, loop);
  setU32(rTx, e, tx);
  setU64(rLast, e, last);
  store<u8>(rRefused + <usize>e, refused ? 1 : 0);
  store<u8>(rUsed + <usize>e, 1);
  const head = bucket(loop, tx);
  store<u16>(rNext + (<usize>e << 1), load<u16>(head));
  store<u16>(head, <u16>(e + 1));
  recentNext = (recentNext + 1) % RECENT;
}

/** Unlinks a recent entry from its bucket's chain. */
function forget(e: i32): void {
  let link = bucket(u32at(rLoop, e), u32at(rTx, e));
  for (let guard = 0; guard < RECENT; guard++) {
    const v = <i32>load<u16>(link);
    if (v == 0) break;
    if (v - 1 == e) {
      store<u16>(link, load<u16>(rNext + (<usize>e << 1)));
      break;
    }
    link = rNext + (<usize>(v - 1) << 1);
  }
  store<u8>(rUsed + <usize>e, 0);
}

/**
 * Files one hit. Hits of a crossing may come slightly out of order. A crossing that
 * finds the table full is refused whole, to its last hit: a passing is never made
 * from part of a crossing.
 */
export function addHit(loop: u32, tx: u32, t: u64, strength: u32): i32 {
  let slot = find(loop, tx);
  if (slot < 0) {
    const r = recentEntry(loop, tx, t);
    if (r >= 0) {
      if (load<u8>(rRefused + <usize>r) == 0) return ADD_LATE;
      if (t > u64at(rLast, r)) setU64(rLast, r, t);
      return ADD_TABLE_FULL;
    }
    if (nFree == 0) {
      remember(loop, tx, t, true);
      return ADD_TABLE_FULL;
    }
    slot = slotAt(freeSlots, --nFree);
    setSlotAt(active, nActive++, slot);
    setU32(sLoop, slot, loop);
    setU32(sTx, slot, tx);
    setU64(sFirst, slot, t);
    setU64(sLast, slot, t);
    setU32(sN, slot, 0);
    setU32(sHits, slot, 0);
    setU32(sPeak, slot, 0);
    indexInsert(loop, tx, slot);
  }
  const first = u64at(sFirst, slot);
  if (t < first) return ADD_LATE; // older than the crossing's first hit: out of its window
  if (t > u64at(sLast, slot)) setU64(sLast, slot, t);
  setU32(sHits, slot, u32at(sHits, slot) + 1);
  if (strength > u32at(sPeak, slot)) setU32(sPeak, slot, strength);
  let n = <i32>u32at(sN, slot);
  if (n == HITS_PER_CROSSING) n = halve(slot);
  const base = <usize>slot * <usize>HITS_PER_CROSSING;
  const off = <u32>(t - first);
  // Insertion keeps the hits in time order when a few arrive late.
  let pos = n;
  while (pos > 0 && load<u32>(sTimes + ((base + <usize>(pos - 1)) << 2)) > off) {
    store<u32>(sTimes + ((base + <usize>pos) << 2), load<u32>(sTimes + ((base + <usize>(pos - 1)) << 2)));
    store<u16>(sStr + ((base + <usize>pos) << 1), load<u16>(sStr + ((base + <usize>(pos - 1)) << 1)));
    pos--;
  }
  store<u32>(sTimes + ((base + <usize>pos) << 2), off);
  store<u16>(sStr + ((base + <usize>pos) << 1), <u16>strength);
  setU32(sN, slot, <u32>(n + 1));
  return ADD_OK;
}

/** Merges neighbouring hits in pairs; returns the new count. */
function halve(slot: i32): i32 {
  const base = <usize>slot * <usize>HITS_PER_CROSSING;
  const half = HITS_PER_CROSSING >> 1;
  for (let i = 0; i < half; i++) {
    const a = base + <usize>(2 * i);
    const t0 = <u64>load<u32>(sTimes + (a << 2));
    const t1 = <u64>load<u32>(sTimes + ((a + 1) << 2));
    const s0 = <u32>load<u16>(sStr + (a << 1));
    const s1 = <u32>load<u16>(sStr + ((a + 1) << 1));
    store<u32>(sTimes + ((base + <usize>i) << 2), <u32>((t0 + t1) >> 1));
    store<u16>(sStr + ((base + <usize>i) << 1), <u16>((s0 + s1) >> 1));
  }
  return half;
}

// The crossing being closed, for the caller to read.
export let closedLoop: u32 = 0;
export let closedTx: u32 = 0;
export let closedFirst: u64 = 0;
export let closedHits: u32 = 0;
export let closedPeak: u32 = 0;
export let closedStored: i32 = 0;

/** Time (µs after the first hit) and strength of hit `i` of the crossing being closed. */
let closedSlot: i32 = 0;
export function closedTime(i: i32): u32 {
  return load<u32>(sTimes + ((<usize>closedSlot * <usize>HITS_PER_CROSSING + <usize>i) << 2));
}
export function closedStrength(i: i32): u32 {
  return <u32>load<u16>(sStr + ((<usize>closedSlot * <usize>HITS_PER_CROSSING + <usize>i) << 1));
}

/**
 * Closes every crossing whose last hit is at or before `quietBefore` and calls
 * `onClose` for each, with the closed* fields describing it. Returns how many.
 */
export function closeQuiet(quietBefore: u64, onClose: () => void): i32 {
  let closed = 0;
  let i = 0;
  while (i < nActive) {
    const slot = slotAt(active, i);
    if (u64at(sLast, slot) > quietBefore) {
      i++;
      continue;
    }
    closedSlot = slot;
    closedLoop = u32at(sLoop, slot);
    closedTx = u32at(sTx, slot);
    closedFirst = u64at(sFirst, slot);
    closedHits = u32at(sHits, slot);
    closedPeak = u32at(sPeak, slot);
    closedStored = <i32>u32at(sN, slot);
    onClose();
    remember(closedLoop, closedTx, u64at(sLast, slot), false);
    indexRemove(slot);
    setSlotAt(active, i, slotAt(active, --nActive));
    setSlotAt(freeSlots, nFree++, slot);
    closed++;
  }
  return closed;
}

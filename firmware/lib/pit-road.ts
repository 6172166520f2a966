// Pit road speed at the edge (R-PIT-SPEED-1): the pit lines a loop board owns cut pit
// road into segments, from the entry yellow line through the timing lines to the
// exit yellow line. When a vehicle crosses a segment's second line the board knows
// the segment's average speed — length / time between the two passings — and
// whether it is over limit + tolerance, and says so at once.
//
// Speeds are computed in integers, so the rounding and the "over" decision are
// exact: speed in 0.01 mph = Δmm · 10¹⁰ / (44704 · Δµs), since 1 mph = 0.44704 m/s.

export const MAX_PIT_LINES: i32 = 16;
const MAX_ON_PIT_ROAD: i32 = 64;
/** Pit lines lie within this distance (mm) of the entry line: keeps the arithmetic in u64. */
export const MAX_PIT_DISTANCE_MM: u32 = 2_000_000;

const lineDistance = memory.data(MAX_PIT_LINES * 4);
let nLines: i32 = 0;
let limitCmph: u64 = 0;
let toleranceCmph: u64 = 0;

const vTx = memory.data(MAX_ON_PIT_ROAD * 4);
const vLine = memory.data(MAX_ON_PIT_ROAD * 4); // index of the last line crossed
const vTime = memory.data(MAX_ON_PIT_ROAD * 8);
const vUsed = memory.data(MAX_ON_PIT_ROAD);

/** Sets the lines (distances in mm, ascending, entry first, exit last) and the limits. */
export function configurePitRoad(distances: usize, n: i32, limit: u32, tolerance: u32): void {
  nLines = n;
  memory.copy(lineDistance, distances, <usize>n * 4);
  limitCmph = limit;
  toleranceCmph = tolerance;
  memory.fill(vUsed, 0, MAX_ON_PIT_ROAD);
}

export function pitLineCount(): i32 {
  return nLines;
}

export function pitLimit(): u32 {
  return <u32>limitCmph;
}

// The segment just completed, for the caller to publish.
export let segNumber: u32 = 0;
export let segEntryUs: u64 = 0;
export let segExitUs: u64 = 0;
export let segSpeed: u32 = 0;
export let segOver: bool = false;

/**
 * A vehicle crossed pit line `line` (0 = entry) at `timeUs`. Returns true when that
 * completed a segment (the seg* fields then describe it). A missed line leaves the
 * two segments around it unmeasured rather than guessed.
 */
export function pitLineCrossed(tx: u32, line: i32, timeUs: u64): bool {
  let v = -1;
  for (let i = 0; i < MAX_ON_PIT_ROAD; i++) {
    if (load<u8>(vUsed + <usize>i) != 0 && load<u32>(vTx + (<usize>i << 2)) == tx) {
      v = i;
      break;
    }
  }
  let done = false;
  if (v >= 0 && line > 0 && <i32>load<u32>(vLine + (<usize>v << 2)) == line - 1) {
    const entry = load<u64>(vTime + (<usize>v << 3));
    if (timeUs > entry) {
      measure(line, entry, timeUs);
      done = true;
    }
  }
  if (line == nLines - 1) {
    if (v >= 0) store<u8>(vUsed + <usize>v, 0); // off the speed-limited part of pit road
    return done;
  }
  if (v < 0) v = freeOrOldest();
  store<u8>(vUsed + <usize>v, 1);
  store<u32>(vTx + (<usize>v << 2), tx);
  store<u32>(vLine + (<usize>v << 2), <u32>line);
  store<u64>(vTime + (<usize>v << 3), timeUs);
  return done;
}

function measure(line: i32, entryUs: u64, exitUs: u64): void {
  const mm = <u64>(load<u32>(lineDistance + (<usize>line << 2)) - load<u32>(lineDistance + (<usize>(line - 1) << 2)));
  segNumber = <u32>line;
  segEntryUs = entryUs;
  segExitUs = exitUs;
  segSpeed = segmentSpeed(mm, exitUs - entryUs);
  segOver = overLimit(mm, exitUs - entryUs, limitCmph + toleranceCmph);
}

/** Average speed in 0.01 mph, rounded half up, of `mm` covered in `us` (> 0). */
export function segmentSpeed(mm: u64, us: u64): u32 {
  const num = mm * 10_000_000_000; // mm ≤ 2·10⁶: exact in u64
  const den = us * 44704;
  const cmph = (2 * num + den) / (2 * den);
  return cmph > 65535 ? 65535 : <u32>cmph;
}

/** Whether `mm` in `us` is strictly faster than `thresholdCmph`, decided exactly. */
export function overLimit(mm: u64, us: u64, thresholdCmph: u64): bool {
  const num = mm * 10_000_000_000;
  const den = us * 44704;
  // num/den > T ⇔ num > T·den; a den so large that T·den overflows is far too slow.
  if (den > 0xffffffffffffffff / (thresholdCmph + 1)) return false;
  return num > thresholdCmph * den;
}

/** A slot for a vehicle new to pit road; a full table gives up the stalest. */
function freeOrOldest(): i32 {
  let oldest = 0;
  for (let i = 0; i < MAX_ON_PIT_ROAD; i++) {
    if (load<u8>(vUsed + <usize>i) == 0) return i;
    if (load<u64>(vTime + (<usize>i << 3)) < load<u64>(vTime + (<usize>oldest << 3))) oldest = i;
  }
  return oldest;
}

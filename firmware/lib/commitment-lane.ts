// A commitment lane followed from its line sensors (firmware/BOX-BOARD.md, "Commitment
// lanes"): each vehicle's four tires as they cross the commitment line, each tire's
// lateral margin to the nearer boundary line then, and one `commitment` event per
// vehicle crossing (R-PIT-COMMIT-1, R-PEN-3). Up to MAX_LANES lanes of up to
// LANE_VEHICLES vehicles each, fixed tables; nothing allocated per sample.

import { BoxConfigMsg, MAX_LANES, encodeCommitment } from './messages';
import { addEvent, count, eventWriter, C_TABLE_FULL } from './board';
import { closeCall, roundMm, tireField } from './pit-box';
import { f64at, setF64, setU32, setU64, u32at, u64at } from './tables';

/** Flag bit 1 of a sample record: a commitment lane's record (its u16 at offset 12 is the lane id). */
export const FLAG_LANE: u8 = 2;
/** Flag bit 0: the vehicle is over the lane's sensors (tire fields valid); clear: it has left. */
const FLAG_OVER: u8 = 1;
/** Vehicles followed at once per lane. */
const LANE_VEHICLES: i32 = 4;
/** A vehicle with no record for this long (its "left" record lost) gives its slot up to a new one (µs). */
const LANE_STALE_US: u64 = 2_000_000;

const SLOTS: i32 = <i32>MAX_LANES * LANE_VEHICLES;

// Per vehicle slot (lane * LANE_VEHICLES + k).
const inUse = memory.data(SLOTS);
const done = memory.data(SLOTS); // its commitment event has gone out: later records are ignored
const vehicle = memory.data(SLOTS);
const havePrev = memory.data(SLOTS);
const crossed = memory.data(SLOTS); // bit per tire that has crossed the line
const slotTx = memory.data(SLOTS * 4);
const prevT = memory.data(SLOTS * 8); // time of the previous record with tire readings
const lastT = memory.data(SLOTS * 8); // time of its last record of any kind
// Per vehicle slot and tire (slot * 4 + tire).
const prevX = memory.data(SLOTS * 4 * 8); // the tire's patch centre x in the previous record
const prevM = memory.data(SLOTS * 4 * 8); // its margin then
const atLine = memory.data(SLOTS * 4 * 8); // its margin on the line
const atLineT = memory.data(SLOTS * 4 * 8); // when it was on the line (board µs)
// Per lane: a bit per sensor vehicle number refused for a full table (counted once).
const refused = memory.data(<i32>MAX_LANES * 32);

let cfg: BoxConfigMsg = new BoxConfigMsg();

/** Starts following the lanes of a config just applied; crossings in progress are forgotten. */
export function useLanes(c: BoxConfigMsg): void {
  cfg = c;
  memory.fill(inUse, 0, SLOTS);
  memory.fill(done, 0, SLOTS);
  memory.fill(refused, 0, <usize>MAX_LANES * 32);
}

/** The slot of a lane id, or -1 when the board has no such lane. */
export function laneSlot(id: u32): i32 {
  for (let i: u32 = 0; i < cfg.nLanes; i++) if (cfg.lanes[i].id == id) return <i32>i;
  return -1;
}

/** Centre x of a tire's patch (lane frame) in a record. */
export function tireCentreX(rec: usize, tire: i32): f64 {
  return (tireField(rec, tire, 0) + tireField(rec, tire, 1)) * 0.5;
}

/**
 * A tire's lateral margin to the nearer boundary line's inner edge (mm, > 0 inside)
 * in a lane of inside width `widthMm`: W/2 − the farther of its patch's y extents
 * from the lane centre. A line belongs to the outside: 0 is touching it, out.
 */
export function tireMargin(widthMm: u32, rec: usize, tire: i32): f64 {
  const maxY = tireField(rec, tire, 3);
  const minY = tireField(rec, tire, 2);
  return <f64>widthMm * 0.5 - Math.max(maxY, -minY);
}

/**
 * A tire's margin (or moment) on the line from two readings either side of it: its
 * patch centre at x0 < 0 with value v0, then at x1 >= 0 with v1; linear in between.
 */
export function valueOnLine(x0: f64, v0: f64, x1: f64, v1: f64): f64 {
  return v0 + (-x0 / (x1 - x0)) * (v1 - v0);
}

function findVehicle(lane: i32, number: u8): i32 {
  for (let k = 0; k < LANE_VEHICLES; k++) {
    const s = lane * LANE_VEHICLES + k;
    if (load<u8>(inUse + <usize>s) != 0 && load<u8>(vehicle + <usize>s) == number) return s;
  }
  return -1;
}

/** A free slot of the lane, else the stalest one not heard of for LANE_STALE_US (closed first), else -1. */
function freeSlot(lane: i32, t: u64): i32 {
  let stale = -1;
  for (let k = 0; k < LANE_VEHICLES; k++) {
    const s = lane * LANE_VEHICLES + k;
    if (load<u8>(inUse + <usize>s) == 0) return s;
    const last = u64at(lastT, s);
    if (t > last && t - last > LANE_STALE_US && (stale < 0 || last < u64at(lastT, stale))) stale = s;
  }
  if (stale >= 0) close(lane, stale);
  return stale;
}

/**
 * The vehicle in slot `s` has left: when both front tires were seen crossing and its
 * event has not gone out (a rear tire was not seen on the line), it goes out now.
 */
function close(lane: i32, s: i32): void {
  if (load<u8>(done + <usize>s) == 0 && (load<u8>(crossed + <usize>s) & 3) == 3) emit(lane, s);
  store<u8>(inUse + <usize>s, 0);
}

@inline function refusedByte(lane: i32, number: u8): usize {
  return refused + <usize>(lane * 32) + <usize>(number >> 3);
}

/** One record (64 bytes at `rec`) of the lane in `lane` (its index in the config). */
export function laneSample(lane: i32, rec: usize): void {
  const t = load<u64>(rec);
  const tx = load<u32>(rec, 8);
  const over = (load<u8>(rec, 14) & FLAG_OVER) != 0;
  const number = load<u8>(rec, 15);
  const bit = <u8>(1 << (number & 7));
  const refusedAt = refusedByte(lane, number);
  if (!over) {
    // The vehicle has left the lane's sensors.
    store<u8>(refusedAt, load<u8>(refusedAt) & ~bit);
    const gone = findVehicle(lane, number);
    if (gone >= 0) close(lane, gone);
    return;
  }
  // A vehicle refused for a full table stays unfollowed until it has left: its crossing was not seen whole.
  if ((load<u8>(refusedAt) & bit) != 0) return;
  let s = findVehicle(lane, number);
  if (s < 0) {
    s = freeSlot(lane, t);
    if (s < 0) {
      // Table full: this vehicle is not followed; counted once, not per record.
      store<u8>(refusedAt, load<u8>(refusedAt) | bit);
      count(C_TABLE_FULL);
      return;
    }
    store<u8>(inUse + <usize>s, 1);
    store<u8>(done + <usize>s, 0);
    store<u8>(vehicle + <usize>s, number);
    store<u8>(havePrev + <usize>s, 0);
    store<u8>(crossed + <usize>s, 0);
    setU32(slotTx, s, 0);
  }
  setU64(lastT, s, t);
  if (load<u8>(done + <usize>s) != 0) return;
  if (tx != 0) setU32(slotTx, s, tx);

  const width = cfg.lanes[lane].widthMm;
  const first = load<u8>(havePrev + <usize>s) == 0;
  const t0 = u64at(prevT, s);
  let mask = <u32>load<u8>(crossed + <usize>s);
  for (let k = 0; k < 4; k++) {
    const i = s * 4 + k;
    const x = tireCentreX(rec, k);
    const m = tireMargin(width, rec, k);
    // A tire crosses when seen before the line and then on or past it (first seen past it: not seen crossing).
    if ((mask & (<u32>1 << k)) == 0 && !first) {
      if (f64at(prevX, i) < 0 && x >= 0) {
        // Between the two readings: where the patch centre was on the line.
        const x0 = f64at(prevX, i);
        setF64(atLine, i, valueOnLine(x0, f64at(prevM, i), x, m));
        setU64(atLineT, i, t0 + <u64>Math.round(valueOnLine(x0, 0, x, <f64>(t - t0))));
        mask |= <u32>1 << k;
      }
    }
    setF64(prevX, i, x);
    setF64(prevM, i, m);
  }
  store<u8>(crossed + <usize>s, <u8>mask);
  store<u8>(havePrev + <usize>s, 1);
  setU64(prevT, s, t);
  if (mask == 15) emit(lane, s);
}

/**
 * The vehicle's `commitment` event. A rear tire not seen on the line (the vehicle left
 * the sensors first) gives its margin in the vehicle's last record.
 */
function emit(lane: i32, s: i32): void {
  store<u8>(done + <usize>s, 1);
  const mask = <u32>load<u8>(crossed + <usize>s);
  let smallest: f64 = Infinity;
  for (let k = 0; k < 4; k++) {
    const i = s * 4 + k;
    if ((mask & (<u32>1 << k)) == 0) setF64(atLine, i, f64at(prevM, i));
    const m = f64at(atLine, i);
    if (m < smallest) smallest = m;
  }
  // The front tires on the line: the mean of their two moments.
  const b = s * 4;
  const ta = u64at(atLineT, b);
  const tb = u64at(atLineT, b + 1);
  const t: u64 = ta < tb ? ta + (tb - ta) / 2 : tb + (ta - tb) / 2;
  const inside = smallest > 0; // touching a line is out: only a positive margin is inside
  const lane_ = cfg.lanes[lane];
  encodeCommitment(
    eventWriter(),
    lane_.id,
    u32at(slotTx, s),
    t,
    inside,
    roundMm(smallest),
    closeCall(smallest, lane_.uncertaintyMm),
    roundMm(f64at(atLine, b)),
    roundMm(f64at(atLine, b + 1)),
    roundMm(f64at(atLine, b + 2)),
    roundMm(f64at(atLine, b + 3)),
  );
  addEvent();
}

// One pit box followed from its sensors (firmware/BOX-BOARD.md): approach, arrival,
// stop, service, departure or transit, crew over the wall, and the "in the box"
// verdict with its margins in mm (R-PIT-BOX-2, R-PIT-CREW-1/2, R-PEN-3).
// Up to MAX_BOXES boxes, fixed tables; nothing allocated per sample.

import { BoxConfigMsg, EV_BOX_ARRIVAL, EV_BOX_STOP, EV_SERVICE_START, EV_SERVICE_END, EV_BOX_DEPARTURE, EV_BOX_TRANSIT, MAX_BOXES, encodeBoxMoment, encodeBoxVerdict, encodeCrewOverWall } from './messages';
import { addEvent, eventWriter } from './board';
import { setU32, setU64, u32at, u64at } from './tables';

export const SAMPLE_RECORD: u32 = 64;
/** A vehicle slower than this (mm/s) for STOP_HOLD_US has stopped. */
const STOP_SPEED_MM_S: u32 = 100;
const STOP_HOLD_US: u64 = 200_000;
/** No crew over the wall for this long ends the service. */
const SERVICE_END_HOLD_US: u64 = 200_000;
/** A verdict during service uses a moving mean over this long: one noisy sample does not decide. */
const SERVICE_MEAN_US: u64 = 300_000;
const RING: i32 = 64; // margins kept per box and clause
const NO_DISTANCE: i32 = -2147483648;

const IDLE: u8 = 0;
const OVER: u8 = 1; // a vehicle over the box, not (yet) stopped
const STOPPED: u8 = 2;

const PHASE_STOP: u32 = 0;
const PHASE_SERVICE: u32 = 1;

// Per box slot.
const state = memory.data(MAX_BOXES);
const serviceOn = memory.data(MAX_BOXES);
const vehicleTx = memory.data(MAX_BOXES * 4);
const crewMax = memory.data(MAX_BOXES * 4);
const slowSince = memory.data(MAX_BOXES * 8);
const crewZeroSince = memory.data(MAX_BOXES * 8);
const worst = memory.data(MAX_BOXES * 4 * 8); // smallest moving-mean margin per clause during service
const ring = memory.data(MAX_BOXES * 4 * RING * 8); // recent margins per clause
const ringNext = memory.data(MAX_BOXES * 4);
const ringCount = memory.data(MAX_BOXES * 4);
const mean = memory.data(4 * 8); // scratch: mean margins of a window

let cfg: BoxConfigMsg = new BoxConfigMsg();

/** Starts following the boxes of a config just applied; visits in progress are forgotten. */
export function useBoxes(c: BoxConfigMsg): void {
  cfg = c;
  memory.fill(state, IDLE, MAX_BOXES);
  memory.fill(serviceOn, 0, MAX_BOXES);
  memory.fill(vehicleTx, 0, MAX_BOXES * 4);
  memory.fill(crewMax, 0, MAX_BOXES * 4);
  memory.fill(ringNext, 0, MAX_BOXES * 4);
  memory.fill(ringCount, 0, MAX_BOXES * 4);
}

/** The slot of a box number, or -1 when the board does not watch it. */
export function boxSlot(number: u32): i32 {
  for (let i: u32 = 0; i < cfg.nBoxes; i++) if (cfg.boxes[i].number == number) return <i32>i;
  return -1;
}

/** Field 0..3 (min x, max x, min y, max y) of a tire's patch in a sample record (box and lane records alike). */
@inline export function tireField(rec: usize, tire: i32, field: i32): f64 {
  return <f64>load<i16>(rec + 24 + <usize>((tire * 4 + field) << 1));
}

/**
 * The four margins of R-PIT-BOX-2 (mm, positive inside) from one sample, into the
 * box's ring. Tires: 0 front-outside, 1 front-inside, 2 rear-outside, 3 rear-inside;
 * fields: min x, max x, min y, max y.
 */
function pushMargins(slot: i32, rec: usize): void {
  const box = cfg.boxes[slot];
  recordMargins(box.lengthMm, box.widthMm, rec, mean);
  const at = <i32>u32at(ringNext, slot);
  const base = ring + <usize>(slot * 4 * RING) * 8;
  for (let k = 0; k < 4; k++) store<f64>(base + <usize>(k * RING + at) * 8, load<f64>(mean + (<usize>k << 3)));
  setU32(ringNext, slot, <u32>((at + 1) % RING));
  const n = u32at(ringCount, slot);
  if (n < <u32>RING) setU32(ringCount, slot, n + 1);
}

/** The margins (a)..(d) of one sample record into `out` (4 f64), for a box of inside L × W. */
export function recordMargins(lengthMm: u32, widthMm: u32, rec: usize, out: usize): void {
  const halfL = <f64>lengthMm * 0.5;
  const halfW = <f64>widthMm * 0.5;
  store<f64>(out, halfW - tireField(rec, 0, 3)); // (a) outside front tire vs outside line
  store<f64>(out + 8, halfL - <f64>load<i32>(rec, 20)); // (b) any part vs front line
  store<f64>(out + 16, halfW - tireField(rec, 3, 3)); // (c) inside rear tire vs outside line
  store<f64>(out + 24, Math.min(tireField(rec, 2, 0), tireField(rec, 3, 0)) + halfL); // (d) rear tires vs back line
}

/** The deciding clause (0..3: the smallest margin, earliest on a tie) of 4 margins at `m`. */
export function decidingClause(m: usize): i32 {
  let clause = 0;
  for (let k = 1; k < 4; k++) if (load<f64>(m + (<usize>k << 3)) < load<f64>(m + (<usize>clause << 3))) clause = k;
  return clause;
}

/** Mean of the last `want` margins per clause (fewer when fewer are kept), into `mean`. */
function windowMean(slot: i32, want: i32): void {
  let n = <i32>u32at(ringCount, slot);
  if (want < n) n = want;
  if (n < 1) n = 1;
  const base = ring + <usize>(slot * 4 * RING) * 8;
  const next = <i32>u32at(ringNext, slot);
  for (let k = 0; k < 4; k++) {
    let sum: f64 = 0;
    for (let j = 1; j <= n; j++) sum += load<f64>(base + <usize>(k * RING + ((next - j + RING) % RING)) * 8);
    store<f64>(mean + (<usize>k << 3), sum / <f64>n);
  }
}

function samplesIn(us: u64): i32 {
  const per = <u64>(cfg.sampleUs > 0 ? cfg.sampleUs : 1);
  let n = <i32>((us + per - 1) / per);
  if (n < 1) n = 1;
  if (n > RING) n = RING;
  return n;
}

/** Publishes the verdict of the margins at `m` (4 f64). */
function verdict(slot: i32, t: u64, phase: u32, m: usize): void {
  const clause = decidingClause(m);
  const deciding = load<f64>(m + (<usize>clause << 3));
  const inBox = deciding > 0; // touching a line is out: only a positive margin is in
  encodeBoxVerdict(
    eventWriter(),
    cfg.boxes[slot].number,
    u32at(vehicleTx, slot),
    t,
    inBox,
    <u32>(clause + 1),
    roundMm(deciding),
    closeCall(deciding, cfg.uncertaintyMm),
    phase,
    roundMm(load<f64>(m)),
    roundMm(load<f64>(m + 8)),
    roundMm(load<f64>(m + 16)),
    roundMm(load<f64>(m + 24)),
  );
  addEvent();
}

/** A deciding margin within the sensors' uncertainty, either side of the line, is a close call (R-PEN-3). */
export function closeCall(marginMm: f64, uncertaintyMm: u32): bool {
  return Math.abs(marginMm) <= <f64>uncertaintyMm;
}

/**
 * Whole mm, keeping the side of the decision (> 0 inside): an inside margin never
 * reads 0, an out one never reads 1.
 */
export function roundMm(v: f64): i32 {
  const r = <i32>Math.round(v);
  if (v > 0) return r <= 0 ? 1 : r;
  return r > 0 ? 0 : r;
}

function moment(kind: u32, slot: i32, t: u64): void {
  encodeBoxMoment(eventWriter(), kind, cfg.boxes[slot].number, u32at(vehicleTx, slot), t);
  addEvent();
}

function endService(slot: i32, t: u64): void {
  store<u8>(serviceOn + <usize>slot, 0);
  moment(EV_SERVICE_END, slot, t);
  verdict(slot, t, PHASE_SERVICE, worst + <usize>(slot * 4) * 8);
}

/** One sensor sample of the box in `slot` (a 64-byte record at `rec`). */
export function boxSample(slot: i32, rec: usize): void {
  const t = load<u64>(rec);
  const tx = load<u32>(rec, 8);
  const over = (load<u8>(rec, 14) & 1) != 0;
  const crew = <u32>load<u8>(rec, 15);
  const distance = load<i32>(rec, 16);
  const speed = load<u32>(rec, 56);
  const box = cfg.boxes[slot];
  if (tx != 0) setU32(vehicleTx, slot, tx);

  // R-PIT-CREW-1/2: each new high of the crew count, with how far away the vehicle was.
  if (crew > u32at(crewMax, slot)) {
    setU32(crewMax, slot, crew);
    const oneBox = <i64>box.lengthMm + 2 * <i64>box.lineMm;
    const far = distance == NO_DISTANCE;
    const dist: u32 = far ? 0xffffffff : distance < 0 ? 0 : <u32>distance;
    encodeCrewOverWall(eventWriter(), box.number, u32at(vehicleTx, slot), t, dist, far || <i64>distance > oneBox, crew);
    addEvent();
  }
  if (over) pushMargins(slot, rec);

  const s = load<u8>(state + <usize>slot);
  if (s == IDLE) {
    if (over) {
      store<u8>(state + <usize>slot, OVER);
      setU64(slowSince, slot, 0);
      setU32(ringCount, slot, 1); // the visit's margins start with this sample
      moment(EV_BOX_ARRIVAL, slot, t);
    } else if (crew == 0) {
      setU32(crewMax, slot, 0); // box empty and crew back: the next visit counts afresh
      if (distance == NO_DISTANCE) setU32(vehicleTx, slot, 0);
    }
    return;
  }
  if (s == OVER) {
    if (!over) {
      moment(EV_BOX_TRANSIT, slot, t); // left without stopping
      store<u8>(state + <usize>slot, IDLE);
      return;
    }
    if (speed >= STOP_SPEED_MM_S) {
      setU64(slowSince, slot, 0);
      return;
    }
    if (u64at(slowSince, slot) == 0) setU64(slowSince, slot, t);
    const since = u64at(slowSince, slot);
    if (t - since >= STOP_HOLD_US) {
      store<u8>(state + <usize>slot, STOPPED);
      moment(EV_BOX_STOP, slot, since);
      windowMean(slot, samplesIn(t - since));
      verdict(slot, t, PHASE_STOP, mean);
    }
    return;
  }
  // STOPPED
  if (!over) {
    if (load<u8>(serviceOn + <usize>slot) != 0) endService(slot, t);
    moment(EV_BOX_DEPARTURE, slot, t);
    store<u8>(state + <usize>slot, IDLE);
    return;
  }
  if (load<u8>(serviceOn + <usize>slot) == 0) {
    if (crew > 0) {
      store<u8>(serviceOn + <usize>slot, 1);
      setU64(crewZeroSince, slot, 0);
      for (let k = 0; k < 4; k++) store<f64>(worst + <usize>(slot * 4 + k) * 8, Infinity);
      moment(EV_SERVICE_START, slot, t);
    }
  }
  if (load<u8>(serviceOn + <usize>slot) != 0) {
    // The decision that matters is the one while service happens: keep each clause's worst.
    windowMean(slot, samplesIn(SERVICE_MEAN_US));
    for (let k = 0; k < 4; k++) {
      const p = worst + <usize>(slot * 4 + k) * 8;
      const v = load<f64>(mean + (<usize>k << 3));
      if (v < load<f64>(p)) store<f64>(p, v);
    }
    if (crew == 0) {
      if (u64at(crewZeroSince, slot) == 0) setU64(crewZeroSince, slot, t);
      if (t - u64at(crewZeroSince, slot) >= SERVICE_END_HOLD_US) endService(slot, u64at(crewZeroSince, slot));
    } else setU64(crewZeroSince, slot, 0);
  }
}

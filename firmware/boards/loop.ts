// Loop board image: a timing decoder at the scoring loops and pit road timing lines.
// Raw hits come in (export `hits`); each transponder's crossing of each loop goes out
// as a passing (firmware/lib/passing-time.ts finds its time), and on pit road the
// segment speeds, pit-in and pit-out (firmware/lib/pit-road.ts).

import {
  CommandMsg,
  BirthMsg,
  LoopConfigMsg,
  BOARD_LOOP,
  CAP_LOOPS,
  CAP_TRANSPONDERS,
  CAP_INPUT_BATCH,
  MAX_LOOPS,
  EV_PIT_IN,
  EV_PIT_OUT,
  encodePassing,
  encodeSegmentSpeed,
  encodePitLine,
} from '../lib/messages';
import {
  defineBoard,
  setRejectReason,
  isStarted,
  count,
  now,
  eventWriter,
  addEvent,
  flush,
  onTick,
  INPUT,
  INPUT_CAP,
  C_BAD_READINGS,
  C_LATE_READINGS,
  C_TABLE_FULL,
  REJ_INCONSISTENT,
  REJ_OUT_OF_RANGE,
} from '../lib/board';
import {
  MAX_ACTIVE,
  ADD_LATE,
  ADD_TABLE_FULL,
  addHit,
  closeQuiet,
  resetCrossings,
  closedLoop,
  closedTx,
  closedFirst,
  closedHits,
  closedPeak,
  closedStored,
  closedTime,
  closedStrength,
} from '../lib/crossings';
import { FIT_S, FIT_T, crossingTime, fittedK, fittedRate } from '../lib/passing-time';
import {
  MAX_PIT_DISTANCE_MM,
  configurePitRoad,
  pitLineCrossed,
  pitLimit,
  segNumber,
  segEntryUs,
  segExitUs,
  segSpeed,
  segOver,
} from '../lib/pit-road';
import { runSelftest } from '../lib/selftest';
import { runLoopSelftest } from '../lib/selftest-loop';

export { input_ptr, input_cap, init, link, tick, command, control } from '../lib/board';

const ROLE_PIT_OUT: u32 = 6;
const NO_LOOP: u8 = 0xff;
const HIT_RECORD: u32 = 16;
/** Hits may reach the board this long after they happened (decoder → board latency). */
const INPUT_LATENCY_US: u64 = 50_000;
/** A passing published later than this after its time is flagged late. */
const LATENCY_BUDGET_US: u64 = 100_000;
const SATURATED: u32 = 4095;
/** Peak strength below this is flagged low (a transponder badly mounted or failing). */
const LOW_STRENGTH: u32 = 200;
// Passing flags (protocol/schema.ts PASSING_FLAGS).
const F_TOO_FEW_HITS: u32 = 1;
const F_SATURATED: u32 = 2;
const F_LATE: u32 = 4;
const F_LOW_STRENGTH: u32 = 8;

/** Per loop id: its role (NO_LOOP when the board does not own it) and its pit line order. */
const loopRole = memory.data(256);
const pitLine = memory.data(256);
const PIT_DISTANCES = memory.data(16 * 4);
/** Per loop id: the rate and height ratio of its last fitted crossing, the next fit's first guess. */
const lastRate = memory.data(256 * 8);
const lastK = memory.data(256 * 8);

// Loop roles (protocol/schema.ts LOOP_ROLES).
const ROLE_PIT_ENTRY: u32 = 3;
const ROLE_PIT_TIMING: u32 = 4;
const ROLE_PIT_EXIT: u32 = 5;
const MIN_QUIET_GAP_US: u32 = 2_000; // transponders repeat every ~1.5 ms: a shorter gap splits crossings
const MAX_QUIET_GAP_US: u32 = 1_000_000;

/**
 * The config in force. A candidate is decoded into the command's own struct and, once
 * accepted, the two are swapped: a refused candidate never touches this one.
 */
let active = new LoopConfigMsg();

memory.fill(loopRole, NO_LOOP, 256);
resetCrossings(20_000);
defineBoard(BOARD_LOOP, applyConfig, (m: BirthMsg): void => {
  m.setCapacity(CAP_LOOPS, <u16>MAX_LOOPS);
  m.setCapacity(CAP_TRANSPONDERS, <u16>MAX_ACTIVE);
  m.setCapacity(CAP_INPUT_BATCH, <u16>(INPUT_CAP / HIT_RECORD));
});
onTick(closeByClock);

function applyConfig(c: CommandMsg): u32 {
  const cfg = c.loop;
  for (let i: u32 = 0; i < cfg.nLoops; i++) {
    for (let j: u32 = i + 1; j < cfg.nLoops; j++) {
      if (cfg.loops[i].id == cfg.loops[j].id) return setRejectReason(REJ_INCONSISTENT, 'two loops share an id');
    }
  }
  if (cfg.quietGapUs < MIN_QUIET_GAP_US || cfg.quietGapUs > MAX_QUIET_GAP_US)
    return setRejectReason(REJ_OUT_OF_RANGE, 'quietGapUs must be 2000 to 1000000');
  if (cfg.minHits < 1) return setRejectReason(REJ_OUT_OF_RANGE, 'minHits must be at least 1');
  const pitCode = checkPitLines(cfg);
  if (pitCode != 0) return pitCode;
  c.loop = active;
  active = cfg;
  useConfig();
  return 0;
}

/** Builds the lookup tables of the config in force; crossings in progress are dropped. */
function useConfig(): void {
  memory.fill(loopRole, NO_LOOP, 256);
  memory.fill(pitLine, NO_LOOP, 256);
  let nPit = 0;
  for (let i: u32 = 0; i < active.nLoops; i++) store<u8>(loopRole + <usize>active.loops[i].id, <u8>active.loops[i].role);
  // Pit lines in distance order: entry, timing lines, exit.
  for (;;) {
    let next = -1;
    let nextMm: u32 = 0;
    for (let i: u32 = 0; i < active.nLoops; i++) {
      const l = active.loops[i];
      if (l.role < ROLE_PIT_ENTRY || l.role > ROLE_PIT_EXIT || load<u8>(pitLine + <usize>l.id) != NO_LOOP) continue;
      if (next < 0 || l.distanceMm < nextMm) {
        next = <i32>i;
        nextMm = l.distanceMm;
      }
    }
    if (next < 0) break;
    store<u8>(pitLine + <usize>active.loops[next].id, <u8>nPit);
    store<u32>(PIT_DISTANCES + (<usize>nPit << 2), nextMm);
    nPit++;
  }
  configurePitRoad(PIT_DISTANCES, nPit, active.pitLimit, active.pitTolerance);
  memory.fill(lastRate, 0, 256 * 8);
  memory.fill(lastK, 0, 256 * 8);
  resetCrossings(<u64>active.quietGapUs);
}

/**
 * Raw hits: `n` records of 16 bytes in the input buffer (firmware/ABI.md). Returns
 * how many were taken; the others are counted in health (bad readings for loops the
 * board does not own, table full, late readings).
 */
export function hits(n: u32): i32 {
  if (!isStarted()) return 0;
  if (n > INPUT_CAP / HIT_RECORD) {
    count(C_BAD_READINGS, n);
    return 0;
  }
  let taken = 0;
  let latest: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const rec = INPUT + <usize>(i * HIT_RECORD);
    const t = load<u64>(rec);
    const tx = load<u32>(rec, 8);
    const strength = <u32>load<u16>(rec, 12);
    const loop = <u32>load<u8>(rec, 14);
    if (load<u8>(loopRole + <usize>loop) == NO_LOOP) {
      count(C_BAD_READINGS);
      continue;
    }
    const r = addHit(loop, tx, t, strength);
    if (r == ADD_TABLE_FULL) count(C_TABLE_FULL);
    else if (r == ADD_LATE) count(C_LATE_READINGS);
    else taken++;
    if (t > latest) latest = t;
  }
  // The decoder's hits come in time order: whatever is quiet before the latest is done.
  if (latest > <u64>active.quietGapUs) closeQuiet(latest - <u64>active.quietGapUs, timeCrossing);
  flush();
  return taken;
}

/** Crossings whose hits stopped coming are closed by the clock too, latency allowed for. */
function closeByClock(t: u64): void {
  const wait = <u64>active.quietGapUs + INPUT_LATENCY_US;
  if (t > wait && closeQuiet(t - wait, timeCrossing) > 0) flush();
}

function timeCrossing(): void {
  const n = closedStored;
  for (let i = 0; i < n; i++) {
    store<f64>(FIT_T + (<usize>i << 3), <f64>closedTime(i));
    store<f64>(FIT_S + (<usize>i << 3), <f64>closedStrength(i));
  }
  const hint = <usize>closedLoop << 3;
  const c = crossingTime(n, load<f64>(lastRate + hint), load<f64>(lastK + hint));
  if (fittedK > 0) {
    store<f64>(lastRate + hint, fittedRate);
    store<f64>(lastK + hint, fittedK);
  }
  const at = closedFirst + <u64>Math.round(c < 0 ? 0 : c);
  let flags: u32 = 0;
  if (closedHits < active.minHits) flags |= F_TOO_FEW_HITS;
  if (closedPeak >= SATURATED) flags |= F_SATURATED;
  if (now() > at + LATENCY_BUDGET_US) flags |= F_LATE;
  if (closedPeak < LOW_STRENGTH) flags |= F_LOW_STRENGTH;
  const hitCount = closedHits > 65535 ? 65535 : closedHits;
  encodePassing(eventWriter(), closedLoop, closedTx, at, closedPeak >> 4, hitCount, flags);
  addEvent();

  // Pit-in at the entry yellow line; pit-out at the pit-out line, where a vehicle has
  // left pit road (R-PIT-EXIT-1).
  const role = <u32>load<u8>(loopRole + <usize>closedLoop);
  if (role == ROLE_PIT_ENTRY) {
    encodePitLine(eventWriter(), EV_PIT_IN, closedTx, at, closedLoop);
    addEvent();
  } else if (role == ROLE_PIT_OUT) {
    encodePitLine(eventWriter(), EV_PIT_OUT, closedTx, at, closedLoop);
    addEvent();
  }
  // R-PIT-SPEED-1: a segment's speed goes out as soon as its second line is crossed.
  const line = load<u8>(pitLine + <usize>closedLoop);
  if (line != NO_LOOP && pitLineCrossed(closedTx, <i32>line, at)) {
    encodeSegmentSpeed(eventWriter(), closedTx, segNumber, segEntryUs, segExitUs, segSpeed, pitLimit(), segOver);
    addEvent();
  }
}

/**
 * R-PIT-SPEED-1: speed is enforced from the entry yellow line to the exit yellow
 * line over the segments the timing lines cut, so a board that owns pit lines needs
 * exactly one of each yellow line, timing lines strictly between them in distance
 * order, and the limit and tolerance to compare against.
 */
function checkPitLines(cfg: LoopConfigMsg): u32 {
  let entries: u32 = 0;
  let exits: u32 = 0;
  let entryMm: u32 = 0;
  let exitMm: u32 = 0;
  for (let i: u32 = 0; i < cfg.nLoops; i++) {
    const l = cfg.loops[i];
    if (l.role == ROLE_PIT_ENTRY) {
      entries++;
      entryMm = l.distanceMm;
    } else if (l.role == ROLE_PIT_EXIT) {
      exits++;
      exitMm = l.distanceMm;
    }
  }
  let timing: u32 = 0;
  for (let i: u32 = 0; i < cfg.nLoops; i++) if (cfg.loops[i].role == ROLE_PIT_TIMING) timing++;
  if (entries + exits + timing == 0) {
    if (cfg.hasPitRoad) return setRejectReason(REJ_INCONSISTENT, 'pit road limits given but no pit lines');
    return 0;
  }
  if (!cfg.hasPitRoad) return setRejectReason(REJ_INCONSISTENT, 'pit lines need the pit road limit and tolerance');
  if (entries != 1 || exits != 1) return setRejectReason(REJ_INCONSISTENT, 'pit lines need one entry and one exit line');
  if (exitMm <= entryMm) return setRejectReason(REJ_INCONSISTENT, 'pit exit line must lie after the entry line');
  for (let i: u32 = 0; i < cfg.nLoops; i++) {
    const l = cfg.loops[i];
    if (l.role != ROLE_PIT_TIMING) continue;
    if (l.distanceMm <= entryMm || l.distanceMm >= exitMm)
      return setRejectReason(REJ_INCONSISTENT, 'pit timing lines must lie between entry and exit');
    for (let j: u32 = 0; j < cfg.nLoops; j++) {
      const o = cfg.loops[j];
      if (j != i && o.role == ROLE_PIT_TIMING && o.distanceMm == l.distanceMm)
        return setRejectReason(REJ_INCONSISTENT, 'two pit timing lines at one distance');
    }
  }
  if (exitMm - entryMm > MAX_PIT_DISTANCE_MM) return setRejectReason(REJ_OUT_OF_RANGE, 'pit lines must lie within 2 km');
  if (cfg.pitLimit == 0) return setRejectReason(REJ_OUT_OF_RANGE, 'pit road speed limit must be above 0');
  return 0;
}

export function selftest(): i32 {
  return runSelftest() + runLoopSelftest();
}

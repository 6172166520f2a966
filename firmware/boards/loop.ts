// Loop board image: a timing decoder at the scoring loops and pit road timing lines.

import { CommandMsg, BirthMsg, LoopConfigMsg, BOARD_LOOP, CAP_LOOPS, MAX_LOOPS } from '../lib/messages';
import { defineBoard, setRejectReason, REJ_INCONSISTENT, REJ_OUT_OF_RANGE } from '../lib/board';
import { runSelftest } from '../lib/selftest';

export { input_ptr, input_cap, init, link, tick, command, control } from '../lib/board';

// Loop roles (protocol/schema.ts LOOP_ROLES).
const ROLE_PIT_ENTRY: u32 = 3;
const ROLE_PIT_TIMING: u32 = 4;
const ROLE_PIT_EXIT: u32 = 5;
const MIN_QUIET_GAP_US: u32 = 2_000; // transponders repeat every ~1.5 ms: a shorter gap splits crossings
const MAX_QUIET_GAP_US: u32 = 1_000_000;

/** The config in force; a refused candidate never touches it. */
const active = new LoopConfigMsg();

defineBoard(BOARD_LOOP, applyConfig, (m: BirthMsg): void => {
  m.setCapacity(CAP_LOOPS, <u16>MAX_LOOPS);
});

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
  copyLoopConfig(cfg, active);
  return 0;
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
  if (cfg.pitLimit == 0) return setRejectReason(REJ_OUT_OF_RANGE, 'pit road speed limit must be above 0');
  return 0;
}

function copyLoopConfig(from: LoopConfigMsg, to: LoopConfigMsg): void {
  to.nLoops = from.nLoops;
  for (let i: u32 = 0; i < from.nLoops; i++) {
    to.loops[i].id = from.loops[i].id;
    to.loops[i].role = from.loops[i].role;
    to.loops[i].distanceMm = from.loops[i].distanceMm;
  }
  to.quietGapUs = from.quietGapUs;
  to.minHits = from.minHits;
  to.hasPitRoad = from.hasPitRoad;
  to.pitLimit = from.pitLimit;
  to.pitTolerance = from.pitTolerance;
}

export function selftest(): i32 {
  return runSelftest();
}

// Box board image: one to four pit boxes, their sensors and crew beams, and up to two
// commitment lanes. Sensor samples come in (export `samples`); arrivals, stops,
// verdicts with margins, service, crew over the wall, departures, transits and
// commitment line crossings go out (firmware/BOX-BOARD.md).

import { CommandMsg, BirthMsg, BoxConfigMsg, BOARD_BOX, CAP_BOXES, CAP_INPUT_BATCH, MAX_BOXES } from '../lib/messages';
import { defineBoard, setRejectReason, isStarted, count, flush, INPUT, INPUT_CAP, C_BAD_READINGS, REJ_INCONSISTENT, REJ_OUT_OF_RANGE } from '../lib/board';
import { SAMPLE_RECORD, boxSample, boxSlot, useBoxes } from '../lib/pit-box';
import { FLAG_LANE, laneSample, laneSlot, useLanes } from '../lib/commitment-lane';
import { runSelftest } from '../lib/selftest';
import { runBoxSelftest } from '../lib/selftest-box';

export { input_ptr, input_cap, init, link, tick, command, control } from '../lib/board';

const MAX_SAMPLE_US: u32 = 1_000_000;
const MAX_UNCERTAINTY_MM: u32 = 1_000;
/** Lane readings are i16 mm: a lane must fit well within ±32 m of its centre. */
const MAX_LANE_WIDTH_MM: u32 = 60_000;

/**
 * The config in force. A candidate is decoded into the command's own struct and, once
 * accepted, the two are swapped: a refused candidate never touches this one.
 */
let active = new BoxConfigMsg();

defineBoard(BOARD_BOX, applyConfig, (m: BirthMsg): void => {
  m.setCapacity(CAP_BOXES, <u16>MAX_BOXES);
  m.setCapacity(CAP_INPUT_BATCH, <u16>(INPUT_CAP / SAMPLE_RECORD));
});
useBoxes(active);
useLanes(active);

function applyConfig(c: CommandMsg): u32 {
  const cfg = c.box;
  for (let i: u32 = 0; i < cfg.nBoxes; i++) {
    const b = cfg.boxes[i];
    for (let j: u32 = i + 1; j < cfg.nBoxes; j++) {
      if (b.number == cfg.boxes[j].number) return setRejectReason(REJ_INCONSISTENT, 'two boxes share a number');
    }
    // The lines belong to the outside (R-PIT-BOX-2): the inside must be left over.
    if (b.lengthMm <= 2 * b.lineMm || b.widthMm <= b.lineMm) return setRejectReason(REJ_INCONSISTENT, 'box smaller than its lines');
  }
  if (cfg.trackMm == 0 || cfg.wheelbaseMm == 0 || cfg.tireWidthMm == 0 || cfg.patchMm == 0 || cfg.bodyWidthMm == 0)
    return setRejectReason(REJ_OUT_OF_RANGE, 'vehicle dimensions must be above 0');
  if (cfg.tireWidthMm >= cfg.trackMm) return setRejectReason(REJ_INCONSISTENT, 'tire width must be under the track width');
  if (cfg.sampleUs == 0 || cfg.sampleUs > MAX_SAMPLE_US) return setRejectReason(REJ_OUT_OF_RANGE, 'sampleUs must be 1 to 1000000');
  if (cfg.uncertaintyMm > MAX_UNCERTAINTY_MM) return setRejectReason(REJ_OUT_OF_RANGE, 'uncertaintyMm must be at most 1000');
  for (let i: u32 = 0; i < cfg.nLanes; i++) {
    const l = cfg.lanes[i];
    for (let j: u32 = i + 1; j < cfg.nLanes; j++) {
      if (l.id == cfg.lanes[j].id) return setRejectReason(REJ_INCONSISTENT, 'two commitment lanes share an id');
    }
    for (let j: u32 = 0; j < cfg.nBoxes; j++) {
      if (l.id == cfg.boxes[j].number) return setRejectReason(REJ_INCONSISTENT, 'a commitment lane id is a box number');
    }
    // All four tires must fit inside the lane's lines, or no crossing could be inside.
    if (<u64>l.widthMm <= <u64>cfg.trackMm + <u64>cfg.tireWidthMm) return setRejectReason(REJ_INCONSISTENT, 'commitment lane narrower than the vehicle');
    if (l.widthMm > MAX_LANE_WIDTH_MM) return setRejectReason(REJ_OUT_OF_RANGE, 'commitment lane widthMm must be at most 60000');
    if (l.uncertaintyMm > MAX_UNCERTAINTY_MM) return setRejectReason(REJ_OUT_OF_RANGE, 'lane uncertaintyMm must be at most 1000');
  }
  c.box = active;
  active = cfg;
  useBoxes(active);
  useLanes(active);
  return 0;
}

/**
 * Sensor samples: `n` records of 64 bytes in the input buffer (BOX-BOARD.md), in time
 * order: box records, and commitment lane records (flag bit 1). Returns how many were
 * taken; samples of boxes or lanes the board does not watch are counted in health
 * (bad readings).
 */
export function samples(n: u32): i32 {
  if (!isStarted()) return 0;
  if (n > INPUT_CAP / SAMPLE_RECORD) {
    count(C_BAD_READINGS, n);
    return 0;
  }
  let taken = 0;
  for (let i: u32 = 0; i < n; i++) {
    const rec = INPUT + <usize>(i * SAMPLE_RECORD);
    // Flag bit 1 says which table the u16 at offset 12 indexes: lane ids or box numbers.
    const lane = (load<u8>(rec, 14) & FLAG_LANE) != 0;
    const id = <u32>load<u16>(rec, 12);
    const slot = lane ? laneSlot(id) : boxSlot(id);
    if (slot < 0) {
      count(C_BAD_READINGS);
      continue;
    }
    if (lane) laneSample(slot, rec);
    else boxSample(slot, rec);
    taken++;
  }
  flush();
  return taken;
}

export function selftest(): i32 {
  return runSelftest() + runBoxSelftest();
}

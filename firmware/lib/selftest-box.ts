// The box board's own selftest checks: the four margins of R-PIT-BOX-2 from sample
// records built here, a line touched exactly (margin 0: out), and the deciding clause;
// a commitment lane's tire margins (R-PIT-COMMIT-1): inside, each tire exactly on a
// boundary line (out), a crossing between two readings and a close call.

import { LOG_ERROR, logText } from './abi';
import { closeCall, decidingClause, recordMargins } from './pit-box';
import { valueOnLine, tireCentreX, tireMargin } from './commitment-lane';

const REC = memory.data(64);
const M = memory.data(32);

/** A record of a vehicle in a 6700 × 3700 mm box: tire extents (min x, max x, min y, max y). */
function record(foremostX: i32, t0maxY: i16, t3maxY: i16, rearMinX: i16): void {
  memory.fill(REC, 0, 64);
  store<i32>(REC, foremostX, 20);
  store<i16>(REC, t0maxY, 24 + (0 * 4 + 3) * 2);
  store<i16>(REC, t3maxY, 24 + (3 * 4 + 3) * 2);
  store<i16>(REC, rearMinX, 24 + (2 * 4 + 0) * 2);
  store<i16>(REC, rearMinX + 10, 24 + (3 * 4 + 0) * 2);
}

function margin(k: i32): f64 {
  return load<f64>(M + (<usize>k << 3));
}

export function runBoxSelftest(): i32 {
  let failures = 0;
  // Squarely in: a 900, b 877, c 2500, d 1828 mm; (b) decides.
  record(2473, 950, -650, -1522);
  recordMargins(6700, 3700, REC, M);
  if (margin(0) != 900 || margin(1) != 877 || margin(2) != 2500 || margin(3) != 1828 || decidingClause(M) != 1) {
    failures++;
    logText(LOG_ERROR, 'selftest: box margins of a centred vehicle');
  }
  // The outside front tire exactly on the outside line's inner edge: margin 0, out by (a).
  record(2473, 1850, -650, -1522);
  recordMargins(6700, 3700, REC, M);
  if (margin(0) != 0 || decidingClause(M) != 0) {
    failures++;
    logText(LOG_ERROR, 'selftest: a touched line is out');
  }
  // A rear tire 1 mm behind the back line: (d) decides at -1 mm.
  record(2000, 950, -650, -3351);
  recordMargins(6700, 3700, REC, M);
  if (margin(3) != -1 || decidingClause(M) != 3) {
    failures++;
    logText(LOG_ERROR, 'selftest: rear tire behind the back line');
  }
  return failures + laneSelftest();
}

/** A lane record: every tire 300 wide and 200 long, tire k's patch centred at (x[k], y[k]). */
function laneRecord(x0: i16, y0: i16, x1: i16, y1: i16, x2: i16, y2: i16, x3: i16, y3: i16): void {
  memory.fill(REC, 0, 64);
  laneTire(0, x0, y0);
  laneTire(1, x1, y1);
  laneTire(2, x2, y2);
  laneTire(3, x3, y3);
}

function laneTire(k: i32, x: i16, y: i16): void {
  const at = REC + 24 + <usize>(k * 8);
  store<i16>(at, x - 100);
  store<i16>(at, x + 100, 2);
  store<i16>(at, y - 150, 4);
  store<i16>(at, y + 150, 6);
}

function laneSelftest(): i32 {
  let failures = 0;
  // A 3000 mm lane, a truck of track 1600 centred on it, front tires on the line: 550 mm each side, inside.
  laneRecord(0, 800, 0, -800, -2845, 800, -2845, -800);
  let ok = true;
  for (let k = 0; k < 4; k++) ok = ok && tireMargin(3000, REC, k) == 550;
  if (!ok || tireCentreX(REC, 0) != 0 || tireCentreX(REC, 2) != -2845) {
    failures++;
    logText(LOG_ERROR, 'selftest: lane margins of a centred truck');
  }
  // Each tire in turn exactly on a boundary line's inner edge: margin 0, out (the line belongs to the outside).
  for (let k = 0; k < 4; k++) {
    const y0: i16 = k == 0 ? 1350 : 800;
    const y1: i16 = k == 1 ? -1350 : -800;
    const y2: i16 = k == 2 ? 1350 : 800;
    const y3: i16 = k == 3 ? -1350 : -800;
    laneRecord(0, y0, 0, y1, -2845, y2, -2845, y3);
    const m = tireMargin(3000, REC, k);
    if (m != 0 || tireMargin(3000, REC, (k + 1) & 3) != 550) {
      failures++;
      logText(LOG_ERROR, 'selftest: a tire on a lane line is out');
    }
  }
  // One tire 1 mm over a line: -1.
  laneRecord(0, 1351, 0, -800, -2845, 800, -2845, -800);
  if (tireMargin(3000, REC, 0) != -1) {
    failures++;
    logText(LOG_ERROR, 'selftest: a tire over a lane line');
  }
  // A crossing between two readings: 100 mm before the line at 30, 300 mm past it at 70 → 40 on the line.
  if (valueOnLine(-100, 30, 300, 70) != 40) {
    failures++;
    logText(LOG_ERROR, 'selftest: a tire margin on the line between two readings');
  }
  // Close calls: within the uncertainty either side of the line, not beyond it.
  if (!closeCall(10, 10) || !closeCall(-10, 10) || !closeCall(0, 10) || closeCall(10.5, 10) || closeCall(-11, 10)) {
    failures++;
    logText(LOG_ERROR, 'selftest: lane close calls');
  }
  return failures;
}

// The box board's own selftest checks: the four margins of R-PIT-BOX-2 from sample
// records built here, a line touched exactly (margin 0: out), and the deciding clause.

import { LOG_ERROR, logText } from './abi';
import { decidingClause, recordMargins } from './pit-box';

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
  return failures;
}

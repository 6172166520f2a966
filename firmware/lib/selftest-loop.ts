// The loop board's own selftest checks: passing times of stored crossings (hit
// sequences made by the loop field model, firmware/selftest-crossings.json) against
// their true crossing, and the exact pit road speed arithmetic (R-PIT-SPEED-1).

import { LOG_ERROR, logText } from './abi';
import { FIT_S, FIT_T, crossingTime } from './passing-time';
import { overLimit, segmentSpeed } from './pit-road';
import {
  CROSSING_COUNT,
  CROSSING_START,
  CROSSING_LEN,
  CROSSING_T,
  CROSSING_S,
  CROSSING_TRUTH,
  CROSSING_TOLERANCE,
} from '../generated/vectors';

export function runLoopSelftest(): i32 {
  let failures = 0;
  for (let c = 0; c < CROSSING_COUNT; c++) {
    const start = CROSSING_START[c];
    const n = CROSSING_LEN[c];
    for (let i = 0; i < n; i++) {
      store<f64>(FIT_T + (<usize>i << 3), <f64>CROSSING_T[start + i]);
      store<f64>(FIT_S + (<usize>i << 3), <f64>CROSSING_S[start + i]);
    }
    if (Math.abs(crossingTime(n) - CROSSING_TRUTH[c]) > CROSSING_TOLERANCE[c]) {
      failures++;
      logText(LOG_ERROR, 'selftest: a stored crossing is timed outside its tolerance');
    }
  }
  // 207 ft (63,094 mm) in 2.822 s is 50.0132 mph: 5001 in 0.01 mph; 44,704 mm in 2 s is 50 mph exactly.
  if (segmentSpeed(63094, 2_822_000) != 5001 || segmentSpeed(44704, 2_000_000) != 5000) {
    failures++;
    logText(LOG_ERROR, 'selftest: segment speed');
  }
  // 50.00 mph exactly is not over 50.00; a hair faster is (R-PIT-SPEED-1: strictly over).
  // 44704 mm in 2 s is exactly 50 mph (1 mph = 0.44704 m/s).
  if (overLimit(44704, 2_000_000, 5000) || !overLimit(44705, 2_000_000, 5000)) {
    failures++;
    logText(LOG_ERROR, 'selftest: over-limit decision');
  }
  return failures;
}

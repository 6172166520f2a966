// The host ABI (firmware/ABI.md): the only functions a board image imports.

/** Board clock, µs since the UTC epoch. */
@external("env", "clock_us")
export declare function clock_us(): u64;

/** Hand bytes to the network on a channel; 0 when the host took them. */
@external("env", "publish")
export declare function publish(channel: u32, ptr: usize, len: u32, qos: u32): i32;

/** A diagnostic line for people. */
@external("env", "log")
export declare function log(level: u32, ptr: usize, len: u32): void;

export const CH_BIRTH: u32 = 0;
export const CH_EVT: u32 = 1;
export const CH_DEATH: u32 = 2;
export const CH_WILL: u32 = 3;

export const LOG_DEBUG: u32 = 0;
export const LOG_INFO: u32 = 1;
export const LOG_WARN: u32 = 2;
export const LOG_ERROR: u32 = 3;

const LOG_BUF = memory.data(128);

/**
 * Logs an ASCII message (compile-time string literals) without allocating: the
 * UTF-16 code units are narrowed into a static buffer.
 */
export function logText(level: u32, msg: string): void {
  let n = msg.length;
  if (n > 128) n = 128;
  for (let i = 0; i < n; i++) store<u8>(LOG_BUF + <usize>i, <u8>msg.charCodeAt(i));
  log(level, LOG_BUF, <u32>n);
}

// The config hash a board announces in its birth: FNV-1a 32 over the exact bytes of
// the config item it applied. Race control computes the same from the config it
// sent, to know which config each board has in force.
import { encode } from './codec.js';
import { offsetOfPath, skipItem } from './cbor-scan.js';
import type { BoardConfig } from './schema.js';

export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** The encoded config item, as it stands inside a config command. */
export function encodeConfigItem(config: BoardConfig): Uint8Array {
  const cmd = encode('command', { board: 'x', id: 0, body: { kind: 'config', config } });
  const start = offsetOfPath(cmd, [3, 1]);
  if (start === null) throw new Error('config item not found in its command');
  return cmd.subarray(start, skipItem(cmd, start));
}

export function configHash(config: BoardConfig): number {
  return fnv1a32(encodeConfigItem(config));
}

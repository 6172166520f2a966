// Test support: the committed golden vectors (protocol/vectors/*.json), read as they are.

import { readFileSync } from 'node:fs';
import { MESSAGE_TYPES } from '../../protocol/schema.js';

export type { AcceptedVector, InvalidVector, Vector } from '../../protocol/vectors/generate.js';
import type { AcceptedVector, InvalidVector, Vector } from '../../protocol/vectors/generate.js';

export const VECTORS_DIR = new URL('../../protocol/vectors/', import.meta.url);

export function readVectorFile<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, VECTORS_DIR), 'utf8')) as T;
}

export const VALID: Vector[] = MESSAGE_TYPES.flatMap((t) => readVectorFile<Vector[]>(`${t}.json`));
export const ACCEPTED: AcceptedVector[] = readVectorFile('accepted.json');
export const INVALID: InvalidVector[] = readVectorFile('invalid.json');

export const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

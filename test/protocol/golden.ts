// Test support: the committed golden vectors (protocol/vectors/*.json), read as they are.

import { readFileSync } from 'node:fs';
import { MESSAGE_TYPES, type DecodeErrorReason, type MessageType } from '../../protocol/schema.js';

export interface Vector {
  name: string;
  type: MessageType;
  value: unknown;
  hex: string;
  diag: string;
}
export interface AcceptedVector extends Vector {
  note: string;
}
export interface InvalidVector {
  name: string;
  type: MessageType;
  hex: string;
  reason: DecodeErrorReason;
  code: number;
  note: string;
}

export const VECTORS_DIR = new URL('../../protocol/vectors/', import.meta.url);

export function readVectorFile<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, VECTORS_DIR), 'utf8')) as T;
}

export const VALID: Vector[] = MESSAGE_TYPES.flatMap((t) => readVectorFile<Vector[]>(`${t}.json`));
export const ACCEPTED: AcceptedVector[] = readVectorFile('accepted.json');
export const INVALID: InvalidVector[] = readVectorFile('invalid.json');

export const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// MQTT credentials for a simulated track: one slot per board (each board logs in as
// itself, as it would in the field, so a broker's ACL can keep a board to its own
// topics) and one for the simulator's own client. A JSON file, checked on load.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { JsonCheck } from './json-check.js';

export interface Credential {
  username: string;
  password: string;
}

export interface Credentials {
  boards: Map<string, Credential>;
  simulator?: Credential;
}

export class CredentialsError extends Error {}

/** `{ "boards": { "<board id>": { "username", "password" } }, "simulator": { ... } }`; `boardIds` are the track's boards. */
export function loadCredentials(path: string, boardIds: readonly string[]): Credentials {
  const source = basename(path);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CredentialsError(`${source}: ${(e as Error).message}`);
  }
  return validateCredentials(value, source, boardIds);
}

export function validateCredentials(value: unknown, source: string, boardIds: readonly string[]): Credentials {
  const fail = (field: string, detail: string): never => {
    throw new CredentialsError(`${source}: ${field}: ${detail}`);
  };
  const c = new JsonCheck(fail);
  const o = c.object(value, '', ['boards'], ['simulator']);
  const one = (v: unknown, f: string): Credential => {
    const x = c.object(v, f, ['username', 'password']);
    return { username: c.string(x.username, `${f}.username`), password: c.string(x.password, `${f}.password`) };
  };
  const bo = c.object(o.boards, 'boards', [], boardIds);
  const boards = new Map<string, Credential>();
  for (const [id, v] of Object.entries(bo)) boards.set(id, one(v, `boards.${id}`));
  const missing = boardIds.filter((id) => !boards.has(id));
  if (missing.length > 0) fail('boards', `no credentials for ${missing.join(', ')} (every board logs in as itself)`);
  const out: Credentials = { boards };
  if (o.simulator !== undefined) out.simulator = one(o.simulator, 'simulator');
  return out;
}

// Where the repository's own files are (schema, vectors, board images), for code that
// runs from its sources or compiled under dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function repoRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'asconfig.json')) && existsSync(join(dir, 'package.json')))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root (asconfig.json, package.json) not found');
    dir = up;
  }
  return (cached = dir);
}

export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}

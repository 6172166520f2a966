// System tests use real programs (Mosquitto, wabt, Chromium). On a developer machine
// without them the tests are skipped with one loud line; in CI they are required.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const required = process.env.PITWALL_SYSTEM_TESTS === 'required' || process.env.CI === 'true';

export interface SystemTool {
  /** Absolute path, or undefined when missing (the test is then skipped). */
  path: string | undefined;
}

/**
 * Finds a program. Missing: fails in CI, otherwise prints what to install and
 * returns undefined so the caller can `describe.skipIf(!tool.path)`.
 */
export function systemTool(program: string, debianPackage: string): SystemTool {
  const path = whichSync(program);
  if (path) return { path };
  const msg = `SYSTEM TESTS SKIPPED: '${program}' is missing — install it: apt-get install ${debianPackage} (or run 'npm run setup' as root)`;
  if (required) throw new Error(`${msg.replace('SKIPPED', 'REQUIRED')} — CI requires system tests`);
  console.warn(`\n*** ${msg} ***\n`);
  return { path: undefined };
}

/** A program on the PATH (or in the sbin folders), or undefined. */
export function whichSync(program: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((d) => join(d, program)).find((p) => existsSync(p));
}

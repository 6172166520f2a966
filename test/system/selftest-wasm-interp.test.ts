// Each board image runs its selftest in a WebAssembly interpreter that is not V8
// (wabt's wasm-interp) with dummy imports: proof that the image needs nothing but
// the host ABI, and that its built-in checks pass.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { boardImagePath } from '../../sim-hardware/board-host.js';
import { systemTool } from '../support/system-tools.js';

const wasmInterp = systemTool('wasm-interp', 'wabt');

describe.skipIf(!wasmInterp.path)('board selftest under wasm-interp (wabt)', () => {
  for (const kind of ['loop', 'box'] as const) {
    it(`${kind} board: selftest() returns 0`, () => {
      // --run-all-exports calls every export with zero arguments: all of them must
      // cope (an uninitialised board ignores calls) and selftest must report 0.
      const out = execFileSync(wasmInterp.path!, ['--dummy-import-func', '--run-all-exports', boardImagePath(kind)], {
        encoding: 'utf8',
      });
      const line = out.split('\n').find((l) => l.startsWith('selftest()'));
      expect(line, out).toBe('selftest() => i32:0');
      expect(out).not.toMatch(/error|trap/i);
    });
  }
});

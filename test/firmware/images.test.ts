// What makes a board image firmware, read off the built modules themselves: the only
// imports are the host ABI's, memory cannot grow, and the ABI's exports are there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boardImagePath } from '../../sim-hardware/board-host.js';

const ABI_IMPORTS = ['env.abort', 'env.clock_us', 'env.log', 'env.publish'];
const COMMON_EXPORTS = ['command', 'control', 'init', 'input_cap', 'input_ptr', 'link', 'memory', 'selftest', 'tick'];

describe('board images', () => {
  for (const kind of ['loop', 'box'] as const) {
    describe(kind, () => {
      const bytes = readFileSync(boardImagePath(kind));
      const mod = new WebAssembly.Module(bytes);

      it('imports nothing outside the host ABI', () => {
        const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
        for (const i of imports) expect(ABI_IMPORTS).toContain(i);
      });

      it('exports the ABI entry points', () => {
        const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
        for (const e of COMMON_EXPORTS) expect(exports).toContain(e);
      });

      it('has a fixed memory: it cannot grow by a single page', () => {
        const noop = () => 0;
        const inst = new WebAssembly.Instance(mod, { env: { abort: noop, clock_us: () => 0n, log: noop, publish: noop } });
        const memory = inst.exports.memory as WebAssembly.Memory;
        const pages = memory.buffer.byteLength / 65536;
        expect(pages).toBeGreaterThan(0);
        expect(() => memory.grow(1)).toThrow(RangeError);
      });
    });
  }
});

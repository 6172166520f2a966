// `npm run bench <name> [args]`: runs one benchmark (or all) and prints its table of
// measured figures. Benchmarks measure; tests decide. Nothing here asserts timings.
const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  protocol: () => import('./protocol.js'),
  loop: () => import('./loop.js'),
  box: () => import('./box.js'),
  sim: () => import('./sim.js'),
  gateway: () => import('./gateway.js'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h') {
    console.log(`Usage: npm run bench [${Object.keys(BENCHES).join('|')}] [args]\n\nWithout a name, runs every benchmark.`);
    return 0;
  }
  const names = name === undefined ? Object.keys(BENCHES) : [name];
  for (const n of names) {
    const load = BENCHES[n];
    if (!load) {
      console.error(`bench: unknown benchmark '${n}' (have: ${Object.keys(BENCHES).join(', ')})`);
      return 2;
    }
    console.log(`\n== bench ${n}`);
    await (await load()).run(args);
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

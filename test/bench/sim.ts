// `npm run bench sim [--scenario FILE] [--process]`: a whole race through real board
// firmware — every sensor reading generated, every board run — timed without a
// broker (boards in memory) and through the embedded broker (boards on MQTT in this
// process); with --process also as board processes. Prints times real time.
import { startEmbeddedBroker } from '../../gateway/broker.js';
import { repoPath } from '../../protocol/repo-root.js';
import { runSimulation, type SimulationOptions } from '../../sim-hardware/simulation.js';
import { table } from './table.js';

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--scenario');
  const scenarioFile = i >= 0 ? args[i + 1]! : repoPath('sim-hardware', 'scenarios', 'martinsville-200.json');
  const rows: (string | number)[][] = [];
  const measure = async (name: string, opts: Omit<SimulationOptions, 'scenarioFile'>): Promise<void> => {
    const t0 = performance.now();
    const r = await runSimulation({ scenarioFile, ...opts });
    const wallS = (performance.now() - t0) / 1000;
    const raceS = (r.plan.endUs - r.plan.startUs) / 1e6;
    rows.push([
      name,
      r.scenario.laps,
      r.scenario.field.length,
      raceS.toFixed(0),
      (r.planMs / 1000).toFixed(2),
      (r.stats.wallMs / 1000).toFixed(2),
      wallS.toFixed(2),
      (raceS / wallS).toFixed(0),
      r.stats.hits,
      r.stats.samples,
      r.messages.length,
    ]);
  };
  console.log(`\n${scenarioFile}\n`);
  await measure('no broker (boards in memory)', {});
  const broker = await startEmbeddedBroker();
  try {
    await measure('embedded broker (Aedes), boards in-process', { broker: broker.url, site: 'bench1' });
    if (args.includes('--process')) await measure('embedded broker, boards as processes', { broker: broker.url, boards: 'process', site: 'bench2' });
  } finally {
    await broker.close();
  }
  table(['run', 'laps', 'trucks', 'race s', 'plan s', 'boards s', 'wall s', '× real time', 'loop hits', 'box samples', 'messages'], rows);
  console.log('\nplan: race plan, truth and box samples; boards: loop hits generated and every board fed and ticked; wall: all of it (targets: ≥ 500× without a broker, ≥ 100× through the embedded broker)');
}

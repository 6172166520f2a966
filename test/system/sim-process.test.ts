// Boards as their own processes (`pitwall board`, the hardware-in-the-loop shape)
// against boards hosted in this process, both on the embedded broker: the same race
// must put the same messages on the wire. Needs dist/ (`npm run build`).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../gateway/broker.js';
import { repoPath } from '../../protocol/repo-root.js';
import { identity, runSimulation, type SimulationResult } from '../../sim-hardware/simulation.js';
import { freePort } from '../support/free-port.js';

const M10 = repoPath('sim-hardware', 'scenarios', 'martinsville-10.json');

let broker: EmbeddedBroker;

beforeAll(async () => {
  broker = await startEmbeddedBroker({ port: await freePort() });
});
afterAll(async () => {
  await broker?.close();
});

/** board/channel/boot/seq → the payloads under that key (a birth and its config-applied birth share one), sorted. */
function byKey(r: SimulationResult): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of r.messages) {
    const { boot, seq } = identity(m);
    const key = `${m.board}/${m.channel}/${boot ?? '-'}/${seq ?? '-'}`;
    const list = out.get(key) ?? [];
    list.push(Buffer.from(m.bytes).toString('hex'));
    out.set(key, list);
  }
  for (const list of out.values()) list.sort();
  return out;
}

describe('boards as processes', () => {
  test('--boards process gives the same board output as in-process', async () => {
    const hosted = await runSimulation({ scenarioFile: M10, broker: broker.url, boards: 'in-process', site: 'sim-hosted' });
    const processes = await runSimulation({ scenarioFile: M10, broker: broker.url, boards: 'process', site: 'sim-processes' });
    const a = byKey(hosted);
    const b = byKey(processes);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [key, payloads] of a) expect(b.get(key), key).toEqual(payloads);
    expect(processes.messages).toHaveLength(hosted.messages.length);
    expect(processes.truth).toEqual(hosted.truth);
    // A whole race's worth: every board born, configured, reporting and gone.
    const boards = hosted.track.boards.length;
    expect([...a.keys()].filter((k) => k.includes('/death/'))).toHaveLength(boards);
    expect(hosted.messages.filter((m) => m.channel === 'evt').length).toBeGreaterThan(1000);
  }, 120_000);
});

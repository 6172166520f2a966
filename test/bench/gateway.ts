// `npm run bench gateway [--latency-s N]`: race control's gateway under load.
// Throughput: every message of the 200-lap, 36-truck race (recorded from real
// firmware) decoded, validated, logged to SQLite and applied — in-process, through
// the embedded broker (Aedes) and through Mosquitto, side by side. Latency: from a
// board's publish to a WebSocket client, while the full field races at 10× real time,
// per broker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { decode } from '../../protocol/codec.js';
import { repoPath } from '../../protocol/repo-root.js';
import { boardTopic } from '../../protocol/topics.js';
import { startEmbeddedBroker } from '../../gateway/broker.js';
import { Gateway } from '../../gateway/gateway.js';
import { eventSetupFor } from '../../gateway/commands/sim-race-control.js';
import { simulateWithGateway } from '../../gateway/commands/sim-gateway.js';
import { runSimulation } from '../../sim-hardware/simulation.js';
import { startMosquitto } from '../support/mosquitto.js';
import { whichSync } from '../support/system-tools.js';
import { percentile } from '../support/loop-run.js';
import { table } from './table.js';

const SCENARIO = repoPath('sim-hardware', 'scenarios', 'martinsville-200.json');

export async function run(args: string[]): Promise<void> {
  const li = args.indexOf('--latency-s');
  const latencyS = li >= 0 ? Number(args[li + 1]) : 30;
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-bench-gw-'));
  try {
    console.log('\nrecording the race from real firmware (boards in memory)…');
    const sim = await runSimulation({ scenarioFile: SCENARIO });
    const setup = eventSetupFor(sim.scenario, sim.track);
    const messages = sim.messages.map((m) => ({ topic: boardTopic('bench', m.board, m.channel), bytes: m.bytes }));
    const events = sim.messages.reduce((n, m) => n + (m.channel === 'evt' ? decode('envelope', m.bytes).events.length : 1), 0);
    console.log(`${messages.length} messages, ${events} events\n`);

    const rows: (string | number)[][] = [];
    // In-process: straight into the gateway, no broker.
    {
      const gw = await Gateway.direct({ db: join(dir, 'direct.db'), site: 'bench', http: false, clock: () => Date.now() * 1000 }, () => {});
      gw.raceControl({ action: 'event-setup', setup });
      const t0 = performance.now();
      for (const m of messages) gw.receive(m.topic, m.bytes);
      const ms = performance.now() - t0;
      rows.push(['in-process (no broker)', messages.length, events, ms.toFixed(0), ((messages.length / ms) * 1000).toFixed(0), ((events / ms) * 1000).toFixed(0), gw.ingest.accepted, gw.ingest.quarantined]);
      await gw.stop();
    }
    const brokers: Array<{ name: string; start: () => Promise<{ url: string; stop: () => Promise<void> }> }> = [
      {
        name: 'embedded broker (Aedes)',
        start: async () => {
          const b = await startEmbeddedBroker();
          return { url: b.url, stop: () => b.close() };
        },
      },
    ];
    const mosquittoPath = whichSync('mosquitto');
    if (mosquittoPath) {
      brokers.push({
        name: 'Mosquitto',
        start: async () => {
          const b = await startMosquitto(mosquittoPath);
          return { url: b.url, stop: () => b.stop() };
        },
      });
    } else {
      console.log('Mosquitto not installed (apt-get install mosquitto): its column is left out');
    }
    for (const b of brokers) {
      const broker = await b.start();
      try {
        const gw = await Gateway.start({ broker: broker.url, db: join(dir, `${b.name.length}.db`), site: 'bench', http: false });
        gw.raceControl({ action: 'event-setup', setup });
        const pub = await mqtt.connectAsync(broker.url, { clientId: 'pitwall-bench-publisher' });
        const t0 = performance.now();
        await Promise.all(messages.map((m) => pub.publishAsync(m.topic, Buffer.from(m.bytes), { qos: 1 })));
        while (gw.ingest.accepted + gw.ingest.quarantined < messages.length) await new Promise((r) => setTimeout(r, 5));
        const ms = performance.now() - t0;
        rows.push([`through ${b.name}`, messages.length, events, ms.toFixed(0), ((messages.length / ms) * 1000).toFixed(0), ((events / ms) * 1000).toFixed(0), gw.ingest.accepted, gw.ingest.quarantined]);
        await pub.endAsync();
        await gw.stop();
      } finally {
        await broker.stop();
      }
    }
    console.log('throughput: decoded + validated + logged (SQLite, WAL) + applied\n');
    table(['path', 'messages', 'events', 'ms', 'messages/s', 'events/s', 'accepted', 'quarantined'], rows);
    console.log('\ntarget: ≥ 200 k events/s in-process');

    // Latency during a race: board publish → WebSocket client.
    const lat: (string | number)[][] = [];
    for (const b of brokers) {
      const broker = await b.start();
      try {
        const sent = new Map<string, number>();
        const got: number[] = [];
        const stop = new AbortController();
        const timer = setTimeout(() => stop.abort(), latencyS * 1000);
        let ws: WebSocket | undefined;
        await simulateWithGateway({
          scenarioFile: SCENARIO,
          broker: broker.url,
          site: 'lat',
          speed: 10,
          db: join(dir, `lat-${b.name.length}.db`),
          http: 0,
          signal: stop.signal,
          onPublish: (board, channel, bytes) => {
            if (channel !== 'evt') return;
            const e = decode('envelope', bytes);
            sent.set(`${board}/${e.boot}/${e.seq}`, performance.now());
          },
          onGateway: (gw) => {
            ws = new WebSocket(`ws${gw.apiUrl!.slice(4)}/api/live`);
            ws.on('message', (data) => {
              const m = JSON.parse(String(data)) as { type: string; event?: { board: string; boot: number; seq: number } };
              if (m.type !== 'event' || !m.event) return;
              const t = sent.get(`${m.event.board}/${m.event.boot}/${m.event.seq}`);
              if (t !== undefined) got.push(performance.now() - t);
            });
          },
        });
        clearTimeout(timer);
        ws?.close();
        got.sort((x, y) => x - y);
        lat.push([b.name, latencyS, got.length, percentile(got, 0.5).toFixed(2), percentile(got, 0.99).toFixed(2), got.at(-1)?.toFixed(2) ?? '-']);
      } finally {
        await broker.stop();
      }
    }
    console.log(`\nlatency, board publish → WebSocket client, 36 trucks racing at 10× real time for ${latencyS} s of wall time\n`);
    table(['broker', 'wall s', 'events', 'p50 ms', 'p99 ms', 'max ms'], lat);
    console.log('\ntarget: p99 ≤ 10 ms');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

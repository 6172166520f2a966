// `npm run bench gateway [--latency-s N]`: race control's gateway under load.
// Throughput: every message of the 200-lap, 36-truck race (recorded from real
// firmware) decoded, validated, logged to SQLite and applied — in-process, through
// the embedded broker (Aedes) and through Mosquitto, side by side. Latency: from a
// board's publish to a WebSocket client, while the full field races at 10× real time,
// per broker.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
    const progress = (what: string) => console.log(`  ${what}…`);

    const rows: (string | number)[][] = [];
    // In-process: straight into the gateway, no broker.
    {
      progress('in-process');
      const gw = await Gateway.direct({ db: join(dir, 'direct.db'), site: 'bench', http: false, clock: () => Date.now() * 1000 }, () => {});
      gw.raceControl({ action: 'event-setup', setup });
      const t0 = performance.now();
      for (const m of messages) gw.receive(m.topic, m.bytes);
      gw.flush();
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
      progress(`through ${b.name}`);
      const broker = await b.start();
      try {
        const gw = await Gateway.start({ broker: broker.url, db: join(dir, `${b.name.length}.db`), site: 'bench', http: false });
        gw.raceControl({ action: 'event-setup', setup });
        const pub = await mqtt.connectAsync(broker.url, { clientId: 'pitwall-bench-publisher' });
        const t0 = performance.now();
        // QoS 1 with a window of messages in flight (message ids are 16 bits).
        for (let i = 0; i < messages.length; i += 1000) {
          await Promise.all(messages.slice(i, i + 1000).map((m) => pub.publishAsync(m.topic, Buffer.from(m.bytes), { qos: 1 })));
        }
        // Until all arrived, or nothing more came for 10 s (then the table shows what was lost).
        let seen = -1;
        let quietSince = performance.now();
        for (;;) {
          const now = gw.ingest.accepted + gw.ingest.quarantined;
          if (now >= messages.length) break;
          if (now !== seen) {
            seen = now;
            quietSince = performance.now();
          } else if (performance.now() - quietSince > 10_000) break;
          await new Promise((r) => setTimeout(r, 5));
        }
        gw.flush();
        const ms = Math.min(performance.now(), quietSince) - t0;
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

    // Latency during a race: board publish → WebSocket client. The race (boards and
    // their sensors) runs in a process of its own, as the hardware would; race control —
    // broker, gateway, a WebSocket client — in this one.
    const lat: (string | number)[][] = [];
    const wallUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);
    for (const b of brokers) {
      progress(`latency through ${b.name}`);
      const broker = await b.start();
      try {
        const gw = await Gateway.start({ broker: broker.url, db: join(dir, `lat-${b.name.length}.db`), site: 'lat', http: 0 });
        gw.raceControl({ action: 'event-setup', setup });
        const received = new Map<string, number>();
        const ws = new WebSocket(`ws${gw.apiUrl!.slice(4)}/api/live`);
        ws.on('message', (data) => {
          const m = JSON.parse(String(data)) as { type: string; event?: { board: string; boot: number; seq: number } };
          if (m.type === 'event' && m.event) received.set(`${m.event.board} ${m.event.boot} ${m.event.seq}`, wallUs());
        });
        await new Promise((r) => ws.once('open', r));
        const times = join(dir, `publish-${b.name.length}.txt`);
        const child = spawn(process.execPath, [repoPath('dist', 'gateway', 'cli.js'), 'sim', '--scenario', SCENARIO, '--broker', broker.url, '--site', 'lat', '--speed', '10', '--quiet', '--publish-times', times], { stdio: 'ignore' });
        const exited = new Promise((r) => child.once('exit', r));
        await new Promise((r) => setTimeout(r, latencyS * 1000));
        child.kill('SIGINT');
        await exited;
        await gw.settle();
        const got: number[] = [];
        for (const line of readFileSync(times, 'utf8').trim().split('\n')) {
          const [board, boot, seq, at] = line.split(' ');
          const r = received.get(`${board} ${boot} ${seq}`);
          if (r !== undefined) got.push((r - Number(at)) / 1000);
        }
        ws.close();
        await gw.stop();
        got.sort((x, y) => x - y);
        lat.push([b.name, latencyS, got.length, percentile(got, 0.5).toFixed(2), percentile(got, 0.99).toFixed(2), got.at(-1)?.toFixed(2) ?? '-']);
      } finally {
        await broker.stop();
      }
    }
    console.log(`\nlatency, board publish (race in its own process) → gateway → WebSocket client, 36 trucks racing at 10× real time for ${latencyS} s of wall time\n`);
    table(['broker', 'wall s', 'events', 'p50 ms', 'p99 ms', 'max ms'], lat);
    console.log('\ntarget: p99 ≤ 10 ms');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

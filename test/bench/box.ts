// `npm run bench box [--stops N]`: the box board against the box sensor model — verdict
// outcomes over random stops near the lines (right, wrong, close calls, confidently
// wrong), verdict latency, and the board's samples/s in V8.
import { readFileSync } from 'node:fs';
import { boardImagePath } from '../../sim-hardware/board-host.js';
import { DEFAULT_BOX_SENSOR_PROFILE, HARSH_BOX_SENSOR_PROFILE } from '../../sim-hardware/box-sensors.js';
import { QUICK_STOPS, randomStops, runStops, scoreVerdicts } from '../support/box-run.js';
import { percentile } from '../support/loop-run.js';
import { table } from './table.js';

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--stops');
  const stops = randomStops(i >= 0 ? Number(args[i + 1]) : 10_000, 2026);
  console.log(`\nverdicts over ${stops.length} random stops (margins within ±40 mm of a line), stop and service verdicts\n`);
  const rows: (string | number)[][] = [];
  const speed: (string | number)[][] = [];
  for (const [name, profile] of [
    ['default', DEFAULT_BOX_SENSOR_PROFILE],
    ['harsh', HARSH_BOX_SENSOR_PROFILE],
  ] as const) {
    // One sample period (four boxes) per call, so an event's publish time is its sample's.
    const r = runStops(stops, QUICK_STOPS(profile), 7, 4);
    const s = scoreVerdicts(r);
    const pct = (x: number) => `${((100 * x) / s.n).toFixed(2)}%`;
    const lat = (xs: number[], q: number) => (percentile(xs.sort((a, b) => a - b), q) / 1000).toFixed(0);
    rows.push([name, profile.noiseMm, profile.uncertaintyMm, s.n, pct(s.close), pct(s.wrong), s.confidentWrong, lat(s.stopLatencyUs, 0.5), lat(s.stopLatencyUs, 0.99), lat(s.serviceLatencyUs, 0.5), lat(s.serviceLatencyUs, 0.99)]);
    speed.push([name, r.samples, r.boardMs.toFixed(0), ((r.samples / r.boardMs) * 1000).toFixed(0), r.events.length, ((r.events.length / r.boardMs) * 1000).toFixed(0)]);
  }
  table(['profile', 'noise mm', 'close band mm', 'verdicts', 'close calls', 'wrong', 'confidently wrong', 'stop p50 ms', 'stop p99 ms', 'service p50 ms', 'service p99 ms'], rows);
  console.log('\nlatency: stop verdict after the vehicle came to rest, service verdict after the crew was back (board time)');
  console.log('\nthroughput of the box board image in V8 (one core), one sample period per call\n');
  table(['profile', 'samples', 'board ms', 'samples/s', 'events', 'events/s'], speed);
  console.log(`\nbox.wasm: ${readFileSync(boardImagePath('box')).length} bytes`);
}

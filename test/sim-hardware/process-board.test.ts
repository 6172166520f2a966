// A board in its own process (`pitwall board --feed stdin`, from dist/: run `npm run
// build` first), driven over the feed. The key property: the same scenario with the
// same boot ids and clocks gives the same bytes on the wire as a board hosted here.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../protocol/codec.js';
import { HEALTH_COUNTERS } from '../../protocol/schema.js';
import { repoPath } from '../../protocol/repo-root.js';
import { bootFrame, clockFrame, encodeFrame, FRAME, syncFrame } from '../../sim-hardware/board-feed.js';
import { MqttBoard } from '../../sim-hardware/mqtt-board.js';
import { ProcessBoard } from '../../sim-hardware/process-board.js';
import { freePort } from '../support/free-port.js';
import { startBrokerAndMonitor, type Monitor } from '../support/mqtt-monitor.js';
import { envelopes, lifeOfALoopBoard, T0 } from '../support/sim-board-scenario.js';

let env: Awaited<ReturnType<typeof startBrokerAndMonitor>>;
let monitor: Monitor;

beforeAll(async () => {
  env = await startBrokerAndMonitor();
  monitor = env.monitor;
});
afterAll(async () => {
  await env.stop();
});

/** `pitwall board --feed stdin` run by hand: what it wrote on stdout and stderr, and its exit code. */
function runBoardProcess(site: string, feed: Uint8Array, endInput: boolean) {
  const child = spawn(process.execPath, [repoPath('dist', 'gateway', 'cli.js'), 'board', '--feed', 'stdin', '--kind', 'loop', '--id', 'loop-sf', '--site', site, '--broker', env.broker.url, '--boot', '5', '--clock-us', String(T0)]);
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (err += String(d)));
  child.stdin.write(feed);
  if (endInput) child.stdin.end();
  return new Promise<{ code: number | null; stdout: Uint8Array; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout: new Uint8Array(Buffer.concat(out)), stderr: err })),
  );
}

describe('ProcessBoard', () => {
  it('puts the same bytes on the wire as a board hosted in this process', async () => {
    const logs: string[] = [];
    const common = { kind: 'loop' as const, id: 'loop-sf', broker: env.broker.url, boot: 41, startClockUs: BigInt(T0) };
    const [hosted, proc] = await Promise.all([
      MqttBoard.start({ ...common, site: 'same-hosted', log: () => {} }),
      ProcessBoard.start({ ...common, site: 'same-process', log: (line) => logs.push(line) }),
    ]);
    try {
      await Promise.all([lifeOfALoopBoard(hosted, 'same-hosted', monitor), lifeOfALoopBoard(proc, 'same-process', monitor)]);
    } finally {
      await Promise.all([hosted.stop(false), proc.stop()]);
    }
    expect(proc.boot).toBe(43); // told by the process after the reboot race control asked for
    for (const channel of ['birth', 'evt', 'death'] as const) {
      const a = monitor.of('same-hosted', 'loop-sf', channel).map((s) => Buffer.from(s.bytes).toString('hex'));
      const b = monitor.of('same-process', 'loop-sf', channel).map((s) => Buffer.from(s.bytes).toString('hex'));
      expect(b, channel).toEqual(a);
      expect(a.length, channel).toBeGreaterThan(2);
    }
    expect(logs.some((l) => l.startsWith('[loop-sf] '))).toBe(true);
  });

  it('keeps every frame, in order, past a full pipe', async () => {
    // 4 MiB of hits on loop 9, which an unconfigured board counts as bad readings.
    const records = new Uint8Array(4 * 1024 * 1024);
    const view = new DataView(records.buffer);
    for (let i = 0; i < records.length / 16; i++) {
      view.setBigUint64(i * 16, BigInt(T0 + 5_000), true);
      view.setUint32(i * 16 + 8, i, true);
      view.setUint16(i * 16 + 12, 500, true);
      view.setUint8(i * 16 + 14, 9);
    }
    const b = await ProcessBoard.start({ kind: 'loop', id: 'loop-sf', site: 'full-pipe', broker: env.broker.url, boot: 3, startClockUs: BigInt(T0) });
    try {
      b.clock(BigInt(T0 + 10_000));
      for (let at = 0; at < records.length; at += 64 * 1024) b.hits(records.subarray(at, at + 64 * 1024));
      b.clock(BigInt(T0 + 1_100_000));
      b.tick();
      await b.sync();
    } finally {
      await b.stop();
    }
    await monitor.waitFor('a health', () => monitor.of('full-pipe', 'loop-sf', 'evt').length > 0);
    const health = envelopes(monitor.of('full-pipe', 'loop-sf', 'evt')).flatMap((e) => e.events)[0];
    expect(health).toMatchObject({ kind: 'health', counters: { [HEALTH_COUNTERS.badReadings]: records.length / 16 } });
  });

  it('says why when the broker cannot be reached', async () => {
    const port = await freePort();
    const start = ProcessBoard.start({ kind: 'box', id: 'box-1', site: 'nowhere', broker: `mqtt://127.0.0.1:${port}`, boot: 1, startClockUs: BigInt(T0) });
    await expect(start).rejects.toThrow(/exited \(code 2\)[^]*could not connect to mqtt:\/\/127\.0\.0\.1/);
  });
});

describe('pitwall board --feed none', () => {
  it('runs on the system clock until SIGTERM, then publishes its death and exits 0', async () => {
    const child = spawn(process.execPath, [repoPath('dist', 'gateway', 'cli.js'), 'board', '--kind', 'box', '--id', 'box-1', '--site', 'alone', '--broker', env.broker.url, '--boot', '9'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    await monitor.waitFor('the birth', () => monitor.of('alone', 'box-1', 'birth').length === 1, 5000);
    const birth = decode('birth', monitor.of('alone', 'box-1', 'birth')[0]!.bytes);
    expect(birth).toMatchObject({ board: 'box-1', boot: 9, kind: 'box' });
    expect(Math.abs(birth.timeUs - Date.now() * 1000)).toBeLessThan(10_000_000);
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    expect(Buffer.concat(out).length).toBe(0);
    await monitor.waitFor('the death', () => monitor.of('alone', 'box-1', 'death').length === 1);
    expect(decode('death', monitor.of('alone', 'box-1', 'death')[0]!.bytes)).toEqual({ board: 'box-1', boot: 9 });
  });
});

describe('pitwall board --feed stdin', () => {
  it('answers SYNC on stdout, nothing else but its boot, and stops gracefully at the end of input', async () => {
    const feed = Buffer.concat([clockFrame(BigInt(T0 + 10_000)), encodeFrame(FRAME.tick), syncFrame(77)]);
    const r = await runBoardProcess('feed-eof', feed, true);
    expect(r.code).toBe(0);
    expect(Buffer.from(r.stdout)).toEqual(Buffer.concat([bootFrame(5), syncFrame(77)]));
    await monitor.waitFor('the death', () => monitor.of('feed-eof', 'loop-sf', 'death').length === 1);
    expect(decode('death', monitor.of('feed-eof', 'loop-sf', 'death')[0]!.bytes)).toEqual({ board: 'loop-sf', boot: 5 });
  });

  it('exits 2 with a clear message on a malformed frame, leaving its will', async () => {
    const feed = Buffer.concat([encodeFrame(FRAME.tick), Buffer.from([42, 0, 0, 0, 0])]);
    const r = await runBoardProcess('feed-bad', feed, false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pitwall board: bad feed: frame 2 (at byte 5): unknown frame type 42');
    expect(Buffer.from(r.stdout)).toEqual(Buffer.from(bootFrame(5)));
    await monitor.waitFor('the will', () => monitor.of('feed-bad', 'loop-sf', 'death').length === 1);
  });
});

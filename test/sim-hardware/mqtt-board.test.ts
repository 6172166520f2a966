// A hosted board on a real (embedded) broker, driven: its clock is what the test sets,
// time passes only when it ticks. What race control sees is decoded off the broker.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../protocol/codec.js';
import { MqttBoard, type MqttBoardOptions } from '../../sim-hardware/mqtt-board.js';
import { encodeHitRecords } from '../../sim-hardware/loop-field.js';
import { startBrokerAndMonitor, type Monitor } from '../support/mqtt-monitor.js';
import { births, crossings, drive, envelopes, lifeOfALoopBoard, SF_CONFIG, T0 } from '../support/sim-board-scenario.js';

let env: Awaited<ReturnType<typeof startBrokerAndMonitor>>;
let monitor: Monitor;
const boards: MqttBoard[] = [];
let sites = 0;

beforeAll(async () => {
  env = await startBrokerAndMonitor();
  monitor = env.monitor;
});
afterEach(async () => {
  for (const b of boards.splice(0)) await b.stop(false).catch(() => {});
});
afterAll(async () => {
  await env.stop();
});

/** A loop board on a site of its own (so no retained message of another test is seen). */
async function board(extra: Partial<MqttBoardOptions> = {}): Promise<{ b: MqttBoard; site: string }> {
  const site = `mqtt-${++sites}`;
  const b = await MqttBoard.start({ kind: 'loop', id: 'loop-sf', site, broker: env.broker.url, boot: 41, startClockUs: BigInt(T0), log: () => {}, ...extra });
  boards.push(b);
  return { b, site };
}

async function configure(b: MqttBoard, site: string): Promise<void> {
  await monitor.command(site, { board: b.id, id: 1, body: { kind: 'config', config: SF_CONFIG } });
  await monitor.waitFor('the birth with the config', () => births(monitor.of(site, b.id, 'birth')).some((x) => x.configHash !== 0));
}

describe('MqttBoard', () => {
  it('is born on start, at the clock it was given', async () => {
    const { b, site } = await board();
    await monitor.waitFor('the birth', () => monitor.of(site, b.id, 'birth').length === 1);
    expect(births(monitor.of(site, b.id, 'birth'))[0]).toMatchObject({ board: 'loop-sf', boot: 41, kind: 'loop', configHash: 0, seq: 0, timeUs: T0 });
    expect(b.boot).toBe(41);
  });

  it('takes a config through its cmd topic and times vehicles on the clock it is given', async () => {
    const { b, site } = await board();
    await configure(b, site);
    const hits = crossings(3, T0 + 100_000, 300_000);
    drive(b, hits, T0, T0 + 1_000_000);
    await b.sync();
    await monitor.waitFor('three passings', () => envelopes(monitor.of(site, b.id, 'evt')).flatMap((e) => e.events).filter((e) => e.kind === 'passing').length === 3);
    const passings = envelopes(monitor.of(site, b.id, 'evt')).flatMap((e) => e.events).filter((e) => e.kind === 'passing');
    passings.forEach((p, i) => {
      expect(p).toMatchObject({ loop: 1, transponder: 100 + i });
      if (p.kind === 'passing') expect(Math.abs(p.timeUs - (T0 + 100_000 + i * 300_000))).toBeLessThan(1000);
    });
  });

  it('splits a large batch of hits to fit the input buffer', async () => {
    const { b, site } = await board();
    await configure(b, site);
    const hits = crossings(80, T0 + 100_000, 20_000, 3);
    const records = encodeHitRecords(hits);
    expect(records.length).toBeGreaterThan(b.host.inputCapacity);
    b.clock(BigInt(hits.at(-1)!.timeUs + 1000));
    b.hits(records);
    b.clock(BigInt(hits.at(-1)!.timeUs + 200_000));
    b.tick();
    await b.sync();
    await monitor.waitFor('eighty passings', () => envelopes(monitor.of(site, b.id, 'evt')).flatMap((e) => e.events).filter((e) => e.kind === 'passing').length === 80);
  });

  it('loses nothing over a partition: the events wait in the outbox, sequence numbers run on', async () => {
    const { b, site } = await board();
    await configure(b, site);
    const hits = crossings(4, T0 + 100_000, 300_000);
    drive(b, hits, T0, T0 + 300_000);
    await b.sync();
    await monitor.waitFor('the first passing', () => monitor.of(site, b.id, 'evt').length > 0);
    const before = monitor.of(site, b.id, 'evt').length;

    b.link(false);
    drive(b, hits, T0 + 300_000, T0 + 1_300_000);
    await b.sync();
    await new Promise((r) => setTimeout(r, 50));
    expect(monitor.of(site, b.id, 'evt').length).toBe(before);

    b.link(true);
    await b.sync();
    await monitor.waitFor('all four passings', () => envelopes(monitor.of(site, b.id, 'evt')).flatMap((e) => e.events).filter((e) => e.kind === 'passing').length === 4);
    const seqs = envelopes(monitor.of(site, b.id, 'evt')).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    // A birth on link up, announcing the next sequence number.
    const last = births(monitor.of(site, b.id, 'birth')).at(-1)!;
    expect(last.seq).toBeLessThanOrEqual(seqs.length);
    expect(births(monitor.of(site, b.id, 'birth'))).toHaveLength(3);
  });

  it('reboots as a power cycle: the broker publishes the will, then the new boot is born', async () => {
    const { b, site } = await board();
    await b.reboot(99);
    expect(b.boot).toBe(99);
    await monitor.waitFor('the new birth', () => births(monitor.of(site, b.id, 'birth')).some((x) => x.boot === 99));
    const said = monitor.of(site, b.id);
    const will = said.findIndex((s) => s.channel === 'death');
    expect(will).toBeGreaterThanOrEqual(0);
    expect(decode('death', said[will]!.bytes)).toEqual({ board: 'loop-sf', boot: 41 });
    const born = said.findIndex((s) => s.channel === 'birth' && decode('birth', s.bytes).boot === 99);
    expect(born).toBeGreaterThan(will);
  });

  it('reboots when race control asks, with the next boot id', async () => {
    const boots: number[] = [];
    const { b, site } = await board({ boot: 0xffffffff, onBoot: (x) => boots.push(x) });
    await monitor.command(site, { board: b.id, id: 5, body: { kind: 'reboot' } });
    await monitor.waitFor('the birth of boot 0', () => births(monitor.of(site, b.id, 'birth')).some((x) => x.boot === 0));
    expect(b.boot).toBe(0);
    expect(boots).toEqual([0xffffffff, 0]);
    expect(decode('death', monitor.of(site, b.id, 'death')[0]!.bytes)).toEqual({ board: 'loop-sf', boot: 0xffffffff });
  });

  it('publishes its death when stopped', async () => {
    const { b, site } = await board();
    await b.stop();
    await monitor.waitFor('the death', () => monitor.of(site, b.id, 'death').length === 1);
    expect(decode('death', monitor.of(site, b.id, 'death')[0]!.bytes)).toEqual({ board: 'loop-sf', boot: 41 });
    expect(() => b.tick()).toThrow(/stopped/);
  });

  it('refuses a clock going backwards, and input of the other kind', async () => {
    const { b } = await board();
    b.clock(BigInt(T0 + 10));
    expect(() => b.clock(BigInt(T0))).toThrow(/backwards/);
    expect(() => b.samples(new Uint8Array(64))).toThrow(/loop board takes no box samples/);
    expect(() => b.hits(new Uint8Array(15))).toThrow(/16 bytes/);
    await b.sync(); // nothing pending
  });

  it('lives the whole scenario: births, deaths and continuous sequence numbers per boot', async () => {
    const { b, site } = await board();
    await lifeOfALoopBoard(b, site, monitor);
    expect(births(monitor.of(site, b.id, 'birth')).map((x) => x.boot)).toEqual([41, 41, 41, 42, 43]);
    expect(monitor.of(site, b.id, 'death').map((d) => decode('death', d.bytes).boot)).toEqual([41, 42, 43]);
    const envs = envelopes(monitor.of(site, b.id, 'evt'));
    for (const boot of [41, 42, 43]) {
      const seqs = envs.filter((e) => e.boot === boot).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i));
    }
    expect(envs.flatMap((e) => e.events).filter((e) => e.kind === 'passing')).toHaveLength(4);
  });
});

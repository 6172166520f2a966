// The board lifecycle every image shares (firmware/lib/board.ts), through the real
// loop and box images: birth and death, envelopes and sequence numbers, the outbox
// and re-sending, health, commands and config validation.
import { describe, expect, it } from 'vitest';
import { encode, decode } from '../../protocol/codec.js';
import { configHash, encodeConfigItem } from '../../protocol/config-hash.js';
import { HEALTH_COUNTERS, type BoxConfig, type Command, type LoopConfig } from '../../protocol/schema.js';
import { BoardDriver, T0 } from '../support/board-driver.js';
import { readFileSync } from 'node:fs';

const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;

const loopConfig: LoopConfig = {
  kind: 'loop',
  loops: [
    { id: 1, role: 'pit-entry', distanceMm: 0 },
    { id: 2, role: 'pit-timing', distanceMm: 63_100 },
    { id: 3, role: 'pit-timing', distanceMm: 126_200 },
    { id: 4, role: 'pit-exit', distanceMm: 189_300 },
    { id: 5, role: 'pit-out', distanceMm: 195_000 },
  ],
  quietGapUs: 20_000,
  minHits: 3,
  pitRoad: { limit: 3000, tolerance: 500 },
};

const boxConfig: BoxConfig = {
  kind: 'box',
  boxes: [{ number: 12, lengthMm: 7000, widthMm: 4000, lineMm: 100, outsideLeft: true }],
  vehicle: { trackMm: 1600, wheelbaseMm: 2800, tireWidthMm: 300, patchMm: 200, frontOverhangMm: 1000, rearOverhangMm: 1100, bodyWidthMm: 2000 },
  uncertaintyMm: 10,
  sampleUs: 10_000,
};

function cmd(board: string, id: number, body: Command['body']): Uint8Array {
  return encode('command', { board, id, body });
}

describe('board lifecycle (loop and box images)', () => {
  it('refuses an invalid board id', () => {
    expect(() => new BoardDriver('loop', 'Loop_SF')).toThrow(/refused its id/);
  });

  it('hands over its death for the will at start, and sends a birth when the link comes up', () => {
    for (const kind of ['loop', 'box'] as const) {
      const b = new BoardDriver(kind, `${kind}-a`, 4242);
      expect(decode('death', b.host.will!)).toEqual({ board: `${kind}-a`, boot: 4242 });
      expect(b.take()).toEqual([]);
      b.host.link(true);
      const [birth] = BoardDriver.births(b.take());
      expect(birth).toMatchObject({ board: `${kind}-a`, boot: 4242, kind, firmware: version, configHash: 0, seq: 0, timeUs: Number(T0) });
      expect(birth!.capacities).toMatchObject({ outbox: 512, inputBatch: kind === 'loop' ? 1024 : 256, maxMessage: 4096 });
      expect(birth!.capacities[kind === 'loop' ? 'loops' : 'boxes']).toBe(kind === 'loop' ? 16 : 4);
    }
  });

  it('publishes health once a second in envelopes with consecutive sequence numbers', () => {
    const b = new BoardDriver('loop');
    b.host.link(true);
    b.take();
    b.advance(5_000_000);
    const envs = BoardDriver.envelopes(b.take());
    expect(envs.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    for (const [i, e] of envs.entries()) {
      expect(e.events).toEqual([{ kind: 'health', timeUs: Number(T0) + (i + 1) * 1_000_000, uptimeS: i + 1, outboxDepth: i, counters: {} }]);
    }
  });

  it('loses nothing across a link outage: kept envelopes go out in order when the link is back', () => {
    const b = new BoardDriver('loop');
    b.host.link(true);
    b.advance(2_000_000);
    const before = BoardDriver.envelopes(b.take());
    b.up = false; // the network stops taking publishes, then the host notices the link is down
    b.advance(3_000_000);
    b.host.link(false);
    b.advance(10_000_000);
    b.up = true;
    b.host.link(true);
    const after = b.take();
    expect(after[0]!.channel).toBe('birth');
    const seqs = [...before, ...BoardDriver.envelopes(after)].map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(BoardDriver.births(after)[0]!.seq).toBe(15);
  });

  it('re-sends kept envelopes byte for byte from a sequence number on request', () => {
    const b = new BoardDriver('loop');
    b.host.link(true);
    b.advance(6_000_000);
    const original = b.take().filter((s) => s.channel === 'evt');
    expect(b.host.command(cmd('loop-test', 9, { kind: 'resend', fromSeq: 3 }))).toBe(0);
    const resent = b.take();
    expect(resent.map((s) => Buffer.from(s.bytes).toString('hex'))).toEqual(original.slice(3).map((s) => Buffer.from(s.bytes).toString('hex')));
    // Asking for what was never sent re-sends nothing.
    expect(b.host.command(cmd('loop-test', 10, { kind: 'resend', fromSeq: 100 }))).toBe(0);
    expect(b.take()).toEqual([]);
  });

  it('overwrites the oldest envelopes when the outbox is full, counts it, and re-sends from the oldest kept', () => {
    const b = new BoardDriver('loop');
    b.host.link(false);
    b.advance(600_000_000, 1_000_000); // 600 health envelopes into a 512-envelope ring
    b.host.link(true);
    const sent = b.take();
    const envs = BoardDriver.envelopes(sent);
    expect(envs.length).toBe(512);
    expect(envs[0]!.seq).toBe(600 - 512);
    expect(envs.at(-1)!.seq).toBe(599);
    b.advance(1_000_000);
    const [health] = BoardDriver.envelopes(b.take());
    const h = health!.events[0]!;
    expect(h.kind === 'health' && h.counters[HEALTH_COUNTERS.outboxOverwritten]).toBe(600 - 512); // counted when the health was built, before its own envelope evicted one more
    expect(b.host.command(cmd('loop-test', 1, { kind: 'resend', fromSeq: 0 }))).toBe(0);
    expect(BoardDriver.envelopes(b.take())[0]!.seq).toBe(601 - 512);
  });

  it('answers a time check at once with its clock and the echoed gateway time', () => {
    const b = new BoardDriver('box');
    b.host.link(true);
    b.take();
    b.now += 123n;
    expect(b.host.command(cmd('box-test', 77, { kind: 'time-check', sentUs: 1_700_000_000_000_000 }))).toBe(0);
    const [env] = BoardDriver.envelopes(b.take());
    expect(env!.events).toEqual([{ kind: 'clock-reply', timeUs: Number(T0 + 123n), command: 77, echoUs: 1_700_000_000_000_000 }]);
  });

  it('applies a valid config and announces its hash in a new birth', () => {
    for (const [kind, config] of [['loop', loopConfig], ['box', boxConfig]] as const) {
      const b = new BoardDriver(kind);
      b.host.link(true);
      b.take();
      expect(b.host.command(cmd(`${kind}-test`, 5, { kind: 'config', config }))).toBe(0);
      const [birth] = BoardDriver.births(b.take());
      expect(birth!.configHash).toBe(configHash(config));
      expect(birth!.configHash).not.toBe(0);
      expect(encodeConfigItem(config).length).toBeGreaterThan(10);
    }
  });

  const badLoopConfigs: Array<[string, LoopConfig, string, string]> = [
    ['duplicate loop ids', { ...loopConfig, loops: [...loopConfig.loops, { id: 1, role: 'sector', distanceMm: 5 }] }, 'inconsistent', 'two loops share an id'],
    ['quiet gap too short', { ...loopConfig, quietGapUs: 500 }, 'out-of-range', 'quietGapUs must be 2000 to 1000000'],
    ['no min hits', { ...loopConfig, minHits: 0 }, 'out-of-range', 'minHits must be at least 1'],
    ['pit lines without limits', { ...loopConfig, pitRoad: undefined }, 'inconsistent', 'pit lines need the pit road limit and tolerance'],
    ['limits without pit lines', { ...loopConfig, loops: [{ id: 1, role: 'start-finish', distanceMm: 0 }] }, 'inconsistent', 'pit road limits given but no pit lines'],
    ['two entry lines', { ...loopConfig, loops: [...loopConfig.loops, { id: 9, role: 'pit-entry', distanceMm: 10 }] }, 'inconsistent', 'pit lines need one entry and one exit line'],
    ['timing line past the exit', { ...loopConfig, loops: [...loopConfig.loops, { id: 9, role: 'pit-timing', distanceMm: 200_000 }] }, 'inconsistent', 'pit timing lines must lie between entry and exit'],
    ['zero limit', { ...loopConfig, pitRoad: { limit: 0, tolerance: 0 } }, 'out-of-range', 'pit road speed limit must be above 0'],
  ];
  for (const [what, bad, code, reason] of badLoopConfigs) {
    it(`refuses a loop config with ${what}, says why, and keeps the old one in force`, () => {
      const b = new BoardDriver('loop');
      b.host.link(true);
      expect(b.host.command(cmd('loop-test', 1, { kind: 'config', config: loopConfig }))).toBe(0);
      b.take();
      expect(b.host.command(cmd('loop-test', 2, { kind: 'config', config: bad }))).toBe(2);
      const sent = b.take();
      expect(BoardDriver.births(sent)).toEqual([]);
      const [env] = BoardDriver.envelopes(sent);
      expect(env!.events).toEqual([{ kind: 'config-rejected', timeUs: Number(T0), command: 2, code, reason, configHash: configHash(bad) }]);
      b.host.link(true); // a new birth still names the config in force
      expect(BoardDriver.births(b.take())[0]!.configHash).toBe(configHash(loopConfig));
    });
  }

  it('refuses a config for another kind of board', () => {
    const b = new BoardDriver('loop');
    b.host.link(true);
    b.take();
    expect(b.host.command(cmd('loop-test', 3, { kind: 'config', config: boxConfig }))).toBe(2);
    const ev = BoardDriver.envelopes(b.take())[0]!.events[0]!;
    expect(ev).toMatchObject({ kind: 'config-rejected', code: 'wrong-board-kind' });
  });

  it('refuses a box config whose box is smaller than its lines', () => {
    const b = new BoardDriver('box');
    b.host.link(true);
    b.take();
    const bad: BoxConfig = { ...boxConfig, boxes: [{ ...boxConfig.boxes[0]!, widthMm: 100 }] };
    expect(b.host.command(cmd('box-test', 3, { kind: 'config', config: bad }))).toBe(2);
    expect(BoardDriver.envelopes(b.take())[0]!.events[0]).toMatchObject({ code: 'inconsistent', reason: 'box smaller than its lines' });
  });

  it('counts commands for another board and commands that do not decode, and never traps', () => {
    const b = new BoardDriver('loop');
    b.host.link(true);
    b.take();
    expect(b.host.command(cmd('loop-other', 1, { kind: 'reboot' }))).toBe(2);
    expect(b.host.command(Uint8Array.from([0xa1, 0x00]))).toBe(-1); // truncated
    expect(b.host.command(new Uint8Array(0))).toBeLessThan(0);
    expect(b.host.control(Uint8Array.from([0xff]))).toBeLessThan(0);
    b.advance(1_000_000);
    const h = BoardDriver.envelopes(b.take())[0]!.events[0]!;
    expect(h.kind === 'health' && h.counters[HEALTH_COUNTERS.badCommands]).toBe(4);
  });

  it('publishes its death and asks for a restart on a reboot command', () => {
    const b = new BoardDriver('box');
    b.host.link(true);
    b.take();
    expect(b.host.command(cmd('box-test', 1, { kind: 'reboot' }))).toBe(1);
    const sent = b.take();
    expect(sent.map((s) => s.channel)).toEqual(['death']);
    expect(decode('death', sent[0]!.bytes)).toEqual({ board: 'box-test', boot: 7 });
  });

  it('passes its built-in selftest in V8', () => {
    expect(new BoardDriver('loop').host.selftest()).toBe(0);
    expect(new BoardDriver('box').host.selftest()).toBe(0);
  });
});

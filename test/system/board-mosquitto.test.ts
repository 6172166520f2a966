// A board running the real firmware publishes through a real Mosquitto; what the
// broker holds is read back with mosquitto_sub and decoded by an independent CBOR
// decoder (cborg), then checked against the CDDL schema.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decode as cborgDecode } from 'cborg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../protocol/codec.js';
import { parseCddl, validate } from '../../protocol/cddl.js';
import { readFileSync } from 'node:fs';
import { BoardLink } from '../../sim-hardware/board-link.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { systemTool } from '../support/system-tools.js';

const run = promisify(execFile);
const mosquitto = systemTool('mosquitto', 'mosquitto');
const mosquittoSub = systemTool('mosquitto_sub', 'mosquitto-clients');
const schema = parseCddl(readFileSync(new URL('../../protocol/pitwall.cddl', import.meta.url), 'utf8'));

/** One retained message off the broker, as bytes, by the broker's own client. */
async function readRetained(broker: Mosquitto, topic: string): Promise<Uint8Array> {
  const { stdout } = await run(mosquittoSub.path!, ['-h', '127.0.0.1', '-p', String(broker.port), '-t', topic, '-C', '1', '-W', '10', '-F', '%x']);
  return Buffer.from(stdout.trim(), 'hex');
}

describe.skipIf(!mosquitto.path || !mosquittoSub.path)('loop board through Mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto(mosquitto.path!);
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('publishes a birth that mosquitto_sub reads back and cborg decodes to a valid birth', async () => {
    let t = 1_763_726_400_000_000n;
    const link = await BoardLink.start({ kind: 'loop', id: 'loop-sf', site: 'systest', broker: broker.url, boot: 77, clock: () => (t += 1000n) });
    try {
      const bytes = await readRetained(broker, 'pitwall/v1/systest/loop-sf/birth');
      const generic = cborgDecode(bytes, { useMaps: true });
      expect(validate(schema, 'birth', generic)).toBeNull();
      const birth = decode('birth', bytes);
      expect(birth).toMatchObject({ board: 'loop-sf', boot: 77, kind: 'loop', configHash: 0, seq: 0 });
      expect(generic.get(1)).toBe('loop-sf');
      expect(generic.get(2)).toBe(77);
    } finally {
      await link.stop(false);
    }
  });

  it('leaves its death as the will when the connection is cut', async () => {
    const link = await BoardLink.start({ kind: 'loop', id: 'loop-s1', site: 'systest', broker: broker.url, boot: 78, clock: () => 1_763_726_400_000_000n });
    await link.stop(false); // no DISCONNECT: the broker publishes the will
    const bytes = await readRetained(broker, 'pitwall/v1/systest/loop-s1/death');
    expect(validate(schema, 'death', cborgDecode(bytes, { useMaps: true }))).toBeNull();
    expect(decode('death', bytes)).toEqual({ board: 'loop-s1', boot: 78 });
  });
});

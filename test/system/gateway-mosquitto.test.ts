// The gateway on a real Mosquitto, speaking MQTT 5: a race through real board firmware
// on the broker is scored the same as with the boards wired straight to the gateway.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../protocol/repo-root.js';
import { simulateWithGateway } from '../../gateway/commands/sim-gateway.js';
import { resultsJson } from '../../gateway/results.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { systemTool } from '../support/system-tools.js';

const mosquitto = systemTool('mosquitto', 'mosquitto');
const scenarioFile = repoPath('sim-hardware', 'scenarios', 'martinsville-10.json');

describe.skipIf(!mosquitto.path)('gateway through Mosquitto (MQTT 5)', () => {
  let broker: Mosquitto;
  let dir: string;
  beforeAll(async () => {
    broker = await startMosquitto(mosquitto.path!);
    dir = mkdtempSync(join(tmpdir(), 'pitwall-gw-mosq-'));
  });
  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scores the 10-lap race as the gateway wired straight to the boards does (R-AUDIT-1)', async () => {
    const viaBroker = await simulateWithGateway({ scenarioFile, broker: broker.url, site: 'mq5', db: join(dir, 'broker.db'), protocolVersion: 5 });
    const direct = await simulateWithGateway({ scenarioFile, db: join(dir, 'direct.db') });
    expect(viaBroker.quarantined).toBe(0);
    expect(viaBroker.accepted).toBe(viaBroker.sim.messages.length);
    const a = viaBroker.results;
    const b = direct.results;
    expect(a.classification.map((c) => [c.car, c.laps, c.lapsLed])).toEqual(b.classification.map((c) => [c.car, c.laps, c.lapsLed]));
    expect([a.leaders, a.leadChanges, a.stages]).toEqual([b.leaders, b.leadChanges, b.stages]);
    expect(Math.abs(a.marginOfVictoryS! - b.marginOfVictoryS!)).toBeLessThan(0.001);
    expect(resultsJson(a).length).toBeGreaterThan(500);
  }, 60_000);
});

// A race through Mosquitto with every board logged in as itself and kept to its own
// topics by the broker's ACL, as a track would run it: the simulator's boards each get
// their own credentials slot, and the board output is what the boards in memory give.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../protocol/codec.js';
import { repoPath } from '../../protocol/repo-root.js';
import { validateCredentials } from '../../sim-hardware/credentials.js';
import { runSimulation, identity } from '../../sim-hardware/simulation.js';
import { loadTrack } from '../../sim-hardware/track.js';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js';
import { systemTool } from '../support/system-tools.js';

const mosquitto = systemTool('mosquitto', 'mosquitto');
const passwd = systemTool('mosquitto_passwd', 'mosquitto');
const scenarioFile = repoPath('sim-hardware', 'scenarios', 'martinsville-10.json');
const boardIds = loadTrack('martinsville').boards.map((b) => b.id);
const logins = Object.fromEntries(boardIds.map((id) => [id, { username: id, password: `pw-${id}` }]));

describe.skipIf(!mosquitto.path || !passwd.path)('pitwall sim through Mosquitto with a login per board', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto(mosquitto.path!, {
      passwdBinary: passwd.path!,
      passwords: { simulator: 'pw-sim', ...Object.fromEntries(boardIds.map((id) => [id, `pw-${id}`])) },
      // A board may publish only under its own id and read its commands and race control.
      acl: ['user simulator', 'topic readwrite pitwall/v1/#', '', 'pattern readwrite pitwall/v1/+/%u/#', 'pattern read pitwall/v1/+/control/#', ''].join('\n'),
    });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('gives the same board output as the boards in memory', async () => {
    const credentials = validateCredentials({ boards: logins, simulator: { username: 'simulator', password: 'pw-sim' } }, 'credentials.json', boardIds);
    const viaBroker = await runSimulation({ scenarioFile, broker: broker.url, site: 'acl', credentials });
    const inMemory = await runSimulation({ scenarioFile });
    const keyed = (ms: typeof viaBroker.messages) =>
      new Map(ms.map((m) => [`${m.board}/${m.channel}/${identity(m).boot}/${identity(m).seq ?? ''}/${Buffer.from(m.bytes).toString('hex')}`, m]));
    const a = keyed(viaBroker.messages);
    const b = keyed(inMemory.messages);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    const passings = viaBroker.messages.filter((m) => m.channel === 'evt').flatMap((m) => decode('envelope', m.bytes).events.filter((e) => e.kind === 'passing'));
    expect(passings.length).toBe((viaBroker.truth.crossings as unknown[]).length);
  }, 60_000);

  it('a board with a wrong password is refused by the broker with a clear error', async () => {
    const bad = { ...logins, 'loop-pit': { username: 'loop-pit', password: 'wrong' } };
    const credentials = validateCredentials({ boards: bad, simulator: { username: 'simulator', password: 'pw-sim' } }, 'credentials.json', boardIds);
    await expect(runSimulation({ scenarioFile, broker: broker.url, site: 'acl2', credentials })).rejects.toThrow(/loop-pit.*(Not authorized|not authori[sz]ed|Bad username or password)/i);
  }, 30_000);
});

describe('credentials files', () => {
  it('need a slot for every board and name the field of a mistake', () => {
    expect(() => validateCredentials({ boards: {} }, 'c.json', ['loop-sf'])).toThrow(/c\.json: boards: no credentials for loop-sf/);
    expect(() => validateCredentials({ boards: { 'loop-sf': { username: 'a' } } }, 'c.json', ['loop-sf'])).toThrow(/c\.json: boards\.loop-sf\.password: missing/);
    expect(() => validateCredentials({ boards: { 'loop-xx': { username: 'a', password: 'b' } } }, 'c.json', ['loop-sf'])).toThrow(/c\.json: boards\.loop-xx: unknown key/);
  });
});

// `pitwall board`: one board in its own process on an MQTT broker. Alone it lives in
// real time; with `--feed stdin` a driver (the simulator, a test rig) plays its
// sensors and its clock over the board feed (sim-hardware/board-feed.md) — the
// hardware-in-the-loop shape, where a real board could take the process's place.
import { systemClock, type BoardImageKind, type LogLevel } from '../../sim-hardware/board-host.js';
import { BoardLink } from '../../sim-hardware/board-link.js';
import { BrokerConnectError, MqttBoard, randomBoot } from '../../sim-hardware/mqtt-board.js';
import { bootFrame, FeedError, serveFeed } from '../../sim-hardware/board-feed.js';
import { isValidBoardId, isValidSiteId } from '../../protocol/topics.js';
import { BROKER_SCHEMES, CliError, intOption, isBrokerUrl, parseOptions, type Subcommand } from './cli-support.js';


interface BoardOptions {
  kind: BoardImageKind;
  id: string;
  site: string;
  broker: string;
  boot: number;
  clockUs: bigint | undefined;
  feed: 'stdin' | 'none';
  username: string | undefined;
  password: string | undefined;
}

export const boardCommand: Subcommand = {
  name: 'board',
  summary: 'run one board (loop or box) on an MQTT broker, alone or driven over stdin',
  help: `Usage: pitwall board --kind loop|box --id ID --broker URL [options]

Runs one board image (build/firmware/<kind>.wasm) connected to an MQTT broker, as
the board would be in the field: its death as the will, birth on connect, events,
commands from race control.

With --feed none the board runs on the system clock, ticking every 10 ms, until
Ctrl-C (SIGINT) or SIGTERM; it publishes its death before it goes. With --feed
stdin a driver plays the board's sensors and clock: binary frames on standard
input, answers on standard output (sim-hardware/board-feed.md). Logs go to
standard error.

Options:
  --kind loop|box    the board image
  --id ID            board id, also its topic level
  --broker URL       e.g. mqtt://127.0.0.1:1883
  --site ID          site id in the topics (default sim)
  --boot N           boot id, 0..4294967295 (default: random)
  --clock-us N       the board clock at start, µs since the UTC epoch (default: now)
  --feed stdin|none  who drives the board (default none)
  --username U       broker user name
  --password P       broker password`,
  async run(argv) {
    const o = boardOptions(argv);
    return o.feed === 'stdin' ? runFed(o) : runAlone(o);
  },
};

function boardOptions(argv: string[]): BoardOptions {
  const { values } = parseOptions(argv, {
    kind: { type: 'string' },
    id: { type: 'string' },
    broker: { type: 'string' },
    site: { type: 'string', default: 'sim' },
    boot: { type: 'string' },
    'clock-us': { type: 'string' },
    feed: { type: 'string', default: 'none' },
    username: { type: 'string' },
    password: { type: 'string' },
  });
  if (values.kind === undefined) throw new CliError('--kind is required: loop or box');
  if (values.kind !== 'loop' && values.kind !== 'box') throw new CliError(`--kind must be loop or box, not '${values.kind}'`);
  if (values.id === undefined) throw new CliError('--id is required');
  if (!isValidBoardId(values.id)) throw new CliError(`--id '${values.id}' is not a board id ([a-z0-9][a-z0-9-]{0,31}, not control or live)`);
  if (!isValidSiteId(values.site)) throw new CliError(`--site '${values.site}' is not a site id ([a-z0-9][a-z0-9-]{0,31})`);
  if (values.broker === undefined) throw new CliError('--broker is required, e.g. mqtt://127.0.0.1:1883');
  if (!URL.canParse(values.broker)) throw new CliError(`--broker '${values.broker}' is not a URL (e.g. mqtt://127.0.0.1:1883)`);
  if (!isBrokerUrl(values.broker)) throw new CliError(`--broker must be an ${BROKER_SCHEMES.map((s) => s.slice(0, -1)).join('|')} URL, not '${values.broker}'`);
  if (values.feed !== 'stdin' && values.feed !== 'none') throw new CliError(`--feed must be stdin or none, not '${values.feed}'`);
  if (values.password !== undefined && values.username === undefined) throw new CliError('--password needs --username');
  const clock = values['clock-us'];
  if (clock !== undefined && !(/^\d{1,20}$/.test(clock) && BigInt(clock) < 1n << 64n)) {
    throw new CliError(`--clock-us must be a whole number of µs from 0 to 2^64-1, not '${clock}'`);
  }
  return {
    kind: values.kind,
    id: values.id,
    site: values.site,
    broker: values.broker,
    boot: intOption(values.boot, 'boot', 0, 0xffffffff) ?? randomBoot(),
    clockUs: clock === undefined ? undefined : BigInt(clock),
    feed: values.feed,
    username: values.username,
    password: values.password,
  };
}

/** The board's log lines, on standard error (standard output belongs to the feed). */
function log(level: LogLevel, text: string): void {
  if (level !== 'debug') process.stderr.write(`${level}: ${text}\n`);
}

async function runAlone(o: BoardOptions): Promise<number> {
  const stop = stopSignal();
  const system = systemClock();
  const offset = o.clockUs === undefined ? 0n : o.clockUs - system();
  try {
    const link = await connecting(() => BoardLink.start({ ...o, clock: () => system() + offset, log }));
    log('info', `board ${o.id} (${o.kind}, boot ${link.board.boot}) is up on ${o.broker}, site ${o.site}; Ctrl-C stops it`);
    await stop.signalled;
    await link.stop(true);
    return 0;
  } finally {
    stop.dispose();
  }
}

/** Frames are read only once the board is connected and its birth is out, so a SYNC answers for that too. */
async function runFed(o: BoardOptions): Promise<number> {
  // A signal ends the input; the board then stops as at the end of the feed.
  const stop = stopSignal(() => process.stdin.destroy());
  const reply = (bytes: Uint8Array) => void process.stdout.write(bytes);
  try {
    const board = await connecting(() =>
      MqttBoard.start({ ...o, startClockUs: o.clockUs ?? BigInt(Date.now()) * 1000n, log, onBoot: (boot) => reply(bootFrame(boot)) }),
    );
    try {
      await serveFeed(board, process.stdin, reply);
    } catch (err) {
      if (!stop.received) {
        await board.stop(false); // no goodbye: the broker publishes the will
        if (err instanceof FeedError) throw new CliError(`bad feed: ${err.message}`);
        throw err;
      }
    }
    await board.stop();
    return 0;
  } finally {
    stop.dispose();
  }
}

/** SIGINT or SIGTERM, listened for from before the board connects so none is missed. */
function stopSignal(onSignal: () => void = () => {}) {
  let resolve!: () => void;
  const state = {
    received: false,
    signalled: new Promise<void>((r) => (resolve = r)),
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
  const handler = () => {
    state.received = true;
    onSignal();
    resolve();
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return state;
}

/** A broker that cannot be reached is most often a wrong --broker: say so without a stack trace. */
async function connecting<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (err instanceof BrokerConnectError) throw new CliError(err.message);
    throw err;
  }
}

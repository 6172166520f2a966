// `pitwall start`: the main job. Until the simulator and the race-control gateway
// exist it starts the embedded broker, a loop board running the real firmware, and a
// monitor that decodes and prints every message on the site's topics.
import mqtt from 'mqtt';
import { startEmbeddedBroker } from '../broker.js';
import { BoardLink } from '../../sim-hardware/board-link.js';
import { systemClock } from '../../sim-hardware/board-host.js';
import { describeMessage } from './describe.js';
import { siteFilter } from '../../protocol/topics.js';
import { intOption, parseOptions, type Subcommand } from './cli-support.js';

export const startCommand: Subcommand = {
  name: 'start',
  summary: 'start the embedded broker and a loop board, and show what they say',
  help: `Usage: pitwall start [--port N] [--site ID] [--board ID]

Starts the embedded MQTT broker (Aedes), a loop board running the real firmware
image (build/firmware/loop.wasm) connected to it, and a monitor that prints every
message published on the site's topics, decoded. Ctrl-C stops everything; the
board publishes its death before it goes.

Options:
  --port N     broker port (default 1883; a free port when 1883 is taken)
  --site ID    site id in the topics (default demo)
  --board ID   the loop board's id (default loop-sf)`,
  async run(argv) {
    const { values } = parseOptions(argv, {
      port: { type: 'string' },
      site: { type: 'string', default: 'demo' },
      board: { type: 'string', default: 'loop-sf' },
    });
    const port = intOption(values.port, 'port', 0, 65535);
    const broker = await startEmbeddedBroker({ port: port ?? 1883, fallbackToFreePort: port === undefined });
    say(`embedded MQTT broker listening on ${broker.url}`);

    const monitor = mqtt.connect(broker.url, { clientId: `pitwall-monitor-${process.pid}` });
    await monitor.subscribeAsync(siteFilter(values.site), { qos: 1 });
    monitor.on('message', (topic, payload) => say(describeMessage(topic, payload)));
    say(`monitor subscribed to ${siteFilter(values.site)}`);

    const board = await BoardLink.start({
      kind: 'loop',
      id: values.board,
      site: values.site,
      broker: broker.url,
      clock: systemClock(),
      log: (level, text) => say(`[${values.board}] ${level}: ${text}`),
    });
    say(`loop board ${values.board} (boot ${board.board.boot}) is up: birth on connect, health every second. Ctrl-C stops.`);

    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    say('stopping: the board publishes its death, then the broker closes');
    await board.stop(true);
    await new Promise((r) => setTimeout(r, 100)); // let the monitor print the death
    await monitor.endAsync();
    await broker.close();
    return 0;
  },
};

function say(line: string): void {
  console.log(`${new Date().toISOString().slice(11, 23)}  ${line}`);
}

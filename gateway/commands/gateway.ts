// `pitwall gateway`: race control's gateway on a broker (or the embedded one), with its
// event log and API, until Ctrl-C.
import { isValidSiteId } from '../../protocol/topics.js';
import { Gateway } from '../gateway.js';
import { CliError, intOption, isBrokerUrl, parseOptions, type Subcommand } from './cli-support.js';
import { readFileSync } from 'node:fs';
import { validateSetup, SetupError } from '../event-setup.js';

export const gatewayCommand: Subcommand = {
  name: 'gateway',
  summary: 'race control: ingest the boards, keep the event log, score the race, serve the API',
  help: `Usage: pitwall gateway [--broker URL] [--db FILE] [--http PORT] [--site ID] [--event FILE]

Connects to the broker (MQTT 3.1.1 or 5) or, without --broker, starts the embedded
one; subscribes to the site's boards; checks every message and puts every reject in
quarantine with its reason and bytes; appends every accepted message to the event log
(SQLite, WAL) before applying it; asks boards to re-send what it missed and checks their
clocks; republishes race control's state for the boards (control/state) and the live
feed (live/state, live/events); serves the HTTP API and the WebSocket live feed.

Options:
  --broker URL    MQTT broker (mqtt://host:port); default: start the embedded broker
  --broker-port N port for the embedded broker (default: a free port)
  --db FILE       event log (default pitwall-events.db); an existing log is replayed first
  --http PORT     API port (default 8080; 0 picks a free one)
  --site ID       site id in the topics (default demo)
  --event FILE    log this event set-up (gateway/event-setup.ts) at start
  --mqtt 3.1.1|5   MQTT protocol version (default 3.1.1)
  --username U, --password P   broker login

Ctrl-C stops it.`,
  async run(argv) {
    const { values } = parseOptions(argv, {
      broker: { type: 'string' },
      'broker-port': { type: 'string' },
      db: { type: 'string', default: 'pitwall-events.db' },
      http: { type: 'string', default: '8080' },
      site: { type: 'string', default: 'demo' },
      event: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      mqtt: { type: 'string', default: '3.1.1' },
    });
    if (values.mqtt !== '3.1.1' && values.mqtt !== '5') throw new CliError(`--mqtt must be 3.1.1 or 5, not '${values.mqtt}'`);
    if (!isValidSiteId(values.site)) throw new CliError(`--site '${values.site}' is not a valid site id`);
    if (values.broker && !isBrokerUrl(values.broker)) throw new CliError(`--broker must be a URL such as mqtt://127.0.0.1:1883, not '${values.broker}'`);
    const http = intOption(values.http, 'http', 0, 65535)!;
    const brokerPort = intOption(values['broker-port'], 'broker-port', 0, 65535);
    let setup;
    if (values.event) {
      try {
        setup = validateSetup(JSON.parse(readFileSync(values.event, 'utf8')));
      } catch (e) {
        if (e instanceof SetupError || e instanceof SyntaxError || (e as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`${values.event}: ${(e as Error).message}`);
        throw e;
      }
    }
    const gw = await Gateway.start({
      broker: values.broker,
      brokerPort,
      db: values.db,
      site: values.site,
      http,
      username: values.username,
      password: values.password,
      protocolVersion: values.mqtt === '5' ? 5 : 4,
    });
    if (setup) gw.raceControl({ action: 'event-setup', setup });
    console.log(`pitwall gateway: broker ${gw.brokerUrl}, site ${values.site}, event log ${values.db}`);
    console.log(`pitwall gateway: API ${gw.apiUrl}/api (live feed: ws${gw.apiUrl!.slice(4)}/api/live)`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await gw.stop();
    console.log('pitwall gateway: stopped');
    return 0;
  },
};

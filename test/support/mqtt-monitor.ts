// An embedded broker of the test's own (a free loopback port) and a monitor that
// records every message on a site's topics as race control would see it.
import mqtt, { type MqttClient } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../gateway/broker.js';
import { encode } from '../../protocol/codec.js';
import type { Command } from '../../protocol/schema.js';
import { boardTopic, parseTopic, TOPIC_ROOT } from '../../protocol/topics.js';

export interface Seen {
  site: string;
  board: string;
  channel: 'birth' | 'evt' | 'death' | 'cmd';
  bytes: Uint8Array;
}

export class Monitor {
  readonly seen: Seen[] = [];
  private constructor(private readonly client: MqttClient) {}

  /** Subscribes to everything under `pitwall/v1/` of the broker. */
  static async start(url: string): Promise<Monitor> {
    const client = mqtt.connect(url, { clientId: `monitor-${process.pid}-${Math.random().toString(36).slice(2)}` });
    const monitor = new Monitor(client);
    client.on('message', (topic, payload) => {
      const t = parseTopic(topic);
      if (t.board === undefined) return;
      monitor.seen.push({ site: t.site, board: t.board, channel: t.channel as Seen['channel'], bytes: new Uint8Array(payload) });
    });
    await client.subscribeAsync(`${TOPIC_ROOT}/#`, { qos: 1 });
    return monitor;
  }

  /** What one board of a site said, in arrival order, optionally on one channel. */
  of(site: string, board: string, channel?: Seen['channel']): Seen[] {
    return this.seen.filter((s) => s.site === site && s.board === board && (channel === undefined || s.channel === channel));
  }

  /** Polls until `ready()` holds; fails naming `what` after `timeoutMs`. */
  async waitFor(what: string, ready: () => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Publishes a command to a board, as race control does. */
  async command(site: string, command: Command): Promise<void> {
    await this.client.publishAsync(boardTopic(site, command.board, 'cmd'), Buffer.from(encode('command', command)), { qos: 1 });
  }

  stop(): Promise<void> {
    return this.client.endAsync();
  }
}

export async function startBrokerAndMonitor(): Promise<{ broker: EmbeddedBroker; monitor: Monitor; stop(): Promise<void> }> {
  const broker = await startEmbeddedBroker({ port: 0 });
  const monitor = await Monitor.start(broker.url);
  return {
    broker,
    monitor,
    async stop() {
      await monitor.stop();
      await broker.close();
    },
  };
}

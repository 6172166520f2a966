// Wires a hosted board to an MQTT broker the way a board's network stack would:
// its death as the will, birth and events on its topics, commands and race-control
// state delivered to the board, link up/down reported to it.
import mqtt, { type MqttClient } from 'mqtt';
import { boardTopic, controlTopic } from '../protocol/topics.js';
import { BoardHost, type BoardHostOptions, type ChannelName } from './board-host.js';

export interface BoardLinkOptions extends Omit<BoardHostOptions, 'publish'> {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  broker: string;
  site: string;
  /** How often the board's `tick` runs, ms of wall time. */
  tickMs?: number;
  username?: string;
  password?: string;
}

const RETAINED: Readonly<Record<ChannelName, boolean>> = { birth: true, death: true, evt: false, will: true };

export class BoardLink {
  readonly board: BoardHost;
  private readonly client: MqttClient;
  private readonly timer: NodeJS.Timeout;
  private readonly opts: BoardLinkOptions;

  private constructor(opts: BoardLinkOptions, board: BoardHost, client: MqttClient) {
    this.opts = opts;
    this.board = board;
    this.client = client;
    this.timer = setInterval(() => this.safely(() => board.tick()), opts.tickMs ?? 10);
  }

  /** Starts the board and connects it; resolves once the board has been told the link is up. */
  static async start(opts: BoardLinkOptions): Promise<BoardLink> {
    let client: MqttClient | undefined;
    const board = BoardHost.create({
      ...opts,
      publish: (channel, bytes, qos) => {
        if (!client?.connected) return false;
        client.publish(boardTopic(opts.site, opts.id, channel === 'will' ? 'death' : channel), Buffer.from(bytes), {
          qos: qos === 0 ? 0 : 1,
          retain: RETAINED[channel],
        });
        return true;
      },
    });
    if (!board.will) throw new Error(`board ${opts.id} gave no death message for its will`);
    client = mqtt.connect(opts.broker, {
      clientId: `pitwall-${opts.site}-${opts.id}`,
      username: opts.username,
      password: opts.password,
      clean: true,
      reconnectPeriod: 1000,
      will: { topic: boardTopic(opts.site, opts.id, 'death'), payload: Buffer.from(board.will), qos: 1, retain: true },
    });
    const link = new BoardLink(opts, board, client);
    client.on('message', (topic, payload) => link.deliver(topic, payload));
    client.on('close', () => link.safely(() => board.link(false)));
    client.on('error', (err) => opts.log?.('warning', `broker: ${err.message}`));
    // Every (re)connect starts a clean session: subscribe again, then tell the board.
    const topics = [boardTopic(opts.site, opts.id, 'cmd'), controlTopic(opts.site, 'state')];
    await new Promise<void>((resolve, reject) => {
      client!.once('error', reject);
      client!.on('connect', () => {
        client!.subscribe(topics, { qos: 1 }, (err) => {
          if (err) return reject(err);
          client!.off('error', reject);
          link.safely(() => board.link(true));
          resolve();
        });
      });
    });
    return link;
  }

  private deliver(topic: string, payload: Buffer): void {
    this.safely(() => {
      if (topic === controlTopic(this.opts.site, 'state')) this.board.control(payload);
      else if (this.board.command(payload) === 1) this.opts.log?.('info', 'reboot requested by race control');
    });
  }

  /** A board that aborted stays down, as a crashed board would; its will tells race control. */
  private safely(fn: () => void): void {
    if (this.board.crashed) return;
    try {
      fn();
    } catch (err) {
      this.opts.log?.('error', `board stopped: ${(err as Error).message}`);
      this.client.stream?.destroy();
    }
  }

  /**
   * Stops the board. Graceful: publishes the death and disconnects; otherwise the
   * connection is cut and the broker publishes the will, as after a power loss.
   */
  async stop(graceful = true): Promise<void> {
    clearInterval(this.timer);
    if (graceful && this.client.connected && this.board.will) {
      await this.client.publishAsync(boardTopic(this.opts.site, this.opts.id, 'death'), Buffer.from(this.board.will), {
        qos: 1,
        retain: true,
      });
      await this.client.endAsync();
    } else {
      this.client.stream?.destroy();
      await this.client.endAsync(true);
    }
  }
}

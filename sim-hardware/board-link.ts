// A board living in real time on an MQTT broker (`npm start`, `pitwall board` without
// a feed): the hosted board of mqtt-board.ts, reading a live clock and ticked by a
// timer instead of by a driver.
import { type BoardHost, type BoardHostOptions } from './board-host.js';
import { MqttBoard, randomBoot } from './mqtt-board.js';

export interface BoardLinkOptions extends Omit<BoardHostOptions, 'publish'> {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  broker: string;
  site: string;
  /** How often the board's `tick` runs, ms of wall time. */
  tickMs?: number;
  username?: string;
  password?: string;
}

export class BoardLink {
  private readonly mqttBoard: MqttBoard;
  private readonly timer: NodeJS.Timeout;

  private constructor(mqttBoard: MqttBoard, tickMs: number) {
    this.mqttBoard = mqttBoard;
    this.timer = setInterval(() => mqttBoard.tick(), tickMs);
  }

  /** Starts the board and connects it; resolves once the board has been told the link is up. */
  static async start(opts: BoardLinkOptions): Promise<BoardLink> {
    const board = await MqttBoard.start({
      kind: opts.kind,
      id: opts.id,
      site: opts.site,
      broker: opts.broker,
      boot: opts.boot ?? randomBoot(),
      startClockUs: 0n,
      liveClock: opts.clock,
      username: opts.username,
      password: opts.password,
      log: opts.log,
      wasmFile: opts.wasmFile,
    });
    return new BoardLink(board, opts.tickMs ?? 10);
  }

  /** The hosted board now (a reboot race control asks for replaces it). */
  get board(): BoardHost {
    return this.mqttBoard.host;
  }

  /**
   * Stops the board. Graceful: publishes the death and disconnects; otherwise the
   * connection is cut and the broker publishes the will, as after a power loss.
   */
  async stop(graceful = true): Promise<void> {
    clearInterval(this.timer);
    await this.mqttBoard.stop(graceful);
  }
}

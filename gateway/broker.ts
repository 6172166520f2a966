// The embedded MQTT broker (Aedes), started when race control is given no broker URL.
import net from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  /** mqtt:// URL clients connect to. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Listen address; loopback unless the boards are on another machine. */
  host?: string;
  /** When the port is taken, take a free one instead of failing. */
  fallbackToFreePort?: boolean;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker();
  const server = net.createServer(aedes.handle);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server, opts.port ?? 0, host).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' && opts.fallbackToFreePort) return listen(server, 0, host);
    throw err;
  });
  return {
    url: `mqtt://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => aedes.close(() => resolve()));
      }),
  };
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

// Race control's HTTP API, live WebSocket feed and web page. Reads: the race state,
// lap times, results (JSON or CSV), boards, quarantine. Writes are race control's
// actions (event set-up, flags, pit road), which go through the event log like
// everything else. The live feed pushes every accepted board event as it is applied
// and the state at most every STATE_PUSH_MS (gateway.ts). The race-control page
// (gateway/web/, WEB.md) is served from a fixed list of files and the compiled page
// modules by a strict name, nothing else.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { repoPath } from '../protocol/repo-root.js';
import { FLAG_NAMES, ROUND_CALLS, type Action, type FlagName } from './log-entry.js';

/** One message of the live feed (WebSocket, and the live MQTT topics). */
export type LiveMessage = { type: 'event'; event: Record<string, unknown> } | { type: 'state'; state: unknown } | { type: 'action'; action: Action; atUs: number };

export interface ApiBackend {
  state(): unknown;
  /** Each truck's lap times (race-state.ts laps()); `car` picks one. */
  laps(car?: string): unknown;
  results(): unknown;
  resultsCsv(): string;
  boards(): unknown;
  quarantine(limit: number, offset: number): unknown;
  /** Pit road officiating: every visit, the proposals, penalties, damaged vehicles. */
  officiating(): unknown;
  /** Logs and applies a race-control action; throws ApiError (or a SetupError) for bad input. */
  raceControl(action: Action): void;
  /** Subscribes to the live feed; returns the unsubscribe. */
  onLive(listener: (message: LiveMessage) => void): () => void;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 1 << 20;

export interface ApiServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startApi(backend: ApiBackend, opts: { port?: number; host?: string } = {}): Promise<ApiServer> {
  const server: Server = createServer((req, res) => {
    handle(backend, req, res).catch((err: unknown) => {
      const status = err instanceof ApiError ? err.status : err instanceof Error && err.name === 'SetupError' ? 400 : 500;
      send(res, status, { error: err instanceof Error ? err.message : String(err) });
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/api/live') {
      socket.destroy();
      return;
    }
    // ?events=0: the states and actions only (the web page shows the state, not every board event).
    const events = new URL(req.url ?? '/', 'http://x').searchParams.get('events') !== '0';
    wss.handleUpgrade(req, socket, head, (ws) => live(backend, ws, events));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Each live message as JSON, written once however many clients it goes to. */
const serialized = new WeakMap<LiveMessage, string>();
/** A client with this much unsent is behind: it gets no more states until it catches up (the next one supersedes them). */
const BEHIND_BYTES = 1 << 20;

function serialize(m: LiveMessage): string {
  let text = serialized.get(m);
  if (text === undefined) serialized.set(m, (text = JSON.stringify(m)));
  return text;
}

function live(backend: ApiBackend, ws: WebSocket, events: boolean): void {
  const off = backend.onLive((m) => {
    if (ws.readyState !== ws.OPEN || (m.type === 'event' && !events)) return;
    if (m.type === 'state' && ws.bufferedAmount > BEHIND_BYTES) return;
    ws.send(serialize(m));
  });
  ws.send(JSON.stringify({ type: 'state', state: backend.state() } satisfies LiveMessage));
  ws.on('close', off);
  ws.on('error', off);
}

// ------------------------------------------------------------------ the web page

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  map: 'application/json; charset=utf-8',
};

/** The page's fixed files: path → where it is in the repository. */
const PAGE_FILES: Record<string, string[]> = {
  '/': ['gateway', 'web', 'index.html'],
  '/index.html': ['gateway', 'web', 'index.html'],
  '/style.css': ['gateway', 'web', 'style.css'],
  '/vendor/uplot/uPlot.esm.js': ['node_modules', 'uplot', 'dist', 'uPlot.esm.js'],
  '/vendor/uplot/uPlot.min.css': ['node_modules', 'uplot', 'dist', 'uPlot.min.css'],
};

/** The page's modules, compiled from gateway/web/*.ts: a bare lowercase name, nothing that could name another directory. */
const APP_MODULE = /^\/app\/([a-z][a-z0-9-]{0,40})\.js(\.map)?$/;

/** The repository file a page path names, or null (404). */
export function pageFile(pathname: string): string[] | null {
  if (Object.hasOwn(PAGE_FILES, pathname)) return PAGE_FILES[pathname]!;
  const m = APP_MODULE.exec(pathname);
  return m ? ['dist', 'gateway', 'web', `${m[1]}.js${m[2] ?? ''}`] : null;
}

async function sendPage(res: ServerResponse, parts: string[]): Promise<void> {
  const name = parts[parts.length - 1]!;
  const type = TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
  let bytes: Buffer;
  try {
    bytes = await readFile(repoPath(...parts));
  } catch {
    throw new ApiError(404, `${parts.join('/')} not found (is the page built? npm run build)`);
  }
  if (res.headersSent) return;
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  res.end(bytes);
}

async function handle(backend: ApiBackend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const route = `${req.method} ${url.pathname}`;
  if (req.method === 'GET' && !url.pathname.startsWith('/api')) {
    const file = pageFile(url.pathname);
    if (file) return sendPage(res, file);
  }
  switch (route) {
    case 'GET /api':
      return send(res, 200, {
        endpoints: {
          'GET /': 'the race-control web page (gateway/WEB.md); its modules under /app/, styles /style.css, uPlot under /vendor/uplot/',
          'GET /api/state': 'race state: running order, timing board (lap times, gaps, pit stops, penalties), flags, pit road',
          'GET /api/laps?car=': "each truck's lap times (s), laps completed by inferred crossings",
          'GET /api/results?format=json|csv': 'results',
          'GET /api/boards': 'boards: online, boot, sequence gaps, clock offset, outbox, quarantine counts',
          'GET /api/quarantine?limit=&offset=': 'rejected messages with their reasons',
          'POST /api/setup': 'event set-up (JSON)',
          'POST /api/flag': '{ "flag": "green|yellow|red|white|checkered" }',
          'POST /api/pit-road': '{ "open": true|false }',
          'GET /api/officiating': 'pit road timeline per car, proposals with evidence, penalties, damaged vehicles',
          'POST /api/decision': '{ "proposal": id, "decision": "confirm|dismiss", "who": official, "why": reason } (R-PEN-3)',
          'POST /api/damaged': '{ "car": "98", "damaged": true|false, "who": official, "why"?: text } (R-PIT-DAMAGE-1)',
          'POST /api/release': '{ "car": "98", "who": official }: releases a stop-and-go (R-PEN-1)',
          'POST /api/qualifying-round': '{ "round": 1, "call": "start|red|green|end" } (R-QUAL-3/4)',
          'GET /api/live (WebSocket)': 'live feed: every board event, the state (at most every 50 ms), actions; ?events=0: without the board events',
        },
      });
    case 'GET /api/state':
      return send(res, 200, backend.state());
    case 'GET /api/laps': {
      const car = url.searchParams.get('car');
      return send(res, 200, { cars: backend.laps(car ?? undefined) });
    }
    case 'GET /api/results': {
      const format = url.searchParams.get('format') ?? 'json';
      if (format === 'csv') return sendText(res, 200, backend.resultsCsv(), 'text/csv; charset=utf-8');
      if (format !== 'json') throw new ApiError(400, `format must be json or csv, not '${format}'`);
      return send(res, 200, backend.results());
    }
    case 'GET /api/boards':
      return send(res, 200, backend.boards());
    case 'GET /api/quarantine': {
      const limit = intParam(url, 'limit', 100, 1, 10_000);
      const offset = intParam(url, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
      return send(res, 200, backend.quarantine(limit, offset));
    }
    case 'POST /api/setup': {
      backend.raceControl({ action: 'event-setup', setup: (await body(req)) as never });
      return send(res, 200, { ok: true });
    }
    case 'POST /api/flag': {
      // `?? {}`: a JSON null body is a bad request (400), not a TypeError (500).
      const b = ((await body(req)) ?? {}) as { flag?: unknown };
      if (!FLAG_NAMES.includes(b.flag as FlagName)) throw new ApiError(400, `flag must be one of ${FLAG_NAMES.join(', ')}`);
      backend.raceControl({ action: 'flag', flag: b.flag as FlagName });
      return send(res, 200, { ok: true });
    }
    case 'POST /api/pit-road': {
      const b = ((await body(req)) ?? {}) as { open?: unknown; why?: unknown };
      if (typeof b.open !== 'boolean') throw new ApiError(400, 'open must be true or false');
      backend.raceControl({ action: 'pit-road', open: b.open, ...(typeof b.why === 'string' ? { why: b.why } : {}) });
      return send(res, 200, { ok: true });
    }
    case 'GET /api/officiating':
      return send(res, 200, backend.officiating());
    case 'POST /api/decision': {
      const b = object(await body(req));
      const decision = b.decision === 'confirm' || b.decision === 'dismiss' ? b.decision : fail('decision must be confirm or dismiss');
      const why = b.why === undefined && decision === 'confirm' ? '' : text(b.why, 'why', 500);
      // R-PEN-3: an infraction not assessed is found insubstantial or inconclusive, and the official says which.
      if (decision === 'dismiss' && why.trim() === '') fail('why must say why the call is dismissed');
      backend.raceControl({ action: 'decision', proposal: text(b.proposal, 'proposal', 200), decision, who: text(b.who, 'who', 64), why });
      return send(res, 200, { ok: true });
    }
    case 'POST /api/damaged': {
      const b = object(await body(req));
      if (typeof b.damaged !== 'boolean') fail('damaged must be true or false');
      backend.raceControl({ action: 'damaged', car: text(b.car, 'car', 8), damaged: b.damaged as boolean, who: text(b.who, 'who', 64), ...(b.why !== undefined ? { why: text(b.why, 'why', 500) } : {}) });
      return send(res, 200, { ok: true });
    }
    case 'POST /api/release': {
      const b = object(await body(req));
      backend.raceControl({ action: 'release', car: text(b.car, 'car', 8), who: text(b.who, 'who', 64) });
      return send(res, 200, { ok: true });
    }
    case 'POST /api/qualifying-round': {
      const b = object(await body(req));
      const round = b.round;
      if (typeof round !== 'number' || !Number.isInteger(round) || round < 1 || round > 10) fail('round must be a whole number from 1 to 10');
      if (!ROUND_CALLS.includes(b.call as (typeof ROUND_CALLS)[number])) fail(`call must be one of ${ROUND_CALLS.join(', ')}`);
      backend.raceControl({ action: 'qualifying-round', round: round as number, call: b.call as (typeof ROUND_CALLS)[number] });
      return send(res, 200, { ok: true });
    }
    default:
      throw new ApiError(404, `no route ${route}`);
  }
}

function fail(message: string): never {
  throw new ApiError(400, message);
}

function object(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('body must be a JSON object');
  return v as Record<string, unknown>;
}

function text(v: unknown, name: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) fail(`${name} must be a non-empty string of at most ${max} characters`);
  return v as string;
}

function intParam(url: URL, name: string, dflt: number, min: number, max: number): number {
  const v = url.searchParams.get(name);
  if (v === null) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ApiError(400, `${name} must be a whole number from ${min} to ${max}`);
  return n;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, `body over ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new ApiError(400, `body is not JSON: ${(e as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  sendText(res, status, JSON.stringify(value), 'application/json');
}

function sendText(res: ServerResponse, status: number, text: string, type: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

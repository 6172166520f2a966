// The race-control page as the gateway serves it (api.ts): the page, its stylesheet,
// its compiled modules (dist/gateway/web, `npm run build`) and uPlot from node_modules,
// each with its content type; anything else under those paths is a 404, however the
// path tries to climb out (raw request paths, not normalised by a client).
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoPath } from '../../protocol/repo-root.js';
import { directGateway, type FedGateway } from '../support/gateway-feed.js';

let fed: FedGateway;
let port: number;

beforeAll(async () => {
  fed = await directGateway({ db: ':memory:', http: 0 });
  port = Number(new URL(fed.gw.apiUrl!).port);
});
afterAll(async () => {
  await fed?.gw.stop();
});

/** A GET with the path exactly as given (fetch would normalise `..` away before sending). */
function rawGet(path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the page and its files', () => {
  test('GET / is the page, with the landmarks the browser test looks for', async () => {
    const r = await rawGet('/');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/html; charset=utf-8');
    for (const name of ['Leaderboard', 'Pit road', 'Proposals', 'Race control', 'Boards', 'Charts', 'Results']) expect(r.body).toContain(`aria-label="${name}"`);
    expect(r.body).toContain('src="/app/main.js"');
    expect(r.body).toContain('"uplot": "/vendor/uplot/uPlot.esm.js"');
  });

  test('the stylesheet and uPlot', async () => {
    expect((await rawGet('/style.css')).type).toBe('text/css; charset=utf-8');
    const esm = await rawGet('/vendor/uplot/uPlot.esm.js');
    expect([esm.status, esm.type]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(esm.body).toContain('export');
    const css = await rawGet('/vendor/uplot/uPlot.min.css');
    expect([css.status, css.type]).toEqual([200, 'text/css; charset=utf-8']);
  });

  test('the compiled modules and their source maps (npm run build)', async () => {
    expect(existsSync(repoPath('dist', 'gateway', 'web', 'main.js')), 'dist/gateway/web/main.js: run npm run build').toBe(true);
    for (const name of ['main', 'leaderboard', 'pit-road', 'proposals', 'race-control', 'boards', 'charts', 'results', 'live', 'dom', 'http']) {
      const js = await rawGet(`/app/${name}.js`);
      expect([name, js.status, js.type]).toEqual([name, 200, 'text/javascript; charset=utf-8']);
    }
    const map = await rawGet('/app/main.js.map');
    expect([map.status, map.type]).toEqual([200, 'application/json; charset=utf-8']);
    expect(JSON.parse(map.body).version).toBe(3);
  });

  test.each([
    '/app/../../package.json',
    '/app/%2e%2e/%2e%2e/package.json',
    '/app/%2e%2e%2f%2e%2e%2fpackage.json',
    '/app/..%2f..%2fpackage.json',
    '/app/..%5c..%5cpackage.json',
    '/app/main.ts',
    '/app/Main.js',
    '/app/main.js/',
    '/app/',
    '/app/nope.js',
    '/app/.js',
    '/app/main.js%00.txt',
    '/vendor/uplot/uPlot.d.ts',
    '/vendor/uplot/../../package.json',
    '/vendor/../package.json',
    '/style.css/../package.json',
    '/package.json',
    '/gateway/web/index.html',
    '/dist/gateway/web/main.js',
    '//etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
  ])('GET %s: 404', async (path) => {
    const r = await rawGet(path);
    expect(r.status).toBe(404);
    expect(r.type).toBe('application/json');
    expect(r.body).not.toContain('"name": "pitwall"');
  });

  test('only GET serves the page', async () => {
    expect((await rawGet('/', 'POST')).status).toBe(404);
    expect((await rawGet('/style.css', 'DELETE')).status).toBe(404);
  });

  test('GET /api lists the page and the new routes', async () => {
    const r = await rawGet('/api');
    expect(r.type).toBe('application/json');
    const endpoints = Object.keys(JSON.parse(r.body).endpoints);
    expect(endpoints).toEqual(expect.arrayContaining(['GET /', 'GET /api/state', 'GET /api/laps?car=', 'GET /api/live (WebSocket)']));
  });
});

// The race-control page in a real browser (Debian Chromium through playwright-core,
// headless): the gateway with its embedded broker and API on free loopback ports, the
// simulator as its own process running 36 trucks at 20× real time. The page shows the
// field moving; the gateway proposes a speeding call for the truck that sped on pit road
// under green; an official confirms it on the page and the penalty shows on the
// leaderboard. Then: a dismissal without a reason is refused with the API's message on
// the call and changes nothing (the race has no second call); the speeding visit's
// "Chart" button draws its segment speeds in "Charts"; the Boards table has every board
// of the track, online; last, "Yellow" shows in the header and closes pit road
// (R-PIT-OPEN-1). The page's update rate at 20× is measured and reported against the
// target (≥ 10 updates/s without falling behind), and kept in
// test-artifacts/web-update-rate.json; a figure, not an assertion. Screenshot:
// test-artifacts/web-page.png. Needs dist/ (`npm run build`) for the simulator process.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../protocol/repo-root.js';
import { table } from '../bench/table.js';
import { percentile } from '../support/loop-run.js';
import { systemTool } from '../support/system-tools.js';
import { startWebRace, SPEEDING_CAR, SPEEDING_MPH, type WebRace } from '../support/web-race.js';
import {
  cellText,
  COLUMNS,
  confirmProposal,
  installHelpers,
  launchChromium,
  leaderboardHeaders,
  proposalItem,
  RACE_CONTROL_BUTTONS,
  REGIONS,
  VIEWPORT,
  waitForCell,
  waitForField,
  waitForProposal,
  type PitwallPage,
} from '../support/web-page.js';

const chromium = systemTool('chromium', 'chromium');
const SPEED = 20;
/** Wall time the update rate is sampled over (s). */
const SAMPLE_S = 10;
/** The target: updates per second at 20× with 36 trucks. */
const TARGET_UPDATES_PER_S = 10;
/**
 * "Without falling behind": at 10 updates/s a state arrives every 100 ms; a page that
 * keeps up has drawn each state before the next one comes, so its lag stays under one
 * update interval. p95, so one slow frame (a GC pause, the screenshot) is not the figure.
 */
const LAG_P95_BOUND_MS = 1000 / TARGET_UPDATES_PER_S;
const SCREENSHOT = repoPath('test-artifacts', 'web-page.png');
/** What the page showed when the test failed. */
const FAILED_SCREENSHOT = repoPath('test-artifacts', 'web-page-failed.png');

interface Sample {
  t: number;
  updates: number;
  lagMs: number;
}

describe.skipIf(!chromium.path)('race-control page in Chromium', () => {
  let dir: string;
  let race: WebRace | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pitwall-web-'));
    browser = await launchChromium(chromium.path!);
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await installHelpers(page);
  });
  afterAll(async () => {
    await browser?.close();
    await race?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the field moving, a speeding proposal confirmed becomes a penalty on the leaderboard, a reasonless dismissal refused, the visit charted, boards online, a yellow closing pit road; update rate at 20×', async () => {
    try {
      await run();
    } catch (e) {
      mkdirSync(repoPath('test-artifacts'), { recursive: true });
      await page.screenshot({ path: FAILED_SCREENSHOT, fullPage: true }).catch(() => {});
      console.error(`page when the test failed: ${FAILED_SCREENSHOT}; errors in the page: ${JSON.stringify(pageErrors)}`);
      throw e;
    }
  }, 80_000);

  async function run(): Promise<void> {
    race = await startWebRace({ dir, speed: SPEED });
    const trucks = race.plan.scenario.field.length;
    expect(trucks).toBe(36);
    await page.goto(race.url);

    // The page's regions and controls, by their accessible names.
    for (const name of REGIONS) expect(await page.locator(`[aria-label="${name}"]`).count(), `region "${name}"`).toBeGreaterThan(0);
    const raceControl = page.locator('[aria-label="Race control"]');
    for (const name of RACE_CONTROL_BUTTONS) expect(await raceControl.getByRole('button', { name, exact: true }).count(), `button "${name}"`).toBe(1);
    await waitForField(page, trucks);
    expect(await leaderboardHeaders(page)).toEqual([...COLUMNS]);

    // The field moves: the first truck on the grid completes laps.
    const car = race.plan.scenario.field[0]!.car;
    const lapsBefore = Number.parseFloat((await cellText(page, car, 'Laps')) ?? '') || 0;
    await waitForCell(page, car, 'Laps', { above: lapsBefore }, 15_000);

    // The update rate, sampled in the page every 100 ms while the rest goes on.
    const raceUs0 = race.raceUs();
    const wall0 = performance.now();
    let gatewayStates = 0;
    const offStates = race.gateway.onLive((m) => {
      if (m.type === 'state') gatewayStates++;
    });
    await page.evaluate(() => {
      const w = window as unknown as { pitwallPage?: PitwallPage; samples: Sample[]; sampler: number };
      w.samples = [];
      w.sampler = window.setInterval(() => {
        const p = w.pitwallPage;
        if (p) w.samples.push({ t: performance.now(), updates: p.updates, lagMs: p.lagMs });
      }, 100);
    });

    // The speeding stop: proposed by the gateway, shown in the queue, confirmed by an official.
    const id = await waitForProposal(race, SPEEDING_CAR, 'speeding', 20_000);
    const proposedAt = performance.now();
    const item = proposalItem(page, id);
    await item.waitFor({ timeout: 10_000 });
    const shownMs = performance.now() - proposedAt;
    expect(await item.getAttribute('data-status')).toBe('proposed');
    expect(await item.getAttribute('data-confidence')).toBe('certain');
    await confirmProposal(page, id, 'J. Steward', `${SPEEDING_MPH} mph in segment 2, confirmed on video`);
    await proposalItem(page, id).and(page.locator('[data-status="confirmed"]')).waitFor({ timeout: 10_000 });
    const decided = race.gateway.officiating() as { penalties: Array<{ car: string; penalty: string }> };
    expect(decided.penalties.filter((p) => p.car === SPEEDING_CAR).map((p) => p.penalty)).toEqual(['pass-through']);
    const penalties = await waitForCell(page, SPEEDING_CAR, 'Penalties', { contains: 'pass-through' }, 10_000);
    expect(penalties).toContain('pass-through');

    // Results export.
    for (const name of ['results.json', 'results.csv']) {
      const href = await page.locator('[aria-label="Results"]').getByRole('link', { name, exact: true }).getAttribute('href');
      expect(href, `link "${name}"`).toBeTruthy();
      const res = await fetch(new URL(href!, race.url));
      expect(res.status, name).toBe(200);
      expect((await res.text()).length, name).toBeGreaterThan(0);
    }

    // Dismiss without a reason: the race has no other call to dismiss, so the confirmed one
    // is dismissed with the Reason left empty. The API refuses; its message shows on the
    // call and nothing changes.
    const official = race.gateway.officiating() as { proposals: Array<{ id: string; status: string; visit: string }>; penalties: unknown[] };
    expect(official.proposals.map((p) => [p.id, p.status]), 'the race offers one call').toEqual([[id, 'confirmed']]);
    const decidedItem = proposalItem(page, id);
    await decidedItem.getByLabel('Reason', { exact: true }).fill('');
    await decidedItem.getByRole('button', { name: 'Dismiss', exact: true }).click();
    const refusal = decidedItem.getByRole('alert');
    await expectText(refusal, /^why must /, 10_000);
    expect(await decidedItem.getAttribute('data-status')).toBe('confirmed');
    const after = race.gateway.officiating() as typeof official;
    expect(after.proposals.map((p) => [p.id, p.status])).toEqual([[id, 'confirmed']]);
    expect(after.penalties).toEqual(official.penalties);
    expect(await cellText(page, SPEEDING_CAR, 'Penalties')).toContain('pass-through');

    // The speeding visit's segment speeds charted: its "Chart" button under "Pit road", then
    // a uPlot canvas in "Charts" named with the speeds the visit shows.
    const visitId = official.proposals[0]!.visit;
    const visit = page.locator(`[aria-label="Pit road"] li[data-visit="${visitId}"]`);
    await visit.waitFor({ timeout: 10_000 });
    const shownSpeeds = (await visit.locator('.speed').allTextContents()).map((t) => t.trim());
    const overSpeed = (await visit.locator('.speed.over').allTextContents()).map((t) => t.trim());
    expect(overSpeed.length, 'a segment over limit + tolerance').toBeGreaterThan(0);
    expect(Math.abs(Number.parseFloat(overSpeed[0]!) - SPEEDING_MPH)).toBeLessThan(1);
    await visit.getByRole('button', { name: `Chart segment speeds of #${SPEEDING_CAR}`, exact: true }).click();
    const charts = page.locator('[aria-label="Charts"]');
    const segmentChart = charts.getByRole('img', { name: `Pit segment speeds of #${SPEEDING_CAR}`, exact: false });
    await segmentChart.locator('canvas').first().waitFor({ timeout: 10_000 });
    const chartName = (await segmentChart.getAttribute('aria-label')) ?? '';
    for (const mph of shownSpeeds) expect(chartName, 'the chart\'s speeds').toContain(mph);
    expect(await segmentChart.locator('.uplot').count()).toBe(1);

    // Boards: one row per board of the track, all online (polled every 2 s).
    const boardIds = race.gateway.race.eventSetup()!.track.boards.map((b) => b.id).sort();
    const boardRows = page.locator('[aria-label="Boards"] table tr[data-board]');
    await page.waitForFunction(
      (n) => {
        const rows = document.querySelectorAll('[aria-label="Boards"] table tr[data-board]');
        return rows.length === n && Array.from(rows).every((r) => r.getAttribute('data-online') === 'true');
      },
      boardIds.length,
      { timeout: 10_000 },
    );
    expect((await boardRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-board')!))).sort()).toEqual(boardIds);
    const onlineCells = await boardRows.evaluateAll((rows) => rows.map((r) => (r as HTMLTableRowElement).cells[2]!.textContent));
    expect(new Set(onlineCells)).toEqual(new Set(['online']));

    mkdirSync(repoPath('test-artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The rest of the sampling window, then the figures.
    const left = SAMPLE_S * 1000 - (performance.now() - wall0);
    if (left > 0) await new Promise((r) => setTimeout(r, left + 150));
    const samples = await page.evaluate(() => {
      const w = window as unknown as { samples: Sample[]; sampler: number };
      window.clearInterval(w.sampler);
      return w.samples;
    });
    const wallS = (performance.now() - wall0) / 1000;
    const raceS = (race.raceUs() - raceUs0) / 1e6;
    offStates();
    expect(samples.length, 'window.pitwallPage samples').toBeGreaterThan(SAMPLE_S * 5);
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const spanS = (last.t - first.t) / 1000;
    const updatesPerS = (last.updates - first.updates) / spanS;
    const lags = samples.map((s) => s.lagMs).sort((a, b) => a - b);
    const lagP50 = percentile(lags, 0.5);
    const lagP95 = percentile(lags, 0.95);
    const lagMax = lags.at(-1)!;
    console.log(`\nrace-control page, ${trucks} trucks at ${SPEED}× real time (${(raceS / wallS).toFixed(1)}× achieved), sampled every 100 ms over ${spanS.toFixed(1)} s of wall time\n`);
    table(
      ['updates', 'updates/s', 'gateway states/s', 'lag p50 ms', 'lag p95 ms', 'lag max ms', 'proposal shown ms'],
      [[last.updates - first.updates, updatesPerS.toFixed(1), (gatewayStates / wallS).toFixed(1), lagP50.toFixed(0), lagP95.toFixed(0), lagMax.toFixed(0), shownMs.toFixed(0)]],
    );
    console.log(`\ntarget: ≥ ${TARGET_UPDATES_PER_S} updates/s, lag p95 < ${LAG_P95_BOUND_MS} ms; screenshot ${SCREENSHOT}\n`);
    // A measured figure, reported and kept with the artifacts, never a timed assertion
    // (a loaded machine must not fail the test): the figures are for the reader.
    writeFileSync(
      repoPath('test-artifacts', 'web-update-rate.json'),
      JSON.stringify({ trucks, speed: SPEED, achieved: raceS / wallS, wallS: spanS, updates: last.updates - first.updates, updatesPerS, gatewayStatesPerS: gatewayStates / wallS, lagMs: { p50: lagP50, p95: lagP95, max: lagMax }, proposalShownMs: shownMs, target: { updatesPerS: TARGET_UPDATES_PER_S, lagP95Ms: LAG_P95_BOUND_MS } }, null, 2) + '\n',
    );

    // Last, as it stops the race's running: a yellow from "Race control" shows in the
    // header, and pit road closes with it (a caution, R-PIT-OPEN-1).
    const flag = page.locator('[aria-label="Race control"] #flag');
    const pitRoad = page.locator('[aria-label="Race control"] #pit-road-state');
    expect(await flag.textContent()).toBe('green');
    expect(await pitRoad.textContent()).toBe('open');
    await raceControl.getByRole('button', { name: 'Yellow', exact: true }).click();
    await expectText(flag, /^yellow$/, 10_000);
    await expectText(pitRoad, /^closed$/, 10_000);
    expect(await page.locator('#pit-road-why').textContent()).toContain('R-PIT-OPEN-1');
    expect(await page.locator('#race-control-error').textContent(), 'no refusal').toBe('');
    const state = race.gateway.race.snapshot();
    expect([state.flag, state.pitRoad.open, state.pitRoad.rule]).toEqual(['yellow', false, 'R-PIT-OPEN-1']);

    expect(pageErrors, 'errors in the page').toEqual([]);
  }

  /** Waits until the element's text matches. */
  async function expectText(locator: Locator, want: RegExp, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let text: string | null = null;
    while (performance.now() < deadline) {
      text = (await locator.textContent())?.trim() ?? null;
      if (text !== null && want.test(text)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${locator.toString()}: text ${JSON.stringify(text)}, wanted ${String(want)}`);
  }
});

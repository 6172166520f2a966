// Driving the race-control page (gateway/web) in Chromium through playwright-core: the
// page's contract as the browser test and `npm run screenshot` read it — landmark
// regions by aria-label, the leaderboard's rows by data-car and columns by their
// headers, proposals by data-proposal-id, controls by their accessible names.
import { chromium, type Browser, type Page } from 'playwright-core';
import type { WebRace } from './web-race.js';

/** The page's landmark regions (aria-label). */
export const REGIONS = ['Leaderboard', 'Pit road', 'Proposals', 'Race control', 'Boards', 'Charts', 'Results'] as const;
/** The leaderboard's columns, in order. */
export const COLUMNS = ['Pos', 'Car', 'Driver', 'Laps', 'Last', 'Best', 'Gap', 'Int', 'Pit', 'Penalties', 'Status'] as const;
export const RACE_CONTROL_BUTTONS = ['Green', 'Yellow', 'Red', 'White', 'Checkered', 'Open pit road', 'Close pit road'] as const;
export const VIEWPORT = { width: 1366, height: 768 };

/** What the page keeps up to date on every render. */
export interface PitwallPage {
  /** State messages rendered so far. */
  updates: number;
  lastStateAtUs: number | null;
  /** How far behind the newest state the render is (ms). */
  lagMs: number;
}

/** Debian's Chromium, headless; as root it needs --no-sandbox. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}

/** The leaderboard's rows. */
export const ROWS = '[aria-label="Leaderboard"] table tr[data-car]';

/** Waits until the leaderboard has a row for every truck of the field. */
export async function waitForField(page: Page, trucks: number, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel as string).length === n, [ROWS, trucks] as const, { timeout: timeoutMs });
}

/** A leaderboard cell's text, the column found by its header (Pos, Car, ... Status); null without the row or column. */
export async function cellText(page: Page, car: string, column: (typeof COLUMNS)[number]): Promise<string | null> {
  return page.evaluate(([car, column]) => (window as unknown as Helpers).cellOf(car, column), [car, column] as const);
}

/** Header texts of the leaderboard table (its first row that is no truck's). */
export async function leaderboardHeaders(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as Helpers).headers());
}

/** What a cell must show: a number above `above`, or text containing `contains`. */
export type CellTest = { above: number } | { contains: string };

/** Waits until the truck's leaderboard cell passes the test; returns its text. */
export async function waitForCell(page: Page, car: string, column: (typeof COLUMNS)[number], test: CellTest, timeoutMs: number): Promise<string> {
  const handle = await page.waitForFunction(
    ([car, column, test]) => {
      const text = (window as unknown as Helpers).cellOf(car, column);
      if (text === null) return false;
      const ok = 'above' in test ? Number.parseFloat(text) > test.above : text.includes(test.contains);
      return ok ? text : false;
    },
    [car, column, test] as const,
    { timeout: timeoutMs, polling: 50 },
  );
  return (await handle.jsonValue()) as string;
}

interface Helpers {
  headers(): string[];
  cellOf(car: string, column: string): string | null;
}

/** Defines the helpers above in the page (call before page.goto). */
export async function installHelpers(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const headRow = (): Element | null => {
      const table = document.querySelector('[aria-label="Leaderboard"] table');
      return table?.querySelector('thead tr') ?? table?.querySelector('tr:not([data-car])') ?? null;
    };
    const helpers: Helpers = {
      headers: () => Array.from(headRow()?.children ?? []).map((c) => (c.textContent ?? '').trim()),
      cellOf: (car, column) => {
        const i = helpers.headers().indexOf(column);
        const row = document.querySelector(`[aria-label="Leaderboard"] table tr[data-car="${CSS.escape(car)}"]`);
        const cell = i < 0 || !row ? undefined : row.children[i];
        return cell ? (cell.textContent ?? '').trim() : null;
      },
    };
    Object.assign(window, helpers);
  });
}

/** The proposal's item in the queue. */
export function proposalItem(page: Page, id: string) {
  return page.locator(`[aria-label="Proposals"] li[data-proposal-id="${id.replace(/["\\]/g, '\\$&')}"]`);
}

/** Waits for the gateway to propose `violation` for `car`; returns the proposal's id. */
export async function waitForProposal(race: WebRace, car: string, violation: string, timeoutMs: number): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const o = race.gateway.officiating() as { proposals: Array<{ id: string; car: string; violation: string }> };
    const p = o.proposals.find((x) => x.car === car && x.violation === violation);
    if (p) return p.id;
    if (performance.now() > deadline) throw new Error(`no ${violation} proposal for car ${car} after ${timeoutMs} ms (simulator: ${race.simLog() || 'nothing on stderr'})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An official confirms the proposal on the page: their name in "Official", a reason, "Confirm". */
export async function confirmProposal(page: Page, id: string, official: string, reason: string): Promise<void> {
  const item = proposalItem(page, id);
  await item.waitFor({ timeout: 10_000 });
  await page.locator('[aria-label="Proposals"]').getByLabel('Official', { exact: true }).fill(official);
  await item.getByLabel('Reason', { exact: true }).fill(reason);
  await item.getByRole('button', { name: 'Confirm', exact: true }).click();
}

// `npm run screenshot [-- --out FILE] [--chromium PATH]`: the README's picture of the
// race-control page, at 1366×768 (the laptop the issue names) — the race of the browser
// test (36 trucks at 20×, test/support/web-race.ts) a few laps in, with the speeding
// stop's proposal confirmed, so the leaderboard shows a penalty. Default
// docs/web-page.png. Needs Chromium (Debian's /usr/bin/chromium) and dist/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoPath } from '../../protocol/repo-root.js';
import { whichSync } from '../support/system-tools.js';
import { startWebRace, SPEEDING_CAR, SPEEDING_MPH } from '../support/web-race.js';
import { confirmProposal, installHelpers, launchChromium, proposalItem, VIEWPORT, waitForCell, waitForField, waitForProposal } from '../support/web-page.js';

/** Laps the leader has run when the picture is taken. */
const LEADER_LAPS = 8;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, chromium: { type: 'string' } } });
  const out = resolve(values.out ?? repoPath('docs', 'web-page.png'));
  const executable = values.chromium ?? whichSync('chromium');
  if (!executable) throw new Error('no chromium on the PATH: apt-get install chromium (or give --chromium PATH)');
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-screenshot-'));
  const race = await startWebRace({ dir, speed: 20 });
  const browser = await launchChromium(executable);
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await installHelpers(page);
    await page.goto(race.url);
    await waitForField(page, race.plan.scenario.field.length);
    const id = await waitForProposal(race, SPEEDING_CAR, 'speeding', 30_000);
    await confirmProposal(page, id, 'J. Steward', `${SPEEDING_MPH} mph in segment 2, confirmed on video`);
    await proposalItem(page, id).and(page.locator('[data-status="confirmed"]')).waitFor({ timeout: 10_000 });
    await waitForCell(page, SPEEDING_CAR, 'Penalties', { contains: 'pass-through' }, 10_000);
    const leader = race.plan.scenario.field[0]!.car;
    await waitForCell(page, leader, 'Laps', { above: LEADER_LAPS - 1 }, 60_000);
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(`wrote ${out} (${VIEWPORT.width}×${VIEWPORT.height})`);
  } finally {
    await browser.close();
    await race.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`screenshot: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});

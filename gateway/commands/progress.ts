// A progress bar on standard error for long runs: redrawn in place on a terminal,
// a plain line every tenth of the way otherwise (logs, CI).
import type { RacePlan } from '../../sim-hardware/race-plan.js';

/** How far a planned race has run at `simUs` (0..1), and the leader's lap as "lap n/laps". */
export function raceProgress(plan: RacePlan, simUs: number): { fraction: number; lap: string } {
  const lead = plan.leaderUs.findIndex((t) => t > simUs);
  const lap = lead < 0 ? plan.scenario.laps : Math.max(0, lead - 1);
  return { fraction: (simUs - plan.startUs) / (plan.endUs - plan.startUs), lap: `lap ${lap}/${plan.scenario.laps}` };
}

export class ProgressBar {
  private lastTenth = -1;
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** `fraction` 0..1; `detail` follows the bar (e.g. "lap 37/200, 612× real time"). */
  update(fraction: number, detail = ''): void {
    const f = Math.min(1, Math.max(0, fraction));
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && f < 1) return;
      this.lastDraw = now;
      const width = 30;
      const full = Math.round(f * width);
      const line = `${this.label} [${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}% ${detail}`;
      this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
      return;
    }
    const tenth = Math.floor(f * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${this.label} ${(tenth * 10).toString().padStart(3)}% ${detail}\n`);
    }
  }

  done(detail = ''): void {
    this.update(1, detail);
    if (this.tty) this.stream.write('\n');
  }
}

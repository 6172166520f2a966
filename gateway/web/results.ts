// Results: the links to results.json and results.csv (GET /api/results) and the
// classification as it stands (R-SF-2), refreshed on request and as the leader's lap
// moves on.
import type { Results } from '../results.js';
import { cells, el, fmtS, setText } from './dom.js';
import { getJson } from './http.js';

export class ResultsView {
  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly summary: HTMLElement,
  ) {}

  async refresh(): Promise<void> {
    this.render(await getJson<Results>('/api/results?format=json'));
  }

  render(r: Results): void {
    this.body.replaceChildren(
      ...r.classification.map((c) =>
        el(
          'tr',
          { 'data-car': c.car },
          ...cells(String(c.pos), c.car, c.driver, String(c.laps), fmtS(c.timeS), String(c.lapsLed), c.why ? `${c.status} (${c.why})` : c.status, c.penaltyS ? String(c.penaltyS) : ''),
        ),
      ),
    );
    const mov = r.marginOfVictoryS === null ? '' : `, margin of victory ${fmtS(r.marginOfVictoryS)} s`;
    setText(this.summary, `${r.event.name}: ${r.classification.length} trucks, ${r.leadChanges} lead changes among ${r.leaders} leaders${mov}; ${r.penalties.length} penalties, ${r.violations.length} calls`);
  }
}

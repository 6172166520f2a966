// The leaderboard: one row per truck (data-car) in running order, cells Pos, Car, Driver,
// Laps, Last, Best, Gap, Int, Pit, Penalties, Status (WEB.md). Rows are kept per car and
// only moved when the order changes; a cell's text is set only when it differs.
import type { TimingRow } from '../race-state.js';
import { el, fmtGap, fmtS, setAttr, setText } from './dom.js';

const CELLS = 11;
export const INFERRED_TITLE = 'inferred crossing (R-SF-9)';

export class Leaderboard {
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private order: string[] = [];

  constructor(
    private readonly body: HTMLTableSectionElement,
    onPick: (car: string) => void,
  ) {
    body.addEventListener('click', (e) => {
      const tr = (e.target as Element).closest('tr[data-car]');
      if (tr) onPick(tr.getAttribute('data-car')!);
    });
  }

  render(timing: readonly TimingRow[]): void {
    for (const t of timing) {
      const tr = this.rows.get(t.car) ?? this.row(t.car);
      const c = tr.cells;
      setText(c[0]!, String(t.pos));
      setText(c[1]!, t.car);
      setText(c[2]!, t.driver);
      setText(c[3]!, String(t.laps));
      this.last(c[4]!, t);
      setText(c[5]!, fmtS(t.bestLapS));
      // "leader": the truck that led its lap at the line (no gap); before any lap, the first row.
      setText(c[6]!, t.gapS === null && (t.laps > 0 || t.pos === 1) ? 'leader' : fmtGap(t.gapS));
      setText(c[7]!, fmtGap(t.intervalS));
      setText(c[8]!, String(t.pitStops));
      setText(c[9]!, t.penalties.join(', '));
      setText(c[10]!, t.status);
      setAttr(tr, 'data-status', t.status);
      setAttr(tr, 'data-penalized', t.penalties.length > 0 ? '' : null);
      setAttr(tr, 'data-lapped', typeof t.gapS === 'string' ? '' : null);
    }
    const order = timing.map((t) => t.car);
    if (order.length !== this.order.length || order.some((car, i) => car !== this.order[i])) {
      // Moved into place in one go: append() moves rows that are already there.
      this.body.append(...order.map((car) => this.rows.get(car)!));
      for (const [car, tr] of this.rows) if (!order.includes(car)) (tr.remove(), this.rows.delete(car));
      this.order = order;
    }
  }

  private row(car: string): HTMLTableRowElement {
    const tr = el('tr', { 'data-car': car });
    for (let i = 0; i < CELLS; i++) tr.append(el('td'));
    // The last lap's cell: its time, and a marker while its crossing was inferred.
    tr.cells[4]!.append(el('span', { class: 'time' }));
    this.rows.set(car, tr);
    return tr;
  }

  private last(td: HTMLTableCellElement, t: TimingRow): void {
    setText(td.firstElementChild!, fmtS(t.lastLapS));
    const mark = td.querySelector('.inferred');
    if (t.inferred && !mark) td.append(el('span', { class: 'inferred', title: INFERRED_TITLE }, ' ≈'));
    else if (!t.inferred && mark) mark.remove();
  }
}

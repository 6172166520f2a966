// Board health (GET /api/boards, polled): online, boot id, sequence gaps of the current
// boot, clock offset, outbox depth, messages quarantined per board and by reason.
import type { BoardStatus } from '../boards.js';
import { cells, el } from './dom.js';
import { getJson } from './http.js';

export interface BoardsReply {
  boards: BoardStatus[];
  quarantine: Record<string, number>;
}

export function gapsText(b: BoardStatus): string {
  const boot = b.boots.find((x) => x.boot === b.boot);
  if (!boot || boot.gaps.length === 0) return 'none';
  const missing = boot.gaps.reduce((n, g) => n + g.to - g.from + 1, 0);
  const ranges = boot.gaps.slice(0, 3).map((g) => (g.from === g.to ? `${g.from}` : `${g.from}–${g.to}`));
  return `${missing} missing (${ranges.join(', ')}${boot.gaps.length > 3 ? ', …' : ''})`;
}

export class Boards {
  private last = '';

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly counts: HTMLElement,
  ) {}

  async refresh(): Promise<void> {
    const r = await getJson<BoardsReply>('/api/boards');
    const sig = JSON.stringify(r);
    if (sig === this.last) return;
    this.last = sig;
    this.render(r);
  }

  render(r: BoardsReply): void {
    this.body.replaceChildren(
      ...r.boards.map((b) =>
        el(
          'tr',
          { 'data-board': b.board, 'data-online': String(b.online) },
          el('th', { scope: 'row' }, b.board),
          ...cells(b.kind ?? ''),
          el('td', { class: b.online ? 'ok' : 'over' }, b.online ? 'online' : 'offline'),
          ...cells(b.boot === null ? '' : String(b.boot), gapsText(b), b.clock ? `${(b.clock.offsetUs / 1000).toFixed(3)} ms` : 'not checked', b.health ? String(b.health.outboxDepth) : '', String(b.quarantined)),
        ),
      ),
    );
    const reasons = Object.entries(r.quarantine).filter(([, n]) => n > 0);
    this.counts.textContent = `Quarantined: ${reasons.length === 0 ? 'none' : reasons.map(([k, n]) => `${k} ${n}`).join(', ')}`;
  }
}

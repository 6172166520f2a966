// The proposals queue (R-PEN-3): each call with its rule, summary and evidence; an
// official (the "Official" field) confirms it or dismisses it with a reason
// (POST /api/decision); the API's refusal is shown on the call. Close calls are marked.
// Below, every penalty assessed: outstanding and served (R-PEN-1/2).
import type { PenaltyView, ProposalView } from '../officiating/officiating.js';
import { cells, el, fmtClock, fmtMph, setAttr, setText } from './dom.js';
import { post } from './http.js';

/** One line of a call's evidence for the official (the full evidence is under it). */
export function evidenceLine(p: ProposalView): string {
  const e = p.evidence as Record<string, unknown>;
  if (Array.isArray(e.segments)) {
    const segs = e.segments as Array<{ segment: number; mph: number; over: boolean }>;
    return `limit ${fmtMph(Number(e.limitMph))} + ${fmtMph(Number(e.toleranceMph))} mph; ${segs.map((s) => `S${s.segment} ${fmtMph(s.mph)}${s.over ? ' over' : ''}`).join(', ')}`;
  }
  const parts = Object.entries(e)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(([k, v]) => `${k} ${String(v)}`);
  if (Array.isArray(e.verdicts)) {
    for (const v of e.verdicts as Array<{ phase: string; inBox: boolean; clause: string; marginMm: number; closeCall: boolean }>) {
      parts.push(`at the ${v.phase}: ${v.inBox ? 'in' : 'out'}, clause (${v.clause}) ${v.marginMm} mm${v.closeCall ? ' (close call)' : ''}`);
    }
  }
  return parts.join(', ');
}

/** Numbers the Reason inputs (a label names its input by id). */
let reasons = 0;

export class Proposals {
  private readonly items = new Map<string, HTMLLIElement>();

  constructor(
    private readonly list: HTMLOListElement,
    private readonly empty: HTMLElement,
    private readonly penaltyBody: HTMLTableSectionElement,
    private readonly official: HTMLInputElement,
    private readonly decided: () => void,
  ) {
    official.value = localStorage.getItem('pitwall.official') ?? '';
    official.addEventListener('change', () => localStorage.setItem('pitwall.official', official.value));
  }

  render(proposals: readonly ProposalView[], penalties: readonly PenaltyView[]): void {
    // Waiting for a decision first, then the newest.
    const sorted = [...proposals].sort((a, b) => Number(a.status !== 'proposed') - Number(b.status !== 'proposed') || b.atUs - a.atUs);
    for (const p of sorted) {
      const li = this.items.get(p.id) ?? this.item(p);
      update(li, p);
    }
    this.list.append(...sorted.map((p) => this.items.get(p.id)!));
    const ids = new Set(proposals.map((p) => p.id));
    for (const [id, li] of this.items) if (!ids.has(id)) (li.remove(), this.items.delete(id));
    this.empty.hidden = proposals.length > 0;
    this.penaltyBody.replaceChildren(
      ...penalties.map((p) =>
        el(
          'tr',
          { 'data-penalty-id': p.id, 'data-car': p.car, 'data-status': p.status },
          ...cells(p.car, p.penalty, p.rule, p.status, fmtClock(p.assessedUs), fmtClock(p.servedUs)),
        ),
      ),
    );
  }

  private item(p: ProposalView): HTMLLIElement {
    const reasonId = `reason-${++reasons}`;
    const reason = el('input', { type: 'text', id: reasonId, maxlength: 500, placeholder: 'why (needed to dismiss)' });
    const confirm = el('button', { type: 'button', class: 'confirm' }, 'Confirm');
    const dismiss = el('button', { type: 'button', class: 'dismiss' }, 'Dismiss');
    const error = el('p', { class: 'error', role: 'alert' });
    const li = el(
      'li',
      { 'data-proposal-id': p.id, 'data-car': p.car },
      el('div', { class: 'call-head' }, el('strong', { class: 'car' }, `#${p.car}`), ' ', el('span', { class: 'violation' }, p.violation), ' ', el('span', { class: 'rule' }, p.rule), ' ', el('span', { class: 'badge confidence' }), ' ', el('span', { class: 'badge status' }), ' ', el('span', { class: 'penalty' })),
      el('p', { class: 'summary' }, p.summary),
      el('p', { class: 'evidence' }, 'Evidence: ', el('span', { class: 'evidence-line' })),
      el('details', {}, el('summary', {}, 'Full evidence'), el('pre', { class: 'evidence-json' })),
      el('p', { class: 'decision' }),
      el('div', { class: 'decide' }, el('label', { for: reasonId }, 'Reason'), reason, confirm, dismiss),
      error,
    );
    const decide = async (decision: 'confirm' | 'dismiss'): Promise<void> => {
      const id = li.getAttribute('data-proposal-id')!;
      const why = reason.value;
      confirm.disabled = dismiss.disabled = true;
      // A confirmation needs no reason; a dismissal does (the API says so if it is missing).
      const err = await post('/api/decision', { proposal: id, decision, who: this.official.value, ...(decision === 'dismiss' || why.trim() !== '' ? { why } : {}) });
      confirm.disabled = dismiss.disabled = false;
      setText(error, err ?? '');
      if (err === null) {
        reason.value = '';
        this.decided();
      }
    };
    confirm.addEventListener('click', () => void decide('confirm'));
    dismiss.addEventListener('click', () => void decide('dismiss'));
    this.items.set(p.id, li);
    return li;
  }
}

function update(li: HTMLLIElement, p: ProposalView): void {
  setAttr(li, 'data-status', p.status);
  setAttr(li, 'data-confidence', p.confidence);
  const q = (sel: string): Element => li.querySelector(sel)!;
  setText(q('.confidence'), p.confidence === 'close-call' ? 'close call' : 'certain');
  setText(q('.status'), p.status);
  setText(q('.penalty'), p.penalty === 'none' ? '' : `→ ${p.penalty} (${p.column})`);
  setText(q('.summary'), p.summary);
  setText(q('.evidence-line'), evidenceLine(p));
  setText(q('.evidence-json'), JSON.stringify(p.evidence, null, 1));
  const d = p.decision;
  setText(q('.decision'), d ? `${d.decision === 'confirm' ? 'Confirmed' : 'Dismissed'} by ${d.who} at ${fmtClock(d.atUs)}${d.why ? `: ${d.why}` : ''}` : '');
}

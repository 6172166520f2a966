// Pit road: the trucks on pit road now (the live state's visits under way) and the last
// few visits (GET /api/officiating), each segment's speed coloured against the limit —
// `over` above limit + tolerance (the call, R-PIT-SPEED-1), `near` above the posted limit
// but within the tolerance, `ok` at or under it — the box state and the box verdict with
// its clause and margin. A click on a visit charts its segment speeds.
import type { PitVisit, SegmentRead } from '../officiating/pit-visits.js';
import type { RaceSnapshot } from '../race-state.js';
import { el, fmtClock, fmtMph, fmtS } from './dom.js';

/** The event's pit road limits, as the live state carries them. */
export type Limits = Pick<NonNullable<RaceSnapshot['event']>, 'pitSpeedLimitMph' | 'pitSpeedToleranceMph'>;

/** over / near / ok for a segment speed (the board's 0.01 mph against the event's limits). */
export function speedClass(s: SegmentRead, limits: Limits | null): 'over' | 'near' | 'ok' {
  if (s.over) return 'over';
  const limit = limits?.pitSpeedLimitMph ?? s.limitMph;
  return Math.round(s.mph * 100) > Math.round(limit * 100) ? 'near' : 'ok';
}

export function boxState(v: PitVisit): string {
  const s = v.stop;
  if (!s) return v.pitExitUs !== null ? (v.passThrough ? 'pass-through' : 'no stop') : 'to its box';
  if (s.departureUs !== null) return `left box ${s.box}`;
  if (s.serviceEndUs !== null) return `service done, box ${s.box}`;
  if (s.serviceStartUs !== null) return `in service, box ${s.box}`;
  if (s.stopUs !== null) return `stopped in box ${s.box}`;
  return `arriving at box ${s.box}`;
}

/** The box's latest verdict on a visit's stop (none before one is made). */
function lastVerdict(v: PitVisit) {
  return v.stop?.verdicts[v.stop.verdicts.length - 1];
}

export function verdictText(v: PitVisit): string {
  const last = lastVerdict(v);
  if (!last) return '';
  return `${last.inBox ? 'in box' : 'OUT OF BOX'}, clause ${last.clause}, margin ${last.marginMm} mm${last.closeCall ? ' (close call)' : ''}`;
}

export class PitRoad {
  private readonly items = new Map<string, HTMLLIElement>();
  private visits = new Map<string, PitVisit>();

  constructor(
    private readonly now: HTMLUListElement,
    private readonly recent: HTMLUListElement,
    private readonly empty: HTMLElement,
    onPick: (v: PitVisit) => void,
  ) {
    const click = (e: Event): void => {
      const li = (e.target as Element).closest('li[data-visit]');
      const v = li && this.visits.get(li.getAttribute('data-visit')!);
      if (v) onPick(v);
    };
    now.addEventListener('click', click);
    recent.addEventListener('click', click);
  }

  /** The visits under way (live state). */
  render(onPitRoad: readonly PitVisit[], limits: Limits | null): void {
    const keep = new Set<string>();
    for (const v of onPitRoad) {
      keep.add(v.id);
      this.visits.set(v.id, v);
      let li = this.items.get(v.id);
      if (!li) {
        li = el('li', { 'data-visit': v.id, 'data-car': v.car });
        this.items.set(v.id, li);
      }
      fill(li, v, limits);
      if (li.parentElement !== this.now) this.now.append(li);
    }
    for (const [id, li] of this.items) {
      if (keep.has(id)) continue;
      li.remove();
      this.items.delete(id);
    }
    this.empty.hidden = onPitRoad.length > 0;
  }

  /** The last visits that are over (GET /api/officiating's visits), newest first. */
  renderRecent(all: Record<string, PitVisit[]>, limits: Limits | null, count = 6): void {
    const done = Object.values(all)
      .flat()
      .filter((v) => v.complete)
      .sort((a, b) => b.firstUs - a.firstUs)
      .slice(0, count);
    for (const v of done) this.visits.set(v.id, v);
    this.recent.replaceChildren(...done.map((v) => fill(el('li', { 'data-visit': v.id, 'data-car': v.car }), v, limits)));
  }
}

/** A visit's item: car and box state, one speed per segment, the verdict. Rebuilt only when what it shows changed. */
function fill(li: HTMLLIElement, v: PitVisit, limits: Limits | null): HTMLLIElement {
  const verdict = verdictText(v);
  const sig = JSON.stringify([v.segments.map((s) => s.mph), boxState(v), verdict, v.pitRoadS]);
  if (li.dataset.sig === sig) return li;
  li.dataset.sig = sig;
  const segs = v.segments.map((s) => el('span', { class: 'seg' }, el('span', { class: 'seg-name' }, `S${s.segment}`), el('span', { class: `speed ${speedClass(s, limits)}`, title: `segment ${s.segment}, mph` }, fmtMph(s.mph))));
  const last = lastVerdict(v);
  li.replaceChildren(
    el('span', { class: 'visit-head' }, el('strong', {}, `#${v.car}`), ` ${boxState(v)}`, v.pitRoadS !== null ? ` · pit road ${fmtS(v.pitRoadS)} s` : '', ` · ${fmtClock(v.firstUs)}`),
    el('span', { class: 'segs' }, ...(segs.length > 0 ? segs : ['no segment yet'])),
    verdict ? el('span', { class: `verdict ${last?.inBox ? 'in' : 'out'}` }, verdict) : '',
    el('button', { type: 'button', class: 'pick', 'aria-label': `Chart segment speeds of #${v.car}` }, 'Chart'),
  );
  return li;
}


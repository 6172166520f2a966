// Charts (uPlot, loaded through the page's import map from /vendor/uplot/): the lap
// times of the cars picked (GET /api/laps) and a pit visit's segment speeds against the
// limit and limit + tolerance. uPlot is loaded on first use, so the rest of the page
// works without it.
import type uPlot from 'uplot';
import type { PitVisit } from '../officiating/pit-visits.js';
import type { LapTimes } from '../race-state.js';
import { el, fmtMph, fmtS } from './dom.js';
import { getJson } from './http.js';
import type { Limits } from './pit-road.js';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
let loading: Promise<typeof uPlot> | null = null;

function uplot(): Promise<typeof uPlot> {
  loading ??= import('uplot').then((m) => m.default);
  return loading;
}

function width(e: HTMLElement): number {
  return Math.max(280, e.clientWidth - 8);
}

export class Charts {
  private lapPlot: uPlot | null = null;
  private lapCars = '';
  private segPlot: uPlot | null = null;
  /** The cars charted (also the select's choice). */
  private picked: string[] = [];
  private field: string[] = [];

  constructor(
    private readonly lapBox: HTMLElement,
    private readonly segBox: HTMLElement,
    private readonly select: HTMLSelectElement,
    private readonly segTitle: HTMLElement,
  ) {
    select.addEventListener('change', () => {
      this.picked = Array.from(select.selectedOptions).map((o) => o.value);
      void this.refreshLaps();
    });
    new ResizeObserver(() => {
      this.lapPlot?.setSize({ width: width(this.lapBox), height: 220 });
      this.segPlot?.setSize({ width: width(this.segBox), height: 220 });
    }).observe(lapBox);
  }

  /** The field in running order (the select's options); the first three are charted until someone picks. */
  setField(cars: readonly string[]): void {
    if (this.picked.length === 0 && cars.length > 0) this.picked = cars.slice(0, 3);
    const sorted = [...cars].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
    if (sorted.join(',') === this.field.join(',')) return;
    this.field = sorted;
    this.select.replaceChildren(...sorted.map((c) => el('option', { value: c, selected: this.picked.includes(c) }, `#${c}`)));
  }

  /** Adds a car to the lap chart, or takes it off. */
  toggle(car: string): void {
    this.picked = this.picked.includes(car) ? this.picked.filter((c) => c !== car) : [...this.picked, car].slice(-COLOURS.length);
    for (const o of Array.from(this.select.options)) o.selected = this.picked.includes(o.value);
    void this.refreshLaps();
  }

  async refreshLaps(): Promise<void> {
    const cars = this.picked;
    const { cars: laps } = await getJson<{ cars: LapTimes[] }>('/api/laps');
    const shown = cars.map((c) => laps.find((l) => l.car === c)).filter((l): l is LapTimes => l !== undefined);
    const n = Math.max(0, ...shown.map((l) => l.lapS.length));
    const xs = Array.from({ length: n }, (_, i) => i + 1);
    const data: uPlot.AlignedData = [xs, ...shown.map((l) => xs.map((_, i) => l.lapS[i] ?? null))];
    const U = await uplot();
    const key = shown.map((l) => l.car).join(',');
    if (this.lapPlot && key === this.lapCars) {
      this.lapPlot.setData(data);
      return;
    }
    this.lapPlot?.destroy();
    this.lapCars = key;
    this.lapPlot = new U(
      {
        width: width(this.lapBox),
        height: 220,
        scales: { x: { time: false } },
        axes: [{ label: 'lap' }, { label: 's' }],
        series: [{ label: 'lap' }, ...shown.map((l, i) => ({ label: `#${l.car}`, stroke: COLOURS[i % COLOURS.length]!, width: 1.5, value: (_u: uPlot, v: number | null) => (v === null ? '–' : fmtS(v)) }))],
      },
      data,
      this.lapBox,
    );
  }

  /** A visit's segment speeds: bars, with the posted limit and the limit + tolerance as lines. */
  async showSegments(v: PitVisit, limits: Limits | null, title: string): Promise<void> {
    this.segTitle.textContent = title;
    const U = await uplot();
    const limit = limits?.pitSpeedLimitMph ?? v.segments[0]?.limitMph ?? 0;
    const threshold = limit + (limits?.pitSpeedToleranceMph ?? 0);
    // The canvas says nothing to a screen reader (or a test): the figures as its name.
    const speeds = v.segments.map((s) => `S${s.segment} ${fmtMph(s.mph)}`).join(', ') || 'no segment';
    this.segBox.setAttribute('aria-label', `Pit segment speeds of #${v.car} (mph): ${speeds}; limit ${fmtMph(limit)}, limit + tolerance ${fmtMph(threshold)}`);
    const xs = v.segments.map((s) => s.segment);
    const data: uPlot.AlignedData = [xs, v.segments.map((s) => s.mph), xs.map(() => limit), xs.map(() => threshold)];
    this.segPlot?.destroy();
    const mph = (_u: uPlot, x: number | null): string => (x === null ? '–' : fmtMph(x));
    this.segPlot = new U(
      {
        width: width(this.segBox),
        height: 220,
        scales: { x: { time: false, range: (_u, lo, hi) => [lo - 0.6, hi + 0.6] }, y: { range: (_u, _lo, hi) => [0, Math.ceil(Math.max(hi, threshold) * 1.1)] } },
        axes: [{ label: 'segment', incrs: [1] }, { label: 'mph' }],
        series: [
          { label: 'segment' },
          { label: 'speed', stroke: '#1f77b4', fill: 'rgba(31,119,180,0.35)', paths: U.paths.bars?.({ size: [0.6, 80] }), points: { show: false }, value: mph },
          { label: 'limit', stroke: '#2ca02c', dash: [6, 4], value: mph },
          { label: 'limit + tolerance', stroke: '#d62728', dash: [6, 4], value: mph },
        ],
      },
      data,
      this.segBox,
    );
  }
}

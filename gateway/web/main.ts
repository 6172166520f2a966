// The race-control page (WEB.md): joins the live feed to the panels. A state message
// is rendered at the next animation frame (the newest one, if several came between
// frames); window.pitwallPage counts the states rendered and how far behind they were.
import type { PitVisit } from '../officiating/pit-visits.js';
import type { Officiating } from '../officiating/officiating.js';
import type { RaceSnapshot } from '../race-state.js';
import { Boards } from './boards.js';
import { Charts } from './charts.js';
import { byId, fmtClock, setText, throttle } from './dom.js';
import { getJson } from './http.js';
import { Leaderboard } from './leaderboard.js';
import { connectLive } from './live.js';
import { boxState, PitRoad, type Limits } from './pit-road.js';
import { Proposals } from './proposals.js';
import { RaceControl } from './race-control.js';
import { ResultsView } from './results.js';

export interface PitwallPage {
  /** State messages rendered so far. */
  updates: number;
  /** The rendered state's atUs (µs, gateway clock). */
  lastStateAtUs: number | null;
  /** At the last render: now minus when the newest state message arrived (ms). */
  lagMs: number;
}

declare global {
  interface Window {
    pitwallPage: PitwallPage;
  }
}

const page: PitwallPage = { updates: 0, lastStateAtUs: null, lagMs: 0 };
window.pitwallPage = page;

type OfficiatingReply = Pick<Officiating, 'proposals' | 'penalties'> & { visits: Record<string, PitVisit[]> };

/** The event's limits in the state last rendered (none before the event is set up). */
const limits = (): Limits | null => rendered?.state.event ?? null;
const report = (what: string) => (e: unknown) => console.error(`pitwall page: ${what}:`, e);

const raceControl = new RaceControl(byId('race-control'));
const charts = new Charts(byId('lap-chart'), byId('segment-chart'), byId<HTMLSelectElement>('lap-cars'), byId('segment-title'));
const leaderboard = new Leaderboard(byId<HTMLTableSectionElement>('timing-body'), (car) => charts.toggle(car));
const pitRoad = new PitRoad(byId<HTMLUListElement>('pit-now'), byId<HTMLUListElement>('pit-recent'), byId('pit-empty'), (v) => {
  void charts.showSegments(v, limits(), `#${v.car}, ${fmtClock(v.firstUs)} — ${boxState(v)}`).catch(report('segment chart'));
});
const boards = new Boards(byId<HTMLTableSectionElement>('boards-body'), byId('quarantine-counts'));
const results = new ResultsView(byId<HTMLTableSectionElement>('results-body'), byId('results-summary'));

const refreshOfficiating = throttle(() => {
  getJson<OfficiatingReply>('/api/officiating')
    .then((o) => {
      proposals.render(o.proposals, o.penalties);
      pitRoad.renderRecent(o.visits, limits());
    })
    .catch(report('officiating'));
}, 300);
const proposals = new Proposals(byId<HTMLOListElement>('proposal-list'), byId('proposal-empty'), byId<HTMLTableSectionElement>('penalty-body'), byId<HTMLInputElement>('official'), refreshOfficiating);
const refreshResults = throttle(() => void results.refresh().catch(report('results')), 3000);
const refreshLaps = throttle(() => void charts.refreshLaps().catch(report('lap chart')), 2000);
byId('results-refresh').addEventListener('click', () => void results.refresh().catch(report('results')));

// ------------------------------------------------------------------ rendering

interface Arrived {
  state: RaceSnapshot;
  arrivedAt: number;
}
let newest: Arrived | null = null;
let rendered: Arrived | null = null;
let scheduled = false;
let officiatingKey = '';
let lapKey = '';
let resultsKey = '';

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(render);
  // A hidden page gets no frames: render anyway, less often.
  setTimeout(render, 250);
}

function render(): void {
  scheduled = false;
  const n = newest;
  if (!n || n === rendered) return;
  rendered = n;
  const s = n.state;
  raceControl.render(s);
  leaderboard.render(s.timing);
  pitRoad.render(s.officiating.onPitRoad, s.event);
  charts.setField(s.timing.map((t) => t.car));

  const o = s.officiating;
  // The live state counts the proposals: no need to count the fetched list.
  const c = o.proposals;
  setText(byId('proposal-counts'), `${c.proposed} waiting, ${c.confirmed} confirmed, ${c.dismissed} dismissed, ${c.closeCalls} close calls`);
  const ok = JSON.stringify([o.proposals, o.outstanding.map((p) => p.id), o.onPitRoad.map((v) => v.id)]);
  if (ok !== officiatingKey) {
    officiatingKey = ok;
    refreshOfficiating();
  }
  const lk = s.timing.map((t) => t.laps).join(',');
  if (lk !== lapKey) {
    lapKey = lk;
    refreshLaps();
  }
  const rk = `${s.leaderLap}|${s.flag}|${o.outstanding.length}`;
  if (rk !== resultsKey) {
    resultsKey = rk;
    refreshResults();
  }

  page.updates++;
  page.lastStateAtUs = s.atUs;
  page.lagMs = performance.now() - n.arrivedAt;
}

connectLive(
  {
    state(state, arrivedAt) {
      newest = { state, arrivedAt };
      schedule();
    },
    action(a) {
      if (a.action === 'decision' || a.action === 'release' || a.action === 'damaged') refreshOfficiating();
    },
  },
  byId('connection'),
);

const pollBoards = (): void => void boards.refresh().catch(report('boards'));
pollBoards();
setInterval(pollBoards, 2000);
refreshOfficiating();

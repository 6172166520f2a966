// Race control's bar: the flag, the leader's lap, the stage and pit road as text, and the
// calls — flags (POST /api/flag) and pit road open/closed (POST /api/pit-road).
import type { RaceSnapshot } from '../race-state.js';
import { byId, fmtClock, fmtMph, setAttr, setText } from './dom.js';
import { post } from './http.js';

export class RaceControl {
  private readonly error = byId('race-control-error');

  constructor(root: HTMLElement) {
    for (const b of Array.from(root.querySelectorAll<HTMLButtonElement>('button[data-flag]'))) {
      b.addEventListener('click', () => void this.call(b, '/api/flag', { flag: b.dataset.flag }));
    }
    for (const b of Array.from(root.querySelectorAll<HTMLButtonElement>('button[data-pit]'))) {
      b.addEventListener('click', () => void this.call(b, '/api/pit-road', { open: b.dataset.pit === 'open' }));
    }
  }

  private async call(b: HTMLButtonElement, path: string, body: unknown): Promise<void> {
    b.disabled = true;
    const err = await post(path, body);
    b.disabled = false;
    setText(this.error, err ?? '');
  }

  render(s: RaceSnapshot): void {
    const flag = s.flag ?? 'none';
    const f = byId('flag');
    setText(f, flag);
    setAttr(f, 'data-flag', flag);
    setAttr(document.body, 'data-flag', flag);
    setText(byId('lap'), s.event ? `${s.leaderLap} / ${s.event.laps}` : String(s.leaderLap));
    setText(byId('stage'), s.stage === null ? '–' : String(s.stage));
    const p = byId('pit-road-state');
    setText(p, s.pitRoad.open ? 'open' : 'closed');
    setAttr(p, 'data-open', String(s.pitRoad.open));
    const why = s.pitRoad.rule ? `${s.pitRoad.why} (${s.pitRoad.rule})` : s.pitRoad.why;
    setText(byId('pit-road-why'), why);
    setAttr(byId('pit-road-why'), 'title', why);
    setText(byId('clock'), fmtClock(s.atUs));
    if (s.event) {
      setText(byId('event-name'), s.event.name);
      setText(byId('pit-limit'), `limit ${fmtMph(s.event.pitSpeedLimitMph)} mph + ${fmtMph(s.event.pitSpeedToleranceMph)} tolerance`);
    }
  }
}

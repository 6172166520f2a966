// The live feed (WebSocket /api/live): the race state as the gateway pushes it, and race
// control's actions. The page asks for no board events (?events=0): it shows the state.
// Reconnects a second after the link drops; the connection's state is shown as text.
import type { RaceSnapshot } from '../race-state.js';
import { setAttr, setText } from './dom.js';

export interface LiveHandlers {
  /** A state message; `arrivedAt` is performance.now() when it arrived. */
  state(state: RaceSnapshot, arrivedAt: number): void;
  action(action: { action: string }, atUs: number): void;
}

export function connectLive(h: LiveHandlers, status: HTMLElement): void {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live?events=0`;
  const show = (state: string): void => {
    setText(status, state);
    setAttr(status, 'data-state', state);
  };
  const open = (): void => {
    show('connecting');
    const ws = new WebSocket(url);
    ws.onopen = () => show('live');
    ws.onmessage = (e) => {
      const arrivedAt = performance.now();
      const m = JSON.parse(String(e.data)) as { type: string; state?: RaceSnapshot; action?: { action: string }; atUs?: number };
      if (m.type === 'state' && m.state) h.state(m.state, arrivedAt);
      else if (m.type === 'action' && m.action) h.action(m.action, m.atUs ?? 0);
    };
    ws.onclose = () => {
      show('disconnected');
      setTimeout(open, 1000);
    };
  };
  open();
}

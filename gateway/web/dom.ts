// Small DOM helpers for the race-control page: build elements, set text only when it
// changed (a full field re-rendered 20 times a second must not thrash layout), format
// times and speeds.

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | null | undefined | false;

/** An element with attributes (`class`, `data-*`, `aria-*`, …; false/null/undefined left out) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** A table row's plain cells, one per text. */
export function cells(...texts: string[]): HTMLTableCellElement[] {
  return texts.map((t) => el('td', {}, t));
}

/** Sets an element's text when it differs (no layout work for an unchanged cell). */
export function setText(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

export function setAttr(e: Element, name: string, value: string | null): void {
  if (value === null) {
    if (e.hasAttribute(name)) e.removeAttribute(name);
  } else if (e.getAttribute(name) !== value) e.setAttribute(name, value);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page: no element #${id}`);
  return e as T;
}

/** Seconds to three decimals; "" for null. */
export function fmtS(s: number | null | undefined): string {
  return s === null || s === undefined ? '' : s.toFixed(3);
}

/** A gap or interval: "+1.234", "+2 laps" as given, "" for none. */
export function fmtGap(g: number | string | null | undefined): string {
  if (g === null || g === undefined) return '';
  return typeof g === 'string' ? g : `${g < 0 ? '−' : '+'}${Math.abs(g).toFixed(3)}`;
}

/** A gateway-clock instant (µs since the epoch) as the wall time of day, hh:mm:ss.mmm (UTC). */
export function fmtClock(us: number | null | undefined): string {
  if (us === null || us === undefined) return '';
  return new Date(us / 1000).toISOString().slice(11, 23);
}

export function fmtMph(mph: number): string {
  return mph.toFixed(2);
}

/** Calls `fn` at most once per `ms`, the last call always (trailing). */
export function throttle(fn: () => void, ms: number): () => void {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    const wait = last + ms - performance.now();
    if (wait <= 0) {
      last = performance.now();
      fn();
      return;
    }
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      last = performance.now();
      fn();
    }, wait);
  };
}

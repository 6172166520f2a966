// A passing: one truck's transponder over one loop, as the loop board reported it,
// placed on the gateway clock. Passings are kept in event-time order, never in the
// order they arrived (a board's resend after an outage arrives late).

export interface Passing {
  car: string;
  board: string;
  loop: number;
  /** The board's own clock (µs). */
  boardUs: number;
  /** On the gateway clock (µs since the epoch). */
  atUs: number;
}

/** Event-time order; the rest only breaks exact ties so the order never depends on arrival. */
export function byTime(a: Passing, b: Passing): number {
  return a.atUs - b.atUs || a.loop - b.loop || (a.board < b.board ? -1 : a.board > b.board ? 1 : 0) || a.boardUs - b.boardUs;
}

/**
 * Time from one passing to a later one (µs): on one board its own clock alone, the
 * offsets cancel; across boards on the gateway clock.
 */
export function elapsedUs(from: Passing, to: Passing): number {
  return from.board === to.board ? to.boardUs - from.boardUs : to.atUs - from.atUs;
}

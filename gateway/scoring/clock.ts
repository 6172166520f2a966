// Board clocks on the gateway clock. A board stamps its events with its own clock; a
// time check (the gateway's send time, the board's reply with its clock) gives that
// board's offset, assuming the way there and back take as long:
//   offset = reply.timeUs − (sentUs + reply logged at) / 2.
// Between two checks the offset is interpolated (a drifting clock drifts evenly),
// before the first and after the last the nearest one holds: at the live edge that
// is the latest known offset. A board never checked is taken to be on the gateway
// clock (boards discipline their clocks to GPS or PTP). A check whose round trip took
// longer than MAX_ROUND_TRIP_US is not used: the two halves may differ by up to the
// round trip, so it says little about the offset (the NTP practice).

/** Longest round trip (µs) of a time check whose offset is used. */
export const MAX_ROUND_TRIP_US = 20_000;

export interface TimeCheck {
  board: string;
  command: number;
  /** Gateway clock when the check was sent (µs). */
  sentUs: number;
}

export interface ClockReply {
  board: string;
  command: number;
  /** The board's clock when it answered (µs). */
  timeUs: number;
  /** Gateway clock when the reply was logged (µs). */
  atUs: number;
}

interface Sample {
  boardUs: number;
  offsetUs: number;
}

/** Board clock readings (µs) whose offset changed: every reading from fromUs to toUs, both included. */
export interface ClockChange {
  board: string;
  fromUs: number;
  toUs: number;
}

function bySample(a: Sample, b: Sample): number {
  return a.boardUs - b.boardUs || a.offsetUs - b.offsetUs;
}

/** A board's clock minus the gateway's, assuming the way there and back take as long (µs). */
export function clockOffsetUs(sentUs: number, replyBoardUs: number, replyAtUs: number): number {
  return replyBoardUs - (sentUs + replyAtUs) / 2;
}

/** A check and its reply → a sample of the board's offset, or null when there is none to use. */
function sampleOf(sentUs: number | undefined, r: ClockReply | undefined): Sample | null {
  if (sentUs === undefined || r === undefined || r.atUs < sentUs || r.atUs - sentUs > MAX_ROUND_TRIP_US) return null;
  return { boardUs: r.timeUs, offsetUs: clockOffsetUs(sentUs, r.timeUs, r.atUs) };
}

export class BoardClocks {
  private readonly samples = new Map<string, Sample[]>();
  /** The sample each check/reply pair gave (`board#command`), for set(). */
  private readonly byKey = new Map<string, Sample>();

  constructor(checks: Iterable<TimeCheck>, replies: Iterable<ClockReply>) {
    const sent = new Map<string, number>();
    for (const c of checks) sent.set(`${c.board}#${c.command}`, c.sentUs);
    for (const r of replies) {
      const key = `${r.board}#${r.command}`;
      const s = sampleOf(sent.get(key), r);
      if (!s) continue;
      this.byKey.set(key, s);
      const list = this.samples.get(r.board) ?? [];
      list.push(s);
      this.samples.set(r.board, list);
    }
    for (const list of this.samples.values()) list.sort(bySample);
  }

  /**
   * One check/reply pair of a board as it now stands (either may be missing): its sample
   * replaces the one the pair gave before. Returns the board clock readings whose offset
   * that changed (between the neighbouring samples), or null when nothing changed.
   */
  set(board: string, command: number, check: TimeCheck | undefined, reply: ClockReply | undefined): ClockChange | null {
    const key = `${board}#${command}`;
    const before = this.byKey.get(key) ?? null;
    const after = sampleOf(check?.sentUs, reply);
    if (before === after || (before && after && before.boardUs === after.boardUs && before.offsetUs === after.offsetUs)) return null;
    const list = this.samples.get(board) ?? [];
    this.samples.set(board, list);
    let fromUs = Infinity;
    let toUs = -Infinity;
    // An offset between two samples is interpolated from them alone; beyond the ends the nearest holds.
    const around = (i: number): void => {
      fromUs = Math.min(fromUs, i > 0 ? list[i - 1]!.boardUs : -Infinity);
      toUs = Math.max(toUs, i < list.length - 1 ? list[i + 1]!.boardUs : Infinity);
    };
    if (before) {
      const i = list.indexOf(before);
      around(i);
      list.splice(i, 1);
      this.byKey.delete(key);
    }
    if (after) {
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (bySample(list[mid]!, after) <= 0) lo = mid + 1;
        else hi = mid;
      }
      list.splice(lo, 0, after);
      around(lo);
      this.byKey.set(key, after);
    }
    return { board, fromUs, toUs };
  }

  /** The board's offset (board − gateway, µs) at one of its clock readings. */
  offsetUs(board: string, boardUs: number): number {
    const list = this.samples.get(board);
    if (!list || list.length === 0) return 0;
    if (boardUs <= list[0]!.boardUs) return list[0]!.offsetUs;
    const last = list[list.length - 1]!;
    if (boardUs >= last.boardUs) return last.offsetUs;
    let lo = 0;
    let hi = list.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.boardUs <= boardUs) lo = mid;
      else hi = mid;
    }
    const a = list[lo]!;
    const b = list[hi]!;
    if (b.boardUs === a.boardUs) return b.offsetUs;
    return a.offsetUs + ((b.offsetUs - a.offsetUs) * (boardUs - a.boardUs)) / (b.boardUs - a.boardUs);
  }

  /** A board clock reading on the gateway clock (µs). */
  toGatewayUs(board: string, boardUs: number): number {
    return boardUs - this.offsetUs(board, boardUs);
  }
}

// Where the loops lie along a lap, on the track and down pit road: how far a truck
// drives from one loop to the next, which start/finish line lies between them, and
// each loop's place along the lap (the order R-SF-5 freezes the field by). Pit road
// leaves the track at entryM and rejoins it at exitM; where it runs past the line it
// has a start/finish loop of its own.
import type { EventSetup, SetupLoop } from '../event-setup.js';

export interface Route {
  /** Metres driven from the first loop to the second. */
  distanceM: number;
  /** Start/finish lines crossed strictly between the two loops, with the metres to each. */
  lines: Array<{ loop: SetupLoop; atM: number }>;
}

export class TrackMap {
  readonly lengthM: number;
  private readonly loops = new Map<number, SetupLoop>();
  private readonly trackLine: SetupLoop | undefined;
  private readonly pitLine: SetupLoop | undefined;
  private readonly entryM: number;
  private readonly exitM: number;
  private readonly pitLengthM: number;

  constructor(setup: EventSetup) {
    const t = setup.track;
    this.lengthM = t.lengthM;
    for (const l of t.loops) this.loops.set(l.id, l);
    this.trackLine = t.loops.find((l) => l.role === 'start-finish' && l.path === 'track');
    this.pitLine = t.loops.find((l) => l.role === 'start-finish' && l.path === 'pit');
    this.entryM = t.pitRoad.entryM;
    this.exitM = t.pitRoad.exitM;
    this.pitLengthM = t.pitRoad.lengthM;
  }

  loop(id: number): SetupLoop | undefined {
    return this.loops.get(id);
  }

  /** A start/finish loop, on the track or on pit road (R-SF-1: either credits a lap). */
  isLine(id: number): boolean {
    return this.loops.get(id)?.role === 'start-finish';
  }

  /**
   * Where a loop lies along the lap (m from the line, 0 ≤ x < lap length). Pit road
   * loops are placed between where pit road leaves and rejoins the track, stretched
   * evenly, so a truck on pit road sorts among the trucks on the track.
   */
  lapPositionM(id: number): number {
    const l = this.loops.get(id);
    if (!l) return 0;
    if (l.path === 'track') return l.positionM;
    const L = this.lengthM;
    if (this.pitLine) {
      const sf = this.pitLine.positionM;
      if (l.positionM === sf) return 0;
      if (l.positionM < sf) return this.entryM + (sf > 0 ? (l.positionM / sf) * (L - this.entryM) : 0);
      const after = this.pitLengthM - sf;
      return after > 0 ? ((l.positionM - sf) / after) * this.exitM : 0;
    }
    return this.entryM + (this.pitLengthM > 0 ? (l.positionM / this.pitLengthM) * (this.exitM - this.entryM) : 0);
  }

  /**
   * The way a truck drives from one loop to the next one it is heard at: forward along
   * the track (the same track loop again is a whole lap), off onto pit road at the
   * fork, back on at the merge. Null when it cannot be told (two visits to pit road).
   */
  route(fromId: number, toId: number): Route | null {
    const a = this.loops.get(fromId);
    const b = this.loops.get(toId);
    if (!a || !b) return null;
    const L = this.lengthM;
    const ahead = (from: number, to: number): number => {
      const d = (((to - from) % L) + L) % L;
      return d === 0 ? L : d;
    };
    const legs: Array<{ path: 'track' | 'pit'; from: number; to: number }> = [];
    if (a.path === 'track' && b.path === 'track') {
      legs.push({ path: 'track', from: a.positionM, to: a.positionM + ahead(a.positionM, b.positionM) });
    } else if (a.path === 'track' && b.path === 'pit') {
      legs.push({ path: 'track', from: a.positionM, to: a.positionM + ahead(a.positionM, this.entryM) });
      legs.push({ path: 'pit', from: 0, to: b.positionM });
    } else if (a.path === 'pit' && b.path === 'track') {
      legs.push({ path: 'pit', from: a.positionM, to: this.pitLengthM });
      legs.push({ path: 'track', from: this.exitM, to: this.exitM + ahead(this.exitM, b.positionM) });
    } else {
      if (b.positionM <= a.positionM) return null;
      legs.push({ path: 'pit', from: a.positionM, to: b.positionM });
    }
    const lines: Route['lines'] = [];
    let travelled = 0;
    for (const leg of legs) {
      if (leg.path === 'track' && this.trackLine) {
        // The line sits at every whole lap of the unrolled track.
        for (let k = Math.floor(leg.from / L) + 1; k * L < leg.to; k++) lines.push({ loop: this.trackLine, atM: travelled + k * L - leg.from });
      } else if (leg.path === 'pit' && this.pitLine) {
        const at = this.pitLine.positionM;
        if (at > leg.from && at < leg.to) lines.push({ loop: this.pitLine, atM: travelled + at - leg.from });
      }
      travelled += Math.max(0, leg.to - leg.from);
    }
    // Landing on a line from the loop before it is no crossing in between; the k·L test
    // above already leaves the end out.
    return { distanceM: travelled, lines: lines.filter((x) => x.atM > 0 && x.atM < travelled) };
  }
}

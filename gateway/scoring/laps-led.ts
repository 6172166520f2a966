// Laps led, counted at the line (R-SF-7): the leader of lap n (n ≥ 1) is the first
// truck credited with lap n; a lead change is a lap whose leader differs from the
// previous lap's. Also each truck's position on every lap (the order they were
// credited with it), which R-SF-4 breaks ties with.
import type { CreditedLap } from './laps.js';

export interface LapLeaders {
  /** leaderOf[n]: the car that led lap n (index 0 unused). */
  leaderOf: Array<string | undefined>;
  lapsLed: Map<string, number>;
  leadChanges: number;
  /** Distinct lap leaders. */
  leaders: number;
  /** positions.get(car)[n]: its position on lap n (1 = first credited), n ≥ 1. */
  positions: Map<string, number[]>;
}

/**
 * Laps led and positions, kept as the lap chart changes: each lap's trucks in the order
 * they were credited with it (entry order settles equal times so nothing depends on
 * arrival), re-sorted only for the laps a change touched.
 */
export class LapTable {
  readonly leaders: LapLeaders;
  /** Cars whose position on some lap changed since the caller last cleared this. */
  readonly moved = new Set<string>();
  /** byLap[n]: the credited laps n (n ≥ 1) of every truck, first credited first. */
  private readonly byLap: CreditedLap[][] = [];
  private readonly touched = new Set<number>();
  private readonly rank: Map<string, number>;

  constructor(private readonly order: readonly string[]) {
    this.rank = new Map(order.map((c, i) => [c, i]));
    this.leaders = {
      leaderOf: [],
      lapsLed: new Map(order.map((c) => [c, 0])),
      leadChanges: 0,
      leaders: 0,
      positions: new Map(order.map((c) => [c, []])),
    };
  }

  /** A truck's credited laps from index `from` on: `before` as they were given last, `after` as they are. */
  replace(car: string, before: readonly CreditedLap[], after: readonly CreditedLap[], from: number): void {
    const positions = this.leaders.positions.get(car);
    for (let i = from; i < before.length; i++) {
      const x = before[i]!;
      if (x.lap < 1) continue;
      const xs = this.byLap[x.lap]!;
      let j = xs.indexOf(x);
      if (j < 0) j = xs.findIndex((y) => y.car === car);
      if (j >= 0) xs.splice(j, 1);
      if (positions && positions[x.lap] !== undefined) {
        delete positions[x.lap];
        this.moved.add(car);
      }
      this.touched.add(x.lap);
    }
    for (let i = from; i < after.length; i++) {
      const x = after[i]!;
      if (x.lap < 1) continue;
      (this.byLap[x.lap] ??= []).push(x);
      this.touched.add(x.lap);
    }
  }

  /** The first truck credited with lap n (n ≥ 1): when the leader completed it; after settle(). */
  first(n: number): CreditedLap | null {
    return this.byLap[n]?.[0] ?? null;
  }

  /** Brings `leaders` up to the laps replaced. */
  settle(): void {
    if (this.touched.size === 0) return;
    const { rank, leaders } = this;
    for (const n of this.touched) {
      const xs = this.byLap[n]!;
      xs.sort((a, b) => a.scoredUs - b.scoredUs || (rank.get(a.car) ?? 0) - (rank.get(b.car) ?? 0));
      xs.forEach((x, i) => {
        const list = leaders.positions.get(x.car);
        if (list && list[n] !== i + 1) {
          list[n] = i + 1;
          this.moved.add(x.car);
        }
      });
      leaders.leaderOf[n] = xs[0]?.car;
    }
    this.touched.clear();
    for (const c of this.order) leaders.lapsLed.set(c, 0);
    let leadChanges = 0;
    const distinct = new Set<string>();
    const leaderOf = leaders.leaderOf;
    for (let n = 1; n < leaderOf.length; n++) {
      const leader = leaderOf[n];
      if (leader === undefined) continue;
      leaders.lapsLed.set(leader, (leaders.lapsLed.get(leader) ?? 0) + 1);
      distinct.add(leader);
      // R-SF-7: lap 1 has no previous lap leader to change from.
      if (n >= 2 && leaderOf[n - 1] !== undefined && leaderOf[n - 1] !== leader) leadChanges++;
    }
    leaders.leadChanges = leadChanges;
    leaders.leaders = distinct.size;
  }
}

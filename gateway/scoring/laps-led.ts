// Laps led, counted at the line (R-SF-7): the leader of lap n (n ≥ 1) is the first
// truck credited with lap n; a lead change is a lap whose leader differs from the
// previous lap's. Also each truck's position on every lap (the order they were
// credited with it), which R-SF-4 breaks ties with.
import type { CreditedLap, LapChart } from './laps.js';

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

/** `order` lists the cars in entry order; it settles equal times so nothing depends on arrival. */
export function lapLeaders(chart: LapChart, order: readonly string[]): LapLeaders {
  const rank = new Map(order.map((c, i) => [c, i]));
  const byLap: CreditedLap[][] = [];
  for (const list of chart.byCar.values()) {
    for (const x of list) {
      if (x.lap < 1) continue;
      (byLap[x.lap] ??= []).push(x);
    }
  }
  const leaderOf: Array<string | undefined> = [];
  const lapsLed = new Map<string, number>(order.map((c) => [c, 0]));
  const positions = new Map<string, number[]>(order.map((c) => [c, []]));
  let leadChanges = 0;
  const distinct = new Set<string>();
  for (let n = 1; n < byLap.length; n++) {
    const xs = byLap[n];
    if (!xs || xs.length === 0) continue;
    xs.sort((a, b) => a.scoredUs - b.scoredUs || (rank.get(a.car) ?? 0) - (rank.get(b.car) ?? 0));
    xs.forEach((x, i) => {
      const list = positions.get(x.car);
      if (list) list[n] = i + 1;
    });
    const leader = xs[0]!.car;
    leaderOf[n] = leader;
    lapsLed.set(leader, (lapsLed.get(leader) ?? 0) + 1);
    distinct.add(leader);
    // R-SF-7: lap 1 has no previous lap leader to change from.
    if (n >= 2 && leaderOf[n - 1] !== undefined && leaderOf[n - 1] !== leader) leadChanges++;
  }
  return { leaderOf, lapsLed, leadChanges, leaders: distinct.size, positions };
}

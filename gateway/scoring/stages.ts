// Stages (R-SF-3): the leader completing a stage's end lap ends the stage (green-and-
// white checkered); every other truck's stage finish is its next crossing. The top ten
// are decided at the line: by laps at that crossing, then its time. The final stage is
// the race, whose top ten is the classification's. With two laps left in a stage
// (not the last), pit road closes under green (R-PIT-OPEN-3).
import type { CreditedLap } from './laps.js';

export interface StageResult {
  /** 1-based. */
  stage: number;
  endLap: number;
  /** When the leader completed endLap (µs, gateway clock). */
  endUs: number;
  top10: string[];
}

/** R-SF-3: how many trucks of a stage's order its result lists (the top ten). */
export const STAGE_TOP = 10;

/** The first truck to complete lap n (n ≥ 1), or null: when the leader completed it. */
export type LapLeader = (n: number) => CreditedLap | null;

/** A truck at a stage's end (the leader's crossing at endUs): laps and time of its crossing there. */
export interface AtStageEnd {
  car: string;
  lap: number;
  us: number;
}

/** Index of a truck's next crossing from the leader's (endUs) on, looking from `from` on; −1 when it crossed no more. */
export function stageFinishIndex(list: readonly CreditedLap[], endUs: number, from: number): number {
  for (let i = from; i < list.length; i++) if (list[i]!.scoredUs >= endUs) return i;
  return -1;
}

/** A truck's stage finish from stageFinishIndex: that crossing; a truck that crossed no more stands on its last. */
export function stageFinish(car: string, list: readonly CreditedLap[], index: number): AtStageEnd | null {
  const x = index >= 0 ? list[index] : list[list.length - 1];
  return x ? { car, lap: x.lap, us: x.scoredUs } : null;
}

/** Top ten by laps, then time at that crossing; `rank`: entry order (exact ties). */
export function stageTop10(atLine: readonly AtStageEnd[], rank: ReadonlyMap<string, number>): string[] {
  const sorted = [...atLine].sort((a, b) => b.lap - a.lap || a.us - b.us || (rank.get(a.car) ?? 0) - (rank.get(b.car) ?? 0));
  return sorted.slice(0, STAGE_TOP).map((x) => x.car);
}

/** R-PIT-OPEN-3: when the leader completed stageEnd − 2, for every stage but the last. */
export function stagePitClosures(stages: readonly number[], first: LapLeader): Array<{ stage: number; atUs: number }> {
  const out: Array<{ stage: number; atUs: number }> = [];
  stages.forEach((endLap, i) => {
    if (i === stages.length - 1 || endLap - 2 < 1) return;
    const x = first(endLap - 2);
    if (x) out.push({ stage: i + 1, atUs: x.scoredUs });
  });
  return out;
}

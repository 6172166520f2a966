// The qualifying order (R-QUAL-5): best speed first; identical times by owner points,
// then by who posted first; trucks without a time last in field order. Who advances and
// the overall order.
import { describe, expect, test } from 'vitest';
import { advancing, bestTimes, overallOrder, ownerPointsOf, rankRound, type RoundBest } from '../../../gateway/qualifying/qualifying-order.js';
import type { JudgedLap } from '../../../gateway/qualifying/timed-laps.js';
import { at, fieldOf, S } from './qualifying-fixture.js';

const FIELD = fieldOf('1', '2', '3', '4', '5');
const ALL = new Set(FIELD.map((e) => e.car));
const best = (entries: Array<[string, number, number]>): Map<string, RoundBest> => new Map(entries.map(([car, timeS, postedS]) => [car, { timeUs: Math.round(timeS * S), postedUs: at(postedS) }]));
const cars = (rows: Array<{ car: string }>): string[] => rows.map((r) => r.car);

describe('R-QUAL-5 the order of a round', () => {
  test('R-QUAL-5: fastest first; trucks without a time last, in field order', () => {
    const order = rankRound(FIELD, ALL, best([['4', 20.2, 50], ['2', 19.9, 40], ['5', 20.0, 45]]), {});
    expect(cars(order)).toEqual(['2', '5', '4', '1', '3']);
    expect(order[0]).toEqual({ pos: 1, car: '2', driver: 'Driver 2', timeUs: 19_900_000, postedUs: at(40), ownerPoints: 0 });
    expect(order[3]).toEqual({ pos: 4, car: '1', driver: 'Driver 1', timeUs: null, postedUs: null, ownerPoints: 0 });
  });

  test('R-QUAL-5: identical times (to the µs) go by owner points, more first; then by who posted first; then field order', () => {
    const times = best([
      ['1', 20, 31], // posted after 2, same points
      ['2', 20, 30],
      ['3', 20, 45], // most points
      ['4', 20, 30], // same points and instant as 2: field order
      ['5', 19.999999, 60], // 1 µs faster: ahead of all, whatever its points
    ]);
    const order = rankRound(FIELD, ALL, times, { '1': 50, '2': 50, '3': 120, '4': 50, '5': 0 });
    expect(cars(order)).toEqual(['5', '3', '2', '4', '1']);
    expect(order.map((o) => o.ownerPoints)).toEqual([0, 120, 50, 50, 50]);
  });

  test('R-QUAL-5: owner points not given are 0; an inherited name is no car of the points list', () => {
    expect(ownerPointsOf({ '7': 12 }, '7')).toBe(12);
    expect(ownerPointsOf({ '7': 12 }, '8')).toBe(0);
    expect(ownerPointsOf({}, 'constructor')).toBe(0);
    const order = rankRound(FIELD, ALL, best([['1', 20, 40], ['2', 20, 30]]), { '1': 1 });
    expect(cars(order).slice(0, 2)).toEqual(['1', '2']);
  });

  test('only the round’s entrants are ranked', () => {
    expect(cars(rankRound(FIELD, new Set(['4', '2']), best([['1', 19, 30], ['4', 20, 40]]), {}))).toEqual(['4', '2']);
  });

  test('R-QUAL-2: a truck’s time is its best timed lap; of two equal laps the first posted; uncounted laps are not times', () => {
    const lap = (car: string, endS: number, timeS: number, counted = true): JudgedLap => ({
      car,
      startUs: at(endS - timeS),
      endUs: at(endS),
      timeUs: Math.round(timeS * S),
      inferred: false,
      counted,
      why: counted ? null : 'beyond its timed laps in the round (R-QUAL-2)',
    });
    const b = bestTimes([lap('1', 30, 20.5), lap('1', 50.1, 20.1), lap('1', 70, 19, false), lap('2', 30, 20), lap('2', 50, 20), lap('3', 30, 18, false)]);
    expect(b).toEqual(
      new Map([
        ['1', { timeUs: 20_100_000, postedUs: at(50.1) }],
        ['2', { timeUs: 20_000_000, postedUs: at(30) }],
      ]),
    );
  });
});

describe('advancing and the overall order', () => {
  test('the next round’s entrants are the top `advance` of this round (all, when fewer)', () => {
    const order = rankRound(FIELD, ALL, best([['3', 19, 30], ['1', 20, 30]]), {});
    expect(advancing(order, 3)).toEqual(new Set(['3', '1', '2']));
    expect(advancing(order, 10)).toEqual(ALL);
  });

  test('the last round decides for its trucks; the rest by their earlier rounds’ positions', () => {
    const r1 = rankRound(FIELD, ALL, best([['1', 20, 30], ['2', 19.5, 31], ['3', 19.8, 32], ['4', 21, 33]]), {});
    const r2 = rankRound(FIELD, advancing(r1, 3), best([['1', 19.4, 630], ['3', 19.6, 631]]), {});
    const r3 = rankRound(FIELD, advancing(r2, 2), best([['3', 19.3, 930]]), {});
    expect(cars(r1)).toEqual(['2', '3', '1', '4', '5']);
    expect(cars(r2)).toEqual(['1', '3', '2']);
    const overall = overallOrder([r1, r2, r3]);
    expect(overall.map((o) => [o.pos, o.car, o.round])).toEqual([
      [1, '3', 3],
      [2, '1', 3],
      [3, '2', 2],
      [4, '4', 1],
      [5, '5', 1],
    ]);
    expect(overall[1]).toMatchObject({ timeUs: null, postedUs: null }); // the last round's time decides, not an earlier one
  });
});

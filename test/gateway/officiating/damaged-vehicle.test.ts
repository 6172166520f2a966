// The damaged vehicle clock (R-PIT-DAMAGE-1), worked by hand on the gateway clock:
// visits summed, a visit in progress when marked, red flags, violations, clears, the
// live clock and missed lines — each overUs to the µs.
import { describe, expect, test } from 'vitest';
import { damagedVehicleClocks, redSpans, type DamagedVehicleInput, type DamageMark, type PitVisit, type PitViolation, type RedSpan } from '../../../gateway/officiating/damaged-vehicle.js';

const S = 1_000_000;
const T0 = 5_000_000_000; // the mark, µs on the gateway clock
const RULES = { clockS: 360, perViolationS: 15 };
const at = (s: number): number => T0 + Math.round(s * S);

const mark = (s: number, seq: number, damaged = true, car = '11'): DamageMark => ({ car, atUs: at(s), seq, damaged });
const visit = (inS: number | null, exitS: number | null, firstS?: number, lastS?: number, car = '11'): PitVisit => ({
  car,
  pitInUs: inS === null ? null : at(inS),
  pitExitUs: exitS === null ? null : at(exitS),
  firstUs: at(firstS ?? inS ?? 0),
  lastUs: at(lastS ?? exitS ?? firstS ?? inS ?? 0),
});
const speeding = (s: number, id: string, car = '11'): PitViolation => ({ car, atUs: at(s), rule: 'R-PIT-SPEED-1', id });
const commit = (s: number, id: string, car = '11'): PitViolation => ({ car, atUs: at(s), rule: 'R-PIT-COMMIT-1', id });

function clocks(p: Partial<DamagedVehicleInput> & { nowS: number }) {
  return damagedVehicleClocks({ marks: p.marks ?? [mark(0, 1)], visits: p.visits ?? [], reds: p.reds ?? [], violations: p.violations ?? [], nowUs: at(p.nowS) }, RULES);
}

describe('R-PIT-DAMAGE-1 damaged vehicle clock', () => {
  test('R-PIT-DAMAGE-1: the clock is summed over every visit for the same damage; visits before the mark do not count', () => {
    const [c, ...rest] = clocks({ nowS: 1000, visits: [visit(-100, -50), visit(10, 130), visit(500, 560)] });
    expect(rest).toEqual([]);
    expect(c).toEqual({
      car: '11',
      markedUs: T0,
      clearedUs: null,
      limitS: 360,
      usedS: 180,
      remainingS: 180,
      running: false,
      pitRoadS: 180,
      addedS: 0,
      visits: [
        { pitInUs: at(10), pitExitUs: at(130), fromUs: at(10), toUs: at(130), entryMissed: false, exitMissed: false, live: false, countedS: 120, redS: 0 },
        { pitInUs: at(500), pitExitUs: at(560), fromUs: at(500), toUs: at(560), entryMissed: false, exitMissed: false, live: false, countedS: 60, redS: 0 },
      ],
      additions: [],
      overUs: null,
      status: 'on track',
    });
    // Fixed key order, for byte-identical output.
    expect(Object.keys(c!)).toEqual(['car', 'markedUs', 'clearedUs', 'limitS', 'usedS', 'remainingS', 'running', 'pitRoadS', 'addedS', 'visits', 'additions', 'overUs', 'status']);
  });

  test('R-PIT-DAMAGE-1: over the limit on the second visit, no longer scored from the instant the 6:00 ran out', () => {
    // 120 s on the first visit; 240 s more runs out at 500 + 240 = 740 s.
    const [c] = clocks({ nowS: 1000, visits: [visit(10, 130), visit(500, 800)] });
    expect(c).toMatchObject({ usedS: 420, remainingS: 0, overUs: at(740), status: 'over limit' });
  });

  test('R-PIT-DAMAGE-1: a vehicle marked mid-visit has that visit counted whole, from its entry line', () => {
    const [c] = clocks({ marks: [mark(40, 1)], nowS: 200, visits: [visit(0, 100.000001)] });
    expect(c).toMatchObject({ markedUs: at(40), usedS: 100.000001, status: 'on track' });
    expect(c!.visits[0]).toMatchObject({ fromUs: at(0), countedS: 100.000001 });
  });

  test('R-PIT-DAMAGE-1: a red flag during a visit stops the clock, to the µs', () => {
    const reds: RedSpan[] = [{ fromUs: at(20.123456), toUs: at(80.654321) }];
    const [c] = clocks({ nowS: 200, visits: [visit(1.000001, 100.000007)], reds });
    // (100.000007 − 1.000001) − (80.654321 − 20.123456) = 99.000006 − 60.530865
    expect(c!.visits[0]).toMatchObject({ countedS: 38.469141, redS: 60.530865 });
    expect(c).toMatchObject({ usedS: 38.469141, remainingS: 321.530859 });
  });

  test('R-PIT-DAMAGE-1: the red pause moves the instant the clock runs out; red spans come from the flags', () => {
    const reds = redSpans([
      { atUs: at(-60), seq: 1, flag: 'green' },
      { atUs: at(1000.5), seq: 4, flag: 'yellow' },
      { atUs: at(300), seq: 2, flag: 'red' },
      { atUs: at(500), seq: 3, flag: 'white' }, // does not end the red
    ]);
    expect(reds).toEqual([{ fromUs: at(300), toUs: at(1000.5) }]);
    // 300 s before the red, 60 s more after it: 1000.5 + 60.
    const [c] = clocks({ nowS: 2000, visits: [visit(0, 1200)], reds });
    expect(c).toMatchObject({ overUs: at(1060.5), status: 'over limit' });
    expect(c!.visits[0]).toMatchObject({ countedS: 499.5, redS: 700.5 });
    expect(redSpans([{ atUs: at(0), seq: 1, flag: 'red' }, { atUs: at(5), seq: 2, flag: 'red' }])).toEqual([{ fromUs: at(0), toUs: null }]);
  });

  test('R-PIT-DAMAGE-1: +15 s per violation, counted from the violation, reaches the limit earlier', () => {
    // A commitment line call 2 s before the entry line, speeding 5 s after: 30 s added,
    // so the 360 s run out once 330 s on pit road are used: at 330 s, not 360 s.
    const violations = [speeding(5, 'v-speed'), commit(-2, 'v-commit'), speeding(3, 'other-car', '22')];
    const [c] = clocks({ marks: [mark(-10, 1)], nowS: 1000, visits: [visit(0, 400)], violations });
    expect(c).toMatchObject({ limitS: 360, usedS: 430, pitRoadS: 400, addedS: 30, overUs: at(330), status: 'over limit' });
    expect(c!.additions).toEqual([
      { id: 'v-commit', rule: 'R-PIT-COMMIT-1', atUs: at(-2), addS: 15 },
      { id: 'v-speed', rule: 'R-PIT-SPEED-1', atUs: at(5), addS: 15 },
    ]);
    expect(Object.keys(c!.additions[0]!)).toEqual(['id', 'rule', 'atUs', 'addS']);
  });

  test('R-PIT-DAMAGE-1: a violation whose 15 s take the clock over puts it over at the violation\'s instant', () => {
    // 345 s on the first visit; 3.25 s into the second, 348.25 + 15 = 363.25 ≥ 360.
    const violations = [speeding(1003.25, 'v1'), speeding(-50, 'before-the-damage'), speeding(1003.25, 'v1')];
    const [c] = clocks({ nowS: 2000, visits: [visit(-60, -40), visit(0, 345), visit(1000, 1010)], violations });
    expect(c).toMatchObject({ overUs: at(1003.25), usedS: 370, remainingS: 0, status: 'over limit' });
    expect(c!.additions.map((a) => a.id)).toEqual(['v1']);
  });

  test('R-PIT-DAMAGE-1: a cleared mark stops the clock; a new mark later is a new damage with a fresh clock', () => {
    const marks = [mark(0, 1), mark(5, 2), mark(230, 3, false), mark(300, 4), mark(0, 5, true, '22')];
    const visits = [visit(10, 70), visit(200, 260), visit(290, 330), visit(400, 410, undefined, undefined, '22')];
    const out = clocks({ marks, nowS: 1000, visits });
    expect(out.map((c) => [c.car, c.markedUs, c.clearedUs, c.usedS, c.status])).toEqual([
      ['11', at(0), at(230), 90, 'cleared'], // 60 s, then 30 s of the visit in progress at the clear
      ['22', at(0), null, 10, 'on track'],
      ['11', at(300), null, 40, 'on track'], // the visit in progress at the new mark counts whole
    ]);
    expect(out[0]!.visits.map((v) => [v.fromUs, v.toUs])).toEqual([[at(10), at(70)], [at(200), at(230)]]);
    // A clear does not undo a time that already ran out.
    const [over] = clocks({ marks: [mark(0, 1), mark(500, 2, false)], nowS: 600, visits: [visit(0, 400)] });
    expect(over).toMatchObject({ overUs: at(360), clearedUs: at(500), status: 'over limit' });
  });

  test('R-PIT-DAMAGE-1: a visit whose exit line is not seen yet runs to nowUs; a red out now stops it', () => {
    const [c] = clocks({ nowS: 70.5, visits: [visit(10, null, 10, 70)] });
    expect(c).toMatchObject({ usedS: 60.5, remainingS: 299.5, running: true, status: 'repairing', overUs: null });
    expect(c!.visits[0]).toMatchObject({ pitExitUs: null, toUs: at(70.5), live: true, countedS: 60.5 });
    const [red] = clocks({ nowS: 70.5, visits: [visit(10, null)], reds: [{ fromUs: at(50), toUs: null }] });
    expect(red).toMatchObject({ usedS: 40, running: false, status: 'repairing' });
    expect(red!.visits[0]).toMatchObject({ countedS: 40, redS: 20.5 });
    // Live past the limit: over at 10 + 360 s.
    const [late] = clocks({ nowS: 400, visits: [visit(10, null)] });
    expect(late).toMatchObject({ overUs: at(370), running: true, status: 'over limit' });
  });

  test('R-PIT-DAMAGE-1: as of nowUs — an exit, mark or violation later than now is not known yet', () => {
    const [c] = clocks({ nowS: 50, visits: [visit(10, 130)], violations: [speeding(60, 'later')], marks: [mark(0, 1), mark(55, 2, false)] });
    expect(c).toMatchObject({ usedS: 40, clearedUs: null, running: true, status: 'repairing', additions: [] });
    expect(c!.visits[0]).toMatchObject({ pitExitUs: null, toUs: at(50), live: true });
    // Cleared while on pit road: counted to the clear, no longer live.
    const [cl] = clocks({ nowS: 50, visits: [visit(10, null)], marks: [mark(0, 1), mark(30, 2, false)] });
    expect(cl).toMatchObject({ usedS: 20, running: false, status: 'cleared' });
    expect(cl!.visits[0]).toMatchObject({ toUs: at(30), live: false });
  });

  test('R-PIT-DAMAGE-1: a missed entry line counts from the first time heard on pit road, and says so', () => {
    const [c] = clocks({ nowS: 500, visits: [visit(null, 72.5, 12.5)] });
    expect(c!.visits[0]).toEqual({ pitInUs: null, pitExitUs: at(72.5), fromUs: at(12.5), toUs: at(72.5), entryMissed: true, exitMissed: false, live: false, countedS: 60, redS: 0 });
    // A missed exit line on an earlier visit: counted to the last time heard.
    const [d] = clocks({ nowS: 500, visits: [visit(10, null, 10, 40.25), visit(100, 110)] });
    expect(d!.visits[0]).toMatchObject({ pitExitUs: null, toUs: at(40.25), exitMissed: true, live: false, countedS: 30.25 });
    expect(d).toMatchObject({ usedS: 40.25, status: 'on track' });
  });

  test('R-PIT-DAMAGE-1: the order of the inputs makes no difference', () => {
    const input: DamagedVehicleInput = {
      marks: [mark(0, 1), mark(230, 3, false), mark(300, 4), mark(0, 5, true, '22')],
      visits: [visit(10, 70), visit(200, 260), visit(290, 330), visit(400, null, 400, 405, '22')],
      reds: [{ fromUs: at(20), toUs: at(30) }, { fromUs: at(25), toUs: at(40) }],
      violations: [speeding(15, 'a'), commit(398, 'b', '22'), speeding(320, 'c')],
      nowUs: at(420.000001),
    };
    const want = JSON.stringify(damagedVehicleClocks(input, RULES));
    const rev = { ...input, marks: [...input.marks].reverse(), visits: [...input.visits].reverse(), reds: [...input.reds].reverse(), violations: [...input.violations].reverse() };
    expect(JSON.stringify(damagedVehicleClocks(rev, RULES))).toBe(want);
    const first = JSON.parse(want);
    expect(first[0].visits[0]).toMatchObject({ countedS: 40, redS: 20 }); // the overlapping reds merged: 20..40
    expect(first[1]).toMatchObject({ car: '22', usedS: 35.000001, running: true, additions: [{ id: 'b' }] });
  });
});

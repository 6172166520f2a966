// Scenario files: the shipped ones validate against their track; broken ones are
// refused naming the field.

import { describe, expect, test } from 'vitest';
import { repoPath } from '../../protocol/repo-root.js';
import { ScenarioError, loadScenario, validateScenario, type Scenario } from '../../sim-hardware/scenario.js';
import { loadTrack, pitSegments, trackFile, type Track } from '../../sim-hardware/track.js';

const scenarioPath = (name: string): string => repoPath('sim-hardware', 'scenarios', name);

function valid(): any {
  return {
    track: 'martinsville',
    session: 'race',
    laps: 10,
    stages: [5, 10],
    seed: 7,
    gridGapS: 0.5,
    event: { pitSpeedLimitMph: 30, pitSpeedToleranceMph: 4 },
    field: [
      { car: '1', driver: 'A. Driver', transponder: 101, box: 1, noseOffsetM: 1.5, paceS: 20.2 },
      { car: '2', driver: 'B. Driver', transponder: 102, box: 2, noseOffsetM: 1.6, lapTimes: [20.5, 20.3, 20.3, 20.4, 20.2, 20.2, 20.3, 20.3, 20.4, 20.2] },
      { car: '38', driver: 'C. Driver', transponder: 103, box: 3, noseOffsetM: 1.4, paceS: 20.3 },
    ],
    pitStops: [{ car: '2', lap: 4, serviceS: 12, segmentMph: { '1': 29.5, '2': 35.5 }, pose: { xMm: 1000, yMm: 0, yawDeg: 0 }, crewEarlyBoxes: 1 }],
    cautions: [{ lap: 6, laps: 2 }],
    redFlags: [{ lap: 8, minutes: 10 }],
    faults: [
      { kind: 'missed-read', loop: 1, car: '1', lap: 3 },
      { kind: 'board-reboot', board: 'box-01', atS: 60 },
      { kind: 'broker-outage', atS: 90, forS: 2 },
      { kind: 'partition', board: 'loop-pit', atS: 100, forS: 5 },
      { kind: 'clock-drift', board: 'loop-sf', ppm: -40 },
    ],
  };
}

function errorOf(s: unknown): Error {
  try {
    validateScenario(s, 'scenario.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as Error;
  }
  throw new Error('scenario was accepted');
}

describe('valid scenarios', () => {
  test('a valid scenario loads, with defaults filled in', () => {
    const s: Scenario = validateScenario(valid(), 'scenario.json');
    expect(s.field.map((e) => e.car)).toEqual(['1', '2', '38']);
    expect(s.pitStops[0].pose.xMm).toBe(1000);
    expect(s.faults).toHaveLength(5);
    const bare = valid();
    for (const k of ['event', 'pitStops', 'cautions', 'redFlags', 'faults']) delete bare[k];
    bare.stages = [10];
    bare.pitStops = [{ car: '1', lap: 2, serviceS: 0 }];
    const d = validateScenario(bare, 'scenario.json');
    expect(d.pitStops[0]).toEqual({ car: '1', lap: 2, serviceS: 0, segmentMph: {}, pose: { xMm: 0, yMm: 0, yawDeg: 0 } });
    expect(d.cautions).toEqual([]);
    expect(d.event).toBeUndefined();
  });

  test('crew, boxes driven through, pass-throughs and the event\'s officiating limits: left out, nothing is set', () => {
    const bare = validateScenario(valid(), 'scenario.json');
    expect(bare.pitStops[0].crew).toBeUndefined();
    expect(bare.pitStops[0].boxesThrough).toBeUndefined();
    expect(bare.pitStops[0].passThrough).toBeUndefined();
    expect(bare.event).toEqual({ pitSpeedLimitMph: 30, pitSpeedToleranceMph: 4 });
    const s = valid();
    s.event.crewLimit = 5;
    s.event.boxesThroughLimit = 0;
    Object.assign(s.pitStops[0], { crew: 7, boxesThrough: { entering: 1, leaving: 8 } });
    s.pitStops.push({ car: '38', lap: 2, serviceS: 0, passThrough: true, segmentMph: { '1': 40 } });
    s.pitStops.push({ car: '1', lap: 2, serviceS: 3, boxesThrough: { leaving: 2 }, passThrough: false });
    s.pitStops.push({ car: '1', lap: 5, serviceS: 3, boxesThrough: {} });
    const d = validateScenario(s, 'scenario.json');
    expect(d.event).toEqual({ pitSpeedLimitMph: 30, pitSpeedToleranceMph: 4, crewLimit: 5, boxesThroughLimit: 0 });
    expect(d.pitStops[0]).toMatchObject({ crew: 7, boxesThrough: { entering: 1, leaving: 8 } });
    expect(d.pitStops[1]).toEqual({ car: '38', lap: 2, serviceS: 0, passThrough: true, segmentMph: { '1': 40 }, pose: { xMm: 0, yMm: 0, yawDeg: 0 } });
    expect(d.pitStops[2]).toMatchObject({ boxesThrough: { entering: 0, leaving: 2 }, passThrough: false });
    expect(d.pitStops[3].boxesThrough).toEqual({ entering: 0, leaving: 0 });
  });

  test('the commitment line crossing: offset and yaw, a pass-through too; left out, nothing is set', () => {
    expect(validateScenario(valid(), 'scenario.json').pitStops[0].commitmentOffsetMm).toBeUndefined();
    const s = valid();
    Object.assign(s.pitStops[0], { commitmentOffsetMm: -3000, commitmentYawDeg: 2.5 });
    s.pitStops.push({ car: '38', lap: 2, serviceS: 0, passThrough: true, commitmentOffsetMm: 620 });
    const d = validateScenario(s, 'scenario.json');
    expect(d.pitStops[0]).toMatchObject({ commitmentOffsetMm: -3000, commitmentYawDeg: 2.5 });
    expect(d.pitStops[1]).toMatchObject({ passThrough: true, commitmentOffsetMm: 620 });
    expect(d.pitStops[1].commitmentYawDeg).toBeUndefined();
  });

  test('a commitment offset on a track without a commitment lane is refused naming the field', () => {
    const track = loadTrack('martinsville');
    const bare: Track = { ...track, pitRoad: { ...track.pitRoad } };
    delete bare.pitRoad.commitmentLane;
    const s = valid();
    s.pitStops[0].commitmentYawDeg = 1;
    expect(() => validateScenario(s, 'scenario.json', () => bare)).toThrow(/^scenario\.json: pitStops\[0\]\.commitmentYawDeg: martinsville has no commitment lane \(pitRoad\.commitmentLane\) to cross$/);
    delete s.pitStops[0].commitmentYawDeg;
    expect(validateScenario(s, 'scenario.json', () => bare).pitStops).toHaveLength(1);
  });

  test('a track path is resolved next to the scenario file', () => {
    const s = valid();
    s.track = '../tracks/bristol.json';
    const seen: string[] = [];
    validateScenario(s, scenarioPath('x.json'), (p) => (seen.push(p), loadTrack(p)));
    expect(seen).toEqual([trackFile('bristol')]);
  });

  test('martinsville-10: a speeding segment and a stop with the nose over the front line', () => {
    const s = loadScenario(scenarioPath('martinsville-10.json'));
    const t = loadTrack(s.track);
    expect(s.laps).toBe(10);
    expect(s.field.length).toBeGreaterThanOrEqual(4);
    const threshold = t.pitRoad.speedLimitMph + t.pitRoad.toleranceMph + 0.5;
    expect(s.pitStops.some((p) => Object.values(p.segmentMph).includes(threshold))).toBe(true);
    // Clause (b): the nose (centre + wheelbase/2 + front overhang) past the front line's inner edge.
    const box = t.pitRoad.boxes[0];
    const noseOver = (x: number): boolean => x + t.vehicle.wheelbaseMm / 2 + t.vehicle.frontOverhangMm >= box.lengthMm / 2;
    expect(s.pitStops.some((p) => noseOver(p.pose.xMm))).toBe(true);
  });

  test('martinsville-200: 36 trucks, 200 laps, three stages', () => {
    const s = loadScenario(scenarioPath('martinsville-200.json'));
    expect(s.laps).toBe(200);
    expect(s.stages).toEqual([60, 120, 200]);
    expect(s.field).toHaveLength(36);
    expect(s.cautions.length).toBeGreaterThanOrEqual(3);
    expect(s.pitStops.length).toBeGreaterThanOrEqual(36);
    for (const e of s.field) {
      const times = e.lapTimes ?? [e.paceS!];
      const green = times.filter((x) => x < 25);
      expect(Math.min(...green)).toBeGreaterThan(19);
      expect(Math.max(...green)).toBeLessThan(22);
    }
    expect(pitSegments(loadTrack(s.track)).length).toBe(5);
  });
});

describe('broken scenarios are refused naming the field', () => {
  const cases: Array<[string, (s: any) => void, RegExp]> = [
    ['missing track', (s) => delete s.track, /^scenario\.json: track: missing/],
    ['unknown track', (s) => (s.track = 'daytona'), /^scenario\.json: track: cannot load track "daytona": daytona\.json: \(file\): no such track file/],
    ['bad session', (s) => (s.session = 'practice'), /^scenario\.json: session: must be one of "race", "qualifying"/],
    ['zero laps', (s) => (s.laps = 0), /^scenario\.json: laps: must be >= 1/],
    ['stages not ending at laps', (s) => (s.stages = [5, 9]), /^scenario\.json: stages\[1\]: the last stage must end at laps \(10\)/],
    ['stages not ascending', (s) => (s.stages = [6, 5, 10]), /^scenario\.json: stages\[1\]: must be after stages\[0\]/],
    ['no caution after a stage (R-SF-3)', (s) => (s.stages = [4, 10]), /^scenario\.json: stages\[0\]: stage 1 ends at lap 4: a caution must follow it/],
    ['fractional seed', (s) => (s.seed = 1.5), /^scenario\.json: seed: must be an integer/],
    ['negative grid gap', (s) => (s.gridGapS = -1), /^scenario\.json: gridGapS: must be >= 0/],
    ['duplicate car', (s) => (s.field[2].car = '1'), /^scenario\.json: field\[2\]\.car: duplicates field\[0\]/],
    ['car number not a string', (s) => (s.field[1].car = 2), /^scenario\.json: field\[1\]\.car: must be a string/],
    ['empty driver', (s) => (s.field[1].driver = ''), /^scenario\.json: field\[1\]\.driver: must not be empty/],
    ['duplicate transponder', (s) => (s.field[2].transponder = 102), /^scenario\.json: field\[2\]\.transponder: duplicates field\[1\]/],
    ['zero transponder', (s) => (s.field[0].transponder = 0), /^scenario\.json: field\[0\]\.transponder: must be >= 1/],
    ['transponder over u32', (s) => (s.field[0].transponder = 2 ** 32), /^scenario\.json: field\[0\]\.transponder: must be <= 4294967295/],
    ['unknown box', (s) => (s.field[0].box = 99), /^scenario\.json: field\[0\]\.box: no box 99 on martinsville/],
    ['duplicate box', (s) => (s.field[2].box = 1), /^scenario\.json: field\[2\]\.box: duplicates field\[0\]/],
    ['nose offset out of range', (s) => (s.field[0].noseOffsetM = 6), /^scenario\.json: field\[0\]\.noseOffsetM: must be <= 5/],
    ['both paceS and lapTimes', (s) => (s.field[0].lapTimes = s.field[1].lapTimes), /^scenario\.json: field\[0\]\.lapTimes: give paceS or lapTimes, not both/],
    ['neither paceS nor lapTimes', (s) => delete s.field[0].paceS, /^scenario\.json: field\[0\]\.paceS: missing \(give paceS or lapTimes\)/],
    ['too few lapTimes', (s) => s.field[1].lapTimes.pop(), /^scenario\.json: field\[1\]\.lapTimes: has 9 lap times, needs at least laps \(10\)/],
    ['a zero lap time', (s) => (s.field[1].lapTimes[4] = 0), /^scenario\.json: field\[1\]\.lapTimes\[4\]: must be > 0/],
    ['non-finite pace', (s) => (s.field[0].paceS = null), /^scenario\.json: field\[0\]\.paceS: must be a finite number \(got null\)/],
    ['pit stop for unknown car', (s) => (s.pitStops[0].car = '77'), /^scenario\.json: pitStops\[0\]\.car: no car "77" in field/],
    ['pit stop on the last lap', (s) => (s.pitStops[0].lap = 10), /^scenario\.json: pitStops\[0\]\.lap: must be 1\.\.9/],
    ['pit stop on lap 0', (s) => (s.pitStops[0].lap = 0), /^scenario\.json: pitStops\[0\]\.lap: must be 1\.\.9/],
    ['two stops on one lap', (s) => s.pitStops.push({ car: '2', lap: 4, serviceS: 3 }), /^scenario\.json: pitStops\[1\]\.lap: car 2 already stops at the end of lap 4/],
    ['negative service time', (s) => (s.pitStops[0].serviceS = -1), /^scenario\.json: pitStops\[0\]\.serviceS: must be >= 0/],
    ['unknown segment number', (s) => (s.pitStops[0].segmentMph['9'] = 30), /^scenario\.json: pitStops\[0\]\.segmentMph\.9: unknown key \(expected one of 1, 2, 3, 4, 5\)/],
    ['pose out of range', (s) => (s.pitStops[0].pose.xMm = 3500), /^scenario\.json: pitStops\[0\]\.pose\.xMm: must be <= 3000/],
    ['yaw out of range', (s) => (s.pitStops[0].pose.yawDeg = -50), /^scenario\.json: pitStops\[0\]\.pose\.yawDeg: must be >= -45/],
    ['pose missing a key', (s) => delete s.pitStops[0].pose.yMm, /^scenario\.json: pitStops\[0\]\.pose\.yMm: missing/],
    ['negative crew early', (s) => (s.pitStops[0].crewEarlyBoxes = -1), /^scenario\.json: pitStops\[0\]\.crewEarlyBoxes: must be >= 0/],
    ['no crew', (s) => (s.pitStops[0].crew = 0), /^scenario\.json: pitStops\[0\]\.crew: must be >= 1 and <= 12 \(got 0\)/],
    ['crew of 13', (s) => (s.pitStops[0].crew = 13), /^scenario\.json: pitStops\[0\]\.crew: must be <= 12/],
    ['half a crew member', (s) => (s.pitStops[0].crew = 6.5), /^scenario\.json: pitStops\[0\]\.crew: must be an integer/],
    ['boxesThrough a number', (s) => (s.pitStops[0].boxesThrough = 4), /^scenario\.json: pitStops\[0\]\.boxesThrough: must be an object \(got 4\)/],
    ['unknown boxesThrough key', (s) => (s.pitStops[0].boxesThrough = { entering: 1, exiting: 1 }), /^scenario\.json: pitStops\[0\]\.boxesThrough\.exiting: unknown key \(expected one of entering, leaving\)/],
    ['boxes through, 9 leaving', (s) => (s.pitStops[0].boxesThrough = { leaving: 9 }), /^scenario\.json: pitStops\[0\]\.boxesThrough\.leaving: must be <= 8/],
    ['boxes through, negative', (s) => (s.pitStops[0].boxesThrough = { entering: -1 }), /^scenario\.json: pitStops\[0\]\.boxesThrough\.entering: must be >= 0/],
    ['boxes through, fractional', (s) => (s.pitStops[0].boxesThrough = { entering: 0.5 }), /^scenario\.json: pitStops\[0\]\.boxesThrough\.entering: must be an integer/],
    ['through boxes before box 1', (s) => (s.pitStops[0].boxesThrough = { entering: 2 }), /^scenario\.json: pitStops\[0\]\.boxesThrough\.entering: box 2 has 1 box before it on pit road, not 2/],
    [
      'through boxes past the end of pit road',
      (s) => ((s.field[1].box = 38), (s.pitStops[0].boxesThrough = { entering: 4, leaving: 3 })),
      /^scenario\.json: pitStops\[0\]\.boxesThrough\.leaving: box 38 has 2 boxes after it on pit road, not 3/,
    ],
    ['passThrough not a boolean', (s) => (s.pitStops[0].passThrough = 'yes'), /^scenario\.json: pitStops\[0\]\.passThrough: must be true or false \(got "yes"\)/],
    ['a pass-through with service', (s) => (s.pitStops[0].passThrough = true), /^scenario\.json: pitStops\[0\]\.serviceS: must be 0 for a pass-through \(got 12\)/],
    ...(['pose', 'crew', 'crewEarlyBoxes', 'boxesThrough'] as const).map((key): [string, (s: any) => void, RegExp] => [
      `a pass-through with ${key}`,
      (s) => {
        s.pitStops[0] = { car: '2', lap: 4, serviceS: 0, passThrough: true, pose: { xMm: 0, yMm: 0, yawDeg: 0 }, crew: 6, crewEarlyBoxes: 0.5, boxesThrough: { entering: 0 } };
        for (const k of ['pose', 'crew', 'crewEarlyBoxes', 'boxesThrough']) if (k !== key) delete s.pitStops[0][k];
      },
      new RegExp(`^scenario\\.json: pitStops\\[0\\]\\.${key}: a pass-through does not stop in its box: leave it out`),
    ]),
    ['commitment offset over 3000 mm', (s) => (s.pitStops[0].commitmentOffsetMm = -3001), /^scenario\.json: pitStops\[0\]\.commitmentOffsetMm: must be >= -3000/],
    ['commitment offset not whole mm', (s) => (s.pitStops[0].commitmentOffsetMm = 12.5), /^scenario\.json: pitStops\[0\]\.commitmentOffsetMm: must be an integer/],
    ['commitment offset as text', (s) => (s.pitStops[0].commitmentOffsetMm = '600'), /^scenario\.json: pitStops\[0\]\.commitmentOffsetMm: must be a finite number \(got "600"\)/],
    ['commitment yaw over 20°', (s) => (s.pitStops[0].commitmentYawDeg = 21), /^scenario\.json: pitStops\[0\]\.commitmentYawDeg: must be <= 20/],
    ['caution of zero laps', (s) => (s.cautions[0].laps = 0), /^scenario\.json: cautions\[0\]\.laps: must be >= 1/],
    ['overlapping cautions', (s) => s.cautions.push({ lap: 7, laps: 1 }), /^scenario\.json: cautions\[1\]\.lap: must come after cautions\[0\] ends/],
    ['red flag of no minutes', (s) => (s.redFlags[0].minutes = 0), /^scenario\.json: redFlags\[0\]\.minutes: must be > 0/],
    ['unknown fault kind', (s) => (s.faults[0].kind = 'meteor'), /^scenario\.json: faults\[0\]\.kind: must be one of "missed-read"/],
    ['fault on unknown board', (s) => (s.faults[1].board = 'box-99'), /^scenario\.json: faults\[1\]\.board: no board "box-99" on martinsville/],
    ['missed read on unknown loop', (s) => (s.faults[0].loop = 99), /^scenario\.json: faults\[0\]\.loop: no loop 99 on martinsville/],
    ['missed read for unknown car', (s) => (s.faults[0].car = '99'), /^scenario\.json: faults\[0\]\.car: no car "99" in field/],
    ['fault with another kind\'s key', (s) => (s.faults[2].board = 'loop-sf'), /^scenario\.json: faults\[2\]\.board: unknown key \(expected one of kind, atS, forS\)/],
    ['negative fault time', (s) => (s.faults[3].atS = -1), /^scenario\.json: faults\[3\]\.atS: must be >= 0/],
    ['outage of no time', (s) => (s.faults[2].forS = 0), /^scenario\.json: faults\[2\]\.forS: must be > 0/],
    ['clock drift too large', (s) => (s.faults[4].ppm = 1001), /^scenario\.json: faults\[4\]\.ppm: must be <= 1000/],
    ['unknown top-level key', (s) => (s.lap = 10), /^scenario\.json: lap: unknown key/],
    ['unknown key in an entry', (s) => (s.field[1].pace = 20), /^scenario\.json: field\[1\]\.pace: unknown key/],
    ['unknown event override', (s) => (s.event.pitSpeedMph = 30), /^scenario\.json: event\.pitSpeedMph: unknown key/],
    ['event crew limit 0', (s) => (s.event.crewLimit = 0), /^scenario\.json: event\.crewLimit: must be >= 1 and <= 12 \(got 0\)/],
    ['event crew limit 13', (s) => (s.event.crewLimit = 13), /^scenario\.json: event\.crewLimit: must be <= 12/],
    ['event boxes-through limit 41', (s) => (s.event.boxesThroughLimit = 41), /^scenario\.json: event\.boxesThroughLimit: must be <= 40/],
    ['event boxes-through limit fractional', (s) => (s.event.boxesThroughLimit = 2.5), /^scenario\.json: event\.boxesThroughLimit: must be an integer/],
    ['zero event speed limit', (s) => (s.event.pitSpeedLimitMph = 0), /^scenario\.json: event\.pitSpeedLimitMph: must be > 0/],
    ['field not an array', (s) => (s.field = {}), /^scenario\.json: field: must be an array/],
    ['empty field', (s) => (s.field = []), /^scenario\.json: field: must have at least 1 entry/],
  ];
  for (const [what, breakIt, message] of cases) {
    test(what, () => {
      const s = valid();
      breakIt(s);
      expect(errorOf(s).message).toMatch(message);
    });
  }

  test('not an object', () => {
    expect(errorOf([]).message).toMatch(/^scenario\.json: \(root\): must be an object/);
  });

  test('a broken track file is reported under track', () => {
    const loader = (): Track => loadTrack(repoPath('package.json'));
    expect(() => validateScenario(valid(), 'scenario.json', loader)).toThrow(/^scenario\.json: track: cannot load track "martinsville": package\.json: version: unknown key/);
  });
});

// Tracks as data: every shipped track loads and its board configs would pass the
// firmware's own config checks; broken tracks are refused naming the field.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { BoxConfig, LoopConfig } from '../../protocol/schema.js';
import { repoPath } from '../../protocol/repo-root.js';
import { DEFAULT_VEHICLE } from '../../sim-hardware/box-geometry.js';
import { TrackError, boardConfigs, boxSpanM, loadTrack, pitSegments, pitStartFinish, trackFile, validateTrack } from '../../sim-hardware/track.js';

const TRACKS: Record<string, number> = {
  martinsville: 0.526,
  bristol: 0.533,
  'las-vegas': 1.5,
  'homestead-miami': 1.5,
  rockingham: 1.017,
};

/** The firmware's pit line rule (boards/loop.ts checkPitLines), restated. */
function firmwareLoopProblem(c: LoopConfig): string | null {
  if (c.loops.length < 1 || c.loops.length > 16) return 'loop count';
  if (new Set(c.loops.map((l) => l.id)).size !== c.loops.length) return 'two loops share an id';
  if (c.quietGapUs < 2000 || c.quietGapUs > 1_000_000) return 'quietGapUs';
  if (c.minHits < 1) return 'minHits';
  for (const l of c.loops) if (!Number.isInteger(l.distanceMm) || l.distanceMm < 0 || l.distanceMm > 0xffffffff) return 'distance';
  const entries = c.loops.filter((l) => l.role === 'pit-entry');
  const exits = c.loops.filter((l) => l.role === 'pit-exit');
  const timing = c.loops.filter((l) => l.role === 'pit-timing');
  if (entries.length + exits.length + timing.length === 0) return c.pitRoad ? 'limits without pit lines' : null;
  if (!c.pitRoad) return 'pit lines without limits';
  if (entries.length !== 1 || exits.length !== 1) return 'one entry and one exit';
  const [entry, exit] = [entries[0].distanceMm, exits[0].distanceMm];
  if (exit <= entry) return 'exit after entry';
  if (timing.some((t) => t.distanceMm <= entry || t.distanceMm >= exit)) return 'timing between';
  if (new Set(timing.map((t) => t.distanceMm)).size !== timing.length) return 'two timing lines at one distance';
  if (exit - entry > 2_000_000) return 'within 2 km';
  if (!(c.pitRoad.limit > 0) || c.pitRoad.limit > 0xffff || c.pitRoad.tolerance > 0xffff) return 'limit';
  return null;
}

function firmwareBoxProblem(c: BoxConfig): string | null {
  if (c.boxes.length < 1 || c.boxes.length > 4) return 'box count';
  if (new Set(c.boxes.map((b) => b.number)).size !== c.boxes.length) return 'two boxes share a number';
  if (c.boxes.some((b) => b.lengthMm <= 2 * b.lineMm || b.widthMm <= b.lineMm)) return 'box smaller than its lines';
  const v = c.vehicle;
  if ([v.trackMm, v.wheelbaseMm, v.tireWidthMm, v.patchMm, v.bodyWidthMm].some((x) => x <= 0)) return 'vehicle';
  if (v.tireWidthMm >= v.trackMm) return 'tire width';
  if (c.sampleUs < 1 || c.sampleUs > 1_000_000 || c.uncertaintyMm > 1000) return 'sample/uncertainty';
  return null;
}

describe('shipped tracks', () => {
  for (const [id, miles] of Object.entries(TRACKS)) {
    test(`${id} loads and its boards would accept their configs`, () => {
      const t = loadTrack(id);
      expect(t.id).toBe(id);
      expect(t.lengthM).toBeCloseTo(miles * 1609.344, 2);
      expect(t.pitRoad.boxes.length).toBeGreaterThanOrEqual(36);
      expect(t.vehicle).toEqual(DEFAULT_VEHICLE);
      expect(pitSegments(t).length).toBeGreaterThanOrEqual(3);

      const configs = boardConfigs(t);
      expect([...configs.keys()].sort()).toEqual(t.boards.map((b) => b.id).sort());
      let pitBoards = 0;
      let boxes = 0;
      for (const [board, c] of configs) {
        if (c.kind === 'loop') {
          expect(firmwareLoopProblem(c), board).toBeNull();
          if (c.pitRoad) {
            pitBoards++;
            expect(c.pitRoad.limit).toBe(Math.round(t.pitRoad.speedLimitMph * 100));
            expect(c.pitRoad.tolerance).toBe(500);
            expect(c.quietGapUs).toBe(t.quietGapUs.pit);
          }
        } else {
          expect(firmwareBoxProblem(c), board).toBeNull();
          expect(c).toMatchObject({ uncertaintyMm: 10, sampleUs: 10_000, vehicle: DEFAULT_VEHICLE });
          boxes += c.boxes.length;
        }
      }
      expect(pitBoards).toBe(1);
      expect(boxes).toBe(t.pitRoad.boxes.length);
    });

    test(`${id}: pit road runs past the start/finish line and has exactly one start/finish loop on it, clear of the boxes`, () => {
      const t = loadTrack(id);
      const { entryM, exitM, lengthM: pitM, boxes } = t.pitRoad;
      expect(entryM).toBeGreaterThan(exitM);
      const sf = t.loops.filter((l) => l.role === 'start-finish');
      expect(sf.map((l) => l.path).sort()).toEqual(['pit', 'track']);
      const pit = pitStartFinish(t)!;
      expect(pit).toBe(sf.find((l) => l.path === 'pit'));
      expect(pit.positionM).toBeGreaterThan(0);
      expect(pit.positionM).toBeLessThan(pitM);
      // Near where the start/finish plane crosses pit road (pit road scaled to the lap stretch it shadows).
      expect(Math.abs(pit.positionM - (pitM * (t.lengthM - entryM)) / (t.lengthM - entryM + exitM))).toBeLessThan(5);
      for (const b of boxes) {
        const [from, to] = boxSpanM(b);
        expect(pit.positionM <= from - 0.2 + 1e-9 || pit.positionM >= to + 0.2 - 1e-9, `box ${b.number}`).toBe(true);
      }
      for (const l of t.loops) if (l.path === 'pit' && l !== pit) expect(Math.abs(l.positionM - pit.positionM)).toBeGreaterThanOrEqual(0.2);
      // Its board sends it like any other pit loop: distance along pit road.
      const config = boardConfigs(t).get(pit.board) as LoopConfig;
      expect(config.loops).toContainEqual({ id: pit.id, role: 'start-finish', distanceMm: Math.round(pit.positionM * 1000) });
      expect(config.pitRoad).toBeDefined();
    });
  }

  test('event overrides set the pit board limit in 0.01 mph', () => {
    const t = loadTrack('martinsville');
    const pit = [...boardConfigs(t, { pitSpeedLimitMph: 35, pitSpeedToleranceMph: 2.5 }).values()].find((c) => c.kind === 'loop' && c.pitRoad) as LoopConfig;
    expect(pit.pitRoad).toEqual({ limit: 3500, tolerance: 250 });
  });

  test('a path loads that file', () => {
    expect(loadTrack(trackFile('bristol')).id).toBe('bristol');
  });

  test('an unknown id names the missing file', () => {
    expect(() => loadTrack('daytona')).toThrow(/daytona\.json: \(file\): no such track file/);
  });
});

describe('broken tracks are refused naming the field', () => {
  const raw = (): any => JSON.parse(readFileSync(repoPath('sim-hardware', 'tracks', 'martinsville.json'), 'utf8'));
  const loopAt = (t: any, role: string): number => t.loops.findIndex((l: any) => l.role === role);
  const cases: Array<[string, (t: any) => void, RegExp]> = [
    ['duplicate box number', (t) => (t.pitRoad.boxes[3].number = 2), /^martinsville\.json: pitRoad\.boxes\[3\]\.number: duplicates box 2/],
    ['duplicate loop id', (t) => (t.loops[2].id = t.loops[1].id), /loops\[2\]\.id: duplicates loops\[1\]/],
    ['loop id out of range', (t) => (t.loops[0].id = 256), /loops\[0\]\.id: must be <= 255/],
    ['duplicate board id', (t) => t.boards.push({ ...t.boards[0] }), /boards\[\d+\]\.id: duplicates boards\[0\]/],
    ['bad board id', (t) => (t.boards[0].id = 'Loop SF'), /boards\[0\]\.id: "Loop SF" must match/],
    ['unknown board', (t) => (t.loops[1].board = 'nowhere'), /loops\[1\]\.board: no board "nowhere"/],
    ['loop on a box board', (t) => (t.loops[1].board = 'box-01'), /loops\[1\]\.board: board "box-01" is a box board/],
    ['unused board', (t) => t.boards.push({ id: 'spare', kind: 'box' }), /boards\[\d+\]\.id: board "spare" owns no box/],
    ['five boxes on one board', (t) => (t.pitRoad.boxes[4].board = 'box-01'), /boards\[\d+\]\.id: box board "box-01" owns 5 boxes \(at most 4\)/],
    [
      'seventeen loops on one board',
      (t) => {
        for (let i = 0; i < 14; i++) t.loops.push({ id: 100 + i, name: `extra ${i}`, role: 'sector', path: 'track', positionM: 10 + i, board: 'loop-sectors' });
      },
      /boards\[1\]\.id: loop board "loop-sectors" owns 18 loops \(at most 16\)/,
    ],
    ['unknown role', (t) => (t.loops[1].role = 'split'), /loops\[1\]\.role: must be one of/],
    ['track loop beyond the lap', (t) => (t.loops[1].positionM = 900), /loops\[1\]\.positionM: must be within the lap/],
    ['pit line on the track', (t) => (t.loops[loopAt(t, 'pit-out')].path = 'track'), /loops\[\d+\]\.role: a pit-out line lies on pit road/],
    ['exit before entry', (t) => (t.loops[loopAt(t, 'pit-exit')].positionM = 20), /loops\[\d+\]\.positionM: the exit yellow line \(20 m\) must lie after the entry/],
    ['pit-out before exit', (t) => (t.loops[loopAt(t, 'pit-out')].positionM = 300), /loops\[\d+\]\.positionM: the pit-out line \(300 m\) must lie after the exit/],
    ['timing line outside the yellow lines', (t) => (t.loops[loopAt(t, 'pit-timing')].positionM = 390), /loops\[\d+\]\.positionM: timing line at 390 m must lie strictly between/],
    ['no start/finish', (t) => (t.loops[0].role = 'sector'), /martinsville\.json: loops: needs a start-finish loop/],
    ['start/finish not at 0', (t) => (t.loops[0].positionM = 3), /loops\[0\]\.positionM: .*must be 0/],
    ['overlapping boxes', (t) => (t.pitRoad.boxes[5].positionM = t.pitRoad.boxes[4].positionM + 5), /pitRoad\.boxes\[5\]\.positionM: .*overlaps box 5/],
    ['box over a timing line', (t) => (t.loops[loopAt(t, 'pit-timing')].positionM = t.pitRoad.boxes[6].positionM), /pitRoad\.boxes\[6\]\.positionM: .*across loops\[\d+\] \(pit timing line 1/],
    ['box in an opening', (t) => (t.pitRoad.openings[0] = { fromM: 40, toM: 45 }), /pitRoad\.boxes\[0\]\.positionM: .*overlaps pitRoad\.openings\[0\]/],
    ['box before the entry line', (t) => (t.loops[loopAt(t, 'pit-entry')].positionM = 37), /pitRoad\.boxes\[0\]\.positionM: .*outside the entry \(37\)/],
    ['box smaller than its lines', (t) => (t.pitRoad.boxes[2].widthMm = 100), /pitRoad\.boxes\[2\]\.widthMm: 100 mm leaves no box/],
    ['numbers not consecutive', (t) => (t.pitRoad.boxes[39].number = 41), /pitRoad\.boxes\[39\]\.number: must be 40/],
    ['zero pit speed limit', (t) => (t.pitRoad.speedLimitMph = 0), /pitRoad\.speedLimitMph: must be > 0/],
    ['speed limit as text', (t) => (t.pitRoad.speedLimitMph = '30'), /pitRoad\.speedLimitMph: must be a finite number \(got "30"\)/],
    ['quiet gap out of firmware range', (t) => (t.quietGapUs.pit = 1000), /quietGapUs\.pit: must be >= 2000/],
    ['vehicle tire wider than its track', (t) => (t.vehicle.tireWidthMm = 1700), /vehicle\.tireWidthMm: must be under trackMm/],
    ['missing field', (t) => delete t.pitRoad.exitM, /pitRoad\.exitM: missing/],
    ['unknown key', (t) => (t.pitRoad.boxes[0].colour = 'red'), /pitRoad\.boxes\[0\]\.colour: unknown key/],
    ['mixed-path loop board', (t) => (t.loops[loopAt(t, 'pit-out')].board = 'loop-sf'), /boards\[0\]\.id: loop board "loop-sf" owns loops on both the track and pit road/],
    ['commitment lane on a loop board', (t) => (t.pitRoad.commitmentLane.board = 'loop-sectors'), /pitRoad\.commitmentLane\.board: board "loop-sectors" is a loop board, not a box board/],
    ['commitment lane on no board', (t) => (t.pitRoad.commitmentLane.board = 'box-99'), /pitRoad\.commitmentLane\.board: no board "box-99" in boards/],
    ['commitment lane id of a box on its board', (t) => (t.pitRoad.commitmentLane.id = 3), /pitRoad\.commitmentLane\.id: lane 3 is also the number of box 3 on board "box-01"/],
    ['commitment lane id out of range', (t) => (t.pitRoad.commitmentLane.id = 256), /pitRoad\.commitmentLane\.id: must be <= 255/],
    ['commitment lane narrower than the truck', (t) => (t.pitRoad.commitmentLane.widthMm = 1900), /pitRoad\.commitmentLane\.widthMm: 1900 mm is no wider than the vehicle's tires \(track 1600 \+ tire 300 mm\)/],
    ['commitment lane width not whole mm', (t) => (t.pitRoad.commitmentLane.widthMm = 3000.5), /pitRoad\.commitmentLane\.widthMm: must be an integer/],
    ['commitment lane without lines', (t) => delete t.pitRoad.commitmentLane.lineMm, /pitRoad\.commitmentLane\.lineMm: missing/],
    ['commitment lane unknown key', (t) => (t.pitRoad.commitmentLane.positionM = 651), /pitRoad\.commitmentLane\.positionM: unknown key/],
    ['a board with only a lane', (t) => (t.pitRoad.commitmentLane.board = 'box-11') && t.boards.push({ id: 'box-11', kind: 'box' }), /boards\[\d+\]\.id: board "box-11" owns no box/],
    ['pit lines split over boards', (t) => {
      t.boards.push({ id: 'loop-pit-2', kind: 'loop' });
      t.loops[loopAt(t, 'pit-timing')].board = 'loop-pit-2';
    }, /loop board "loop-pit(-2)?" owns some but not all/],
  ];
  for (const [what, breakIt, message] of cases) {
    test(what, () => {
      const t = raw();
      breakIt(t);
      let err: unknown;
      try {
        validateTrack(t, 'martinsville.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TrackError);
      expect((err as Error).message).toMatch(message);
    });
  }

  test('the untouched file validates', () => {
    expect(validateTrack(raw(), 'martinsville.json').id).toBe('martinsville');
  });
});

describe('the commitment lane (R-PIT-COMMIT-1)', () => {
  const raw = (): any => JSON.parse(readFileSync(repoPath('sim-hardware', 'tracks', 'martinsville.json'), 'utf8'));

  test.each(Object.keys(TRACKS))('%s: a 3000 mm lane on box-01, besides its four boxes, sent in its config', (id) => {
    const t = loadTrack(id);
    expect(t.pitRoad.commitmentLane).toEqual({ id: 0, board: 'box-01', widthMm: 3000, lineMm: 100 });
    const configs = boardConfigs(t);
    const own = configs.get('box-01') as BoxConfig;
    expect(own.boxes).toHaveLength(4);
    expect(own.commitmentLanes).toEqual([{ id: 0, widthMm: 3000, lineMm: 100, uncertaintyMm: 10 }]);
    // What the firmware refuses: a lane id that is a box number, a lane no truck fits in.
    expect(own.boxes.map((b) => b.number)).not.toContain(0);
    expect(own.commitmentLanes![0]!.widthMm).toBeGreaterThan(own.vehicle.trackMm + own.vehicle.tireWidthMm);
    for (const [board, c] of configs) if (board !== 'box-01') expect(c.kind === 'box' ? c.commitmentLanes : undefined, board).toBeUndefined();
  });

  test('is optional: without it no board is sent one; its id defaults to 0 and may be any other', () => {
    const t = raw();
    delete t.pitRoad.commitmentLane;
    const bare = validateTrack(t, 'martinsville.json');
    expect(bare.pitRoad.commitmentLane).toBeUndefined();
    expect([...boardConfigs(bare).values()].some((c) => c.kind === 'box' && c.commitmentLanes)).toBe(false);
    const u = raw();
    u.pitRoad.commitmentLane = { board: 'box-10', id: 7, widthMm: 3200, lineMm: 102 };
    const moved = validateTrack(u, 'martinsville.json');
    expect((boardConfigs(moved).get('box-10') as BoxConfig).commitmentLanes).toEqual([{ id: 7, widthMm: 3200, lineMm: 102, uncertaintyMm: 10 }]);
  });
});

describe('the start/finish line on pit road', () => {
  const raw = (): any => JSON.parse(readFileSync(repoPath('sim-hardware', 'tracks', 'martinsville.json'), 'utf8'));
  const pitSfAt = (t: any): number => t.loops.findIndex((l: any) => l.role === 'start-finish' && l.path === 'pit');
  const refusal = (t: any): string => {
    try {
      validateTrack(t, 'martinsville.json');
    } catch (e) {
      expect(e).toBeInstanceOf(TrackError);
      return (e as Error).message;
    }
    throw new Error('the track was accepted');
  };

  test('is required where pit road runs past the start/finish line', () => {
    const t = raw();
    t.loops.splice(pitSfAt(t), 1);
    expect(refusal(t)).toBe(
      'martinsville.json: loops: pit road runs past the start/finish line (leaves at 656.515 m, rejoins at 200 m): needs a start-finish loop on pit road (path "pit")',
    );
  });

  test('a second one is refused naming it', () => {
    const t = raw();
    const first = pitSfAt(t);
    t.loops.push({ ...t.loops[first], id: 21, positionM: 85.9 + 7.3 });
    expect(refusal(t)).toBe(`martinsville.json: loops[${t.loops.length - 1}].role: a second start-finish loop on pit road (first is loops[${first}])`);
  });

  test('a second one on the track is refused too: the track one counts alone', () => {
    const t = raw();
    t.loops.push({ id: 21, name: 'second start/finish', role: 'start-finish', path: 'track', positionM: 0, board: 'loop-sf' });
    expect(refusal(t)).toMatch(new RegExp(`^martinsville\\.json: loops\\[${t.loops.length - 1}\\]\\.role: a second start-finish loop on the track \\(first is loops\\[0\\]\\)$`));
  });

  test('is refused where pit road does not run past the start/finish line', () => {
    const t = raw();
    t.pitRoad.entryM = 50;
    t.pitRoad.exitM = 450;
    expect(refusal(t)).toMatch(new RegExp(`^martinsville\\.json: loops\\[${pitSfAt(t)}\\]\\.path: pit road does not run past the start/finish line \\(leaves at 50 m, rejoins at 450 m\\)`));
    t.loops.splice(pitSfAt(t), 1);
    expect(validateTrack(t, 'martinsville.json').loops.filter((l) => l.role === 'start-finish')).toHaveLength(1);
  });

  test('is refused inside a box', () => {
    const t = raw();
    const at = pitSfAt(t);
    t.loops[at].positionM = t.pitRoad.boxes[10].positionM;
    expect(refusal(t)).toMatch(new RegExp(`^martinsville\\.json: pitRoad\\.boxes\\[10\\]\\.positionM: box spans .* across loops\\[${at}\\] \\(start/finish \\(pit road\\) at 111\\.45 m\\)`));
  });

  test('is refused beyond the end of pit road', () => {
    const t = raw();
    const at = pitSfAt(t);
    t.loops[at].positionM = 400.5;
    expect(refusal(t)).toBe(`martinsville.json: loops[${at}].positionM: must be within pit road, at most 400 (got 400.5)`);
  });

  test('on a track board it is refused as a mixed-path board', () => {
    const t = raw();
    t.loops[pitSfAt(t)].board = 'loop-sf';
    expect(refusal(t)).toMatch(/boards\[0\]\.id: loop board "loop-sf" owns loops on both the track and pit road/);
  });

  test('pitStartFinish finds it', () => {
    const t = validateTrack(raw(), 'martinsville.json');
    expect(pitStartFinish(t)).toMatchObject({ id: 20, role: 'start-finish', path: 'pit', positionM: 194.9, board: 'loop-pit' });
    expect(pitStartFinish({ ...t, loops: t.loops.filter((l) => l.path === 'track') })).toBeUndefined();
  });
});

// A whole race through the real firmware (memory boards, no broker; `npm run build`
// first): what the boards say is scored against truth.json — passings, pit segment
// speeds, box verdicts, boxes driven through, crews — and the faults of a scenario do
// what scenario.md says; random races with officiating hold every pit road violation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoPath } from '../../protocol/repo-root.js';
import type { BoxMoment } from '../../protocol/schema.js';
import { bootId, IDLE_TICK_US } from '../../sim-hardware/race-rig.js';
import { REBOOT_DOWN_US } from '../../sim-hardware/race-truth.js';
import { transitUs } from '../../sim-hardware/box-visits.js';
import { PIT_RULES } from '../../sim-hardware/pit-violations.js';
import { GREEN_EPOCH_US, prepareRace, runSimulation, type SimulationResult } from '../../sim-hardware/simulation.js';
import { pitSegments } from '../../sim-hardware/track.js';
import { randomScenario, writeScenario } from '../support/random-scenario.js';
import { asTruth, decodeMessages, eventsOf, raceTimeUs, type DecodedMessages, type SeenOf, type Truth, type TruthCrossing } from '../support/truth.js';

const M10 = repoPath('sim-hardware', 'scenarios', 'martinsville-10.json');

/** A passing is within 1 ms of the true crossing... */
const PASSING_US = 1000;
/**
 * ...except on a pit line a truck crosses while braking for or pulling away from its
 * box (inside the stretch its stop takes): the passing-time fit assumes an even speed
 * over the loop, and a truck accelerating from rest a couple of metres before a line
 * lands a few ms off — within this distance at its speed (30 mm the worst of 40
 * random races).
 */
const ACCELERATING_MM = 50;

interface Scored {
  r: SimulationResult;
  truth: Truth;
  d: DecodedMessages;
}

function scored(r: SimulationResult): Scored {
  return { r, truth: asTruth(r.truth), d: decodeMessages(r.messages) };
}

const driftOf = (truth: Truth): Map<string, number> => new Map(truth.faults.flatMap((f) => (f.kind === 'clock-drift' ? [[f.board, f.ppm] as const] : [])));

/** Pit loop crossings inside the stretch a stop takes (the truck not at an even speed). */
function accelerating(s: Scored): Set<TruthCrossing> {
  const out = new Set<TruthCrossing>();
  const pos = new Map(s.r.track.loops.map((l) => [l.id, l.positionM]));
  const segs = pitSegments(s.r.track);
  for (const p of s.truth.pitStops) {
    const taken = p.segments.filter((x) => x.byStop).map((x) => segs.find((g) => g.number === x.segment)!);
    const from = Math.min(...taken.map((g) => g.fromM));
    const to = Math.max(...taken.map((g) => g.toM));
    for (const c of s.truth.crossings) {
      if (c.path === 'pit' && c.car === p.car && c.transponderUs >= p.pitInUs && c.transponderUs <= p.pitOutUs && pos.get(c.loop)! > from && pos.get(c.loop)! < to) out.add(c);
    }
  }
  return out;
}

/** Every true crossing has one passing from the board owning its loop, and there are no others. Returns the match. */
function expectPassingsMatchTruth(s: Scored): Map<TruthCrossing, SeenOf<'passing'>> {
  const owner = new Map(s.r.track.loops.map((l) => [l.id, l.board]));
  const drift = driftOf(s.truth);
  const passings = eventsOf(s.d, 'passing');
  const slow = accelerating(s);
  const used = new Set<SeenOf<'passing'>>();
  const match = new Map<TruthCrossing, SeenOf<'passing'>>();
  for (const c of s.truth.crossings) {
    const tol = slow.has(c) ? Math.max(PASSING_US, (ACCELERATING_MM / 1000 / c.speedMps) * 1e6) : PASSING_US;
    const found = passings.filter(
      (p) => p.loop === c.loop && p.transponder === c.transponder && Math.abs(raceTimeUs(p.timeUs, drift.get(p.board)) - c.transponderUs) <= tol,
    );
    const what = `car ${c.car} loop ${c.loop} lap ${c.lap} at ${c.transponderUs} µs`;
    if (c.missed) {
      expect(found, what).toHaveLength(0);
      continue;
    }
    expect(found, what).toHaveLength(1);
    expect(found[0]!.board, what).toBe(owner.get(c.loop));
    expect(used.has(found[0]!), what).toBe(false);
    used.add(found[0]!);
    match.set(c, found[0]!);
  }
  expect(used.size, 'passings without a true crossing').toBe(passings.length);
  expect(used.size).toBeGreaterThan(0);
  return match;
}

/**
 * Segment speeds (R-PIT-SPEED-1): one per segment of each stop whose both lines were
 * crossed while the race ran; timed ones within 0.01 mph of the truth (a drifting
 * board's clock stretches the time it measures by its ppm), `over` as truth's speeding.
 */
function expectSegmentSpeedsMatchTruth(s: Scored): number {
  const speeds = eventsOf(s.d, 'segment-speed');
  const drift = driftOf(s.truth);
  const limit = Math.round(s.truth.scenario.pitSpeedLimitMph * 100);
  let n = 0;
  for (const p of s.truth.pitStops) {
    const crossed = (loop: number) => s.truth.crossings.some((c) => c.loop === loop && c.car === p.car && c.transponderUs >= p.pitInUs && c.transponderUs <= p.pitOutUs && !c.missed);
    for (const seg of p.segments) {
      if (!crossed(seg.fromLoop) || !crossed(seg.toLoop)) continue;
      const found = speeds.filter(
        (e) => e.transponder === p.transponder && e.segment === seg.segment && raceTimeUs(e.entryUs, drift.get(e.board)) >= p.pitInUs - 1e6 && raceTimeUs(e.exitUs, drift.get(e.board)) <= p.pitOutUs,
      );
      const what = `stop ${p.index} (car ${p.car}) segment ${seg.segment}`;
      expect(found, what).toHaveLength(1);
      const e = found[0]!;
      const ppm = drift.get(e.board) ?? 0;
      if (!seg.byStop) expect(Math.abs((e.speed / 100) * (1 + ppm * 1e-6) - seg.mph), what).toBeLessThanOrEqual(0.01);
      if (Math.abs(seg.mph - (s.truth.scenario.pitSpeedLimitMph + s.truth.scenario.pitSpeedToleranceMph)) > 0.02) expect(e.over, what).toBe(seg.speeding);
      expect(e.limit).toBe(limit);
      n++;
    }
  }
  expect(speeds).toHaveLength(n);
  return n;
}

/**
 * Box verdicts (R-PIT-BOX-2): a stop verdict, and a service verdict when there was
 * service, per stop, as truth judged the pose; a stop the race's end cuts short may
 * lack them, and there are no others.
 */
function expectBoxVerdictsMatchTruth(s: Scored): number {
  const verdicts = eventsOf(s.d, 'box-verdict');
  const boardOf = new Map(s.r.track.pitRoad.boxes.map((b) => [b.number, b.board]));
  const used = new Set<SeenOf<'box-verdict'>>();
  let n = 0;
  for (const p of s.truth.pitStops) {
    if (p.stop === null) continue; // a pass-through: nothing to judge (expectBoxEventsMatchTruth)
    const whole = p.stop.standToUs + 1e6 < s.truth.endUs;
    for (const phase of ['stop', 'service'] as const) {
      const found = verdicts.filter(
        (v) => v.box === p.box && v.transponder === p.transponder && v.phase === phase && raceTimeUs(v.timeUs) >= p.stop.standFromUs && raceTimeUs(v.timeUs) <= p.stop.standToUs + 1e6,
      );
      const what = `stop ${p.index} (car ${p.car}, box ${p.box}) ${phase} verdict`;
      const want = phase === 'service' && p.stop.serviceEndUs === null ? 0 : 1;
      if (whole) expect(found, what).toHaveLength(want);
      else expect(found.length, what).toBeLessThanOrEqual(want);
      for (const v of found) {
        used.add(v);
        expect(v.board, what).toBe(boardOf.get(p.box));
        if (!p.stop.closeCall) {
          expect(v.inBox, what).toBe(p.stop.inBox);
          expect(v.clause, what).toBe(p.stop.clause);
        }
        expect(Math.abs(v.marginMm - p.stop.marginMm), what).toBeLessThanOrEqual(10);
        n++;
      }
    }
  }
  expect(used.size, 'verdicts without a stop').toBe(verdicts.length);
  return n;
}

/** Every envelope of every boot of a board arrived exactly once, sequence numbers without a gap. */
function expectNothingLost(s: Scored, board: string): void {
  const boots = new Set(s.d.envelopes.filter((e) => e.board === board).map((e) => e.boot));
  expect(boots.size, board).toBeGreaterThan(0);
  for (const boot of boots) {
    const seqs = s.d.envelopes.filter((e) => e.board === board && e.boot === boot).map((e) => e.seq);
    const sorted = [...seqs].sort((a, b) => a - b);
    expect(new Set(seqs).size, `${board} boot ${boot}: each sequence number once`).toBe(seqs.length);
    expect(sorted, `${board} boot ${boot}: no gap`).toEqual(sorted.map((_, i) => sorted[0]! + i));
    expect(sorted[0], `${board} boot ${boot}: from the first`).toBe(0);
  }
}

type SeenMoment = BoxMoment & { board: string; boot: number; seq: number };
const transitsOf = (s: Scored): SeenMoment[] => s.d.events.filter((e): e is SeenMoment => e.kind === 'box-transit');

/**
 * Boxes driven through (R-PIT-BOX-3): one box-transit per box driven through, with the
 * truck's transponder, the first sample after its tail clears it, and none elsewhere (a
 * stop in its own box never makes one); no box event of a pass-through's truck on its
 * way down pit road. Returns the number of transits.
 */
function expectBoxEventsMatchTruth(s: Scored): number {
  const transits = transitsOf(s);
  let n = 0;
  for (const car of s.r.plan.cars) {
    for (const st of car.stops) {
      for (const b of [...st.through.entering, ...st.through.leaving]) {
        const at = transitUs(s.r.plan, car, st, b);
        if (at + 20_000 > s.truth.endUs) continue;
        const found = transits.filter((e) => e.box === b.number && e.transponder === car.entry.transponder && raceTimeUs(e.timeUs) >= at && raceTimeUs(e.timeUs) < at + 10_000);
        expect(found, `stop ${st.index} (car ${car.entry.car}) through box ${b.number}`).toHaveLength(1);
        n++;
      }
      if (st.passThrough) {
        const seen = s.d.events.filter((e) => 'box' in e && e.transponder === car.entry.transponder && raceTimeUs(e.timeUs) >= st.pitFromUs && raceTimeUs(e.timeUs) <= st.pitToUs);
        expect(seen, `pass-through ${st.index} (car ${car.entry.car})`).toEqual([]);
      }
    }
  }
  expect(transits).toHaveLength(n);
  return n;
}

/**
 * Crew over the wall (R-PIT-CREW-1/2): at each stop with service the board counts up to
 * the truth's most crew at once, and says too soon as the truth does (unless the crew
 * went over within 0.2 m of one box away: the board decides to its sensors' resolution).
 */
function expectCrewMatchesTruth(s: Scored): void {
  const crew = eventsOf(s.d, 'crew-over-wall');
  const boxes = new Map(s.r.track.pitRoad.boxes.map((b) => [b.number, b]));
  for (const p of s.truth.pitStops) {
    if (p.stop === null || p.stop.crewOverUs === null || p.stop.serviceEndUs! + 1e6 > s.truth.endUs) continue;
    const mine = crew.filter((e) => e.box === p.box && raceTimeUs(e.timeUs) >= p.stop.crewOverUs! - 1 && raceTimeUs(e.timeUs) <= p.stop.serviceEndUs!);
    const what = `stop ${p.index} (car ${p.car}, box ${p.box})`;
    expect(Math.max(...mine.map((e) => e.crew)), what).toBe(p.stop.maxCrew);
    const box = boxes.get(p.box)!;
    if (Math.abs(p.stop.crewDistanceMm! - (box.lengthMm + 2 * box.lineMm)) > 200) expect(mine[0]!.tooSoon, what).toBe(p.stop.crewTooSoon);
  }
}

/**
 * Commitment line crossings (R-PIT-COMMIT-1): one `commitment` event per visit to pit
 * road from the lane's board, with the truck's transponder, the front tires on the line
 * within 2 ms of the truth, each tire's margin within a few mm of the exact one, inside
 * as the truth has it (a close call may read either side); no others. Returns the count.
 */
function expectCommitmentsMatchTruth(s: Scored): number {
  const lane = s.r.track.pitRoad.commitmentLane!;
  const seen = eventsOf(s.d, 'commitment');
  const drift = driftOf(s.truth);
  const used = new Set<SeenOf<'commitment'>>();
  for (const p of s.truth.pitStops) {
    const t = p.commitment!;
    const what = `stop ${p.index} (car ${p.car}) commitment`;
    if (t.frontUs + 1e6 > s.truth.endUs) continue;
    const found = seen.filter((e) => e.transponder === p.transponder && Math.abs(raceTimeUs(e.timeUs, drift.get(e.board)) - t.frontUs) <= 2_000);
    expect(found, what).toHaveLength(1);
    const e = found[0]!;
    used.add(e);
    expect([e.board, e.lane], what).toEqual([lane.board, lane.id]);
    for (let k = 0; k < 4; k++) expect(Math.abs(e.margins[k]! - t.margins[k]!), `${what} tire ${k}`).toBeLessThanOrEqual(COMMIT_MARGIN_MM);
    if (!t.closeCall) expect(e.inside, what).toBe(t.inside);
    expect(e.closeCall, what).toBe(Math.abs(e.marginMm) <= 10);
  }
  expect(seen.length - used.size, 'commitment events without a visit').toBe(0);
  return used.size;
}
/** A tire's margin on the line against the exact one: 3 mm noise on each reading, clamped at 4σ, interpolated between two, then rounded. */
const COMMIT_MARGIN_MM = 13;

const hex = (r: SimulationResult) => r.messages.map((m) => `${m.board} ${m.channel} ${Buffer.from(m.bytes).toString('hex')}`);

describe('martinsville-10 through the firmware', () => {
  let out: string;
  let first: Scored;
  let second: SimulationResult;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'pitwall-sim-'));
    first = scored(await runSimulation({ scenarioFile: M10, outDir: out }));
    second = await runSimulation({ scenarioFile: M10 });
  });
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  test('every true crossing has exactly one passing within 1 ms, from the board owning the loop, and there are no other passings (R-SF-1)', () => {
    const match = expectPassingsMatchTruth(first);
    expect(match.size).toBe(first.truth.crossings.length);
  });

  test('segment speeds agree with truth within 0.01 mph and flag what truth calls speeding (R-PIT-SPEED-1)', () => {
    expectSegmentSpeedsMatchTruth(first);
    const over = eventsOf(first.d, 'segment-speed').filter((e) => e.over);
    expect(over.map((e) => [e.transponder, e.segment])).toEqual([[1002, 2]]);
  });

  test('every visit crosses the commitment lane squarely: one commitment event each, inside by 550 mm (R-PIT-COMMIT-1)', () => {
    expect(expectCommitmentsMatchTruth(first)).toBe(first.truth.pitStops.length);
    for (const e of eventsOf(first.d, 'commitment')) expect(e).toMatchObject({ inside: true, closeCall: false });
  });

  test('box verdicts at the stop and after service agree with truth (R-PIT-BOX-2); no box is driven through, so no box-transit at all', () => {
    expectBoxVerdictsMatchTruth(first);
    expect(transitsOf(first)).toEqual([]);
    const out_ = eventsOf(first.d, 'box-verdict').filter((e) => !e.inBox);
    expect(out_.map((e) => [e.transponder, e.clause, e.phase])).toEqual([
      [1004, 'b', 'stop'],
      [1004, 'b', 'service'],
    ]);
  });

  test('nothing is lost: every board sends every envelope once', () => {
    for (const b of first.r.track.boards) expectNothingLost(first, b.id);
    expect(first.d.births.filter((b) => b.configHash !== 0)).toHaveLength(first.r.track.boards.length);
    expect(first.d.deaths).toHaveLength(first.r.track.boards.length);
  });

  test('is deterministic: two runs put the same bytes on the wire', () => {
    expect(hex(second)).toEqual(hex(first.r));
    expect(second.truth).toEqual(first.r.truth);
  });

  test('with outDir it writes truth.json and boards.jsonl', () => {
    const truth = JSON.parse(readFileSync(join(out, 'truth.json'), 'utf8'));
    expect(truth).toEqual(JSON.parse(JSON.stringify(first.r.truth)));
    expect(truth.format).toBe('pitwall-truth/1');
    expect(truth.clock.epochUs).toBe(GREEN_EPOCH_US);
    const lines = readFileSync(join(out, 'boards.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(first.r.messages.length);
    lines.forEach((l, i) => {
      const m = first.r.messages[i]!;
      expect([l.board, l.channel]).toEqual([m.board, m.channel]);
      expect(Buffer.from(l.cbor, 'base64').equals(Buffer.from(m.bytes))).toBe(true);
      expect(typeof l.boot).toBe('number');
    });
  });
});

/** Six laps, four trucks, two stops, and one of each fault at its own time. */
const FAULTS_SCENARIO = {
  track: 'martinsville',
  session: 'race',
  laps: 6,
  stages: [6],
  seed: 61,
  gridGapS: 0.5,
  field: [
    { car: '7', driver: 'Ari Avila', transponder: 2001, box: 1, noseOffsetM: 1.5, paceS: 20.2 },
    { car: '22', driver: 'Bo Baines', transponder: 2002, box: 6, noseOffsetM: 1.7, paceS: 20.3 },
    { car: '48', driver: 'Cy Carver', transponder: 2003, box: 10, noseOffsetM: 1.9, lapTimes: [21.1, 20.4, 20.35, 20.45, 20.3, 20.4] },
    { car: '5', driver: 'Dee Dunn', transponder: 2004, box: 14, noseOffsetM: 1.6, paceS: 20.5 },
  ],
  pitStops: [
    // On pit road from about 38 s to 75 s: the partition of loop-pit (55..63 s) falls in it.
    { car: '7', lap: 2, serviceS: 8, segmentMph: { '3': 36.5 } },
    // Box 6 is on box-02, rebooted at 30 s; this stop comes at about 80 s.
    { car: '22', lap: 4, serviceS: 9, pose: { xMm: -150, yMm: 80, yawDeg: 1 } },
  ],
  faults: [
    { kind: 'missed-read', loop: 3, car: '48', lap: 3 },
    { kind: 'board-reboot', board: 'box-02', atS: 30 },
    { kind: 'partition', board: 'loop-pit', atS: 55, forS: 8 },
    { kind: 'broker-outage', atS: 100, forS: 4 },
    { kind: 'clock-drift', board: 'loop-sectors', ppm: 300 },
  ],
};

describe('martinsville-pit-violations through the firmware: the commitment lane (R-PIT-COMMIT-1)', () => {
  let s: Scored;
  beforeAll(async () => {
    s = scored(await runSimulation({ scenarioFile: repoPath('sim-hardware', 'scenarios', 'martinsville-pit-violations.json') }));
  }, 120_000);

  test('the scripted offset of 620 mm: box-01 says tires 0 and 2 are 70 mm over the line, and the truth holds the violation', () => {
    const p = s.truth.pitStops[11]!;
    expect(p.commitment).toMatchObject({ inside: false, marginMm: -70, margins: [-70, 1170, -70, 1170], closeCall: false });
    const [e, ...more] = eventsOf(s.d, 'commitment').filter((x) => x.transponder === p.transponder && Math.abs(raceTimeUs(x.timeUs) - p.commitment!.frontUs) <= 2_000);
    expect(more).toEqual([]);
    expect(e).toMatchObject({ board: 'box-01', lane: 0, inside: false, closeCall: false });
    for (const [k, want] of [-70, 1170, -70, 1170].entries()) expect(Math.abs(e!.margins[k]! - want), `tire ${k}`).toBeLessThanOrEqual(COMMIT_MARGIN_MM);
    const v = (s.truth as Truth & { violations: Array<{ rule: string; index: number; atUs: number; marginMm?: number }> }).violations.filter((x) => x.rule === 'R-PIT-COMMIT-1');
    expect(v).toEqual([expect.objectContaining({ rule: 'R-PIT-COMMIT-1', index: 11, car: '5', lap: 6, atUs: p.commitmentUs, marginMm: -70 })]);
  });

  test('every other visit, pass-throughs included, crosses inside, and the board says so', () => {
    expect(expectCommitmentsMatchTruth(s)).toBe(s.truth.pitStops.length);
    expect(s.truth.pitStops.filter((p) => !p.commitment!.inside).map((p) => p.index)).toEqual([11]);
  });
});

describe('faults', () => {
  let dir: string;
  let s: Scored;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pitwall-faults-'));
    s = scored(await runSimulation({ scenarioFile: writeScenario(dir, FAULTS_SCENARIO, 'faults.json') }));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the boards still agree with truth: passings, segment speeds, box verdicts', () => {
    expectPassingsMatchTruth(s);
    expectSegmentSpeedsMatchTruth(s);
    expectBoxVerdictsMatchTruth(s);
    expect(s.truth.pitStops.map((p) => p.speeding)).toEqual([[3], []]);
  });

  test('missed-read: the loop has no passing for that crossing and truth marks it missed (R-SF-9 is then the gateway’s to infer)', () => {
    const missed = s.truth.crossings.filter((c) => c.missed);
    expect(missed).toHaveLength(1);
    const c = missed[0]!;
    expect(c).toMatchObject({ loop: 3, car: '48', transponder: 2003, lap: 3, path: 'track' });
    const fault = s.truth.faults.find((f) => f.kind === 'missed-read')!;
    expect(fault.fromUs).toBeCloseTo(c.transponderUs, 3);
    const drift = driftOf(s.truth);
    const on3 = eventsOf(s.d, 'passing').filter((e) => e.loop === 3 && e.transponder === 2003);
    expect(on3.filter((e) => Math.abs(raceTimeUs(e.timeUs, drift.get(e.board)) - c.transponderUs) < 5e6)).toEqual([]);
    // Its other laps over that loop are heard.
    expect(on3).toHaveLength(s.truth.crossings.filter((x) => x.loop === 3 && x.car === '48').length - 1);
    // The loop before and the loop after saw it on that lap.
    for (const loop of [2, 4]) expect(s.truth.crossings.some((x) => x.loop === loop && x.car === '48' && x.lap === 3 && !x.missed)).toBe(true);
  });

  test('board-reboot: box-02 dies, is born with a new boot id, takes its config again, and judges the later stop (R-PIT-BOX-2)', () => {
    const board = 'box-02';
    const index = s.r.track.boards.findIndex((b) => b.id === board);
    const boot0 = bootId(61, index, 0);
    const boot1 = bootId(61, index, 1);
    expect(boot1).not.toBe(boot0);
    const seq = s.d.order.get(board)!.filter((m) => m.channel !== 'evt');
    expect(seq.map((m) => [m.channel, m.boot, m.configHash === undefined ? undefined : m.configHash !== 0])).toEqual([
      ['birth', boot0, false],
      ['birth', boot0, true],
      ['death', boot0, undefined],
      ['birth', boot1, false],
      ['birth', boot1, true],
      ['birth', boot1, true], // back after the broker outage
      ['death', boot1, undefined],
    ]);
    const births = s.d.births.filter((b) => b.board === board);
    expect(births[3]!.configHash).toBe(births[1]!.configHash);
    const death = s.d.deaths.find((d) => d.board === board && d.boot === boot0)!;
    expect(raceTimeUs(births[2]!.timeUs)).toBe(30e6);
    // Configured once it is back up (its clock last set at a tick before that).
    expect(raceTimeUs(births[3]!.timeUs)).toBeGreaterThan(30e6 + REBOOT_DOWN_US - IDLE_TICK_US);
    expect(raceTimeUs(births[3]!.timeUs)).toBeLessThanOrEqual(30e6 + REBOOT_DOWN_US);
    // Nothing from the old boot after its death; the stop at box 6 is judged by the new boot.
    expect(s.d.order.get(board)!.filter((m) => m.at > death.at && m.boot === boot0)).toEqual([]);
    const verdicts = eventsOf(s.d, 'box-verdict').filter((e) => e.board === board);
    expect(verdicts.map((v) => [v.boot, v.box, v.transponder, v.phase])).toEqual([
      [boot1, 6, 2002, 'stop'],
      [boot1, 6, 2002, 'service'],
    ]);
    expectNothingLost(s, board);
  });

  test('partition of loop-pit during a pit visit: every envelope of the boot arrives once, and the crossings in the partition are timed', () => {
    const { fromUs, toUs } = s.truth.faults.find((f) => f.kind === 'partition')!;
    const inside = s.truth.crossings.filter((c) => c.path === 'pit' && c.transponderUs >= fromUs && c.transponderUs < toUs);
    expect(inside.length).toBeGreaterThanOrEqual(2);
    expectNothingLost(s, 'loop-pit');
    const match = expectPassingsMatchTruth(s);
    for (const c of inside) expect(match.get(c), `loop ${c.loop}`).toBeDefined();
    // They were held back while the board was cut off and sent when it was back, after its birth on reconnecting.
    const rebirth = s.d.births.find((b) => b.board === 'loop-pit' && raceTimeUs(b.timeUs) >= fromUs)!;
    expect(rebirth).toBeDefined();
    expect(raceTimeUs(rebirth.timeUs)).toBeGreaterThan(toUs - IDLE_TICK_US);
    for (const c of inside) {
      const e = match.get(c)!;
      const env = s.d.envelopes.find((x) => x.board === 'loop-pit' && x.boot === e.boot && x.seq === e.seq)!;
      expect(e.seq).toBeLessThan(rebirth.seq);
      expect(env.at, `loop ${c.loop}`).toBeGreaterThan(rebirth.at);
    }
  });

  test('broker-outage: every board keeps its envelopes and sends them all when the broker is back', () => {
    const { fromUs, toUs } = s.truth.faults.find((f) => f.kind === 'broker-outage')!;
    expect(s.truth.crossings.filter((c) => c.transponderUs >= fromUs && c.transponderUs < toUs).length).toBeGreaterThan(2);
    for (const b of s.r.track.boards) {
      expectNothingLost(s, b.id);
      const ppm = driftOf(s.truth).get(b.id);
      const back = s.d.births.filter((x) => x.board === b.id && raceTimeUs(x.timeUs, ppm) >= fromUs);
      expect(back, `${b.id} born again when the broker is back`).toHaveLength(1);
      expect(raceTimeUs(back[0]!.timeUs, ppm)).toBeGreaterThan(toUs - IDLE_TICK_US);
      expect(raceTimeUs(back[0]!.timeUs, ppm)).toBeLessThanOrEqual(toUs);
    }
    expectPassingsMatchTruth(s);
  });

  test('clock-drift: the drifting board’s passings are off by ppm × t, as truth.faults says', () => {
    const fault = s.truth.faults.find((f) => f.kind === 'clock-drift')!;
    expect(fault).toMatchObject({ kind: 'clock-drift', board: 'loop-sectors', ppm: 300, fromUs: s.truth.startUs });
    const match = expectPassingsMatchTruth(s);
    let late = 0;
    for (const [c, p] of match) {
      const off = p.timeUs - GREEN_EPOCH_US - c.transponderUs;
      if (p.board === 'loop-sectors') {
        expect(Math.abs(off - 300e-6 * c.transponderUs), `loop ${c.loop} at ${c.transponderUs}`).toBeLessThan(PASSING_US);
        if (c.transponderUs > 60e6) {
          expect(off).toBeGreaterThan(15_000);
          late++;
        }
      } else if (!accelerating(s).has(c)) {
        expect(Math.abs(off), `${p.board} loop ${c.loop}`).toBeLessThan(PASSING_US);
      }
    }
    expect(late).toBeGreaterThan(10);
  });
});

describe('random scenarios through the firmware', () => {
  test.each([301, 302, 304, 308])('agree with truth, faults and all (R-SF-1, R-PIT-SPEED-1, R-PIT-BOX-2): seed %i', async (seed) => {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-random-'));
    try {
      const s = scored(await runSimulation({ scenarioFile: writeScenario(dir, randomScenario(seed, { boardFaults: true }), `random-${seed}.json`) }));
      expect(s.truth.faults.map((f) => f.kind)).toEqual(expect.arrayContaining(['clock-drift', 'board-reboot', 'partition', 'broker-outage']));
      expectPassingsMatchTruth(s);
      expect(expectSegmentSpeedsMatchTruth(s)).toBeGreaterThan(0);
      expect(expectBoxVerdictsMatchTruth(s)).toBeGreaterThan(0);
      expect(transitsOf(s)).toEqual([]);
      for (const b of s.r.track.boards) expectNothingLost(s, b.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Truth of officiating pit stops (race.md): the violations each visit holds. */
type Officiated = Truth & { violations: Array<{ rule: string; atUs: number; index: number }> };
const OFFICIATING_SEEDS = Array.from({ length: 20 }, (_, i) => 9001 + i);

describe('random scenarios with officiating through the firmware', () => {
  const seen = new Map<number, Officiated>();

  test.each(OFFICIATING_SEEDS)('plan, run and agree with truth: boxes driven through, crews, pass-throughs, verdicts, speeds: seed %i', async (seed) => {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-officiating-'));
    try {
      const s = scored(await runSimulation({ scenarioFile: writeScenario(dir, randomScenario(seed, { officiating: true }), `officiating-${seed}.json`) }));
      seen.set(seed, s.truth as Officiated);
      expectPassingsMatchTruth(s);
      expectSegmentSpeedsMatchTruth(s);
      expectBoxVerdictsMatchTruth(s);
      expectBoxEventsMatchTruth(s);
      expectCrewMatchesTruth(s);
      expectCommitmentsMatchTruth(s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('across the seeds, the truth holds every kind of pit road violation, and the options add them only when asked', () => {
    // The races above, or (run alone) the same truth without the boards.
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-officiating-'));
    let truths: Officiated[];
    try {
      truths = OFFICIATING_SEEDS.map((seed) => seen.get(seed) ?? (asTruth(prepareRace(writeScenario(dir, randomScenario(seed, { officiating: true }), `officiating-${seed}.json`)).truth) as Officiated));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const count = new Map<string, number>();
    for (const t of truths) for (const v of t.violations) count.set(v.rule, (count.get(v.rule) ?? 0) + 1);
    for (const rule of PIT_RULES) expect(count.get(rule) ?? 0, rule).toBeGreaterThan(0);
    const scenarios = OFFICIATING_SEEDS.map((seed) => randomScenario(seed, { officiating: true }));
    expect(randomScenario(OFFICIATING_SEEDS[0]!, { officiating: true })).toEqual(scenarios[0]);
    const stops = scenarios.flatMap((x) => x.pitStops);
    expect(stops.some((p) => p.passThrough && Object.keys(p.segmentMph ?? {}).length === 0)).toBe(true);
    expect(stops.some((p) => p.boxesThrough && Math.max(p.boxesThrough.entering ?? 0, p.boxesThrough.leaving ?? 0) <= 3)).toBe(true);
    expect(stops.some((p) => p.crewEarlyBoxes !== undefined && p.crewEarlyBoxes < 1)).toBe(true);
    // Off the lane centre yet inside (R-PIT-COMMIT-1 not broken) too.
    expect(truths.some((t) => t.pitStops.some((p) => p.commitment!.inside && p.commitment!.marginMm < 550))).toBe(true);
    // Without the option nothing of it.
    for (const seed of OFFICIATING_SEEDS.slice(0, 5)) {
      const plain = randomScenario(seed);
      expect(plain.pitStops.some((p) => p.passThrough || p.crew !== undefined || p.boxesThrough !== undefined || p.commitmentOffsetMm !== undefined)).toBe(false);
    }
  });
});

// Ground truth of a simulated race (truth.json, format in race.md): what really
// happened, so every layer — firmware, gateway, officiating — can be scored against
// it. Every number here comes from the planned motion, never from a sensor.
import { MPH } from './box-sensors.js';
import type { StopTruth } from './box-sensors.js';
import { transitUs } from './box-visits.js';
import { commitmentTruth } from './lane-visits.js';
import { PIT_RULES, visitViolations, type PitViolation } from './pit-violations.js';
import { pitRoadOpenAt, type CarPlan, type PlannedStop, type RacePlan } from './race-plan.js';
import { DEFAULT_CREW, type Fault } from './scenario.js';
import { pitRoadSpansLine, pitSegments, pitStartFinish } from './track.js';
import { qualifyingTruth, qualifyingTruthJson } from './qualifying-truth.js';

export const TRUTH_FORMAT = 'pitwall-truth/1';

export interface TrueCrossing {
  loop: number;
  car: string;
  transponder: number;
  /** Start/finish loops: the lap it completes (0: the green); other loops: the lap being run. */
  lap: number;
  path: 'track' | 'pit';
  noseUs: number;
  transponderUs: number;
  speedMps: number;
  /** The loop missed this read (a missed-read fault). */
  missed: boolean;
}

/** Every crossing of every loop by every truck's transponder while the race runs, in time order. */
export function raceCrossings(plan: RacePlan): TrueCrossing[] {
  const { track, scenario } = plan;
  const len = track.lengthM;
  const sf = new Set(track.loops.filter((l) => l.role === 'start-finish').map((l) => l.id));
  const out: TrueCrossing[] = [];
  const within = (t: number) => t >= plan.startUs && t < plan.endUs;
  const sfAt = pitStartFinish(track)?.positionM ?? Infinity;
  const spans = pitRoadSpansLine(track);
  for (const car of plan.cars) {
    const off = car.entry.noseOffsetM;
    const base = { car: car.entry.car, transponder: car.entry.transponder, missed: false };
    for (let k = 0; k <= scenario.laps; k++) {
      for (const l of track.loops) {
        if (l.path !== 'track') continue;
        const x = k * len + l.positionM;
        const transponderUs = car.track.timeAt(x + off);
        if (!within(transponderUs) || !car.trackActive.some(([a, b]) => transponderUs >= a && transponderUs < b)) continue;
        out.push({ ...base, loop: l.id, lap: sf.has(l.id) ? k : k + 1, path: 'track', noseUs: car.track.timeAt(x), transponderUs, speedMps: car.track.speedAt(transponderUs) });
      }
    }
    for (const s of car.stops) {
      for (const l of track.loops) {
        if (l.path !== 'pit') continue;
        const transponderUs = s.motion.timeAt(l.positionM + off);
        if (!(transponderUs >= s.pitFromUs && transponderUs < s.pitToUs) || !within(transponderUs)) continue;
        const lap = spans ? (l.positionM < sfAt || sf.has(l.id) ? s.stop.lap : s.stop.lap + 1) : s.stop.lap + 1;
        out.push({ ...base, loop: l.id, lap, path: 'pit', noseUs: s.motion.timeAt(l.positionM), transponderUs, speedMps: s.motion.speedAt(transponderUs) });
      }
    }
  }
  out.sort((a, b) => a.transponderUs - b.transponderUs || a.loop - b.loop || a.transponder - b.transponder);
  return out;
}

/** Which crossing each missed-read fault takes away (index into crossings), or an error naming the fault. */
export function missedCrossings(plan: RacePlan, crossings: TrueCrossing[]): Map<number, number> {
  const out = new Map<number, number>();
  plan.scenario.faults.forEach((f, i) => {
    if (f.kind !== 'missed-read') return;
    const at = crossings.findIndex((c) => c.loop === f.loop && c.car === f.car && c.lap === f.lap);
    if (at < 0) throw new Error(`faults[${i}]: car ${f.car} never crosses loop ${f.loop} on lap ${f.lap}`);
    crossings[at]!.missed = true;
    out.set(i, at);
  });
  return out;
}

/** How long a rebooting board is down before it is back and configured (µs). */
export const REBOOT_DOWN_US = 2_000_000;

export interface FaultTruth {
  fault: Fault;
  fromUs: number;
  toUs: number;
}

export function faultWindows(plan: RacePlan, crossings: TrueCrossing[], missed: Map<number, number>): FaultTruth[] {
  return plan.scenario.faults.map((f, i) => {
    switch (f.kind) {
      case 'missed-read': {
        const c = crossings[missed.get(i)!]!;
        return { fault: f, fromUs: c.transponderUs, toUs: c.transponderUs };
      }
      case 'board-reboot':
        return { fault: f, fromUs: f.atS * 1e6, toUs: f.atS * 1e6 + REBOOT_DOWN_US };
      case 'broker-outage':
      case 'partition':
        return { fault: f, fromUs: f.atS * 1e6, toUs: (f.atS + f.forS) * 1e6 };
      case 'clock-drift':
        return { fault: f, fromUs: plan.startUs, toUs: plan.endUs };
    }
  });
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export interface TruthInputs {
  plan: RacePlan;
  crossings: TrueCrossing[];
  stopTruth: ReadonlyMap<number, StopTruth>;
  faults: FaultTruth[];
  epochUs: number;
  scenarioFile: string;
}

/** The truth.json document. Times are µs from the green flag, to the nanosecond. */
export function buildTruth(inp: TruthInputs): Record<string, unknown> {
  const { plan, crossings } = inp;
  const { scenario, track } = plan;
  const segments = pitSegments(track);
  const lineOf = new Map(track.loops.map((l) => [l.id, l]));
  const over = plan.limitMph + plan.toleranceMph;
  const carOf = new Map(plan.cars.map((c) => [c.entry.car, c]));
  const spans = pitRoadSpansLine(track);
  const laps = plan.cars.flatMap((car) => lapsOf(car, spans));
  const pitOut = track.loops.find((l) => l.role === 'pit-out')!;
  const timed: TimedViolation[] = [];
  const pitStops = plan.cars
    .flatMap((car) => car.stops.map((s) => ({ car, s })))
    .sort((a, b) => a.s.index - b.s.index)
    .map(({ car, s }) => {
      const off = car.entry.noseOffsetM;
      const txAt = (loop: number): number => s.motion.timeAt(lineOf.get(loop)!.positionM + off);
      const segs = segments.map((seg) => {
        const plan_ = s.visit.segments.find((p) => p.number === seg.number)!;
        const dtS = (txAt(seg.toLoop) - txAt(seg.fromLoop)) / 1e6;
        const mph = seg.lengthM / dtS / MPH;
        return {
          segment: seg.number,
          fromLoop: seg.fromLoop,
          toLoop: seg.toLoop,
          lengthM: seg.lengthM,
          mph,
          scripted: plan_.scripted,
          byStop: plan_.mph === null,
          speeding: mph > over,
        };
      });
      const bt = inp.stopTruth.get(s.index);
      const pitRoadOpen = pitRoadOpenAt(plan.pitRoad, s.commitmentUs);
      const speeding = segs.filter((x) => x.speeding).map((x) => x.segment);
      const standFromUs = s.visit.stop ? s.forkUs + s.visit.stop.standFromUs : null;
      const maxCrew = bt?.maxCrew ?? 0;
      const stop = s.visit.stop && {
        pose: s.stop.pose,
        standFromUs: r3(standFromUs!),
        standToUs: r3(standFromUs! + s.visit.stop.standS * 1e6),
        margins: s.margins,
        inBox: s.inBox,
        clause: s.clause,
        marginMm: s.marginMm,
        closeCall: s.closeCall,
        serviceStartUs: bt?.serviceStartUs == null ? null : r3(bt.serviceStartUs),
        serviceEndUs: bt?.serviceEndUs == null ? null : r3(bt.serviceEndUs),
        crewOverUs: bt?.crewOverUs == null ? null : r3(bt.crewOverUs),
        crewDistanceMm: bt?.crewDistanceMm ?? null,
        crewTooSoon: bt?.crewTooSoon ?? false,
        maxCrew,
        tooManyCrew: maxCrew > plan.crewLimit,
      };
      const lane = commitmentTruth(plan, car, s);
      const commitment = lane && {
        margins: lane.margins,
        inside: lane.inside,
        marginMm: lane.marginMm,
        closeCall: lane.closeCall,
        frontUs: r3(lane.frontUs),
      };
      const violations = visitViolations({
        passThrough: s.passThrough,
        speeding,
        pitRoadOpen,
        stop: stop && { ...stop, serviced: stop.serviceStartUs !== null },
        entering: s.through.entering.length,
        leaving: s.through.leaving.length,
        crewLimit: plan.crewLimit,
        boxesThroughLimit: plan.boxesThroughLimit,
        commitment,
      });
      // When each happened: speeding at the exit of its first speeding segment, the box at
      // the stop, the crew when the first goes over, the boxes at the first transit, the
      // closed pit road at the commitment line.
      const atUs = (v: PitViolation): number => {
        switch (v.rule) {
          case 'R-PIT-SPEED-1':
          case 'R-PIT-SPEED-2':
            return txAt(segs.find((x) => x.segment === v.segments[0])!.toLoop);
          case 'R-PIT-BOX-2':
            return standFromUs!;
          case 'R-PIT-CREW-1':
          case 'R-PIT-CREW-2':
            return bt!.crewOverUs!;
          case 'R-PIT-BOX-3':
            return firstTransitUs(plan, car, s);
          case 'R-PIT-OPEN-2':
          case 'R-PIT-COMMIT-1':
            return s.commitmentUs;
        }
      };
      for (const v of violations) timed.push({ atUs: r3(atUs(v)), car: car.entry.car, index: s.index, lap: s.stop.lap, ...v });
      return {
        index: s.index,
        car: car.entry.car,
        transponder: car.entry.transponder,
        lap: s.stop.lap,
        box: s.box.number,
        commitmentUs: r3(s.commitmentUs),
        commitment,
        pitRoadOpen,
        pitInUs: r3(txAt(segments[0]!.fromLoop)),
        pitOutUs: r3(s.motion.timeAt(pitOut.positionM)),
        segments: segs,
        speeding,
        stop,
        passThrough: s.passThrough,
        crew: s.passThrough ? 0 : (s.stop.crew ?? DEFAULT_CREW),
        boxesThrough: { entering: s.through.entering.map((b) => b.number), leaving: s.through.leaving.map((b) => b.number) },
        violations,
      };
    });
  timed.sort((a, b) => a.atUs - b.atUs || a.index - b.index || PIT_RULES.indexOf(a.rule) - PIT_RULES.indexOf(b.rule));
  return {
    format: TRUTH_FORMAT,
    scenario: {
      file: inp.scenarioFile,
      track: track.id,
      session: scenario.session,
      laps: scenario.laps,
      stages: scenario.stages,
      seed: scenario.seed,
      gridGapS: scenario.gridGapS,
      pitSpeedLimitMph: plan.limitMph,
      pitSpeedToleranceMph: plan.toleranceMph,
      crewLimit: plan.crewLimit,
      boxesThroughLimit: plan.boxesThroughLimit,
      ...(scenario.session === 'qualifying' ? { qualifying: scenario.qualifying, roundStartsS: scenario.roundStartsS, redFlags: scenario.redFlags.map((r) => ({ atS: r.atS, minutes: r.minutes })) } : {}),
    },
    clock: { epochUs: inp.epochUs },
    startUs: plan.startUs,
    endUs: r3(plan.endUs),
    field: scenario.field.map((e) => ({ car: e.car, driver: e.driver, transponder: e.transponder, box: e.box, noseOffsetM: e.noseOffsetM, ...(e.ownerPoints !== undefined ? { ownerPoints: e.ownerPoints } : {}) })),
    laps,
    finish: plan.cars.map((c) => ({ car: c.entry.car, laps: c.finishLap, noseUs: r3(c.finishUs) })),
    leaderUs: plan.leaderUs.map(r3),
    flags: plan.flags.map((f) => ({ ...f, atUs: r3(f.atUs) })),
    pitRoad: plan.pitRoad.map((p) => ({ ...p, atUs: r3(p.atUs) })),
    redStops: plan.cars.flatMap((c) => c.redStops.map((r) => ({ car: c.entry.car, redFlag: r.redFlag, lap: r.lap, fromUs: r3(r.fromUs), toUs: r3(r.toUs) }))),
    pitStops,
    violations: timed,
    skippedStops: plan.cars.flatMap((c) => c.skippedStops.map((i) => ({ index: i, car: c.entry.car, lap: scenario.pitStops[i]!.lap, why: 'finished before that lap' }))),
    faults: inp.faults.map((f) => ({ ...f.fault, fromUs: r3(f.fromUs), toUs: r3(f.toUs) })),
    crossings: crossings.map((c) => ({ ...c, noseUs: r3(c.noseUs), transponderUs: r3(c.transponderUs), speedMps: r3(c.speedMps) })),
    // R-QUAL-1..5 from the true crossings (qualifying-truth.ts); null for a race.
    qualifying: qualifyingTruthJson(qualifyingTruth(plan, crossings)),
    cars: carOf.size,
  };
}

/** A violation of the truth with the visit it belongs to and when it happened (µs race time). */
export type TimedViolation = PitViolation & { atUs: number; car: string; index: number; lap: number };

/** The first box-transit of a visit's boxes driven through, entering or else leaving. */
function firstTransitUs(plan: RacePlan, car: CarPlan, s: PlannedStop): number {
  const first = s.through.entering[0] ?? s.through.leaving[0]!;
  return transitUs(plan, car, s, first);
}

/** A truck's completed laps with their times; `scripted` marks laps the lapTimes contract covers. */
function lapsOf(car: CarPlan, spans: boolean): Array<Record<string, unknown>> {
  const e = car.entry;
  // Where pit road passes the line a stop takes the lap it ends and the next; otherwise the next.
  const touched = new Set<number>();
  for (const s of car.stops) {
    if (spans) touched.add(s.stop.lap);
    touched.add(s.stop.lap + 1);
  }
  const red = new Map(car.redStops.map((r) => [r.lap, (r.toUs - r.fromUs) / 1e6]));
  return car.crossings.map((c, i) => {
    const prev = car.crossings[i - 1];
    const lapS = prev ? (c.noseUs - prev.noseUs) / 1e6 : null;
    return {
      car: e.car,
      lap: c.lap,
      noseUs: r3(c.noseUs),
      lapS,
      onPitRoad: c.onPitRoad,
      caution: car.cautionLaps.includes(c.lap),
      pitStop: touched.has(c.lap),
      redFlagStopS: red.get(c.lap) ?? 0,
      // The lapTimes contract: exact for every lap without a stop (red flags stop the field too).
      scripted: e.lapTimes !== undefined && c.lap > 0 && !touched.has(c.lap) && !red.has(c.lap),
    };
  });
}

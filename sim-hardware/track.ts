// Tracks as data (format in track.md): the loops on the racing line and on pit road,
// the pit boxes, which board owns what, and the configs those boards are sent. A
// track file is checked whole on load so a track crew's mistake names its field
// instead of surfacing later as a board refusing its config.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  BOARD_ID_PATTERN,
  LOOP_ROLES,
  type BoardKind,
  type BoxConfig,
  type BoxDef,
  type CommitmentLane,
  type LoopConfig,
  type LoopRole,
  type VehicleGeometry,
} from '../protocol/schema.js';
import { repoPath } from '../protocol/repo-root.js';
import { validateVehicle } from './box-geometry.js';
import { JsonCheck } from './json-check.js';

export type LoopPath = 'track' | 'pit';

export interface TrackLoop {
  /** Decoder channel 0..255, unique on the track. */
  id: number;
  name: string;
  role: LoopRole;
  path: LoopPath;
  /** Distance along its path (m): from the start/finish line on the track, from where pit road leaves the track on pit road. */
  positionM: number;
  board: string;
}

export interface TrackBox {
  number: number;
  /** Box centre along pit road (m). */
  positionM: number;
  lengthMm: number;
  widthMm: number;
  lineMm: number;
  outsideLeft: boolean;
  board: string;
}

/**
 * The painted box at the commitment line (R-PIT-COMMIT-1), sensed by a box board: it
 * lies at the commitment loop's position on the track (x = 0 of its frame).
 */
export interface TrackCommitmentLane {
  /** The lane's id on its board (0..255), none of that board's box numbers. */
  id: number;
  board: string;
  /** Inside width between the boundary lines' inner edges (mm). */
  widthMm: number;
  /** Painted width of each boundary line (mm). */
  lineMm: number;
}

/** A stretch of pit road without boxes. */
export interface PitOpening {
  fromM: number;
  toM: number;
}

export interface PitRoad {
  /** Track position where pit road leaves the track (m). */
  entryM: number;
  /** Track position where pit road rejoins the track (m). */
  exitM: number;
  lengthM: number;
  speedLimitMph: number;
  toleranceMph: number;
  boxes: TrackBox[];
  openings: PitOpening[];
  /** The commitment line's lane sensors, when the track has them. */
  commitmentLane?: TrackCommitmentLane;
}

export interface TrackBoard {
  id: string;
  kind: BoardKind;
}

export interface Track {
  id: string;
  name: string;
  /** Lap length along the racing line (m). */
  lengthM: number;
  loops: TrackLoop[];
  pitRoad: PitRoad;
  boards: TrackBoard[];
  vehicle: VehicleGeometry;
  quietGapUs: { track: number; pit: number };
}

/** A pit road segment: between two consecutive speed-limited pit lines (R-PIT-SPEED-1). */
export interface PitSegment {
  /** 1..n from the entry yellow line, as the loop board numbers them. */
  number: number;
  fromLoop: number;
  toLoop: number;
  fromM: number;
  toM: number;
  lengthM: number;
}

export class TrackError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${source}: ${field}: ${detail}`);
    this.name = 'TrackError';
  }
}

export const MAX_LOOPS_PER_BOARD = 16;
export const MAX_BOXES_PER_BOARD = 4;
/** A commitment lane's widest inside width (mm): the firmware's limit (its readings are i16 mm). */
export const MAX_LANE_WIDTH_MM = 60_000;
/** Firmware limits on a loop board's quiet gap. */
export const QUIET_GAP_RANGE_US = [2_000, 1_000_000] as const;
/** Below four hits a passing is the strongest hit's time (firmware/LOOP-BOARD.md). */
export const MIN_HITS = 4;
export const BOX_UNCERTAINTY_MM = 10;
export const BOX_SAMPLE_US = 10_000;
const TRACK_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const TRACK_ROLES: readonly LoopRole[] = ['start-finish', 'sector', 'commitment'];
/** start-finish is on both paths: where pit road passes the start/finish line the timing line extends across it. */
const PIT_ROLES: readonly LoopRole[] = ['start-finish', 'pit-entry', 'pit-timing', 'pit-exit', 'pit-out'];
const VEHICLE_KEYS = ['trackMm', 'wheelbaseMm', 'tireWidthMm', 'patchMm', 'frontOverhangMm', 'rearOverhangMm', 'bodyWidthMm'] as const;

/** Whether a track reference is an id (resolved under sim-hardware/tracks/) rather than a path. */
export function isTrackId(idOrPath: string): boolean {
  return TRACK_ID.test(idOrPath);
}

export function trackFile(id: string): string {
  return repoPath('sim-hardware', 'tracks', `${id}.json`);
}

export function loadTrack(idOrPath: string): Track {
  const path = isTrackId(idOrPath) ? trackFile(idOrPath) : idOrPath;
  const source = basename(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TrackError(source, '(file)', code === 'ENOENT' ? `no such track file (${path})` : `cannot read ${path}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TrackError(source, '(file)', `not valid JSON: ${(e as Error).message}`);
  }
  return validateTrack(value, source);
}

export function validateTrack(value: unknown, source: string): Track {
  const fail = (field: string, detail: string): never => {
    throw new TrackError(source, field, detail);
  };
  const c = new JsonCheck(fail);
  const o = c.object(value, '', ['id', 'name', 'lengthM', 'loops', 'pitRoad', 'boards', 'vehicle', 'quietGapUs']);
  const id = c.string(o.id, 'id', TRACK_ID, 'lowercase letters, digits and -');
  const name = c.string(o.name, 'name');
  const lengthM = c.number(o.lengthM, 'lengthM', { above: 0, max: 10_000 });

  // Boards first: loops and boxes refer to them.
  const boards: TrackBoard[] = c.array(o.boards, 'boards', 1).map((b, i) => {
    const f = `boards[${i}]`;
    const bo = c.object(b, f, ['id', 'kind']);
    return { id: c.string(bo.id, `${f}.id`, BOARD_ID_PATTERN), kind: c.oneOf(bo.kind, `${f}.kind`, ['loop', 'box'] as const) };
  });
  const boardIndex = new Map<string, number>();
  boards.forEach((b, i) => {
    const prev = boardIndex.get(b.id);
    if (prev !== undefined) fail(`boards[${i}].id`, `duplicates boards[${prev}] (${JSON.stringify(b.id)})`);
    boardIndex.set(b.id, i);
  });
  const used = new Map<string, number>();
  const owner = (board: unknown, field: string, kind: BoardKind): string => {
    const bid = c.string(board, field);
    const i = boardIndex.get(bid);
    if (i === undefined) fail(field, `no board ${JSON.stringify(bid)} in boards`);
    if (boards[i!].kind !== kind) fail(field, `board ${JSON.stringify(bid)} is a ${boards[i!].kind} board, not a ${kind} board`);
    used.set(bid, (used.get(bid) ?? 0) + 1);
    return bid;
  };

  const po = c.object(o.pitRoad, 'pitRoad', ['entryM', 'exitM', 'lengthM', 'speedLimitMph', 'toleranceMph', 'boxes'], ['openings', 'commitmentLane']);
  const pitLengthM = c.number(po.lengthM, 'pitRoad.lengthM', { above: 0, max: 2_000 });
  if (pitLengthM > lengthM) fail('pitRoad.lengthM', `${pitLengthM} m is longer than the lap (${lengthM} m)`);
  const entryM = c.number(po.entryM, 'pitRoad.entryM', { min: 0 });
  if (entryM >= lengthM) fail('pitRoad.entryM', `must be within the lap, under ${lengthM} (got ${entryM})`);
  const exitM = c.number(po.exitM, 'pitRoad.exitM', { min: 0 });
  if (exitM >= lengthM) fail('pitRoad.exitM', `must be within the lap, under ${lengthM} (got ${exitM})`);
  if (exitM === entryM) fail('pitRoad.exitM', 'pit road cannot leave and rejoin the track at one place');
  const speedLimitMph = c.number(po.speedLimitMph, 'pitRoad.speedLimitMph', { above: 0, max: 200 });
  const toleranceMph = c.number(po.toleranceMph, 'pitRoad.toleranceMph', { min: 0, max: 50 });

  const loops: TrackLoop[] = c.array(o.loops, 'loops', 1).map((l, i) => {
    const f = `loops[${i}]`;
    const lo = c.object(l, f, ['id', 'name', 'role', 'path', 'positionM', 'board']);
    const loopId = c.integer(lo.id, `${f}.id`, 0, 255);
    const loopName = c.string(lo.name, `${f}.name`);
    const role = c.oneOf(lo.role, `${f}.role`, Object.keys(LOOP_ROLES) as LoopRole[]);
    const path = c.oneOf(lo.path, `${f}.path`, ['track', 'pit'] as const);
    if (path === 'track' && !TRACK_ROLES.includes(role)) fail(`${f}.role`, `a ${role} line lies on pit road (path "pit"), not on the track`);
    if (path === 'pit' && !PIT_ROLES.includes(role)) fail(`${f}.role`, `a ${role} loop lies on the track (path "track"), not on pit road`);
    const positionM = c.number(lo.positionM, `${f}.positionM`, { min: 0 });
    if (path === 'track' && positionM >= lengthM) fail(`${f}.positionM`, `must be within the lap, under ${lengthM} (got ${positionM})`);
    if (path === 'pit' && positionM > pitLengthM) fail(`${f}.positionM`, `must be within pit road, at most ${pitLengthM} (got ${positionM})`);
    return { id: loopId, name: loopName, role, path, positionM, board: owner(lo.board, `${f}.board`, 'loop') };
  });
  const loopIndex = new Map<number, number>();
  loops.forEach((l, i) => {
    const prev = loopIndex.get(l.id);
    if (prev !== undefined) fail(`loops[${i}].id`, `duplicates loops[${prev}] (loop ${l.id})`);
    loopIndex.set(l.id, i);
  });
  checkLineRoles(loops, entryM, exitM, fail);
  const lines = checkPitLineOrder(loops, fail);

  const openings: PitOpening[] = (po.openings === undefined ? [] : c.array(po.openings, 'pitRoad.openings')).map((p, i) => {
    const f = `pitRoad.openings[${i}]`;
    const oo = c.object(p, f, ['fromM', 'toM']);
    const fromM = c.number(oo.fromM, `${f}.fromM`, { min: 0, max: pitLengthM });
    const toM = c.number(oo.toM, `${f}.toM`, { min: 0, max: pitLengthM });
    if (toM <= fromM) fail(`${f}.toM`, `must be after fromM (${fromM})`);
    return { fromM, toM };
  });
  openings.forEach((p, i) => {
    openings.forEach((q, j) => {
      if (j < i && p.fromM < q.toM && q.fromM < p.toM) fail(`pitRoad.openings[${i}]`, `overlaps pitRoad.openings[${j}]`);
    });
  });

  const entryLine = lines.entry.positionM;
  const exitLine = lines.exit.positionM;
  const boxes: TrackBox[] = c.array(po.boxes, 'pitRoad.boxes', 1).map((b, i) => {
    const f = `pitRoad.boxes[${i}]`;
    const bo = c.object(b, f, ['number', 'positionM', 'lengthMm', 'widthMm', 'lineMm', 'outsideLeft', 'board']);
    const box: TrackBox = {
      number: c.integer(bo.number, `${f}.number`, 1, 0xffff),
      positionM: c.number(bo.positionM, `${f}.positionM`, { min: 0, max: pitLengthM }),
      lengthMm: c.integer(bo.lengthMm, `${f}.lengthMm`, 1, 30_000),
      widthMm: c.integer(bo.widthMm, `${f}.widthMm`, 1, 10_000),
      lineMm: c.integer(bo.lineMm, `${f}.lineMm`, 1, 1_000),
      outsideLeft: c.boolean(bo.outsideLeft, `${f}.outsideLeft`),
      board: '',
    };
    // Lines belong to the outside (R-PIT-BOX-2): something must be left inside them.
    if (box.lengthMm <= 2 * box.lineMm) fail(`${f}.lengthMm`, `${box.lengthMm} mm leaves no box inside two ${box.lineMm} mm lines`);
    if (box.widthMm <= box.lineMm) fail(`${f}.widthMm`, `${box.widthMm} mm leaves no box inside a ${box.lineMm} mm line`);
    box.board = owner(bo.board, `${f}.board`, 'box');
    return box;
  });
  const boxIndex = new Map<number, number>();
  boxes.forEach((b, i) => {
    const f = `pitRoad.boxes[${i}]`;
    const prev = boxIndex.get(b.number);
    if (prev !== undefined) fail(`${f}.number`, `duplicates box ${b.number} (pitRoad.boxes[${prev}])`);
    boxIndex.set(b.number, i);
    if (i > 0 && b.number !== boxes[i - 1].number + 1) fail(`${f}.number`, `must be ${boxes[i - 1].number + 1}: boxes are numbered consecutively along pit road`);
    const [from, to] = boxSpanM(b);
    if (from <= entryLine || to >= exitLine) fail(`${f}.positionM`, `box spans ${fmt(from)}..${fmt(to)} m, outside the entry (${entryLine}) and exit (${exitLine}) yellow lines`);
    if (i > 0) {
      const [, prevTo] = boxSpanM(boxes[i - 1]);
      if (from < prevTo) fail(`${f}.positionM`, `box spans ${fmt(from)}..${fmt(to)} m and overlaps box ${boxes[i - 1].number} (ends at ${fmt(prevTo)} m)`);
    }
    openings.forEach((p, j) => {
      if (from < p.toM && p.fromM < to) fail(`${f}.positionM`, `box spans ${fmt(from)}..${fmt(to)} m and overlaps pitRoad.openings[${j}]`);
    });
    loops.forEach((l, j) => {
      if (l.path === 'pit' && l.positionM > from && l.positionM < to) fail(`${f}.positionM`, `box spans ${fmt(from)}..${fmt(to)} m across loops[${j}] (${l.name} at ${l.positionM} m)`);
    });
  });

  const vo = c.object(o.vehicle, 'vehicle', VEHICLE_KEYS);
  const vehicle = Object.fromEntries(VEHICLE_KEYS.map((k) => [k, c.integer(vo[k], `vehicle.${k}`, 0, 0xffff)])) as unknown as VehicleGeometry;
  try {
    validateVehicle(vehicle);
  } catch (e) {
    const m = /^(vehicle\.\w+) (.*)$/s.exec((e as Error).message);
    fail(m ? m[1] : 'vehicle', m ? m[2] : (e as Error).message);
  }

  let commitmentLane: TrackCommitmentLane | undefined;
  if (po.commitmentLane !== undefined) {
    const f = 'pitRoad.commitmentLane';
    const lo = c.object(po.commitmentLane, f, ['board', 'widthMm', 'lineMm'], ['id']);
    const board = c.string(lo.board, `${f}.board`);
    const i = boardIndex.get(board);
    if (i === undefined) fail(`${f}.board`, `no board ${JSON.stringify(board)} in boards`);
    if (boards[i!].kind !== 'box') fail(`${f}.board`, `board ${JSON.stringify(board)} is a ${boards[i!].kind} board, not a box board (box boards sense commitment lanes)`);
    const widthMm = c.integer(lo.widthMm, `${f}.widthMm`, 1, MAX_LANE_WIDTH_MM);
    const lineMm = c.integer(lo.lineMm, `${f}.lineMm`, 1, 1_000);
    const id = lo.id === undefined ? 0 : c.integer(lo.id, `${f}.id`, 0, 255);
    const clash = boxes.find((b) => b.board === board && b.number === id);
    if (clash) fail(`${f}.id`, `lane ${id} is also the number of box ${clash.number} on board ${JSON.stringify(board)}: a board's lane ids and box numbers differ`);
    // The firmware refuses a lane no truck fits in: no crossing could be inside it.
    if (widthMm <= vehicle.trackMm + vehicle.tireWidthMm) {
      fail(`${f}.widthMm`, `${widthMm} mm is no wider than the vehicle's tires (track ${vehicle.trackMm} + tire ${vehicle.tireWidthMm} mm): no crossing could be inside`);
    }
    commitmentLane = { id, board, widthMm, lineMm };
  }

  const qo = c.object(o.quietGapUs, 'quietGapUs', ['track', 'pit']);
  const [minGap, maxGap] = QUIET_GAP_RANGE_US;
  const quietGapUs = { track: c.integer(qo.track, 'quietGapUs.track', minGap, maxGap), pit: c.integer(qo.pit, 'quietGapUs.pit', minGap, maxGap) };

  // Per board: capacities, one path per loop board (it has one quiet gap and one distance origin).
  boards.forEach((b, i) => {
    const f = `boards[${i}].id`;
    const n = used.get(b.id) ?? 0;
    if (n === 0) fail(f, `board ${JSON.stringify(b.id)} owns no ${b.kind === 'loop' ? 'loop' : 'box'}`);
    if (b.kind === 'loop') {
      if (n > MAX_LOOPS_PER_BOARD) fail(f, `loop board ${JSON.stringify(b.id)} owns ${n} loops (at most ${MAX_LOOPS_PER_BOARD})`);
      const own = loops.filter((l) => l.board === b.id);
      if (own.some((l) => l.path !== own[0].path)) fail(f, `loop board ${JSON.stringify(b.id)} owns loops on both the track and pit road (a board has one quiet gap and one distance origin)`);
      const speedLines = own.filter((l) => l.role === 'pit-entry' || l.role === 'pit-timing' || l.role === 'pit-exit');
      const all = loops.filter((l) => l.role === 'pit-entry' || l.role === 'pit-timing' || l.role === 'pit-exit');
      // The board measures segments between its own lines and needs one entry and one exit.
      if (speedLines.length > 0 && speedLines.length !== all.length) fail(f, `loop board ${JSON.stringify(b.id)} owns some but not all of the pit entry, timing and exit lines`);
    } else if (n > MAX_BOXES_PER_BOARD) {
      fail(f, `box board ${JSON.stringify(b.id)} owns ${n} boxes (at most ${MAX_BOXES_PER_BOARD})`);
    }
  });

  return {
    id,
    name,
    lengthM,
    loops,
    pitRoad: { entryM, exitM, lengthM: pitLengthM, speedLimitMph, toleranceMph, boxes, openings, ...(commitmentLane ? { commitmentLane } : {}) },
    boards,
    vehicle,
    quietGapUs,
  };
}

function checkLineRoles(loops: readonly TrackLoop[], entryM: number, exitM: number, fail: (field: string, detail: string) => never): void {
  const indexes = (role: LoopRole, path?: LoopPath): number[] => loops.flatMap((l, i) => (l.role === role && (path === undefined || l.path === path) ? [i] : []));
  const one = (role: LoopRole, where: string, path?: LoopPath): void => {
    const at = indexes(role, path);
    const on = path === undefined ? '' : path === 'track' ? ' on the track' : ' on pit road';
    if (at.length === 0) fail('loops', `needs a ${role} loop (${where})`);
    if (at.length > 1) fail(`loops[${at[1]}].role`, `a second ${role} loop${on} (first is loops[${at[0]}])`);
  };
  one('start-finish', 'on the track at positionM 0', 'track');
  one('commitment', 'on the track near pit entry');
  one('pit-entry', 'the entry yellow line');
  one('pit-exit', 'the exit yellow line');
  one('pit-out', 'the pit-out scoring line');
  const sf = indexes('start-finish', 'track')[0];
  if (loops[sf].positionM !== 0) fail(`loops[${sf}].positionM`, `the start/finish line is where the lap is measured from: must be 0 (got ${loops[sf].positionM})`);

  // Pit road that leaves the track before the line and rejoins after it crosses the
  // start/finish plane: a vehicle pitting is scored there (R-SF-1), so the line extends
  // across pit road. Pit road clear of the line has no such crossing.
  const pitSf = indexes('start-finish', 'pit');
  if (pitSf.length > 1) fail(`loops[${pitSf[1]}].role`, `a second start-finish loop on pit road (first is loops[${pitSf[0]}])`);
  const where = `leaves at ${entryM} m, rejoins at ${exitM} m`;
  if (entryM > exitM && pitSf.length === 0) fail('loops', `pit road runs past the start/finish line (${where}): needs a start-finish loop on pit road (path "pit")`);
  if (entryM < exitM && pitSf.length > 0) {
    fail(`loops[${pitSf[0]}].path`, `pit road does not run past the start/finish line (${where}): a start-finish loop lies on pit road only where it does`);
  }
}

/** The pit lines in order along pit road: entry < timing... < exit < pit-out. */
function checkPitLineOrder(loops: readonly TrackLoop[], fail: (field: string, detail: string) => never): { entry: TrackLoop; exit: TrackLoop } {
  const idx = (role: LoopRole): number => loops.findIndex((l) => l.role === role);
  const entry = loops[idx('pit-entry')];
  const exit = loops[idx('pit-exit')];
  const out = loops[idx('pit-out')];
  if (exit.positionM <= entry.positionM) fail(`loops[${idx('pit-exit')}].positionM`, `the exit yellow line (${exit.positionM} m) must lie after the entry yellow line (${entry.positionM} m)`);
  if (out.positionM <= exit.positionM) fail(`loops[${idx('pit-out')}].positionM`, `the pit-out line (${out.positionM} m) must lie after the exit yellow line (${exit.positionM} m)`);
  const seen = new Map<number, number>();
  loops.forEach((l, i) => {
    if (l.role !== 'pit-timing') return;
    if (l.positionM <= entry.positionM || l.positionM >= exit.positionM) {
      fail(`loops[${i}].positionM`, `timing line at ${l.positionM} m must lie strictly between the entry (${entry.positionM} m) and exit (${exit.positionM} m) yellow lines`);
    }
    const prev = seen.get(l.positionM);
    if (prev !== undefined) fail(`loops[${i}].positionM`, `a second timing line at ${l.positionM} m (loops[${prev}])`);
    seen.set(l.positionM, i);
  });
  return { entry, exit };
}

/** Where a box's outer line edges are along pit road (m). */
export function boxSpanM(box: Pick<TrackBox, 'positionM' | 'lengthMm' | 'lineMm'>): [number, number] {
  const half = (box.lengthMm / 2 + box.lineMm) / 1000;
  return [box.positionM - half, box.positionM + half];
}

function fmt(m: number): string {
  return String(Math.round(m * 1000) / 1000);
}

/** The start/finish line on pit road, where pit road runs past the start/finish line. */
/** Pit road runs past the start/finish line: its entry lies after its exit along the lap. */
export function pitRoadSpansLine(track: Track): boolean {
  return track.pitRoad.entryM > track.pitRoad.exitM;
}

export function pitStartFinish(track: Track): TrackLoop | undefined {
  return track.loops.find((l) => l.role === 'start-finish' && l.path === 'pit');
}

/** Entry yellow line, timing lines, exit yellow line: the speed-limited lines in order. */
export function pitSpeedLines(track: Track): TrackLoop[] {
  return track.loops
    .filter((l) => l.role === 'pit-entry' || l.role === 'pit-timing' || l.role === 'pit-exit')
    .sort((a, b) => a.positionM - b.positionM);
}

export function pitSegments(track: Track): PitSegment[] {
  const lines = pitSpeedLines(track);
  return lines.slice(1).map((to, i) => ({
    number: i + 1,
    fromLoop: lines[i].id,
    toLoop: to.id,
    fromM: lines[i].positionM,
    toM: to.positionM,
    lengthM: to.positionM - lines[i].positionM,
  }));
}

export interface PitLimitOverride {
  pitSpeedLimitMph?: number;
  pitSpeedToleranceMph?: number;
}

const mm = (m: number): number => Math.round(m * 1000);
const cmph = (mph: number): number => Math.round(mph * 100);

/** A track's box as its box board is configured with it. */
export function boxDef(b: TrackBox): BoxDef {
  return { number: b.number, lengthMm: b.lengthMm, widthMm: b.widthMm, lineMm: b.lineMm, outsideLeft: b.outsideLeft };
}

/** A track's commitment lane as its box board is configured with it (the close-call band of the boxes). */
export function commitmentLaneDef(lane: TrackCommitmentLane): CommitmentLane {
  return { id: lane.id, widthMm: lane.widthMm, lineMm: lane.lineMm, uncertaintyMm: BOX_UNCERTAINTY_MM };
}

/** The config each board is sent, by board id. `event` overrides the track's pit road limit. */
export function boardConfigs(track: Track, event: PitLimitOverride = {}): Map<string, LoopConfig | BoxConfig> {
  const limit = cmph(event.pitSpeedLimitMph ?? track.pitRoad.speedLimitMph);
  const tolerance = cmph(event.pitSpeedToleranceMph ?? track.pitRoad.toleranceMph);
  const out = new Map<string, LoopConfig | BoxConfig>();
  for (const b of track.boards) {
    if (b.kind === 'loop') {
      const own = track.loops.filter((l) => l.board === b.id).sort((x, y) => x.positionM - y.positionM);
      const pit = own[0]?.path === 'pit';
      const config: LoopConfig = {
        kind: 'loop',
        loops: own.map((l) => ({ id: l.id, role: l.role, distanceMm: mm(l.positionM) })),
        quietGapUs: pit ? track.quietGapUs.pit : track.quietGapUs.track,
        minHits: MIN_HITS,
      };
      if (own.some((l) => l.role === 'pit-entry' || l.role === 'pit-timing' || l.role === 'pit-exit')) config.pitRoad = { limit, tolerance };
      out.set(b.id, config);
    } else {
      const config: BoxConfig = {
        kind: 'box',
        boxes: track.pitRoad.boxes.filter((x) => x.board === b.id).map(boxDef),
        vehicle: { ...track.vehicle },
        uncertaintyMm: BOX_UNCERTAINTY_MM,
        sampleUs: BOX_SAMPLE_US,
      };
      const lane = track.pitRoad.commitmentLane;
      if (lane?.board === b.id) config.commitmentLanes = [commitmentLaneDef(lane)];
      out.set(b.id, config);
    }
  }
  return out;
}

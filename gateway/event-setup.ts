// The event as race control sets it up before the green: the track (its loops and
// boxes, which board owns what), the field, laps and stages, the pit road limit. It is
// the first race-control entry of the event log, so the log alone is enough to score
// the race again (R-AUDIT-1). Data, validated on load; never constants in code.
import type { LoopRole } from '../protocol/schema.js';
import { LOOP_ROLES } from '../protocol/schema.js';
import { isValidBoardId } from '../protocol/topics.js';
import { validateDamagedVehicleRules, type DamagedVehicleRules } from './officiating/damaged-vehicle-rules.js';
import { validateOfficiating, type OfficiatingRules } from './officiating/penalty-card.js';
import { validateQualifyingFormat, type QualifyingFormat } from './qualifying/qualifying-format.js';

export interface SetupLoop {
  id: number;
  name: string;
  role: LoopRole;
  path: 'track' | 'pit';
  /** Distance along its path (m): from the start/finish line on the track, from pit road's start on pit road. */
  positionM: number;
  board: string;
}

export interface SetupBox {
  number: number;
  positionM: number;
  board: string;
  /** Inside length and painted line width (mm): one box away is lengthMm + 2·lineMm (R-PIT-CREW-1); null when not given. */
  lengthMm: number | null;
  lineMm: number | null;
}

export interface SetupEntry {
  car: string;
  driver: string;
  transponder: number;
  box: number;
  /** Transponder behind the nose (m), R-SF-1. */
  noseOffsetM: number;
  /** Owner points before the event (R-QUAL-5's tie-break); 0 when not given. */
  ownerPoints: number;
}

export interface EventSetup {
  name: string;
  session: 'race' | 'qualifying';
  laps: number;
  /** End lap of each stage, the last equal to laps. */
  stages: number[];
  pitSpeedLimitMph: number;
  pitSpeedToleranceMph: number;
  track: {
    id: string;
    name: string;
    lengthM: number;
    loops: SetupLoop[];
    pitRoad: { entryM: number; exitM: number; lengthM: number; boxes: SetupBox[]; openings: Array<{ fromM: number; toM: number }> };
    boards: Array<{ id: string; kind: 'loop' | 'box' }>;
  };
  field: SetupEntry[];
  /** The penalty card and pit road limits (officiating/penalty-card.ts); defaults when not given. */
  officiating: OfficiatingRules;
  /**
   * R-PIT-DAMAGE-1/2 (officiating/damaged-vehicle-rules.ts). Null: the rule book's 6:00
   * clock and 15 s per violation, and no minimum speed watched (the event set none).
   */
  damagedVehicles: DamagedVehicleRules | null;
  /** The qualifying format (qualifying/qualifying-format.ts): required for a qualifying session, null for a race. */
  qualifying: QualifyingFormat | null;
}

/**
 * An event set-up as race control enters it (and as the log keeps it): what has a
 * default may be left out. validateSetup turns it into an EventSetup.
 */
export type EventSetupInput = Omit<EventSetup, 'track' | 'field' | 'officiating' | 'damagedVehicles' | 'qualifying'> & {
  track: Omit<EventSetup['track'], 'pitRoad'> & {
    pitRoad: Omit<EventSetup['track']['pitRoad'], 'boxes'> & { boxes: Array<Omit<SetupBox, 'lengthMm' | 'lineMm'> & Partial<Pick<SetupBox, 'lengthMm' | 'lineMm'>>> };
  };
  field: Array<Omit<SetupEntry, 'ownerPoints'> & Partial<Pick<SetupEntry, 'ownerPoints'>>>;
  officiating?: Partial<OfficiatingRules>;
  damagedVehicles?: DamagedVehicleRules | null;
  qualifying?: QualifyingFormat | null;
};

export class SetupError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`event setup: ${field}: ${detail}`);
    this.name = 'SetupError';
  }
}

/** Checks a parsed event set-up; every mistake names its field. */
export function validateSetup(value: unknown): EventSetup {
  const fail = (field: string, detail: string): never => {
    throw new SetupError(field, detail);
  };
  const obj = (v: unknown, f: string, keys: readonly string[], optional: readonly string[] = []): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(f || '(top)', 'must be an object');
    const o = v as Record<string, unknown>;
    for (const k of keys) if (!(k in o)) fail(f ? `${f}.${k}` : k, 'missing');
    for (const k of Object.keys(o)) if (!keys.includes(k) && !optional.includes(k)) fail(f ? `${f}.${k}` : k, 'unknown key');
    return o;
  };
  const num = (v: unknown, f: string, min = -Infinity, max = Infinity): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(f, `must be a number within ${min}..${max}`);
    return v as number;
  };
  const int = (v: unknown, f: string, min: number, max: number): number => {
    const n = num(v, f, min, max);
    if (!Number.isInteger(n)) fail(f, 'must be a whole number');
    return n;
  };
  const str = (v: unknown, f: string): string => {
    if (typeof v !== 'string' || v.length === 0) fail(f, 'must be a non-empty string');
    return v as string;
  };
  const arr = (v: unknown, f: string): unknown[] => {
    if (!Array.isArray(v)) fail(f, 'must be an array');
    return v as unknown[];
  };

  const o = obj(value, '', ['name', 'session', 'laps', 'stages', 'pitSpeedLimitMph', 'pitSpeedToleranceMph', 'track', 'field'], ['officiating', 'damagedVehicles', 'qualifying']);
  const session = o.session === 'race' || o.session === 'qualifying' ? o.session : fail('session', 'must be race or qualifying');
  const laps = int(o.laps, 'laps', 1, 10_000);
  const stages = arr(o.stages, 'stages').map((s, i) => int(s, `stages[${i}]`, 1, laps));
  if (stages.length === 0 || stages[stages.length - 1] !== laps) fail('stages', `must end with laps (${laps})`);
  stages.forEach((s, i) => i > 0 && s <= stages[i - 1]! && fail(`stages[${i}]`, 'stage ends ascend'));
  const t = obj(o.track, 'track', ['id', 'name', 'lengthM', 'loops', 'pitRoad', 'boards']);
  const boards = arr(t.boards, 'track.boards').map((b, i) => {
    const bo = obj(b, `track.boards[${i}]`, ['id', 'kind']);
    const id = str(bo.id, `track.boards[${i}].id`);
    if (!isValidBoardId(id)) fail(`track.boards[${i}].id`, `'${id}' is not a board id`);
    const kind: 'loop' | 'box' = bo.kind === 'loop' || bo.kind === 'box' ? bo.kind : fail(`track.boards[${i}].kind`, 'must be loop or box');
    return { id, kind };
  });
  const boardIds = new Set(boards.map((b) => b.id));
  const boardOf = (v: unknown, f: string): string => {
    const id = str(v, f);
    if (!boardIds.has(id)) fail(f, `no board '${id}' in track.boards`);
    return id;
  };
  const loops: SetupLoop[] = arr(t.loops, 'track.loops').map((l, i) => {
    const f = `track.loops[${i}]`;
    const lo = obj(l, f, ['id', 'name', 'role', 'path', 'positionM', 'board']);
    const role = str(lo.role, `${f}.role`);
    if (!(role in LOOP_ROLES)) fail(`${f}.role`, `unknown role '${role}'`);
    const path = lo.path === 'track' || lo.path === 'pit' ? lo.path : fail(`${f}.path`, 'must be track or pit');
    return { id: int(lo.id, `${f}.id`, 0, 255), name: str(lo.name, `${f}.name`), role: role as LoopRole, path, positionM: num(lo.positionM, `${f}.positionM`, 0), board: boardOf(lo.board, `${f}.board`) };
  });
  if (!loops.some((l) => l.role === 'start-finish' && l.path === 'track')) fail('track.loops', 'needs a start-finish loop on the track');
  const p = obj(t.pitRoad, 'track.pitRoad', ['entryM', 'exitM', 'lengthM', 'boxes', 'openings']);
  const boxes = arr(p.boxes, 'track.pitRoad.boxes').map((b, i) => {
    const f = `track.pitRoad.boxes[${i}]`;
    const bo = obj(b, f, ['number', 'positionM', 'board'], ['lengthMm', 'lineMm']);
    return {
      number: int(bo.number, `${f}.number`, 1, 0xffff),
      positionM: num(bo.positionM, `${f}.positionM`, 0),
      board: boardOf(bo.board, `${f}.board`),
      lengthMm: bo.lengthMm == null ? null : num(bo.lengthMm, `${f}.lengthMm`, 1000, 20_000),
      lineMm: bo.lineMm == null ? null : num(bo.lineMm, `${f}.lineMm`, 0, 1000),
    };
  });
  const openings = arr(p.openings, 'track.pitRoad.openings').map((x, i) => {
    const xo = obj(x, `track.pitRoad.openings[${i}]`, ['fromM', 'toM']);
    return { fromM: num(xo.fromM, `track.pitRoad.openings[${i}].fromM`, 0), toM: num(xo.toM, `track.pitRoad.openings[${i}].toM`, 0) };
  });
  const boxNumbers = new Set(boxes.map((b) => b.number));
  const seenCar = new Set<string>();
  const seenTx = new Set<number>();
  const field = arr(o.field, 'field').map((e, i) => {
    const f = `field[${i}]`;
    const eo = obj(e, f, ['car', 'driver', 'transponder', 'box', 'noseOffsetM'], ['ownerPoints']);
    const entry: SetupEntry = {
      car: str(eo.car, `${f}.car`),
      driver: str(eo.driver, `${f}.driver`),
      transponder: int(eo.transponder, `${f}.transponder`, 1, 0xffffffff),
      box: int(eo.box, `${f}.box`, 1, 0xffff),
      noseOffsetM: num(eo.noseOffsetM, `${f}.noseOffsetM`, 0, 5),
      ownerPoints: eo.ownerPoints === undefined ? 0 : num(eo.ownerPoints, `${f}.ownerPoints`, 0, 1e6),
    };
    if (seenCar.has(entry.car)) fail(`${f}.car`, `car ${entry.car} is entered twice`);
    if (seenTx.has(entry.transponder)) fail(`${f}.transponder`, `transponder ${entry.transponder} is on two cars`);
    if (!boxNumbers.has(entry.box)) fail(`${f}.box`, `no box ${entry.box} on pit road`);
    seenCar.add(entry.car);
    seenTx.add(entry.transponder);
    return entry;
  });
  if (field.length === 0) fail('field', 'needs at least one car');
  return {
    name: str(o.name, 'name'),
    session,
    laps,
    stages,
    pitSpeedLimitMph: num(o.pitSpeedLimitMph, 'pitSpeedLimitMph', 0, 200),
    pitSpeedToleranceMph: num(o.pitSpeedToleranceMph, 'pitSpeedToleranceMph', 0, 50),
    track: {
      id: str(t.id, 'track.id'),
      name: str(t.name, 'track.name'),
      lengthM: num(t.lengthM, 'track.lengthM', 1),
      loops,
      pitRoad: { entryM: num(p.entryM, 'track.pitRoad.entryM', 0), exitM: num(p.exitM, 'track.pitRoad.exitM', 0), lengthM: num(p.lengthM, 'track.pitRoad.lengthM', 1), boxes, openings },
      boards,
    },
    field,
    officiating: validateOfficiating(o.officiating, boxNumbers),
    damagedVehicles: o.damagedVehicles == null ? null : validateDamagedVehicleRules(o.damagedVehicles),
    qualifying: session === 'qualifying' ? validateQualifyingFormat(o.qualifying) : o.qualifying == null ? null : fail('qualifying', 'only a qualifying session has a qualifying format'),
  };
}

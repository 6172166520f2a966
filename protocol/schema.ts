// The wire contract as a table: the same messages, keys, positions and limits as
// protocol/pitwall.cddl (the source of truth), plus the names of the typed values the
// TypeScript codec hands out. Tests check this table, the CDDL and the vectors agree.

export const PROTOCOL_VERSION = 1;
/** Largest message any board sends or accepts, bytes (announced in the birth). */
export const MAX_MESSAGE_BYTES = 4096;
/** Nesting depth allowed anywhere in a message, ignored content included. */
export const MAX_DEPTH = 16;
/** Events in one envelope. */
export const MAX_EVENTS = 64;
export const MAX_SAFE_TIME_US = 9007199254740991; // 2^53 - 1: exact in a JS number
const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;

// ------------------------------------------------------------------ field types

export type FieldType =
  | { t: 'uint'; max: number }
  | { t: 'int'; min: number; max: number }
  | { t: 'bool' }
  | { t: 'text'; min: number; max: number; pattern?: RegExp }
  | { t: 'enum'; values: Readonly<Record<string, number>> }
  /** CBOR array of one item type, count within [min, max]. */
  | { t: 'list'; of: FieldType; min: number; max: number }
  /** CBOR array, positional fields, later elements ignored. */
  | { t: 'tuple'; fields: readonly Field[] }
  /** CBOR map with uint keys, unknown keys ignored. */
  | { t: 'record'; fields: readonly Field[] }
  /** CBOR map {* uint => value}; typed as an object with numeric keys. */
  | { t: 'uintMap'; value: FieldType; maxKey: number; maxEntries: number }
  /** CBOR array whose first element (a uint) selects the variant: [code, fields...]. */
  | { t: 'variant'; variants: readonly Variant[] }
  /** CBOR map whose key `tagKey` (a uint) selects the variant's record fields. */
  | { t: 'variantRecord'; tagKey: number; variants: readonly Variant[] };

export interface Field {
  name: string;
  /** Map key for records; unused for tuples (position is the order). */
  key?: number;
  type: FieldType;
  optional?: boolean;
}

export interface Variant {
  name: string;
  code: number;
  fields: readonly Field[];
}

const uint = (max: number): FieldType => ({ t: 'uint', max });
const int = (min: number, max: number): FieldType => ({ t: 'int', min, max });
const bool: FieldType = { t: 'bool' };
const text = (min: number, max: number, pattern?: RegExp): FieldType => ({ t: 'text', min, max, pattern });
const f = (name: string, type: FieldType, key?: number, optional = false): Field => ({ name, key, type, optional });
const k = (key: number, name: string, type: FieldType): Field => f(name, type, key);
const opt = (key: number, name: string, type: FieldType): Field => f(name, type, key, true);

const timeUs = uint(MAX_SAFE_TIME_US);
const u8 = uint(U8);
const u16 = uint(U16);
const u32 = uint(U32);
const mm = int(-2147483648, 2147483647);
const cmph = uint(U16);
export const BOARD_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
const boardId = text(1, 32, BOARD_ID_PATTERN);

// ------------------------------------------------------------------ enumerations

export const BOARD_KINDS = { loop: 0, box: 1 } as const;
export const BOX_CLAUSES = { a: 1, b: 2, c: 3, d: 4 } as const; // R-PIT-BOX-2 (a)..(d)
export const VERDICT_PHASES = { stop: 0, service: 1 } as const;
export const LOOP_ROLES = {
  'start-finish': 0,
  sector: 1,
  commitment: 2,
  'pit-entry': 3, // yellow line where the pit road speed limit starts
  'pit-timing': 4,
  'pit-exit': 5, // yellow line where the pit road speed limit ends
  'pit-out': 6, // R-PIT-EXIT-1 scoring line
} as const;
export const REJECT_CODES = {
  malformed: 1,
  'out-of-range': 2,
  'over-capacity': 3,
  inconsistent: 4,
  'wrong-board-kind': 5,
} as const;
export const FLAGS = {
  none: 0,
  green: 1,
  yellow: 2,
  red: 3,
  white: 4,
  checkered: 5,
  'stage-end': 6, // green-and-white checkered
} as const;

/** Bits of a passing's `flags`. */
export const PASSING_FLAGS = { tooFewHits: 1, saturated: 2, late: 4, lowStrength: 8 } as const;

/** Keys of a health event's `counters`. */
export const HEALTH_COUNTERS = {
  tableFull: 1,
  outboxOverwritten: 2,
  badReadings: 3,
  badCommands: 4,
  lateReadings: 5,
  publishFailures: 6,
  resent: 7,
} as const;

// ------------------------------------------------------------------ typed values

export type BoardKind = keyof typeof BOARD_KINDS;
export type BoxClause = keyof typeof BOX_CLAUSES;
export type VerdictPhase = keyof typeof VERDICT_PHASES;
export type LoopRole = keyof typeof LOOP_ROLES;
export type RejectCode = keyof typeof REJECT_CODES;
export type Flag = keyof typeof FLAGS;

export interface Capacities {
  outbox?: number;
  loops?: number;
  transponders?: number;
  boxes?: number;
  inputBatch?: number;
  maxMessage?: number;
}

export interface Birth {
  board: string;
  boot: number;
  kind: BoardKind;
  firmware: string;
  configHash: number;
  capacities: Capacities;
  timeUs: number;
  seq: number;
}

export interface Death {
  board: string;
  boot: number;
}

export interface Passing {
  kind: 'passing';
  loop: number;
  transponder: number;
  timeUs: number;
  strength: number;
  hits: number;
  flags: number;
}
export interface SegmentSpeed {
  kind: 'segment-speed';
  transponder: number;
  segment: number;
  entryUs: number;
  exitUs: number;
  speed: number; // 0.01 mph
  limit: number; // 0.01 mph
  over: boolean;
}
export interface PitLineCrossing {
  kind: 'pit-in' | 'pit-out';
  transponder: number;
  timeUs: number;
  loop: number;
}
export interface BoxHead {
  box: number;
  transponder: number;
  timeUs: number;
}
export interface BoxMoment extends BoxHead {
  kind: 'box-arrival' | 'box-stop' | 'service-start' | 'service-end' | 'box-departure' | 'box-transit';
}
export interface BoxVerdict extends BoxHead {
  kind: 'box-verdict';
  inBox: boolean;
  clause: BoxClause;
  marginMm: number;
  closeCall: boolean;
  phase: VerdictPhase;
  margins: [number, number, number, number];
}
/**
 * A vehicle crossed a commitment lane's line (R-PIT-COMMIT-1): each tire's lateral
 * margin to the nearer boundary line's inner edge when that tire was on the line
 * (mm, > 0 inside; tires 0 front-outside, 1 front-inside, 2 rear-outside, 3 rear-inside).
 */
export interface Commitment {
  kind: 'commitment';
  /** The lane's id on its board (box board config `commitmentLanes`). */
  lane: number;
  /** 0 when the lane's reader did not identify the vehicle. */
  transponder: number;
  /** When the front tires were on the line (board clock). */
  timeUs: number;
  /** All four tires inside the boundary (every margin > 0). */
  inside: boolean;
  /** The smallest of the four margins. */
  marginMm: number;
  /** |marginMm| within the lane's uncertainty (R-PEN-3). */
  closeCall: boolean;
  margins: [number, number, number, number];
}
/** crew-over-wall's distanceMm when nothing was approaching the box (u32 max). */
export const NO_APPROACH_MM = 0xffffffff;
export interface CrewOverWall extends BoxHead {
  kind: 'crew-over-wall';
  /** The vehicle's distance from its box then; NO_APPROACH_MM when nothing was approaching. */
  distanceMm: number;
  tooSoon: boolean;
  crew: number;
}
export interface Health {
  kind: 'health';
  timeUs: number;
  uptimeS: number;
  outboxDepth: number;
  counters: Record<number, number>;
}
export interface ConfigRejected {
  kind: 'config-rejected';
  timeUs: number;
  command: number;
  code: RejectCode;
  reason: string;
  configHash: number;
}
export interface ClockReply {
  kind: 'clock-reply';
  timeUs: number;
  command: number;
  echoUs: number;
}

export type BoardEvent =
  | Passing
  | SegmentSpeed
  | PitLineCrossing
  | BoxMoment
  | BoxVerdict
  | CrewOverWall
  | Commitment
  | Health
  | ConfigRejected
  | ClockReply;
export type EventKind = BoardEvent['kind'];

export interface Envelope {
  board: string;
  boot: number;
  seq: number;
  events: BoardEvent[];
}

export interface LoopDef {
  id: number;
  role: LoopRole;
  distanceMm: number;
}
export interface LoopConfig {
  kind: 'loop';
  loops: LoopDef[];
  quietGapUs: number;
  minHits: number;
  pitRoad?: { limit: number; tolerance: number };
}
export interface BoxDef {
  number: number;
  lengthMm: number;
  widthMm: number;
  lineMm: number;
  outsideLeft: boolean;
}
export interface VehicleGeometry {
  trackMm: number;
  wheelbaseMm: number;
  tireWidthMm: number;
  patchMm: number;
  frontOverhangMm: number;
  rearOverhangMm: number;
  bodyWidthMm: number;
}
/**
 * The painted box at a commitment line, sensed by a box board (R-PIT-COMMIT-1). Lane
 * frame: x along the direction of travel, 0 at the commitment line; y across, 0 at
 * the lane centre.
 */
export interface CommitmentLane {
  /** The lane's id on the board (0..255), distinct from the board's box numbers. */
  id: number;
  /** Inside width, between the inner edges of the two boundary lines (mm). */
  widthMm: number;
  /** Painted width of each boundary line (mm). */
  lineMm: number;
  /** Margins within this are close calls (mm). */
  uncertaintyMm: number;
}
export interface BoxConfig {
  kind: 'box';
  boxes: BoxDef[];
  vehicle: VehicleGeometry;
  uncertaintyMm: number;
  sampleUs: number;
  /** Commitment lanes the board also senses, 1..2 (optional). */
  commitmentLanes?: CommitmentLane[];
}
export type BoardConfig = LoopConfig | BoxConfig;

export type CommandBody =
  | { kind: 'config'; config: BoardConfig }
  | { kind: 'resend'; fromSeq: number }
  | { kind: 'time-check'; sentUs: number }
  | { kind: 'reboot' };

export interface Command {
  board: string;
  id: number;
  body: CommandBody;
}

export interface ControlState {
  timeUs: number;
  flag: Flag;
  pitOpen: boolean;
}

export interface MessageTypes {
  birth: Birth;
  death: Death;
  envelope: Envelope;
  command: Command;
  'control-state': ControlState;
}
export type MessageType = keyof MessageTypes;
export const MESSAGE_TYPES: readonly MessageType[] = ['birth', 'death', 'envelope', 'command', 'control-state'];
/** Numeric codes of the message types, as the firmware codec harness uses them. */
export const MESSAGE_TYPE_CODES: Readonly<Record<MessageType, number>> = {
  birth: 0,
  death: 1,
  envelope: 2,
  command: 3,
  'control-state': 4,
};

// ------------------------------------------------------------------ the table

const boxHead: Field[] = [f('box', u16), f('transponder', u32), f('timeUs', timeUs)];
const boxMoment = (name: string, code: number): Variant => ({ name, code, fields: boxHead });

export const EVENT: FieldType = {
  t: 'variant',
  variants: [
    {
      name: 'passing',
      code: 1,
      fields: [
        f('loop', u8),
        f('transponder', u32),
        f('timeUs', timeUs),
        f('strength', u8),
        f('hits', u16),
        f('flags', uint(15)),
      ],
    },
    {
      name: 'segment-speed',
      code: 2,
      fields: [
        f('transponder', u32),
        f('segment', u8),
        f('entryUs', timeUs),
        f('exitUs', timeUs),
        f('speed', cmph),
        f('limit', cmph),
        f('over', bool),
      ],
    },
    { name: 'pit-in', code: 3, fields: [f('transponder', u32), f('timeUs', timeUs), f('loop', u8)] },
    { name: 'pit-out', code: 4, fields: [f('transponder', u32), f('timeUs', timeUs), f('loop', u8)] },
    boxMoment('box-arrival', 5),
    boxMoment('box-stop', 6),
    {
      name: 'box-verdict',
      code: 7,
      fields: [
        ...boxHead,
        f('inBox', bool),
        f('clause', { t: 'enum', values: BOX_CLAUSES }),
        f('marginMm', mm),
        f('closeCall', bool),
        f('phase', { t: 'enum', values: VERDICT_PHASES }),
        f('margins', { t: 'list', of: mm, min: 4, max: 4 }),
      ],
    },
    boxMoment('service-start', 8),
    boxMoment('service-end', 9),
    {
      name: 'crew-over-wall',
      code: 10,
      fields: [...boxHead, f('distanceMm', u32), f('tooSoon', bool), f('crew', u8)],
    },
    boxMoment('box-departure', 11),
    boxMoment('box-transit', 12),
    {
      name: 'health',
      code: 13,
      fields: [
        f('timeUs', timeUs),
        f('uptimeS', u32),
        f('outboxDepth', u16),
        f('counters', { t: 'uintMap', value: u32, maxKey: U32, maxEntries: 32 }),
      ],
    },
    {
      name: 'config-rejected',
      code: 14,
      fields: [
        f('timeUs', timeUs),
        f('command', u32),
        f('code', { t: 'enum', values: REJECT_CODES }),
        f('reason', text(0, 64)),
        f('configHash', u32),
      ],
    },
    { name: 'clock-reply', code: 15, fields: [f('timeUs', timeUs), f('command', u32), f('echoUs', timeUs)] },
    {
      name: 'commitment',
      code: 16,
      fields: [
        f('lane', u8),
        f('transponder', u32),
        f('timeUs', timeUs),
        f('inside', bool),
        f('marginMm', mm),
        f('closeCall', bool),
        f('margins', { t: 'list', of: mm, min: 4, max: 4 }),
      ],
    },
  ],
};

/** Commitment lanes one box board senses at most. */
const MAX_COMMITMENT_LANES = 2;

const LOOP_CONFIG: Variant = {
  name: 'loop',
  code: 0,
  fields: [
    k(1, 'loops', {
      t: 'list',
      min: 1,
      max: 16,
      of: {
        t: 'tuple',
        fields: [f('id', u8), f('role', { t: 'enum', values: LOOP_ROLES }), f('distanceMm', u32)],
      },
    }),
    k(2, 'quietGapUs', u32),
    k(3, 'minHits', u16),
    opt(4, 'pitRoad', { t: 'tuple', fields: [f('limit', cmph), f('tolerance', cmph)] }),
  ],
};

const BOX_CONFIG: Variant = {
  name: 'box',
  code: 1,
  fields: [
    k(1, 'boxes', {
      t: 'list',
      min: 1,
      max: 4,
      of: {
        t: 'tuple',
        fields: [f('number', u16), f('lengthMm', u32), f('widthMm', u32), f('lineMm', u16), f('outsideLeft', bool)],
      },
    }),
    k(2, 'vehicle', {
      t: 'tuple',
      fields: [
        f('trackMm', u16),
        f('wheelbaseMm', u16),
        f('tireWidthMm', u16),
        f('patchMm', u16),
        f('frontOverhangMm', u16),
        f('rearOverhangMm', u16),
        f('bodyWidthMm', u16),
      ],
    }),
    k(3, 'uncertaintyMm', u16),
    k(4, 'sampleUs', u32),
    opt(5, 'commitmentLanes', {
      t: 'list',
      min: 1,
      max: MAX_COMMITMENT_LANES,
      of: { t: 'tuple', fields: [f('id', u8), f('widthMm', u32), f('lineMm', u16), f('uncertaintyMm', u16)] },
    }),
  ],
};

export const BOARD_CONFIG: FieldType = { t: 'variantRecord', tagKey: 0, variants: [LOOP_CONFIG, BOX_CONFIG] };

export const COMMAND_BODY: FieldType = {
  t: 'variant',
  variants: [
    { name: 'config', code: 1, fields: [f('config', BOARD_CONFIG)] },
    { name: 'resend', code: 2, fields: [f('fromSeq', u32)] },
    { name: 'time-check', code: 3, fields: [f('sentUs', timeUs)] },
    { name: 'reboot', code: 4, fields: [] },
  ],
};

/**
 * Top-level messages. Key 0 of every one is the protocol version; the codec writes
 * and checks it, so it is not part of the typed value.
 */
export const MESSAGES: Readonly<Record<MessageType, readonly Field[]>> = {
  birth: [
    k(1, 'board', boardId),
    k(2, 'boot', u32),
    k(3, 'kind', { t: 'enum', values: BOARD_KINDS }),
    k(4, 'firmware', text(1, 16)),
    k(5, 'configHash', u32),
    k(6, 'capacities', {
      t: 'record',
      fields: [
        opt(1, 'outbox', u16),
        opt(2, 'loops', u16),
        opt(3, 'transponders', u16),
        opt(4, 'boxes', u16),
        opt(5, 'inputBatch', u16),
        opt(6, 'maxMessage', u16),
      ],
    }),
    k(7, 'timeUs', timeUs),
    k(8, 'seq', u32),
  ],
  death: [k(1, 'board', boardId), k(2, 'boot', u32)],
  envelope: [
    k(1, 'board', boardId),
    k(2, 'boot', u32),
    k(3, 'seq', u32),
    k(4, 'events', { t: 'list', of: EVENT, min: 1, max: MAX_EVENTS }),
  ],
  command: [k(1, 'board', boardId), k(2, 'id', u32), k(3, 'body', COMMAND_BODY)],
  'control-state': [k(1, 'timeUs', timeUs), k(2, 'flag', { t: 'enum', values: FLAGS }), k(3, 'pitOpen', bool)],
};

/** The CDDL rule that describes each message type. */
export const CDDL_RULES: Readonly<Record<MessageType, string>> = {
  birth: 'birth',
  death: 'death',
  envelope: 'envelope',
  command: 'command',
  'control-state': 'control-state',
};

// ------------------------------------------------------------------ decode errors

/**
 * Why a message was refused. The numeric codes are shared with the firmware codec
 * (firmware/lib/cbor.ts) so both decoders report the same reasons.
 */
export const DECODE_ERRORS = {
  truncated: 1, // input ends inside an item
  malformed: 2, // not well-formed CBOR (reserved additional info, stray break)
  'indefinite-length': 3, // indefinite-length string, array or map
  'trailing-bytes': 4, // bytes after the message's one item
  'too-large': 5, // over MAX_MESSAGE_BYTES (or the caller's limit)
  'too-deep': 6, // nesting over MAX_DEPTH
  'wrong-type': 7, // an item of another major type than the schema says
  'missing-field': 8,
  'out-of-range': 9, // a number, text length or enum value outside its range
  'bad-count': 10, // an array with too few or too many items
  'unknown-kind': 11, // unknown event, command, config or board kind
  'unsupported-version': 12,
  'duplicate-key': 13,
  'invalid-utf8': 14,
  'unsupported-item': 15, // tags, floats, simple values other than false/true/null
} as const;
export type DecodeErrorReason = keyof typeof DECODE_ERRORS;

// Small checks shared by the track and scenario loaders: each failure names the field
// path (`pitRoad.boxes[3].number`) so a hand-edited file's mistake is found at once.

/** Throws the loader's own error for `field`. */
export type Fail = (field: string, message: string) => never;

export interface NumberRule {
  min?: number;
  max?: number;
  /** Strictly above. */
  above?: number;
  integer?: boolean;
}

export class JsonCheck {
  constructor(readonly fail: Fail) {}

  /** A plain object with every `required` key and no key outside `required` and `optional`. */
  object(value: unknown, field: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field || '(root)', `must be an object (got ${describe(value)})`);
    const o = value as Record<string, unknown>;
    // A typo'd key must not be silently ignored.
    for (const key of Object.keys(o)) {
      if (!required.includes(key) && !optional.includes(key)) {
        this.fail(join(field, key), `unknown key (expected one of ${[...required, ...optional].join(', ')})`);
      }
    }
    for (const key of required) if (o[key] === undefined) this.fail(join(field, key), 'missing');
    return o;
  }

  array(value: unknown, field: string, minLength = 0): unknown[] {
    if (!Array.isArray(value)) this.fail(field, `must be an array (got ${describe(value)})`);
    const a = value as unknown[];
    if (a.length < minLength) this.fail(field, `must have at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'} (got ${a.length})`);
    return a;
  }

  number(value: unknown, field: string, rule: NumberRule = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, `must be a finite number (got ${describe(value)})`);
    const n = value as number;
    if (rule.integer && !Number.isSafeInteger(n)) this.fail(field, `must be an integer (got ${n})`);
    if (rule.min !== undefined && n < rule.min) this.fail(field, `must be >= ${rule.min}${rule.max !== undefined ? ` and <= ${rule.max}` : ''} (got ${n})`);
    if (rule.max !== undefined && n > rule.max) this.fail(field, `must be <= ${rule.max}${rule.min !== undefined ? ` and >= ${rule.min}` : ''} (got ${n})`);
    if (rule.above !== undefined && !(n > rule.above)) this.fail(field, `must be > ${rule.above} (got ${n})`);
    return n;
  }

  integer(value: unknown, field: string, min?: number, max?: number): number {
    return this.number(value, field, { integer: true, min, max });
  }

  string(value: unknown, field: string, pattern?: RegExp, patternHint?: string): string {
    if (typeof value !== 'string') this.fail(field, `must be a string (got ${describe(value)})`);
    const s = value as string;
    if (s.length === 0) this.fail(field, 'must not be empty');
    if (pattern && !pattern.test(s)) this.fail(field, `${JSON.stringify(s)} must match ${patternHint ?? pattern.source}`);
    return s;
  }

  boolean(value: unknown, field: string): boolean {
    if (typeof value !== 'boolean') this.fail(field, `must be true or false (got ${describe(value)})`);
    return value as boolean;
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} (got ${describe(value)})`);
    }
    return value as T;
  }
}

export function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

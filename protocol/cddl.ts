// A parser and validator for the subset of CDDL (RFC 8610) that protocol/pitwall.cddl
// uses: rules; groups in parentheses (inlined into arrays and maps); maps with
// `key: type`, `? key: type`, `n*m type => type`; arrays of positional entries
// (`name: type` or bare types) with occurrences (`?`, `*`, `+`, `n*m`); choices `/`;
// literals (integers, text, true/false); ranges `a..b`; controls `.le N`, `.size N`,
// `.size (a..b)`, `.regexp "..."`; prelude types uint, int, nint, tstr/text,
// bstr/bytes, bool, true, false, null/nil, any; `;` comments.
//
// Anything else (group choices `//`, sockets, generics, cuts, `...`, other controls,
// floats, byte-string literals, occurrences on groups, ...) is a parse error, never
// accepted silently. Values are checked as cborg decodes them with `useMaps: true`:
// Maps (or plain objects), arrays, numbers/BigInts, strings, booleans, null, Uint8Array.

// ------------------------------------------------------------------ model

export type CddlType =
  | { k: 'any' }
  | { k: 'uint' }
  | { k: 'nint' }
  | { k: 'int' }
  | { k: 'tstr' }
  | { k: 'bstr' }
  | { k: 'bool' }
  | { k: 'null' }
  | { k: 'lit'; value: bigint | string | boolean }
  | { k: 'ref'; name: string; line: number; col: number }
  | { k: 'choice'; options: CddlType[] }
  | { k: 'range'; min: bigint; max: bigint }
  | { k: 'le'; target: CddlType; max: bigint }
  /** .size: byte length within [min, max] for strings; for uint, fits in max bytes. */
  | { k: 'size'; target: CddlType; min: bigint; max: bigint }
  | { k: 'regexp'; target: CddlType; source: string; re: RegExp }
  | { k: 'map'; entries: CddlEntry[] }
  | { k: 'array'; entries: CddlEntry[] };

export type CddlKey = { k: 'value'; value: bigint | string } | { k: 'type'; type: CddlType };

export interface CddlEntry {
  min: number;
  max: number;
  /** Map key (arrays: only a name, kept in `name`). */
  key: CddlKey | null;
  name?: string;
  type: CddlType;
  /** Where the entry starts in the CDDL text. */
  line?: number;
  col?: number;
}

export type CddlRule = { kind: 'type'; type: CddlType } | { kind: 'group'; entries: CddlEntry[] };

export interface CddlError {
  /** Where in the value, as a JSON-pointer-like path of array indexes and map keys ('' = the value). */
  path: string;
  message: string;
}

export interface CddlSchema {
  readonly rules: ReadonlyMap<string, CddlRule>;
  /** Null when `value` matches rule `ruleName`, else the (deepest) mismatch. */
  validate(ruleName: string, value: unknown): CddlError | null;
}

export class CddlParseError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(`CDDL ${line}:${column}: ${message}`);
    this.name = 'CddlParseError';
    this.line = line;
    this.column = column;
  }
}

// ------------------------------------------------------------------ lexer

type TokKind = 'id' | 'num' | 'text' | 'op' | 'ctl' | 'eof';
interface Tok {
  k: TokKind;
  v: string;
  num?: bigint;
  line: number;
  col: number;
  start: number;
  end: number;
}

const ID_START = /[A-Za-z@_$]/;
const ID_CHAR = /[A-Za-z0-9@_$]/;
const OPS = ['//=', '...', '/=', '//', '=>', '..', '=', '/', '(', ')', '{', '}', '[', ']', ',', ':', '*', '+', '?', '<', '>', '&', '~', '#', '^'];

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const err = (msg: string, at = i): never => {
    throw new CddlParseError(msg, line, at - lineStart + 1);
  };
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === ';') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const start = i;
    const tok = (k: TokKind, v: string, num?: bigint): void => {
      toks.push({ k, v, num, line, col: start - lineStart + 1, start, end: i });
    };
    if (ID_START.test(ch)) {
      i++;
      for (;;) {
        if (i < src.length && ID_CHAR.test(src[i])) {
          i++;
          continue;
        }
        let j = i;
        while (j < src.length && (src[j] === '-' || src[j] === '.')) j++;
        if (j > i && j < src.length && ID_CHAR.test(src[j])) {
          i = j;
          continue;
        }
        break;
      }
      const v = src.slice(start, i);
      if (v.startsWith('$')) err(`sockets ($${v.slice(1)}) are not supported`, start);
      if (src[i] === "'") err(`byte string literals (${v}'...') are not supported`, start);
      tok('id', v);
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      if (ch === '-') i++;
      let digits: string;
      if (src[i] === '0' && (src[i + 1] === 'x' || src[i + 1] === 'b')) {
        const hex = src[i + 1] === 'x';
        i += 2;
        const from = i;
        while (i < src.length && (hex ? /[0-9A-Fa-f]/ : /[01]/).test(src[i])) i++;
        if (i === from) err('digits expected');
        digits = (hex ? '0x' : '0b') + src.slice(from, i);
      } else {
        const from = i;
        while (i < src.length && /[0-9]/.test(src[i])) i++;
        digits = src.slice(from, i);
        if (digits.length > 1 && digits.startsWith('0')) err('leading zeros are not allowed', start);
      }
      if ((src[i] === '.' && /[0-9]/.test(src[i + 1] ?? '')) || src[i] === 'e' || src[i] === 'E')
        err('floating-point literals are not supported', start);
      if (ID_START.test(src[i] ?? '')) err(`unexpected character ${JSON.stringify(src[i])} after a number`);
      const n = BigInt(digits);
      tok('num', src.slice(start, i), ch === '-' ? -n : n);
      continue;
    }
    if (ch === '"') {
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\n') err('unterminated text string', start);
        i += src[i] === '\\' ? 2 : 1;
      }
      if (i >= src.length) err('unterminated text string', start);
      i++;
      let v: string;
      try {
        v = JSON.parse(src.slice(start, i)) as string;
      } catch {
        return err('bad escape in text string', start);
      }
      tok('text', v);
      continue;
    }
    if (ch === "'") err('byte string literals are not supported');
    if (ch === '#') err(UNSUPPORTED_OPS['#']);
    if (ch === '.' && ID_START.test(src[i + 1] ?? '')) {
      i++;
      while (i < src.length && /[A-Za-z0-9_-]/.test(src[i])) i++;
      tok('ctl', src.slice(start + 1, i));
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) err(`unexpected character ${JSON.stringify(ch)}`);
    i += op!.length;
    tok('op', op!);
  }
  toks.push({ k: 'eof', v: '', line, col: i - lineStart + 1, start: i, end: i });
  return toks;
}

// ------------------------------------------------------------------ parser

const PRELUDE: Record<string, CddlType> = {
  any: { k: 'any' },
  uint: { k: 'uint' },
  nint: { k: 'nint' },
  int: { k: 'int' },
  tstr: { k: 'tstr' },
  text: { k: 'tstr' },
  bstr: { k: 'bstr' },
  bytes: { k: 'bstr' },
  bool: { k: 'bool' },
  true: { k: 'lit', value: true },
  false: { k: 'lit', value: false },
  null: { k: 'null' },
  nil: { k: 'null' },
};

const UNSUPPORTED_OPS: Record<string, string> = {
  '//': 'group choices (//) are not supported',
  '/=': 'choice extensions (/=) are not supported',
  '//=': 'group choice extensions (//=) are not supported',
  '...': 'exclusive ranges (...) are not supported',
  '<': 'generics (<...>) are not supported',
  '&': 'choices from groups (&) are not supported',
  '~': 'unwrapping (~) is not supported',
  '#': 'major-type types (#) are not supported',
  '^': 'cuts (^) are not supported',
};

/** A parsed `( ... )`: entries, and whether it could also be a parenthesised type. */
interface ParenGroup {
  entries: CddlEntry[];
  /** Set when the group is exactly one entry with no key and no occurrence indicator. */
  single: CddlType | null;
}

class Parser {
  private p = 0;
  constructor(private readonly toks: Tok[]) {}

  private get t(): Tok {
    return this.toks[this.p];
  }
  private atEnd(): boolean {
    return this.toks[this.p].k === 'eof';
  }
  private peek(n = 1): Tok {
    return this.toks[Math.min(this.p + n, this.toks.length - 1)];
  }
  private fail(msg: string, tok: Tok = this.t): never {
    throw new CddlParseError(msg, tok.line, tok.col);
  }
  private isOp(v: string, tok: Tok = this.t): boolean {
    return tok.k === 'op' && tok.v === v;
  }
  private checkSupported(tok: Tok = this.t): void {
    if (tok.k === 'op' && UNSUPPORTED_OPS[tok.v]) this.fail(UNSUPPORTED_OPS[tok.v], tok);
  }
  private expectOp(v: string): Tok {
    this.checkSupported();
    if (!this.isOp(v)) this.fail(`expected '${v}', found ${describe(this.t)}`);
    return this.toks[this.p++];
  }

  parseRules(): Map<string, CddlRule> {
    const rules = new Map<string, CddlRule>();
    if (this.atEnd()) this.fail('no rules');
    while (!this.atEnd()) {
      const nameTok = this.t;
      if (nameTok.k !== 'id') this.fail(`expected a rule name, found ${describe(nameTok)}`);
      this.p++;
      if (this.isOp('<')) this.fail(UNSUPPORTED_OPS['<']);
      this.expectOp('=');
      if (rules.has(nameTok.v)) this.fail(`rule '${nameTok.v}' is defined twice`, nameTok);
      if (Object.prototype.hasOwnProperty.call(PRELUDE, nameTok.v))
        this.fail(`rule '${nameTok.v}' would redefine a prelude type`, nameTok);
      rules.set(nameTok.v, this.parseRuleBody());
      // The next token must start another rule: `name =`.
      if (!this.atEnd() && !(this.t.k === 'id' && (this.isOp('=', this.peek()) || this.isOp('<', this.peek())))) {
        this.checkSupported();
        this.fail(`expected the end of rule '${nameTok.v}' or a new rule, found ${describe(this.t)}`);
      }
    }
    return rules;
  }

  private parseRuleBody(): CddlRule {
    if (!this.isOp('(')) return { kind: 'type', type: this.parseType() };
    const open = this.t;
    const g = this.parseParenGroup();
    // `( type )` is a parenthesised type, possibly the first operand of more.
    if (g.single !== null) return { kind: 'type', type: this.continueType(g.single) };
    if (this.isOp('/') || this.isOp('..') || this.t.k === 'ctl') this.fail('a group cannot be an operand of a type', open);
    return { kind: 'group', entries: g.entries };
  }

  parseType(): CddlType {
    return this.continueType(this.parseType2());
  }

  /** Given a first type2 already parsed, the rest of `type1 *( / type1 )`. */
  private continueType(first: CddlType): CddlType {
    return this.continueChoice(this.continueType1(first));
  }

  /** Given a first type1 already parsed, the rest of the choice. */
  private continueChoice(first: CddlType): CddlType {
    const options = [first];
    while (this.isOp('/')) {
      this.p++;
      options.push(this.parseType1());
    }
    this.checkSupported();
    return options.length === 1 ? options[0] : { k: 'choice', options };
  }

  private parseType1(): CddlType {
    return this.continueType1(this.parseType2());
  }

  private continueType1(left: CddlType): CddlType {
    this.checkSupported();
    if (this.isOp('..')) {
      const opTok = this.t;
      this.p++;
      const right = this.parseType2();
      if (left.k !== 'lit' || typeof left.value !== 'bigint' || right.k !== 'lit' || typeof right.value !== 'bigint')
        this.fail('range bounds must be integer literals', opTok);
      if ((left.value as bigint) > (right.value as bigint)) this.fail('empty range', opTok);
      return { k: 'range', min: left.value as bigint, max: right.value as bigint };
    }
    if (this.t.k === 'ctl') {
      const ctl = this.t;
      this.p++;
      const arg = this.parseType2();
      switch (ctl.v) {
        case 'le':
          if (arg.k !== 'lit' || typeof arg.value !== 'bigint') this.fail('.le needs an integer literal', ctl);
          return { k: 'le', target: left, max: arg.value as bigint };
        case 'size':
          if (arg.k === 'lit' && typeof arg.value === 'bigint')
            return { k: 'size', target: left, min: arg.value, max: arg.value };
          if (arg.k === 'range') return { k: 'size', target: left, min: arg.min, max: arg.max };
          return this.fail('.size needs an integer literal or a range', ctl);
        case 'regexp': {
          if (arg.k !== 'lit' || typeof arg.value !== 'string') this.fail('.regexp needs a text literal', ctl);
          const source = arg.value as string;
          let re: RegExp;
          try {
            // XSD regular expressions match the whole string.
            re = new RegExp(`^(?:${source})$`, 'u');
          } catch (e) {
            return this.fail(`bad regular expression: ${(e as Error).message}`, ctl);
          }
          return { k: 'regexp', target: left, source, re };
        }
        default:
          return this.fail(`control operator .${ctl.v} is not supported`, ctl);
      }
    }
    return left;
  }

  private parseType2(): CddlType {
    const t = this.t;
    this.checkSupported();
    if (t.k === 'num') {
      this.p++;
      return { k: 'lit', value: t.num! };
    }
    if (t.k === 'text') {
      this.p++;
      return { k: 'lit', value: t.v };
    }
    if (t.k === 'id') {
      this.p++;
      if (this.isOp('<')) this.fail(UNSUPPORTED_OPS['<']);
      return { k: 'ref', name: t.v, line: t.line, col: t.col };
    }
    if (this.isOp('(')) {
      const g = this.parseParenGroup();
      if (g.single === null) this.fail('a group is not allowed where a type is expected', t);
      return g.single!;
    }
    if (this.isOp('{')) {
      this.p++;
      const entries = this.parseGroupEntries('}');
      this.expectOp('}');
      return { k: 'map', entries };
    }
    if (this.isOp('[')) {
      this.p++;
      const entries = this.parseGroupEntries(']');
      this.expectOp(']');
      return { k: 'array', entries };
    }
    return this.fail(`expected a type, found ${describe(t)}`);
  }

  private parseParenGroup(): ParenGroup {
    this.expectOp('(');
    const entries = this.parseGroupEntries(')');
    this.expectOp(')');
    const e = entries[0];
    const plain = entries.length === 1 && e.key === null && e.name === undefined && e.min === 1 && e.max === 1;
    return { entries, single: plain ? e.type : null };
  }

  private parseGroupEntries(close: string): CddlEntry[] {
    const entries: CddlEntry[] = [];
    for (;;) {
      this.checkSupported();
      if (this.isOp(close)) return entries;
      if (this.atEnd()) this.fail(`expected '${close}' before the end of the input`);
      entries.push(...this.parseEntry());
      this.checkSupported();
      if (this.isOp(',')) this.p++;
    }
  }

  private adjacent(a: Tok, b: Tok): boolean {
    return a.end === b.start;
  }

  private parseOccurrence(): [number, number] | null {
    const t = this.t;
    if (this.isOp('?')) {
      this.p++;
      return [0, 1];
    }
    if (this.isOp('+')) {
      this.p++;
      return [1, Infinity];
    }
    let min = 0;
    if (t.k === 'num' && this.isOp('*', this.peek()) && this.adjacent(t, this.peek())) {
      if (t.num! < 0n) this.fail('occurrence bounds must be unsigned');
      min = Number(t.num);
      this.p++;
    } else if (!this.isOp('*')) {
      return null;
    }
    const star = this.t;
    this.p++;
    let max = Infinity;
    if (this.t.k === 'num' && this.adjacent(star, this.t)) {
      if (this.t.num! < 0n) this.fail('occurrence bounds must be unsigned');
      max = Number(this.t.num);
      this.p++;
    }
    if (max < min) this.fail('occurrence upper bound below lower bound', star);
    return [min, max];
  }

  private parseEntry(): CddlEntry[] {
    const at = this.t;
    const occ = this.parseOccurrence();
    const [min, max] = occ ?? [1, 1];
    this.checkSupported();
    if (this.isOp('(')) {
      const g = this.parseParenGroup();
      if (g.single !== null) return [this.finishEntry(this.continueType1(g.single), min, max, at)];
      if (occ) this.fail('occurrence indicators on groups are not supported', at);
      return g.entries;
    }
    return [this.finishEntry(this.parseType1(), min, max, at)];
  }

  /** After a type1: a member key (`=>`, `:`) and its value type, or a plain entry. */
  private finishEntry(first: CddlType, min: number, max: number, at: Tok): CddlEntry {
    const pos = { line: at.line, col: at.col };
    this.checkSupported();
    if (this.isOp('=>')) {
      this.p++;
      const type = this.parseType();
      if (first.k === 'lit' && typeof first.value !== 'boolean')
        return { min, max, key: { k: 'value', value: first.value }, type, ...pos };
      return { min, max, key: { k: 'type', type: first }, type, ...pos };
    }
    if (this.isOp(':')) {
      const colon = this.t;
      this.p++;
      const type = this.parseType();
      // A bare word before ':' is a text key (in arrays only a name).
      if (first.k === 'ref') return { min, max, key: { k: 'value', value: first.name }, name: first.name, type, ...pos };
      if (first.k === 'lit' && typeof first.value !== 'boolean')
        return { min, max, key: { k: 'value', value: first.value }, name: String(first.value), type, ...pos };
      return this.fail("only a name or a literal can stand before ':'", colon);
    }
    return { min, max, key: null, type: this.continueChoice(first), ...pos };
  }
}

function describe(t: Tok): string {
  if (t.k === 'eof') return 'the end of the input';
  if (t.k === 'ctl') return `'.${t.v}'`;
  if (t.k === 'text') return JSON.stringify(t.v);
  return `'${t.v}'`;
}

// ------------------------------------------------------------------ resolution

function resolveRules(rules: Map<string, CddlRule>): void {
  const seen = new WeakSet<object>();
  const groupAsType = (name: string, r: { entries: CddlEntry[] }, at: { line: number; col: number }): CddlType => {
    const e = r.entries;
    if (e.length === 1 && e[0].key === null && e[0].name === undefined && e[0].min === 1 && e[0].max === 1)
      return e[0].type;
    throw new CddlParseError(`group '${name}' is used where a type is expected`, at.line, at.col);
  };

  const type = (t: CddlType): CddlType => {
    switch (t.k) {
      case 'ref': {
        const rule = rules.get(t.name);
        if (!rule) {
          const pre = PRELUDE[t.name];
          if (pre && Object.prototype.hasOwnProperty.call(PRELUDE, t.name)) return pre;
          throw new CddlParseError(`'${t.name}' is not defined (and is not a supported prelude type)`, t.line, t.col);
        }
        if (rule.kind === 'group') return type(groupAsType(t.name, rule, t));
        return t;
      }
      case 'choice':
        t.options = t.options.map(type);
        return t;
      case 'le':
      case 'size':
      case 'regexp':
        t.target = type(t.target);
        return t;
      case 'map':
      case 'array':
        if (!seen.has(t)) {
          seen.add(t);
          t.entries = entries(t.entries, t.k === 'map', []);
        }
        return t;
      default:
        return t;
    }
  };

  // inMap: null while resolving a group rule on its own (it may end up in either).
  const entries = (list: CddlEntry[], inMap: boolean | null, stack: string[]): CddlEntry[] => {
    const out: CddlEntry[] = [];
    for (const e of list) {
      if (e.key === null && e.type.k === 'ref' && rules.get(e.type.name)?.kind === 'group') {
        const name = e.type.name;
        const g = rules.get(name) as { kind: 'group'; entries: CddlEntry[] };
        if (e.min !== 1 || e.max !== 1)
          throw new CddlParseError(`occurrence indicators on groups ('${name}') are not supported`, e.type.line, e.type.col);
        if (stack.includes(name))
          throw new CddlParseError(`group '${name}' includes itself`, e.type.line, e.type.col);
        out.push(...entries(g.entries, inMap, [...stack, name]));
        continue;
      }
      const copy: CddlEntry = { ...e, type: type(e.type) };
      if (e.key?.k === 'type') copy.key = { k: 'type', type: type(e.key.type) };
      if (inMap === true && copy.key === null)
        throw new CddlParseError('a map entry needs a key (`key: type` or `type => type`)', e.line ?? 0, e.col ?? 0);
      if (inMap === false && copy.key?.k === 'type')
        throw new CddlParseError('`=>` keys are only allowed in maps', e.line ?? 0, e.col ?? 0);
      out.push(copy);
    }
    return out;
  };

  for (const [name, rule] of rules) {
    if (rule.kind === 'type') rule.type = type(rule.type);
    else rule.entries = entries(rule.entries, null, [name]);
  }

  // A rule that reaches itself without going through a map or an array never ends.
  const direct = (t: CddlType, acc: string[]): void => {
    switch (t.k) {
      case 'ref':
        acc.push(t.name);
        break;
      case 'choice':
        t.options.forEach((o) => direct(o, acc));
        break;
      case 'le':
      case 'size':
      case 'regexp':
        direct(t.target, acc);
        break;
    }
  };
  for (const [name] of rules) {
    const visiting = new Set<string>();
    const walk = (n: string): void => {
      if (visiting.has(n)) throw new CddlParseError(`rule '${name}' is defined in terms of itself`, 0, 0);
      const r = rules.get(n);
      if (!r || r.kind !== 'type') return;
      visiting.add(n);
      const acc: string[] = [];
      direct(r.type, acc);
      acc.forEach(walk);
      visiting.delete(n);
    };
    walk(name);
  }
}

export function parseCddl(text: string): CddlSchema {
  const rules = new Parser(lex(text)).parseRules();
  resolveRules(rules);
  return {
    rules,
    validate(ruleName: string, value: unknown): CddlError | null {
      return validate(this, ruleName, value);
    },
  };
}

// ------------------------------------------------------------------ validation

type Fail = { path: (string | number | bigint)[]; message: string };

const U64_MAX = (1n << 64n) - 1n;

function asInt(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return null;
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Map) return 'a map';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'a byte string';
  if (v === undefined) return 'undefined';
  if (typeof v === 'object' && v !== null) return 'a map';
  return String(v);
}

function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

function mapEntries(v: unknown): [unknown, unknown][] | null {
  if (v instanceof Map) return [...v.entries()];
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array))
    return Object.entries(v as Record<string, unknown>);
  return null;
}

function keyEquals(k: unknown, lit: bigint | string): boolean {
  if (typeof lit === 'string') return k === lit;
  const n = asInt(k);
  return n !== null && n === lit;
}

class Validator {
  constructor(private readonly rules: ReadonlyMap<string, CddlRule>) {}

  check(t: CddlType, v: unknown, path: Fail['path']): Fail | null {
    const fail = (message: string): Fail => ({ path, message });
    switch (t.k) {
      case 'any':
        return null;
      case 'uint': {
        const n = asInt(v);
        return n !== null && n >= 0n && n <= U64_MAX ? null : fail(`expected uint, got ${show(v)}`);
      }
      case 'nint': {
        const n = asInt(v);
        return n !== null && n < 0n && n >= -U64_MAX - 1n ? null : fail(`expected nint, got ${show(v)}`);
      }
      case 'int': {
        const n = asInt(v);
        return n !== null && n >= -U64_MAX - 1n && n <= U64_MAX ? null : fail(`expected int, got ${show(v)}`);
      }
      case 'tstr':
        return typeof v === 'string' ? null : fail(`expected tstr, got ${show(v)}`);
      case 'bstr':
        return v instanceof Uint8Array ? null : fail(`expected bstr, got ${show(v)}`);
      case 'bool':
        return typeof v === 'boolean' ? null : fail(`expected bool, got ${show(v)}`);
      case 'null':
        return v === null ? null : fail(`expected null, got ${show(v)}`);
      case 'lit': {
        const ok =
          typeof t.value === 'bigint' ? asInt(v) === t.value : typeof t.value === 'string' ? v === t.value : v === t.value;
        return ok ? null : fail(`expected ${show(t.value)}, got ${show(v)}`);
      }
      case 'ref': {
        const r = this.rules.get(t.name);
        if (!r || r.kind !== 'type') return fail(`no type rule '${t.name}'`);
        return this.check(r.type, v, path);
      }
      case 'choice': {
        let best: Fail | null = null;
        for (const o of t.options) {
          const f = this.check(o, v, path);
          if (f === null) return null;
          if (best === null || further(f, best)) best = f;
        }
        return best;
      }
      case 'range': {
        const n = asInt(v);
        if (n === null) return fail(`expected an integer in ${t.min}..${t.max}, got ${show(v)}`);
        return n >= t.min && n <= t.max ? null : fail(`${n} is outside ${t.min}..${t.max}`);
      }
      case 'le': {
        const f = this.check(t.target, v, path);
        if (f) return f;
        const n = asInt(v);
        if (n === null) return fail(`.le applies to integers, got ${show(v)}`);
        return n <= t.max ? null : fail(`${n} is over ${t.max}`);
      }
      case 'size': {
        const f = this.check(t.target, v, path);
        if (f) return f;
        if (typeof v === 'string' || v instanceof Uint8Array) {
          const n = BigInt(typeof v === 'string' ? utf8Bytes(v) : v.length);
          return n >= t.min && n <= t.max ? null : fail(`size ${n} is outside ${t.min}..${t.max}`);
        }
        const n = asInt(v);
        if (n !== null && n >= 0n) {
          if (t.min !== t.max) return fail('.size with a range applies to strings only');
          return n < 1n << (8n * t.max) ? null : fail(`${n} does not fit in ${t.max} bytes`);
        }
        return fail(`.size applies to strings and uint, got ${show(v)}`);
      }
      case 'regexp': {
        const f = this.check(t.target, v, path);
        if (f) return f;
        if (typeof v !== 'string') return fail(`.regexp applies to text, got ${show(v)}`);
        return t.re.test(v) ? null : fail(`${JSON.stringify(v)} does not match ${JSON.stringify(t.source)}`);
      }
      case 'array':
        if (!Array.isArray(v)) return fail(`expected an array, got ${show(v)}`);
        return this.checkArray(t.entries, v, path);
      case 'map': {
        const entries = mapEntries(v);
        if (entries === null) return fail(`expected a map, got ${show(v)}`);
        return this.checkMap(t.entries, entries, path);
      }
    }
  }

  /** Positional matching with occurrences: greedy, backtracking, failures memoised. */
  private checkArray(entries: CddlEntry[], items: unknown[], path: Fail['path']): Fail | null {
    const failed = new Set<number>();
    let best: Fail | null = null;
    const note = (f: Fail): void => {
      if (best === null || further(f, best)) best = f;
    };
    const at = (i: number): Fail['path'] => [...path, i];
    const match = (ei: number, ii: number): boolean => {
      const memo = ei * (items.length + 1) + ii;
      if (failed.has(memo)) return false;
      if (ei === entries.length) {
        if (ii === items.length) return true;
        note({ path: at(ii), message: `unexpected element ${ii} (the array has at most ${ii})` });
        failed.add(memo);
        return false;
      }
      const e = entries[ei];
      let n = 0;
      while (n < e.max && ii + n < items.length) {
        const f = this.check(e.type, items[ii + n], at(ii + n));
        if (f) {
          note(f);
          break;
        }
        n++;
      }
      for (let k = n; k >= e.min; k--) if (match(ei + 1, ii + k)) return true;
      if (n < e.min && ii + n >= items.length)
        note({ path: at(ii + n), message: `missing element ${ii + n}${e.name ? ` (${e.name})` : ''}` });
      failed.add(memo);
      return false;
    };
    return match(0, 0) ? null : best;
  }

  private checkMap(entries: CddlEntry[], data: [unknown, unknown][], path: Fail['path']): Fail | null {
    const used = new Array<boolean>(data.length).fill(false);
    const keyPath = (k: unknown): Fail['path'] => [...path, typeof k === 'number' || typeof k === 'bigint' || typeof k === 'string' ? k : show(k)];
    // Literal keys: `key: type` (a cut: a present key must have a matching value).
    for (const e of entries) {
      if (e.key?.k !== 'value') continue;
      const lit = e.key.value;
      const i = data.findIndex(([k], j) => !used[j] && keyEquals(k, lit));
      if (i < 0) {
        if (e.min > 0) return { path, message: `missing key ${show(lit)}${e.name && e.name !== String(lit) ? ` (${e.name})` : ''}` };
        continue;
      }
      used[i] = true;
      const f = this.check(e.type, data[i][1], keyPath(data[i][0]));
      if (f) return f;
    }
    // Type keys: `n*m ktype => vtype`, taking the entries they match.
    const valueFails = new Map<number, Fail>();
    for (const e of entries) {
      if (e.key?.k !== 'type') continue;
      let count = 0;
      for (let i = 0; i < data.length && count < e.max; i++) {
        if (used[i]) continue;
        if (this.check(e.key.type, data[i][0], keyPath(data[i][0]))) continue;
        const f = this.check(e.type, data[i][1], keyPath(data[i][0]));
        if (f) {
          if (!valueFails.has(i)) valueFails.set(i, f);
          continue;
        }
        used[i] = true;
        count++;
      }
      if (count < e.min) return { path, message: `expected at least ${e.min} entries of ${describeType(e.key.type)} keys` };
    }
    const left = used.indexOf(false);
    if (left >= 0) {
      return valueFails.get(left) ?? { path: keyPath(data[left][0]), message: `key ${show(data[left][0])} is not allowed here` };
    }
    return null;
  }
}

/** Whether failure `a` got further into the value than `b` (deeper, or later in an array). */
function further(a: Fail, b: Fail): boolean {
  if (a.path.length !== b.path.length) return a.path.length > b.path.length;
  for (let i = 0; i < a.path.length; i++) {
    const x = a.path[i];
    const y = b.path[i];
    if (x !== y) return typeof x === 'number' && typeof y === 'number' && x > y;
  }
  return false;
}

function describeType(t: CddlType): string {
  return t.k === 'ref' ? t.name : t.k;
}

function renderPath(path: Fail['path']): string {
  return path.map((s) => `/${String(s)}`).join('');
}

/** Checks `value` against rule `ruleName`; null when it matches. Throws if there is no such type rule. */
export function validate(schema: CddlSchema, ruleName: string, value: unknown): CddlError | null {
  const rule = schema.rules.get(ruleName);
  if (!rule) throw new Error(`CDDL: no rule '${ruleName}'`);
  if (rule.kind !== 'type') throw new Error(`CDDL: '${ruleName}' is a group, not a type`);
  const f = new Validator(schema.rules).check(rule.type, value, []);
  return f === null ? null : { path: renderPath(f.path), message: f.message };
}

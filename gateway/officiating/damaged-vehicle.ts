// The damaged vehicle clock (R-PIT-DAMAGE-1). Race control marks a vehicle damaged;
// from then its time on pit road, pit entry yellow line to pit exit yellow line, is
// summed over every visit for that damage. A red flag stops the clock; each speeding
// (R-PIT-SPEED-1) or commitment line (R-PIT-COMMIT-1) violation on those visits adds
// time. When the time used reaches the clock the vehicle is no longer scored.
//
// Pure and deterministic: everything is worked in whole µs (inputs rounded once), so
// the instant the time ran out is exact, and the answer is "as of nowUs" — anything
// later in the inputs is not known yet.
import type { DamagedVehicleRules } from './damaged-vehicle-rules.js';
import type { FlagCall } from '../scoring/freeze-field.js';
import type { PitVisit as TimelineVisit } from './pit-visits.js';

/** Race control's call: `damaged` true marks the vehicle, false clears the mark. */
export interface DamageMark {
  car: string;
  atUs: number;
  seq: number;
  damaged: boolean;
}

/** What the clock reads of a visit to pit road (pit-visits.ts). A car's visits do not overlap. */
export type PitVisit = Pick<TimelineVisit, 'car' | 'pitInUs' | 'pitExitUs' | 'firstUs' | 'lastUs'>;

/** A red flag out, from the red to the next green or yellow; `toUs` null while still out. */
export interface RedSpan {
  fromUs: number;
  toUs: number | null;
}

/** A pit road violation an official has not dismissed (R-PEN-3). */
export interface PitViolation {
  car: string;
  atUs: number;
  rule: 'R-PIT-SPEED-1' | 'R-PIT-COMMIT-1';
  id: string;
}

export interface DamagedVehicleInput {
  marks: readonly DamageMark[];
  visits: readonly PitVisit[];
  reds: readonly RedSpan[];
  violations: readonly PitViolation[];
  nowUs: number;
}

export interface ClockVisit {
  pitInUs: number | null;
  pitExitUs: number | null;
  /** Where counting started: the entry line, else first heard on pit road, else the previous clear. */
  fromUs: number;
  /** Where counting stopped: the exit line, else last heard (exit missed), the clear, or nowUs (live). */
  toUs: number;
  /** The entry line missed the vehicle: counted from the first time it was heard on pit road. */
  entryMissed: boolean;
  /** The exit line missed it and it has been on pit road again since: counted to the last time heard. */
  exitMissed: boolean;
  /** Still on pit road: counted to nowUs. */
  live: boolean;
  /** Time counted on this visit (s): toUs − fromUs less redS. */
  countedS: number;
  /** Time under red within fromUs..toUs, not counted (s). */
  redS: number;
}

export interface ClockAddition {
  id: string;
  rule: PitViolation['rule'];
  /** The added seconds count from this instant. */
  atUs: number;
  addS: number;
}

export type DamagedVehicleStatus = 'repairing' | 'on track' | 'over limit' | 'cleared';

export interface DamagedVehicleClock {
  car: string;
  markedUs: number;
  clearedUs: number | null;
  /** The clock (s): rules.clockS. Violations add to usedS, they do not change it. */
  limitS: number;
  /** Pit road time counted plus the additions (s); not capped at the limit. */
  usedS: number;
  /** limitS − usedS, at least 0 (s). */
  remainingS: number;
  /** On pit road now, not under red, not cleared: the clock is ticking. */
  running: boolean;
  /** The sum of the visits' countedS (s). */
  pitRoadS: number;
  /** The sum of the additions (s). */
  addedS: number;
  visits: ClockVisit[];
  additions: ClockAddition[];
  /** The instant the time used reached the limit: no longer scored from then. */
  overUs: number | null;
  status: DamagedVehicleStatus;
}

const US_PER_S = 1_000_000;
const sec = (us: number): number => us / US_PER_S;

/**
 * Red spans from the flag calls: each red until the next green or yellow (a white or a
 * checkered does not end it; a second red continues it).
 */
export function redSpans(flags: readonly FlagCall[]): RedSpan[] {
  const sorted = [...flags].sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
  const spans: RedSpan[] = [];
  let open: number | null = null;
  for (const f of sorted) {
    if (f.flag === 'red' && open === null) open = f.atUs;
    else if ((f.flag === 'green' || f.flag === 'yellow') && open !== null) {
      spans.push({ fromUs: open, toUs: f.atUs });
      open = null;
    }
  }
  if (open !== null) spans.push({ fromUs: open, toUs: null });
  return spans;
}

interface Span {
  from: number;
  to: number;
}

/** A visit as known at nowUs, its ends settled (µs). */
interface KnownVisit {
  v: PitVisit;
  from: number;
  to: number;
  entryMissed: boolean;
  exitMissed: boolean;
  live: boolean;
}

/** The damaged vehicle clock of every damage marked up to nowUs, in the order marked. */
export function damagedVehicleClocks(input: DamagedVehicleInput, rules: Pick<DamagedVehicleRules, 'clockS' | 'perViolationS'>): DamagedVehicleClock[] {
  const now = Math.round(input.nowUs);
  const limitUs = Math.round(rules.clockS * US_PER_S);
  const perUs = Math.round(rules.perViolationS * US_PER_S);
  const reds = mergedReds(input.reds, now);
  const redNow = input.reds.some((r) => Math.round(r.fromUs) <= now && (r.toUs === null || Math.round(r.toUs) > now));

  const marks = input.marks.filter((m) => Math.round(m.atUs) <= now).sort((a, b) => a.atUs - b.atUs || a.seq - b.seq);
  // One damage from a mark to its clear; a second mark before the clear is the same damage.
  const damages: Array<{ car: string; marked: number; cleared: number | null; after: number }> = [];
  const open = new Map<string, (typeof damages)[number]>();
  const lastClear = new Map<string, number>();
  for (const m of marks) {
    const at = Math.round(m.atUs);
    const d = open.get(m.car);
    if (m.damaged && !d) {
      const nd = { car: m.car, marked: at, cleared: null, after: lastClear.get(m.car) ?? -Infinity };
      damages.push(nd);
      open.set(m.car, nd);
    } else if (!m.damaged && d) {
      d.cleared = at;
      open.delete(m.car);
      lastClear.set(m.car, at);
    }
  }

  const visitsOf = knownVisits(input.visits, now);
  const violationsOf = new Map<string, PitViolation[]>();
  const seenId = new Set<string>();
  for (const x of [...input.violations].sort((a, b) => a.atUs - b.atUs || cmp(a.id, b.id))) {
    // A violation resent under the same id counts once.
    if (Math.round(x.atUs) > now || seenId.has(x.id)) continue;
    seenId.add(x.id);
    const list = violationsOf.get(x.car) ?? [];
    list.push(x);
    violationsOf.set(x.car, list);
  }

  return damages.map((d) => clockOf(d, visitsOf.get(d.car) ?? [], violationsOf.get(d.car) ?? [], reds, redNow, now, limitUs, perUs));
}

function clockOf(
  d: { car: string; marked: number; cleared: number | null; after: number },
  visits: readonly KnownVisit[],
  violations: readonly PitViolation[],
  reds: readonly Span[],
  redNow: boolean,
  now: number,
  limitUs: number,
  perUs: number,
): DamagedVehicleClock {
  const stop = d.cleared ?? now;
  // Visits of this damage: in progress at the mark (counted whole, from its entry) or
  // begun after it, up to the clear; never before a previous damage's clear.
  const counted: Array<{ k: KnownVisit; span: Span }> = [];
  for (const k of visits) {
    if (k.to < d.marked || k.from > stop) continue;
    const from = Math.max(k.from, d.after);
    const to = Math.min(k.to, stop);
    if (to < from) continue;
    counted.push({ k, span: { from, to } });
  }

  const visitsOut: ClockVisit[] = [];
  const runs: Span[] = [];
  let pitRoadUs = 0;
  for (const { k, span } of counted) {
    const gaps = minus(span, reds);
    const runUs = gaps.reduce((s, g) => s + g.to - g.from, 0);
    runs.push(...gaps);
    pitRoadUs += runUs;
    visitsOut.push({
      pitInUs: k.v.pitInUs === null ? null : Math.round(k.v.pitInUs),
      pitExitUs: k.live || k.exitMissed ? null : Math.round(k.v.pitExitUs!),
      fromUs: span.from,
      toUs: span.to,
      entryMissed: k.entryMissed,
      exitMissed: k.exitMissed,
      live: k.live && d.cleared === null,
      countedS: sec(runUs),
      redS: sec(span.to - span.from - runUs),
    });
  }

  // Violations found on the counted visits. A commitment line call comes just before the
  // entry line, so one that no visit holds belongs to the car's next visit.
  const additions: ClockAddition[] = [];
  for (const x of violations) {
    const at = Math.round(x.atUs);
    let home = visits.find((k) => k.from <= at && at <= k.to);
    if (!home && x.rule === 'R-PIT-COMMIT-1') home = visits.find((k) => k.from > at);
    const c = home && counted.find((c) => c.k === home);
    // Not after the clear, nor on the part of a visit that belonged to a damage cleared before.
    if (!c || at > c.span.to || (c.k.from <= at && at < c.span.from)) continue;
    additions.push({ id: x.id, rule: x.rule, atUs: at, addS: sec(perUs) });
  }

  const addedUs = additions.length * perUs;
  const usedUs = pitRoadUs + addedUs;
  const over = overInstant(runs, additions.map((a) => a.atUs), perUs, limitUs);
  const overUs = over === null ? null : Math.max(over, d.marked);
  const live = visitsOut.some((v) => v.live);
  const running = live && !redNow;
  const status: DamagedVehicleStatus = overUs !== null ? 'over limit' : d.cleared !== null ? 'cleared' : live ? 'repairing' : 'on track';
  return {
    car: d.car,
    markedUs: d.marked,
    clearedUs: d.cleared,
    limitS: sec(limitUs),
    usedS: sec(usedUs),
    remainingS: sec(Math.max(0, limitUs - usedUs)),
    running,
    pitRoadS: sec(pitRoadUs),
    addedS: sec(addedUs),
    visits: visitsOut,
    additions,
    overUs,
    status,
  };
}

/**
 * The first instant the time used reaches the limit: the clock runs through `runs`
 * (time order, disjoint) and jumps by perUs at each of `jumps`. Null if it has not.
 */
function overInstant(runs: readonly Span[], jumps: readonly number[], perUs: number, limitUs: number): number | null {
  const js = [...jumps].sort((a, b) => a - b);
  let used = 0;
  let j = 0;
  // Jumps at or before a run's start are taken before it runs; one at the very end of a
  // run after it (the same instant either way). Each counts from its own instant.
  for (const r of runs) {
    let cur = r.from;
    for (;;) {
      while (j < js.length && js[j]! <= cur) {
        used += perUs;
        if (used >= limitUs) return js[j]!;
        j++;
      }
      const next = j < js.length && js[j]! < r.to ? js[j]! : r.to;
      if (used + (next - cur) >= limitUs) return cur + (limitUs - used);
      used += next - cur;
      cur = next;
      if (cur >= r.to) break;
    }
  }
  while (j < js.length) {
    used += perUs;
    if (used >= limitUs) return js[j]!;
    j++;
  }
  return null;
}

/** Each car's visits as known at now, in time order, with where each begins and ends. */
function knownVisits(visits: readonly PitVisit[], now: number): Map<string, KnownVisit[]> {
  const byCar = new Map<string, PitVisit[]>();
  for (const v of visits) {
    const from = Math.round(v.pitInUs ?? v.firstUs);
    if (from > now) continue; // not begun yet
    const list = byCar.get(v.car) ?? [];
    list.push(v);
    byCar.set(v.car, list);
  }
  const out = new Map<string, KnownVisit[]>();
  for (const [car, list] of byCar) {
    list.sort((a, b) => (a.pitInUs ?? a.firstUs) - (b.pitInUs ?? b.firstUs));
    out.set(
      car,
      list.map((v, i) => {
        const from = Math.round(v.pitInUs ?? v.firstUs);
        const exitKnown = v.pitExitUs !== null && Math.round(v.pitExitUs) <= now;
        const last = i === list.length - 1;
        // No exit line yet: on the car's latest visit it is still on pit road; on an
        // earlier one the line missed it, and the last time heard is what is known.
        const live = !exitKnown && last;
        const exitMissed = !exitKnown && !last;
        const to = exitKnown ? Math.round(v.pitExitUs!) : live ? now : Math.min(now, Math.max(from, Math.round(v.lastUs)));
        return { v, from, to: Math.max(from, to), entryMissed: v.pitInUs === null, exitMissed, live };
      }),
    );
  }
  return out;
}

/** Red spans clipped to now, merged, in time order. */
function mergedReds(reds: readonly RedSpan[], now: number): Span[] {
  const spans = reds
    .map((r) => ({ from: Math.round(r.fromUs), to: Math.min(now, r.toUs === null ? now : Math.round(r.toUs)) }))
    .filter((r) => r.from < r.to)
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const merged: Span[] = [];
  for (const s of spans) {
    const top = merged[merged.length - 1];
    if (top && s.from <= top.to) top.to = Math.max(top.to, s.to);
    else merged.push({ ...s });
  }
  return merged;
}

/** `span` less the (merged, ordered) red spans: the pieces the clock ran. */
function minus(span: Span, reds: readonly Span[]): Span[] {
  const out: Span[] = [];
  let cur = span.from;
  for (const r of reds) {
    if (r.to <= cur) continue;
    if (r.from >= span.to) break;
    if (r.from > cur) out.push({ from: cur, to: r.from });
    cur = Math.max(cur, r.to);
    if (cur >= span.to) break;
  }
  if (cur < span.to) out.push({ from: cur, to: span.to });
  return out;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

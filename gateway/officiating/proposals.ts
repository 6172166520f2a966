// Every pit road violation the hardware can see, proposed to an official with its
// evidence (R-PEN-3: an official confirms or dismisses each). One proposal per visit
// and kind of violation; its confidence is "close-call" when a reading lies within the
// sensors' uncertainty of the line that decides it, either side, so a call the truth
// might hold is never silently dropped and a call it might not hold is never shown as
// certain.
import type { FlagName } from '../log-entry.js';
import { flagAt, type PitRoadCall } from '../scoring/pit-road.js';
import type { FlagCall } from '../scoring/freeze-field.js';
import { VIOLATIONS, type CardColumn, type RuleId, type ViolationKind } from './penalty-card.js';
import type { EventRef, PitVisit, SegmentRead, VerdictRead } from './pit-visits.js';
import type { EventSetup } from '../event-setup.js';

export type Confidence = 'certain' | 'close-call';

export interface Proposal {
  /** Stable: the visit's id and the violation. */
  id: string;
  violation: ViolationKind;
  rule: RuleId;
  car: string;
  /** When it happened (µs, gateway clock). */
  atUs: number;
  /** The card column: the flag then (R-PIT-OPEN-1: committed under green is pitting under green). */
  column: CardColumn;
  confidence: Confidence;
  /** One line for the official. */
  summary: string;
  evidence: Record<string, unknown>;
  /** The board events behind it. */
  events: EventRef[];
  visit: string;
}

export interface ProposalInputs {
  /** Its `officiating` holds the card, the limits and the close-call bands. */
  setup: EventSetup;
  flags: readonly FlagCall[];
  pitRoad: readonly PitRoadCall[];
  /** Damage repairs allow a different crew (R-PIT-CREW-2). */
  damagedAt: (car: string, atUs: number) => boolean;
}

const CAUTION: ReadonlySet<FlagName | null> = new Set<FlagName | null>(['yellow', 'red']);

const mph2 = (x: number): string => x.toFixed(2);

/** The violations a visit shows. `passThrough`: it serves a pass-through (speeding then is R-PIT-SPEED-2). */
export function proposalsOf(v: PitVisit, inp: ProposalInputs, servingPassThrough: boolean): Proposal[] {
  const { setup } = inp;
  const rules = setup.officiating;
  const out: Proposal[] = [];
  const committedUs = v.commitmentUs ?? v.pitInUs ?? v.firstUs;
  const columnAt = (atUs: number): CardColumn => (CAUTION.has(flagAt(inp.flags, atUs)) && CAUTION.has(flagAt(inp.flags, committedUs)) ? 'caution' : 'green');
  const add = (violation: ViolationKind, atUs: number, confidence: Confidence, summary: string, evidence: Record<string, unknown>, events: EventRef[]): void => {
    out.push({ id: `${v.id}/${violation}`, violation, rule: VIOLATIONS[violation], car: v.car, atUs, column: columnAt(atUs), confidence, summary, evidence, events, visit: v.id });
  };

  // R-PIT-SPEED-1 (R-PIT-SPEED-2 on a pass-through): every segment is the evidence.
  const threshold = setup.pitSpeedLimitMph + setup.pitSpeedToleranceMph;
  const band = rules.speedCloseCallMph;
  const near = v.segments.filter((s) => s.mph >= threshold - band);
  if (near.length > 0) {
    const over = v.segments.filter((s) => s.over);
    const certain = over.some((s) => s.mph > threshold + band);
    const worst = near.reduce((a, b) => (b.mph > a.mph ? b : a));
    const at = (over[0] ?? worst).exitUs;
    const kind: ViolationKind = servingPassThrough ? 'speeding-on-pass-through' : 'speeding';
    const what = over.length > 0 ? `over in segment${over.length > 1 ? 's' : ''} ${over.map((s) => s.segment).join(', ')}` : `segment ${worst.segment} within ${band} mph of the line`;
    add(
      kind,
      at,
      certain ? 'certain' : 'close-call',
      `car ${v.car}: ${mph2(worst.mph)} mph against ${mph2(setup.pitSpeedLimitMph)} + tolerance, ${what}`,
      { limitMph: setup.pitSpeedLimitMph, toleranceMph: setup.pitSpeedToleranceMph, segments: v.segments.map(segmentEvidence), over: over.map((s) => s.segment) },
      v.segments.map((s) => s.event),
    );
  }

  // R-PIT-COMMIT-1: all four tires inside the painted boundary, where the line has tire sensors.
  const c0 = v.commitmentCheck;
  if (c0 && (!c0.inside || c0.closeCall)) {
    const worst = c0.margins.indexOf(Math.min(...c0.margins));
    add(
      'commitment-line',
      c0.atUs,
      c0.closeCall ? 'close-call' : 'certain',
      `car ${v.car}: ${c0.inside ? 'inside' : 'tire ' + worst + ' on or over'} the commitment line's boundary, ${c0.marginMm} mm`,
      { lane: c0.lane, inside: c0.inside, marginMm: c0.marginMm, closeCall: c0.closeCall, marginsMm: c0.margins },
      [c0.event],
    );
  }

  const s = v.stop;
  if (s) {
    // R-PIT-BOX-2: the verdict while service happens decides; before service ends, the one at the stop.
    const serviced = s.serviceStartUs !== null;
    const verdict = s.verdicts.find((x) => x.phase === 'service') ?? s.verdicts.find((x) => x.phase === 'stop');
    if (serviced && verdict && (!verdict.inBox || verdict.closeCall)) {
      add(
        'out-of-box',
        s.serviceStartUs ?? s.stopUs ?? verdict.event.atUs,
        verdict.closeCall ? 'close-call' : 'certain',
        `car ${v.car}: ${verdict.inBox ? 'in' : 'out of'} box ${s.box} while serviced, clause (${verdict.clause}) ${verdict.marginMm} mm`,
        { box: s.box, verdicts: s.verdicts.map(verdictEvidence) },
        s.verdicts.map((x) => x.event),
      );
    }
    // R-PIT-CREW-1: one box away is the box's length and its two lines.
    const c = s.crew;
    if (c) {
      const boxDef = setup.track.pitRoad.boxes.find((b) => b.number === s.box);
      const oneBoxMm = boxDef && boxDef.lengthMm !== null && boxDef.lineMm !== null ? boxDef.lengthMm + 2 * boxDef.lineMm : null;
      const nearLine = oneBoxMm !== null && c.distanceMm !== null && Math.abs(c.distanceMm - oneBoxMm) <= rules.crewCloseCallMm;
      if (c.tooSoon || nearLine) {
        add(
          'crew-too-soon',
          c.overUs,
          nearLine ? 'close-call' : 'certain',
          `car ${v.car}: crew over the wall at ${c.distanceMm ?? '?'} mm from box ${s.box}${oneBoxMm !== null ? ` (one box is ${oneBoxMm} mm)` : ''}`,
          { box: s.box, distanceMm: c.distanceMm, oneBoxMm, tooSoon: c.tooSoon },
          c.events.slice(0, 1),
        );
      }
      // R-PIT-CREW-2
      const limit = inp.damagedAt(v.car, c.overUs) ? rules.crewLimitDamaged : rules.crewLimit;
      if (c.maxCrew > limit) {
        const ev = c.events;
        add('too-many-crew', ev[ev.length - 1]?.atUs ?? c.overUs, 'certain', `car ${v.car}: ${c.maxCrew} crew over the wall (at most ${limit})`, { box: s.box, crew: c.maxCrew, limit }, ev);
      }
    }
  }

  // R-PIT-BOX-3: vacant boxes count, eliminated ones and openings do not.
  const { entering, leaving } = v.through;
  const limit = rules.boxesThroughLimit;
  if (entering.length > limit || leaving.length > limit) {
    const side = entering.length > limit ? 'entering' : 'leaving';
    const boxes = side === 'entering' ? entering : leaving;
    // Transits are in time order, the ones entering first.
    const first = v.through.events[side === 'entering' ? 0 : v.through.events.length - leaving.length]!;
    add(
      'boxes-driven-through',
      first.atUs,
      'certain',
      `car ${v.car}: drove through ${boxes.length} boxes ${side} box ${v.box} (${boxes.join(', ')}), at most ${limit}`,
      { entering, leaving, limit },
      v.through.events,
    );
  }

  // R-PIT-OPEN-2: entered after the light turned red, and stopped or took service (driving through is its exception).
  if (v.commitmentUs !== null && (v.stop !== null || v.otherBoxes.length > 0)) {
    const change = nearestChange(inp.pitRoad, v.commitmentUs);
    const nearLine = change !== null && Math.abs(change.atUs - v.commitmentUs) <= rules.commitmentCloseCallS * 1e6;
    if (v.pitRoadOpen === false || nearLine) {
      add(
        'entered-closed',
        v.commitmentUs,
        nearLine ? 'close-call' : 'certain',
        `car ${v.car}: crossed the commitment line with pit road ${v.pitRoadOpen ? 'open' : 'closed'}${change ? ` (${change.open ? 'opened' : 'closed'} ${((v.commitmentUs - change.atUs) / 1e6).toFixed(3)} s before)` : ''}`,
        { commitmentUs: v.commitmentUs, pitRoadOpen: v.pitRoadOpen, call: change ? { atUs: Math.round(change.atUs), open: change.open, why: change.why, rule: change.rule } : null },
        [],
      );
    }
  }
  return out;
}

function nearestChange(calls: readonly PitRoadCall[], atUs: number): PitRoadCall | null {
  let best: PitRoadCall | null = null;
  let open: boolean | null = null;
  for (const c of calls) {
    // Only calls that change the light count.
    if (open === c.open) continue;
    open = c.open;
    if (best === null || Math.abs(c.atUs - atUs) < Math.abs(best.atUs - atUs)) best = c;
  }
  return best;
}

function segmentEvidence(s: SegmentRead): Record<string, unknown> {
  return { segment: s.segment, mph: s.mph, over: s.over, entryUs: s.entryUs, exitUs: s.exitUs };
}

function verdictEvidence(v: VerdictRead): Record<string, unknown> {
  return { phase: v.phase, inBox: v.inBox, clause: v.clause, marginMm: v.marginMm, closeCall: v.closeCall, marginsMm: v.margins };
}

// results.json's classification as CSV, for spreadsheets and the timing sheet.
import type { Results } from './results.js';

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function resultsCsv(r: Results): string {
  const head = ['pos', 'car', 'driver', 'laps', 'timeS', 'lapsLed', 'status', 'penaltyS', 'lapsOff', 'why'];
  const rows = r.classification.map((c) => [c.pos, c.car, c.driver, c.laps, c.timeS, c.lapsLed, c.status, c.penaltyS, c.lapsOff, c.why].map(cell).join(','));
  return [head.join(','), ...rows].join('\n') + '\n';
}

// The bench's arithmetic: a row's ratio to its target (by the wall clock and by CPU) and to the
// physical floor, and whether it meets the target; kept apart from bench/run.ts so it is tested.

/** One measured row of the bench table. */
export interface Row {
  what: string;
  /** scenario runs (not skipped), when the row runs scenarios */
  runs?: number;
  seconds: number;
  cpu?: number;
  /** the target: at most this many seconds, or at least this many runs/s, or at most this ratio to the floor */
  target: { maxSeconds?: number; minPerSecond?: number; maxFloor?: number };
  note?: string;
  /** the floors measured right before and right after this row (ms per cycle), for its × floor column: the machine's load moves the floor too */
  bracket?: [number, number];
}

/** Rows are measured rows, or a sentence saying why a row could not be measured. */
export const isRow = (r: Row | string): r is Row => typeof r !== 'string';

/** How far the floors before and after a row may differ before its × floor ratio is called unsure. */
export const FLOOR_MOVED = 1.5;

/** The floor (ms per cycle) a row is compared with: its own bracket's mean, else the run's mean. */
export function unitOf(r: Row, floorMs: number | undefined): number | undefined {
  return r.bracket ? (r.bracket[0] + r.bracket[1]) / 2 : floorMs;
}

/** "≤ 1.5 s", "≥ 5000 runs/s", "≤ 2× floor": the row's target as the table prints it */
export function targetText(t: Row['target']): string {
  if (t.maxSeconds !== undefined) return `≤ ${t.maxSeconds} s`;
  if (t.minPerSecond !== undefined) return `≥ ${t.minPerSecond} runs/s`;
  if (t.maxFloor !== undefined) return `≤ ${t.maxFloor}× floor`;
  return '';
}

/** measured ÷ target, so that ≤ 1 meets it (runs/s targets inverted): by the wall clock, or by the CPU seconds where the row has them */
function ratio(r: Row, floorMs: number | undefined, by: 'wall' | 'cpu'): number | undefined {
  const t = r.target;
  const s = by === 'wall' ? r.seconds : r.cpu;
  if (s === undefined) return undefined;
  if (t.maxSeconds !== undefined) return s / t.maxSeconds;
  if (t.minPerSecond !== undefined && r.runs) return t.minPerSecond / (r.runs / s);
  // the floor is a wall clock: the ×-floor target has no CPU ratio
  const unit = unitOf(r, floorMs);
  if (t.maxFloor !== undefined && r.runs && unit && by === 'wall') return (s * 1000) / r.runs / unit / t.maxFloor;
  return undefined;
}

/** "2.10 (CPU 1.05)": the row's ratios to its target */
export function ratioText(r: Row, floorMs: number | undefined): string {
  const w = ratio(r, floorMs, 'wall');
  const c = ratio(r, floorMs, 'cpu');
  return [w === undefined ? '' : w.toFixed(2), c === undefined ? '' : `(CPU ${c.toFixed(2)})`].filter(Boolean).join(' ');
}

/** whether the row meets its target by the wall clock, and by CPU where it has CPU seconds (a shared machine's wall clock counts others' load) */
export function meets(r: Row, floorMs: number | undefined): string {
  const w = ratio(r, floorMs, 'wall');
  const c = ratio(r, floorMs, 'cpu');
  if (w === undefined) return '';
  const yes = (x: number) => (x <= 1 ? 'yes' : 'no');
  const moved = r.bracket ? Math.max(...r.bracket) / Math.min(...r.bracket) : 1;
  // a floor that moved while the row ran (others' load came or went) gives no trustworthy ratio
  if (moved > FLOOR_MOVED) return `unsure: the floor moved ${moved.toFixed(1)}× around this row`;
  return c === undefined ? yes(w) : `${yes(w)} (CPU ${yes(c)})`;
}

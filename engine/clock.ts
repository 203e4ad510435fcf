// The `clockPast` step: filesystem timestamps are only as fine as the kernel's clock tick
// (unless the inode's time was just observed, Linux 6.13+), so a scenario that asserts "this op
// moved ctime" first waits until the real-time clock has left the tick of the earlier time.

import type { StepOutcome } from './match.js';

/** More than one clock tick at any HZ Linux supports (100 Hz → 10 ms). */
export const TICK_MARGIN_MS = 20;
/** A time further ahead than this is not something to wait for: the scenario is wrong. */
const MAX_WAIT_MS = 5_000;

/** Milliseconds since the epoch of a "SEC[.NSEC]" time or a number of seconds; undefined when not a time. */
export function timeMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  if (typeof v !== 'string') return undefined;
  const m = /^([0-9]+)(?:\.([0-9]{1,9}))?$/.exec(v.trim());
  if (!m) return undefined;
  return Number(m[1]) * 1000 + Number((m[2] ?? '0').padEnd(9, '0')) / 1e6;
}

/** Wait until Date.now() is past `time` plus a tick; times in the past (or a model's virtual clock) return at once. */
export async function clockPast(time: unknown, now: () => number = Date.now): Promise<StepOutcome> {
  const t = timeMs(time);
  if (t === undefined) return { ok: false, harness: `clockPast: ${JSON.stringify(time)} is not a time` };
  const until = t + TICK_MARGIN_MS;
  if (until - now() > MAX_WAIT_MS) return { ok: false, harness: `clockPast: ${String(time)} is more than ${MAX_WAIT_MS} ms ahead of the clock` };
  while (now() <= until) await new Promise((r) => setTimeout(r, Math.max(1, Math.min(10, until - now() + 1))));
  return { ok: true };
}

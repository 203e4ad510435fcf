// Progress on a terminal for every reporter: done/total, rate, ETA and the adapter/variant and
// scenario running now, redrawn in place on stderr; off a terminal one line per variant.

import type { Reporter } from './reporter.js';
import { termLine } from '../text.js';

/** "1m05s", "42s" */
export function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** The progress line for `done` of `total` after `elapsed` seconds, running `current`. */
export function progressLine(done: number, total: number, elapsed: number, current: string): string {
  const rate = elapsed > 0 ? done / elapsed : 0;
  const eta = rate > 0 ? duration((total - done) / rate) : '?';
  const pct = total ? Math.floor((100 * done) / total) : 100;
  return `[${done}/${total} ${pct}%] ${rate.toFixed(1)}/s ETA ${eta}  ${current}`;
}

/** Wrap a reporter so a terminal shows progress; the wrapped reporter's own hooks still run. */
export function withProgress(inner: Reporter, stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()): Reporter {
  const tty = stream.isTTY === true;
  let shown = false;
  let total = 0;
  let done = 0;
  let current = '';
  let t0 = now();
  let last = 0;
  const draw = (force = false) => {
    if (!tty) return;
    const t = now();
    if (!force && t - last < 100) return;
    last = t;
    const cols = stream.columns || 100;
    const s = termLine(progressLine(done, total, (t - t0) / 1000, current));
    stream.write('\r\x1b[K' + (s.length > cols - 1 ? s.slice(0, cols - 2) + '…' : s));
    shown = true;
  };
  const clear = () => {
    if (tty && shown) stream.write('\r\x1b[K');
    shown = false;
  };
  return {
    start(t) {
      total = t;
      t0 = now();
      inner.start?.(t);
    },
    variant(key) {
      current = key;
      if (!tty) stream.write(`▶ ${termLine(key)} (${done}/${total} done)\n`);
      draw(true);
      inner.variant?.(key);
    },
    activity(what) {
      current = what;
      draw();
      inner.activity?.(what);
    },
    result(r, d, t) {
      done = d;
      total = t;
      draw();
      inner.result?.(r, d, t);
    },
    end(file) {
      clear();
      return inner.end(file);
    },
  };
}

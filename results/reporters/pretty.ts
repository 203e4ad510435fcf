// The human reporter: progress on a TTY (done/total, current scenario), every fail, xpass and
// error in full as it happens, and a summary per adapter variant at the end.

import { stringify } from 'yaml';
import { formatLoadError } from '../../language/model.js';
import { VERDICTS, type Result } from '../../language/schema/results.js';
import { resultLine, type Reporter } from './reporter.js';

const useColor = (s: NodeJS.WriteStream) => s.isTTY && !process.env.NO_COLOR;
const paint = (on: boolean) => (code: number, t: string) => (on ? `\x1b[${code}m${t}\x1b[0m` : t);

/** Details of a result worth a human's attention, or '' for pass/deviation/skip. */
export function explain(r: Result): string {
  if (r.verdict === 'pass' || r.verdict === 'deviation' || r.verdict === 'skip') return '';
  const lines = [`${r.verdict.toUpperCase()} ${resultLine(r)}`, `  ${r.failure ? `${r.failure.file}:${r.failure.line ?? 1}` : r.file}: ${r.reason ?? ''}`];
  if (r.failure?.expected !== undefined || r.failure?.observed !== undefined) {
    const y = stringify({ expected: r.failure.expected, observed: r.failure.observed }).trimEnd();
    lines.push(...y.split('\n').map((l) => '    ' + l));
  }
  return lines.join('\n');
}

/** Renders progress to stderr and returns the summary as the output document. */
export function prettyReporter(stream: NodeJS.WriteStream = process.stderr): Reporter {
  const tty = stream.isTTY === true;
  const c = paint(useColor(stream));
  let progress = '';
  const clear = () => {
    if (tty && progress) stream.write('\r\x1b[K');
    progress = '';
  };
  const show = (s: string) => {
    if (!tty) return;
    const cols = stream.columns || 100;
    progress = s.length > cols - 1 ? s.slice(0, cols - 2) + '…' : s;
    stream.write('\r\x1b[K' + progress);
  };
  let done = 0;
  let total = 0;
  let current = '';
  return {
    start(t) {
      total = t;
    },
    variant(key) {
      clear();
      stream.write(c(1, `▶ ${key}`) + '\n');
    },
    activity(what) {
      current = what;
      show(`[${done}/${total}] ${current}`);
    },
    result(r, d) {
      done = d;
      const text = explain(r);
      if (text) {
        clear();
        stream.write(c(r.verdict === 'error' ? 35 : 31, text) + '\n');
      }
      show(`[${done}/${total}] ${current}`);
    },
    end(file) {
      clear();
      const out: string[] = [];
      if (file.loadErrors.length) {
        out.push(`${file.loadErrors.length} scenario file problem(s):`);
        for (const e of file.loadErrors) out.push('  ' + formatLoadError(e));
        out.push('');
      }
      const width = Math.max(10, ...Object.keys(file.summary).map((k) => k.length));
      out.push('Summary per adapter variant:');
      for (const [k, counts] of Object.entries(file.summary)) {
        const cells = VERDICTS.map((v) => `${v} ${String(counts[v]).padStart(4)}`);
        out.push(`  ${k.padEnd(width)}  ${cells.join('  ')}`);
      }
      const skips = new Map<string, number>();
      for (const r of file.results) if (r.verdict === 'skip') skips.set(`${r.adapter}/${r.variant}: ${r.reason}`, (skips.get(`${r.adapter}/${r.variant}: ${r.reason}`) ?? 0) + 1);
      if (skips.size) {
        out.push('', 'Skips (count, reason):');
        for (const [why, n] of [...skips].sort((a, b) => b[1] - a[1]).slice(0, 30)) out.push(`  ${String(n).padStart(4)}  ${why}`);
        if (skips.size > 30) out.push(`  … ${skips.size - 30} more reasons in the JSON results`);
      }
      const bad = file.results.filter((r) => r.verdict === 'fail' || r.verdict === 'xpass' || r.verdict === 'error').length;
      out.push('', bad || file.loadErrors.length ? `${bad} unexpected result(s)${file.environment.interrupted ? ' (run interrupted)' : ''}` : `all ${file.results.length} results as expected${file.environment.interrupted ? ' (run interrupted)' : ''}`);
      return out.join('\n') + '\n';
    },
  };
}

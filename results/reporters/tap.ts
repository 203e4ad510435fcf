// The TAP 13 reporter: one test point per scenario run, skips with their reasons, failures
// with expected vs observed as YAML diagnostics.

import { stringify } from 'yaml';
import type { Reporter } from './reporter.js';
import { resultLine } from './reporter.js';
import { termSafe } from '../text.js';

/** Renders a finished run as TAP version 13. */
export function tapReporter(): Reporter {
  return {
    end(file) {
      const lines = ['TAP version 13', `1..${file.results.length}`];
      file.results.forEach((r, i) => {
        const ok = r.verdict === 'pass' || r.verdict === 'deviation' || r.verdict === 'skip';
        const directive = r.verdict === 'skip' ? ` # SKIP ${r.reason ?? ''}` : r.verdict === 'deviation' ? ` # documented deviation ${r.deviations?.join(', ')}` : '';
        lines.push(`${ok ? 'ok' : 'not ok'} ${i + 1} - ${resultLine(r)}${directive}`);
        if (!ok) {
          const diag = { verdict: r.verdict, message: r.reason, at: r.failure ? `${r.failure.file}:${r.failure.line ?? 1}` : r.file, expected: r.failure?.expected, observed: r.failure?.observed };
          lines.push('  ---', ...stringify(diag).trimEnd().split('\n').map((l) => '  ' + l), '  ...');
        }
      });
      for (const e of file.loadErrors) lines.push(`# load error ${e.file}:${e.line}:${e.col}: ${e.path}: ${e.message}`);
      return termSafe(lines.join('\n')) + '\n';
    },
  };
}

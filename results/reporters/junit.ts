// The JUnit XML reporter: one testsuite per adapter variant, so CI systems show verdicts natively.

import type { Reporter } from './reporter.js';
import { termSafe } from '../text.js';

// XML 1.0 cannot hold most control characters at all: they are shown as \xNN first
const esc = (s: string) => termSafe(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Renders a finished run as JUnit XML. */
export function junitReporter(): Reporter {
  return {
    end(file) {
      const byVariant = new Map<string, typeof file.results>();
      for (const r of file.results) {
        const k = `${r.adapter}/${r.variant}`;
        byVariant.set(k, [...(byVariant.get(k) ?? []), r]);
      }
      const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="overlay-conformance">'];
      for (const [k, rs] of byVariant) {
        const count = (v: string) => rs.filter((r) => r.verdict === v).length;
        out.push(`  <testsuite name="${esc(k)}" tests="${rs.length}" failures="${count('fail') + count('xpass')}" errors="${count('error')}" skipped="${count('skip')}" time="${(rs.reduce((a, r) => a + r.ms, 0) / 1000).toFixed(3)}">`);
        for (const r of rs) {
          out.push(`    <testcase classname="${esc(k)}" name="${esc(r.scenario)}" file="${esc(r.file)}" time="${(r.ms / 1000).toFixed(3)}">`);
          const msg = esc(r.reason ?? '');
          if (r.verdict === 'fail' || r.verdict === 'xpass') {
            const body = r.failure ? esc(JSON.stringify({ expected: r.failure.expected, observed: r.failure.observed }, null, 1)) : '';
            out.push(`      <failure type="${r.verdict}" message="${msg}">${body}</failure>`);
          } else if (r.verdict === 'error') out.push(`      <error message="${msg}"/>`);
          else if (r.verdict === 'skip') out.push(`      <skipped message="${msg}"/>`);
          else if (r.verdict === 'deviation') out.push(`      <system-out>documented deviation: ${esc(r.deviations?.join(', ') ?? '')}</system-out>`);
          out.push('    </testcase>');
        }
        out.push('  </testsuite>');
      }
      out.push('</testsuites>');
      return out.join('\n') + '\n';
    },
  };
}

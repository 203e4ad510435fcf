// CONFORMANCE.md from results: the group × implementation table, deviations and known failures
// one line each with a count and an example, and a detail page per implementation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCatalog } from '../../../language/loader/catalog.js';
import type { KnownFailures } from '../../../language/loader/known.js';
import type { Result, ResultsFile } from '../../../language/schema/results.js';
import { renderImplementationPage } from '../../../results/conformance/page.js';
import { countsCell, renderConformance } from '../../../results/conformance/summary.js';
import { summarise } from '../../../results/results.js';

const r = (adapter: string, scenario: string, verdict: Result['verdict'], over: Partial<Result> = {}): Result => ({
  scenario, id: scenario.replace(/\[.*$/, ''), file: `suites/${scenario.replace(/\[.*$/, '')}.yaml`, behaviour: [], adapter, variant: 'default', verdict, steps: [], ms: 1, ...over,
});
const results = [
  r('kernel', 'rename/dir-lower', 'deviation', { deviations: ['DEV-RENAME-DIR-EXDEV'] }),
  r('kernel', 'rename/file', 'pass'),
  r('fuse-overlayfs', 'rename/dir-lower', 'deviation', { deviations: ['DEV-RENAME-DIR-EXDEV'] }),
  r('fuse-overlayfs', 'rename/file', 'fail', { reason: 'step 2 (rename, line 9): failed with EIO, expected success', known: { id: 'KF-T', outcome: 'known' } }),
  r('fuse-overlayfs', 'names/long[x=1]', 'fail', { reason: 'step 1 (stat, line 5): failed with ENOENT, expected ENAMETOOLONG' }),
  r('fuse-overlayfs', 'xattr/set', 'skip', { reason: 'needs xattr' }),
];
const file: ResultsFile = {
  format: 'overlay-conformance-results', formatVersion: 2,
  environment: { suite: { name: 'overlay-conformance', version: '0', hash: 'h', scenarios: 6 }, host: { kernel: '6.1', node: 'v20', platform: 'linux', arch: 'x64', hostname: 'h', uid: 0, cpus: 2 }, argv: [], startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:01:00Z', variants: {} },
  results, loadErrors: [], summary: summarise(results),
};
const known: KnownFailures = new Map([['fuse-overlayfs', [{ id: 'KF-T', implementation: 'fuse-overlayfs', title: 'rename of a file fails with EIO', ref: 'https://example.invalid/1', scenarios: ['rename/file'], verdict: 'fail', flaky: false, at: 'x:1' }]]]);
const coverage = { total: 10, covered: ['a'], uncovered: [] };

test('a table cell counts verdicts and leaves zeros out', () => {
  assert.is(countsCell(results.filter((x) => x.adapter === 'fuse-overlayfs')), '1 dev · 1 known · 1 **FAIL** · 1 skip');
});

test('the summary has a group × implementation table and one line per deviation and known failure', () => {
  const doc = renderConformance({ file, catalog: loadCatalog(), known, coverage, verdictsFile: 'conformance/verdicts.tsv', verdictHash: 'abc' });
  assert.match(doc, /\| group \| kernel \| fuse-overlayfs \|/);
  assert.match(doc, /\| rename \| 1 pass · 1 dev \| 1 dev · 1 known \|/);
  assert.match(doc, /- \*\*DEV-RENAME-DIR-EXDEV\*\* — .*: 1 run on 1 variant\(s\), e\.g\. \[rename\/dir-lower\]/);
  assert.match(doc, /- \*\*KF-T\*\* — rename of a file fails with EIO: 1 run, e\.g\. \[rename\/file\]\(suites\/rename\/file\.yaml\) \(\[ref\]\(https:\/\/example\.invalid\/1\)\)/);
  assert.match(doc, /### Unexpected results \(by cause\)\n\n- stat: failed with ENOENT, expected ENAMETOOLONG: 1 run/);
  assert.match(doc, /- needs xattr: 1/);
  assert.match(doc, /\(hash `abc`\)/, 'matrix --check reads the hash');
});

test('the summary lists an implementation\'s 15 largest known failures and points to its page for the rest', () => {
  const many = Array.from({ length: 20 }, (_, i) => r('mhddfs', `group/s${i}`, 'fail', { known: { id: `KF-M${i}`, outcome: 'known' } }));
  const big: ResultsFile = { ...file, results: many, summary: summarise(many) };
  const kf: KnownFailures = new Map([['mhddfs', many.map((x, i) => ({ id: `KF-M${i}`, implementation: 'mhddfs', title: `bug ${i}`, ref: 'r', scenarios: [x.scenario], verdict: 'fail' as const, flaky: false, at: 'x:1' }))]]);
  const doc = renderConformance({ file: big, catalog: loadCatalog(), known: kf, coverage, verdictsFile: 'conformance/verdicts.tsv', verdictHash: 'abc' });
  assert.is((doc.match(/^- \*\*KF-M\d+\*\*/gm) ?? []).length, 15);
  assert.match(doc, /- … 5 more known failures \(5 runs\): see \[conformance\/mhddfs\.md\]\(conformance\/mhddfs\.md\)/);
  const page = renderImplementationPage(big, 'mhddfs', loadCatalog(), kf);
  assert.is((page.match(/^#### KF-M\d+/gm) ?? []).length, 20, 'the page keeps every one');
});

test('the implementation page lists every run of a known failure with its reference', () => {
  const page = renderImplementationPage(file, 'fuse-overlayfs', loadCatalog(), known);
  assert.match(page, /#### KF-T — rename of a file fails with EIO\n\n- \*\*Reference:\*\* \[https:\/\/example\.invalid\/1\]/);
  assert.match(page, /- \*\*Runs \(1\):\*\* `rename\/file`/);
  assert.match(page, /\*\*stat: failed with ENOENT, expected ENAMETOOLONG\*\* \(1\): `names\/long\[x=1\]`/);
});

test.run();

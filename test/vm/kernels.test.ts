import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diffResults } from '../../results/diff/compare.js';
import { validateResults } from '../../results/results.js';
import { labelResults, splitLabel, unlabelResults } from '../../vm/label.js';
import { mergeKernels, type KernelRun } from '../../vm/kernels.js';
import { crossKernelTable } from '../../vm/table.js';
import { file, result, step } from '../results/diff/make.js';

const refused = (s: string) => result(s, { variant: 'metacopy=on', verdict: 'skip', reason: 'variant unavailable: the kernel refused the mount: EINVAL' });
const k510 = file([
  result('rename/dir', { verdict: 'deviation', deviations: ['DEV-EXDEV'], steps: [step(0, 'rename', { ok: false, errno: 'EXDEV' }, 'DEV-EXDEV')] }),
  result('xattr/user', { verdict: 'fail', failure: { message: 'expected ok', file: 'f' }, steps: [step(0, 'setxattr', { ok: false, errno: 'EPERM' }, null)] }),
  result('same/everywhere'),
  refused('rename/dir'), refused('xattr/user'), refused('same/everywhere'),
], { kernel: '5.10.0-46-amd64' });
const k618 = file([
  result('rename/dir', { verdict: 'deviation', deviations: ['DEV-EXDEV'], steps: [step(0, 'rename', { ok: false, errno: 'EXDEV' }, 'DEV-EXDEV')] }),
  result('xattr/user'),
  result('same/everywhere'),
  result('rename/dir', { variant: 'metacopy=on' }), result('xattr/user', { variant: 'metacopy=on' }), result('same/everywhere', { variant: 'metacopy=on' }),
], { kernel: '6.18.44' });
const run = (release: string, f: ReturnType<typeof file>): KernelRun => ({ request: release, release, status: 0, prepareS: 1, runS: 2, file: f, runLog: '' });

test('labels put the release after the adapter name and come off again', () => {
  assert.equal(splitLabel('kernel@6.1.0-57-amd64'), { adapter: 'kernel', release: '6.1.0-57-amd64' });
  assert.equal(splitLabel('kernel'), { adapter: 'kernel' });
  const l = labelResults(k510, '5.10.0-46-amd64');
  assert.ok(l.results.every((r) => r.adapter === 'kernel@5.10.0-46-amd64'));
  assert.equal(Object.keys(l.environment.variants).sort(), ['kernel@5.10.0-46-amd64/default', 'kernel@5.10.0-46-amd64/metacopy=on']);
  assert.equal(unlabelResults(l, '5.10.0-46-amd64'), k510);
});

test('a matrix merges into one valid file with each kernel kept apart, and a kernel can be diffed out of it', () => {
  const m = mergeKernels([run('5.10.0-46-amd64', k510), run('6.18.44', k618)], ['vm'])!;
  assert.equal(m.problems, []);
  assert.equal(validateResults(m.merged), []);
  assert.is(m.merged.results.length, 12);
  const back = diffResults(unlabelResults(m.merged, '5.10.0-46-amd64'), unlabelResults(m.merged, '6.18.44')).map((c) => `${c.kind} ${c.variant} ${c.scenario ?? ''}`);
  assert.ok(back.includes('newly-passing kernel/default xattr/user'), back.join('\n'));
  assert.ok(back.includes('no-longer-skipped kernel/metacopy=on rename/dir'), back.join('\n'));
});

test('the cross-kernel table lists refused variants with the reason and only the scenarios that differ', () => {
  const m = mergeKernels([run('6.18.44', k618), run('5.10.0-46-amd64', k510)], ['vm'])!;
  const md = crossKernelTable(m.merged, { source: 'm.json' });
  assert.match(md, /Kernels: `5\.10\.0-46-amd64`, `6\.18\.44`/);
  assert.match(md, /\| kernel\/metacopy=on \| refused: the kernel refused the mount: EINVAL \| ok \|/);
  assert.match(md, /\| \[xattr\/user\]\(\.\.\/suites\/xattr\/x\.yaml\) \| default \| fail; setxattr \(line 10\): EPERM \| pass; stat \(line 10\): ok \|/);
  assert.not.match(md, /same\/everywhere/);
  assert.not.match(md, /\[rename\/dir\]/);
});

test.run();

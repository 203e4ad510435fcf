import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { diffResults } from '../../../results/diff/compare.js';
import { environmentRows } from '../../../results/diff/environment.js';
import { describeObservation, observationKey } from '../../../results/diff/observe.js';
import { readResults, ResultsFileError } from '../../../results/diff/read.js';
import { renderDiff, type DiffReport } from '../../../results/diff/render.js';
import { diffCommand } from '../../../cli/diff.js';
import { file, result, step } from './make.js';

const dir = mkdtempSync(join(tmpdir(), 'ovlconf-diff-test-'));
const old = file([result('a/x'), result('a/y')], { kernel: '5.10.0-46-amd64' });
const neu = file([result('a/x', { verdict: 'fail', failure: { message: 'boom', file: 'f' } }), result('a/y', { verdict: 'deviation', deviations: ['DEV-Q'] })], { kernel: '6.18.44' });

function report(): DiffReport {
  const changes = diffResults(old, neu);
  return { old: 'old.json', new: 'new.json', changes, environment: environmentRows(old, neu), failOn: ['newly-failing'], failing: 1 };
}

test('the pretty report groups changes by kind and shows the kernels side by side', () => {
  const t = renderDiff('pretty', report());
  assert.match(t, /host\s+kernel\s+5\.10\.0-46-amd64 → 6\.18\.44/);
  assert.match(t, /Newly failing \(1\) \[fails the check\]:\n  kernel\/default a\/x: pass → fail: boom/);
  assert.match(t, /Deviation appeared \(1\):\n  kernel\/default a\/y/);
});

test('the markdown report has one table per kind and links each scenario to its file', () => {
  const t = renderDiff('markdown', report());
  assert.match(t, /## Newly failing \(1\)/);
  assert.match(t, /\| kernel\/default \| \[a\/x\]\(suites\/a\/x\.yaml\) \| pass → fail: boom \|/);
});

test('the json report counts changes per kind', () => {
  const j = JSON.parse(renderDiff('json', report()));
  assert.equal(j.counts, { 'newly-failing': 1, 'deviation-appeared': 1, 'fingerprint-changed': 1 });
  assert.is(j.changes.length, 3);
});

test('a refused variant\'s skips collapse into one line per variant and reason, few skips stay listed', () => {
  const many = Array.from({ length: 6 }, (_, i) => result(`a/s${i}`, { verdict: 'skip', reason: 'variant unavailable: refused' }));
  const a = file([...many, result('b/one', { verdict: 'skip', reason: 'needs chown' })]);
  const b = file([...many.map((r) => ({ ...r, verdict: 'pass' as const, reason: undefined })), result('b/one')]);
  const t = renderDiff('pretty', { old: 'a', new: 'b', changes: diffResults(a, b), environment: [], failOn: [], failing: 0 });
  assert.match(t, /No longer skipped \(7\):\n  kernel\/default 6 scenarios \(a\/s0, a\/s1, …\): 6 scenarios skip → pass \(was: variant unavailable: refused\)\n  kernel\/default b\/one: skip → pass/);
});

test('observations are described briefly and compared without volatile fields', () => {
  assert.is(describeObservation({ ok: false, errno: 'EXDEV' }), 'EXDEV');
  assert.is(describeObservation({ ok: true, value: { stat: { type: 'file', mode: 0o644, ino: '5', size: 3 } } }), 'ok mode=0644 size=3 type="file"');
  assert.is(observationKey({ ok: true, value: { entries: [{ name: 'b', ino: '1' }, { name: 'a', ino: '2' }] } }), observationKey({ ok: true, value: { entries: [{ name: 'a', ino: '7' }, { name: 'b', ino: '8' }] } }));
});

test('which batch of a directory stream an entry came in is not compared, only how many came back', () => {
  const batch = (names: string[]) => ({ ok: true as const, value: { entries: names.map((name) => ({ name, type: 'file' })) } });
  assert.is(observationKey(batch(['a', 'b']), 'readdirNext'), observationKey(batch(['c', 'd']), 'readdirNext'));
  assert.is.not(observationKey(batch(['a', 'b']), 'readdirNext'), observationKey(batch(['a']), 'readdirNext'));
  assert.is.not(observationKey(batch(['a', 'b']), 'readdir'), observationKey(batch(['c', 'd']), 'readdir'));
});

test('a variant one side never started shows as one fingerprint row, not every field', () => {
  const a = file([result('a/x', { variant: 'refused', verdict: 'skip', reason: 'variant unavailable: x' })]);
  a.environment.variants = {};
  const rows = environmentRows(a, file([result('a/x', { variant: 'refused' })], { kernel: '6.18.44' })).filter((r) => r.scope === 'kernel/refused');
  assert.equal(rows.map((r) => [r.field, r.old, r.new]), [['fingerprint', '—', 'kernel 6.18.44']]);
});

test('a file that is not a results document is rejected with its name and the schema problem', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ format: 'something-else' }));
  assert.throws(() => readResults(bad), (e: Error) => e instanceof ResultsFileError && e.message.startsWith(`${bad}: not a valid overlay-conformance results file`));
  const notJson = join(dir, 'notjson.json');
  writeFileSync(notJson, '{');
  assert.throws(() => readResults(notJson), new RegExp(`${notJson}: not JSON`));
  assert.throws(() => readResults(join(dir, 'missing.json')), /missing\.json: cannot read \(ENOENT\)/);
});

test('gzipped results files are read like plain ones', () => {
  const p = join(dir, 'r.json.gz');
  writeFileSync(p, gzipSync(JSON.stringify(old)));
  assert.equal(readResults(p).results.length, 2);
});

test('ovlconf diff exits 1 on a newly failing scenario and 0 when --fail-on leaves it out', async () => {
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  writeFileSync(a, JSON.stringify(old));
  writeFileSync(b, JSON.stringify(neu));
  const out = join(dir, 'out.md');
  assert.is(await diffCommand([a, b, '--out', out, '--reporter', 'markdown']), 1);
  assert.is(await diffCommand([a, b, '--out', out, '--fail-on', 'newly-xpass']), 0);
  assert.is(await diffCommand([a, b, '--out', out, '--fail-on', 'deviation-appeared']), 1);
});

test('ovlconf diff names the invalid input and exits 1', async () => {
  const a = join(dir, 'a2.json');
  writeFileSync(a, JSON.stringify(old));
  const bad = join(dir, 'bad2.json');
  writeFileSync(bad, JSON.stringify({ ...neu, formatVersion: 9 }));
  const errs: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (errs.push(String(s)), true)) as typeof process.stderr.write;
  try {
    assert.is(await diffCommand([a, bad]), 1);
  } finally {
    process.stderr.write = orig;
  }
  assert.match(errs.join(''), new RegExp(`${bad}: not a valid overlay-conformance results file`));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

// Results files are read with a size cap: a gzip bomb is a clear error, not an exhausted runner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readResults, ResultsFileError } from '../../../results/diff/read.js';
import { file, result, step } from './make.js';

const dir = mkdtempSync(join(tmpdir(), 'read-test-'));

test('a .gz that expands past the limit is refused with the file name, before it is parsed', () => {
  const f = join(dir, 'bomb.json.gz');
  writeFileSync(f, gzipSync(Buffer.alloc(4 << 20, 0x20)));
  assert.throws(() => readResults(f, 1 << 20), (e: Error) => e instanceof ResultsFileError && e.message === `${f}: expands to more than 1048576 bytes, the limit of a results file`);
});

test('a plain file past the limit is refused before it is read', () => {
  const f = join(dir, 'big.json');
  writeFileSync(f, ' '.repeat((1 << 20) + 1));
  assert.throws(() => readResults(f, 1 << 20), /big\.json: holds more than 1048576 bytes/);
});

test('a format-1 file (steps numbered from 0 as index) is read as format 2, its steps numbered from 1', () => {
  const f = join(dir, 'v1.json');
  const v2 = file([result('a/x', { verdict: 'fail', steps: [step(0, 'stat'), step(2, 'unlink', { ok: false, errno: 'EIO' }, null)] })]);
  const v1 = { ...v2, formatVersion: 1, results: v2.results.map((r) => ({ ...r, steps: r.steps.map(({ step: n, ...s }) => ({ index: n - 1, ...s })) })) };
  writeFileSync(f, JSON.stringify(v1));
  const read = readResults(f);
  assert.is(read.formatVersion, 2);
  assert.equal(read.results[0].steps.map((s) => [s.step, s.op]), [[1, 'stat'], [3, 'unlink']]);
});

test('a format this reader does not know is refused with the file name', () => {
  const f = join(dir, 'v9.json');
  writeFileSync(f, JSON.stringify({ ...file([result('a/x')]), formatVersion: 9 }));
  assert.throws(() => readResults(f), (e: Error) => e instanceof ResultsFileError && e.message.startsWith(`${f}: not a valid overlay-conformance results file`));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

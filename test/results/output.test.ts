// Output files are checked before a run and written whole or not at all.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutput, OutputError, writeOutput } from '../../results/output.js';

const dir = mkdtempSync(join(tmpdir(), 'output-test-'));

test('an output is written whole, replacing the previous file, with no temporary file left', () => {
  const f = join(dir, 'r.json');
  writeFileSync(f, 'old');
  writeOutput(f, '{"new":true}');
  assert.is(readFileSync(f, 'utf8'), '{"new":true}');
  writeOutput(f, Buffer.from([1, 2, 3]));
  assert.equal([...readFileSync(f)], [1, 2, 3]);
  assert.equal(readdirSync(dir), ['r.json']);
});

test('an output in a missing directory or onto a directory is refused before any work', () => {
  assert.throws(() => checkOutput(join(dir, 'nope', 'r.json')), (e: Error) => e instanceof OutputError && /nope: the directory does not exist \(ENOENT\)/.test(e.message));
  mkdirSync(join(dir, 'd'));
  assert.throws(() => checkOutput(join(dir, 'd')), /cannot write .*d: it is a directory/);
  checkOutput(join(dir, 'fine.json'));
  assert.not.ok(readdirSync(dir).includes('fine.json'), 'the check leaves no file behind');
});

test('a failed write names the cause and leaves the previous file unchanged', () => {
  mkdirSync(join(dir, 'd2'));
  // a directory where the file would go: rename onto it fails after the temporary file is written
  assert.throws(() => writeOutput(join(dir, 'd2'), 'x'), (e: Error) => e instanceof OutputError && /cannot write .*d2: .*the previous file is left unchanged/.test(e.message));
  assert.equal(readdirSync(join(dir, 'd2')), []);
  assert.not.ok(readdirSync(dir).some((n) => n.endsWith('.tmp')), 'no temporary file is left');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

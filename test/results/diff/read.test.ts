// Results files are read with a size cap: a gzip bomb is a clear error, not an exhausted runner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readResults, ResultsFileError } from '../../../results/diff/read.js';

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

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentSourcesDigest, sourcesDigest, staleAgent } from '../../../adapters/host/agentsources.js';

test('The sources digest changes with any byte of a .c or .h file and ignores other files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovl-agentsrc-'));
  try {
    assert.is(sourcesDigest(dir), undefined);
    writeFileSync(join(dir, 'a.c'), 'int a;\n');
    writeFileSync(join(dir, 'a.h'), '#define X 1\n');
    const one = sourcesDigest(dir);
    assert.match(one ?? '', /^[0-9a-f]{16}$/);
    writeFileSync(join(dir, 'PROTOCOL.md'), 'notes');
    assert.is(sourcesDigest(dir), one);
    writeFileSync(join(dir, 'a.h'), '#define X 2\n');
    assert.is.not(sourcesDigest(dir), one);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('An agent built from other sources, or naming none, is refused with the command that fixes it', () => {
  assert.is(staleAgent('0123456789abcdef', '0123456789abcdef'), undefined);
  assert.match(staleAgent('0123456789abcdef', 'fedcba9876543210') ?? '', /built from 0123456789abcdef, the sources are fedcba9876543210\): run npm run build/);
  assert.match(staleAgent(undefined, 'fedcba9876543210') ?? '', /names no sources/);
  assert.match(staleAgent('none', 'fedcba9876543210') ?? '', /built from none/);
  // no sources beside the binary: nothing to compare with
  assert.is(staleAgent('0123456789abcdef', undefined), undefined);
});

test('This checkout\'s agent sources have a digest, the one the build wrote beside the binary', async () => {
  const { existsSync, readFileSync } = await import('node:fs');
  const { packageRoot } = await import('../../../language/root.js');
  const stamp = join(packageRoot(), 'agent', 'build', 'ovlagent.sources');
  if (!existsSync(stamp)) {
    console.log('  SKIP the build stamp check: the agent was not built here');
    return;
  }
  assert.is(readFileSync(stamp, 'utf8').trim(), agentSourcesDigest());
});

test.run();

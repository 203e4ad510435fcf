// tier: system
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../../../adapters/host/agent.js';
import { layerOptions, layout } from '../../../adapters/kernel/layout.js';
import { probeWith } from '../../../adapters/kernel/probe.js';
import { kernelVariant } from '../../../adapters/kernel/variants.js';
import { shortId } from '../../../adapters/kernel/docker.js';
import { skipping } from '../../helpers/env.js';

const def = kernelVariant('default')!;
const legacy = kernelVariant('legacy-mount')!;

test('kernels with lowerdir+ get one option per layer, absolute', () => {
  assert.equal(layerOptions(def, ['/s/l0', '/s/l1'], '/s/u', '/s/w'), ['lowerdir+=/s/l0', 'lowerdir+=/s/l1', 'upperdir=/s/u', 'workdir=/s/w']);
});

test('kernels before 6.8 get one lowerdir string with paths relative to the scenario directory (fsconfig values stop at 255 bytes)', () => {
  const lay = layout(def, '/sandbox/worker/s7', 's7', 3, true, undefined, 'lowerdir');
  assert.equal(lay.layerOptions, ['lowerdir=l0:l1:l2', 'upperdir=u', 'workdir=w']);
  assert.is(lay.cwd, '/sandbox/worker/s7');
});

test('the legacy mount string escapes colons and commas in layer paths', () => {
  assert.equal(layerOptions(legacy, ['/a:b', '/c,d']), ['lowerdir=/a\\:b:/c\\,d']);
});

test('data-only layers follow the lowers as datadir+ (6.8+), or after "::" in one lowerdir string', () => {
  assert.equal(layerOptions(def, ['/s/l0'], '/s/u', '/s/w', 'lowerdir+', undefined, ['/s/d0', '/s/d1']), ['lowerdir+=/s/l0', 'datadir+=/s/d0', 'datadir+=/s/d1', 'upperdir=/s/u', 'workdir=/s/w']);
  const lay = layout(def, '/sandbox/w/s1', 's1', 2, true, undefined, 'lowerdir', 2);
  assert.equal(lay.data, ['/sandbox/w/s1/d0', '/sandbox/w/s1/d1']);
  assert.equal(lay.layerOptions, ['lowerdir=l0:l1::d0::d1', 'upperdir=u', 'workdir=w']);
  assert.equal(layerOptions(legacy, ['/a'], undefined, undefined, 'lowerdir', undefined, ['/d:x']), ['lowerdir=/a::/d\\:x']);
  assert.ok(lay.prepare.some((r) => r.args?.path === '/sandbox/w/s1/d1'), 'the data directories are created with the others');
});

test('Docker short ids are 26 characters of base32 and stable', () => {
  assert.match(shortId('x'), /^[A-Z2-7]{26}$/);
  assert.is(shortId('x'), shortId('x'));
  assert.is.not(shortId('x'), shortId('y'));
});

if (skipping('mounting with both layer syntaxes', 'root', 'cc', 'overlay')) test.skip('both layer syntaxes mount');
else
  test('both ways of naming layers mount on this kernel and give the same effective options', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovlconf-syntax-'));
    mkdirSync(join(dir, 'a'));
    const agent = await startAgent({ sandbox: dir });
    try {
      const plus = await probeWith(agent, join(dir, 'a'), def, undefined, 'lowerdir+');
      const plain = await probeWith(agent, join(dir, 'a'), def, undefined, 'lowerdir');
      assert.ok(plus.ok && plain.ok, JSON.stringify([plus, plain]));
      if (plus.ok && plain.ok) {
        assert.equal(plus.fingerprint.options, plain.fingerprint.options);
        assert.is(plain.fingerprint.details?.layerSyntax, 'lowerdir');
      }
    } finally {
      await agent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

test.run();

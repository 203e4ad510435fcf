// Where a gVisor scenario's layers go and the mount(2) string that stacks them: the names gVisor's
// option parser takes (lowerdir split at every ':', no escapes), and what the sandbox needs to start.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gvisorLayout, layerOptions, overlayMountRequest, prepareRequests } from '../../../adapters/gvisor/layout.js';
import { openPath, runscArgv, stateDirOf } from '../../../adapters/gvisor/runsc.js';

test('A scenario with an upper has its lowers topmost first, an upper and a workdir, all beneath the scenario directory', () => {
  const lay = gvisorLayout('/s/r1', 2, true);
  assert.equal(lay.lowers, ['/s/r1/l0', '/s/r1/l1']);
  assert.equal(layerOptions(lay), ['lowerdir=/s/r1/l0:/s/r1/l1', 'upperdir=/s/r1/u', 'workdir=/s/r1/w']);
  assert.is(lay.merged, '/s/r1/m');
});

test('A read-only scenario names only its lowers', () => {
  const lay = gvisorLayout('/s/r2', 2, false);
  assert.is(lay.upper, undefined);
  assert.equal(layerOptions(lay), ['lowerdir=/s/r2/l0:/s/r2/l1']);
});

test('A layer path with a colon or comma is refused: gVisor splits lowerdir at every colon and has no escapes', () => {
  assert.throws(() => layerOptions(gvisorLayout('/s/a:b', 1, true)), /':' or ','/);
  assert.throws(() => layerOptions(gvisorLayout('/s/a,b', 1, true)), /':' or ','/);
});

test('The scenario directory becomes a tmpfs (legacy mount(2): gVisor has no fsopen) before its layer directories are made', () => {
  const lay = gvisorLayout('/s/r3', 1, true);
  const reqs = prepareRequests(lay);
  assert.equal(reqs[0], { op: 'mount', args: { fstype: 'tmpfs', source: 'tmpfs', target: '/s/r3', opt: ['mode=0755'], api: 'legacy' } });
  assert.equal(reqs.slice(1).map((r) => r.args?.path), ['/s/r3/l0', '/s/r3/u', '/s/r3/w', '/s/r3/m']);
  assert.equal(overlayMountRequest(lay).args?.api, 'legacy');
  assert.equal(overlayMountRequest(lay).args?.target, '/s/r3/m');
});

test('runsc runs on the ptrace platform without network or cgroups, and keeps its state in the worker directory', () => {
  const argv = runscArgv();
  assert.ok(argv.includes('--platform=ptrace'));
  assert.ok(argv.includes('--network=none'));
  assert.ok(argv.includes('--ignore-cgroups'));
  assert.is(argv[argv.indexOf('do') + 1], '--quiet');
  assert.is(stateDirOf('/x/w0'), '/x/w0/.runsc');
});

test('The directories from the run\'s 0700 scratch directory down to the state become searchable, and nothing above it is touched', () => {
  const outer = mkdtempSync(join(tmpdir(), 'gv-layout-test-'));
  try {
    const scratch = join(outer, `ovlconf-${process.pid}.123-abcdef`);
    const state = join(scratch, 'gvisor.default', 'w0', '.runsc');
    mkdirSync(state, { recursive: true, mode: 0o700 });
    chmodSync(scratch, 0o700);
    chmodSync(outer, 0o700);
    const closed = openPath(state, join(scratch, 'gvisor.default', 'w0'));
    assert.is(statSync(scratch).mode & 0o777, 0o711);
    assert.is(statSync(state).mode & 0o011, 0o011);
    assert.is(statSync(outer).mode & 0o777, 0o700, 'the directory above the scratch directory is left as it was');
    assert.is(closed, outer, 'and named as the one the sandbox cannot traverse');
  } finally {
    rmSync(outer, { recursive: true, force: true });
  }
});

test.run();

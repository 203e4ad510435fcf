// Layer building: an entry created in a set-group-ID directory or one with a default ACL is given
// the canonical owner and mode explicitly, so it does not inherit what its layer never said (the
// posix baseline flattened a setgid upper directory over a lower file, which took its group).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { materialise, noMarkers } from '../../../adapters/host/materialise.js';
import type { CanonTree } from '../../../language/canonical.js';

const attrsOf = (tree: CanonTree, path: string) => materialise(tree, noMarkers).filter((r) => (r.args as { path?: string }).path === path && (r.op === 'lchown' || r.op === 'chmod')).map((r) => [r.op, r.args]);

test('An entry in a setgid directory gets owner 0:0 and its default mode explicitly', () => {
  const tree: CanonTree = { d: { type: 'dir', mode: 0o2775, gid: 3000 }, 'd/old': { type: 'file', data: 'o' }, 'd/sub': { type: 'dir' } };
  assert.equal(attrsOf(tree, 'd/old'), [['lchown', { path: 'd/old', uid: 0, gid: 0 }], ['chmod', { path: 'd/old', mode: 0o644 }]]);
  assert.equal(attrsOf(tree, 'd/sub'), [['lchown', { path: 'd/sub', uid: 0, gid: 0 }], ['chmod', { path: 'd/sub', mode: 0o755 }]]);
});

test('An entry in a directory with a default ACL gets its mode explicitly; elsewhere nothing is added', () => {
  const acl: CanonTree = { d: { type: 'dir', xattrs: { 'system.posix_acl_default': { hex: '02000000' } } as never }, 'd/old': { type: 'file', data: 'o', mode: 0o600 } };
  assert.equal(attrsOf(acl, 'd/old'), [['lchown', { path: 'd/old', uid: 0, gid: 0 }], ['chmod', { path: 'd/old', mode: 0o600 }]]);
  assert.equal(attrsOf({ d: { type: 'dir' }, 'd/old': { type: 'file', data: 'o' } }, 'd/old'), []);
});

test.run();

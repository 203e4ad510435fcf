// BrowserFS's layer format: upper whiteouts become deletion-log paths, what an InMemory store
// cannot hold (set modes, owners, links, opaque directories) is a skip with the reason, and
// numeric open flags map to the flag strings its open() takes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { constants as C } from 'node:fs';
import { bfsOpenFlags } from '../../../adapters/browserfs/flags.js';
import { splitLayer } from '../../../adapters/browserfs/layers.js';

test('An upper whiteout becomes a deletion-log path and a lower one is dropped', () => {
  const up = splitLayer({ d: { type: 'dir' }, 'd/x': { type: 'whiteout' }, f: { type: 'file', data: 'f' } }, 'upper');
  assert.ok(up.ok);
  if (up.ok) {
    assert.equal(up.deleted, ['d/x']);
    assert.equal(Object.keys(up.tree).sort(), ['d', 'f']);
  }
  const low = splitLayer({ w: { type: 'whiteout' } }, 'lower');
  assert.ok(low.ok && low.deleted.length === 0 && Object.keys(low.tree).length === 0);
});

test('Set modes, owners, times, links and opaque upper directories are skips naming the entry', () => {
  const skip = (t: Parameters<typeof splitLayer>[0], role: 'lower' | 'upper' = 'lower') => {
    const r = splitLayer(t, role);
    return r.ok ? '' : r.skip;
  };
  assert.match(skip({ f: { type: 'file', data: 'x', mode: 0o600 } }), /no permission bits.*f needs mode 600/);
  assert.match(skip({ f: { type: 'file', data: 'x', uid: 1000 } }), /no owners/);
  assert.match(skip({ f: { type: 'file', data: 'x', mtime: '1000000000' } }), /no set times/);
  assert.match(skip({ s: { type: 'symlink', target: 'x' } }), /cannot hold the symlink at s/);
  assert.match(skip({ o: { type: 'dir', opaque: 'y' } }, 'upper'), /no opaque directories/);
  assert.is(skip({ f: { type: 'file', data: 'x', mode: 0o644 }, d: { type: 'dir', mode: 0o777 } }), '');
});

test('Open flags map to Node flag strings, and flags without one are refused with the reason', () => {
  assert.is(bfsOpenFlags(C.O_RDONLY), 'r');
  assert.is(bfsOpenFlags(C.O_RDWR | C.O_CREAT | C.O_TRUNC), 'w+');
  assert.is(bfsOpenFlags(C.O_WRONLY | C.O_CREAT | C.O_APPEND | 0o2000000), 'a');
  const no = bfsOpenFlags(C.O_WRONLY);
  assert.ok(typeof no === 'object' && /flag strings/.test(no.skip));
  assert.ok(typeof bfsOpenFlags(C.O_RDONLY | C.O_NOFOLLOW) === 'object');
});

test.run();

// The mount's state: what it derives from its layers (sameFs, kept between two reads) follows the layers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../../adapters/memory/clock.js';
import { newNode, type Fs } from '../../../adapters/memory/layer.js';
import { resolveOptions } from '../../../adapters/memory/options.js';
import { Mount } from '../../../adapters/memory/state.js';

test('Whether every layer is on one filesystem is answered again after the lower layers grow', () => {
  const ext4: Fs = { id: 0, type: 'ext4', nextIno: 2n };
  const tmpfs: Fs = { id: 1, type: 'tmpfs', nextIno: 2n };
  const dir = (fs: Fs) => newNode(fs, 'dir', 0o755, 0, 0, 0n);
  const m = new Mount(new Clock(), resolveOptions({}, false), null, [dir(ext4), dir(ext4)], ext4, [ext4, ext4]);
  assert.is(m.sameFs, true);
  assert.is(m.sameFs, true, 'asked twice, the same answer');
  m.lowers.push(dir(tmpfs));
  m.lowerFs.push(tmpfs);
  assert.is(m.sameFs, false, 'a lower on another filesystem');
  m.lowerFs = [tmpfs];
  m.lowers = [dir(tmpfs)];
  assert.is(m.sameFs, true, 'a new list of lowers, all on tmpfs');
  m.upper = dir(ext4);
  assert.is(m.sameFs, false, 'an upper layer on ext4 over them');
});

test.run();

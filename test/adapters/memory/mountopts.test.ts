// Mount options seen from outside the model: remount options laid over the requested ones, the
// mountinfo value, and an in-place reconfigure (SF-004).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fsidOf, layOptions, mountinfoValue, reconfigure } from '../../../adapters/memory/mountopts.js';
import { resolveOptions } from '../../../adapters/memory/options.js';

test('remount options replace the requested value of their name and keep the others', () => {
  assert.equal(layOptions({ index: 'on', redirect_dir: 'on' }, { index: 'off' }), { index: 'off', redirect_dir: 'on' });
});

test('a flag set off is dropped from the requested options', () => {
  assert.equal(layOptions({ userxattr: 'true', index: 'on' }, { userxattr: 'off' }), { index: 'on' });
});

test('mountinfo shows the options metacopy=on implies', () => {
  const v = mountinfoValue(resolveOptions({ metacopy: 'on' }, true), true, { metacopy: 'on' });
  assert.is(v.metacopy, 'on');
  assert.is(v.redirect_dir, 'on');
  assert.is(v.ro, 'off');
});

test('mountinfo of an overlay without upper is read-only', () => {
  assert.is(mountinfoValue(resolveOptions({}, false), false, {}).ro, 'on');
});

test('the new mount API refuses overlay options on reconfigure; the legacy remount ignores them', () => {
  const c = resolveOptions({}, true);
  const r = reconfigure(c, true, { options: { redirect_dir: 'on' }, api: 'new' });
  assert.equal(r.ok ? 'ok' : 'errno' in r ? r.errno : 'other', 'EINVAL');
  assert.ok(reconfigure(c, true, { options: { redirect_dir: 'on' }, api: 'legacy' }).ok);
});

test('switching an overlay without upper to read-write is EROFS', () => {
  const r = reconfigure(resolveOptions({}, false), false, { readonly: false });
  assert.equal(r.ok ? 'ok' : 'errno' in r ? r.errno : 'other', 'EROFS');
});

test('f_fsid is the upper filesystem\'s with uuid=off or null, the overlay\'s own otherwise (SF-002)', () => {
  assert.is(fsidOf('off', true, '0x1'), '0x1');
  assert.is(fsidOf('null', true, '0x1'), '0x1');
  assert.is.not(fsidOf('on', true, '0x1'), '0x1');
  assert.is.not(fsidOf(undefined, true, '0x1'), '0x1');
  assert.is(fsidOf('on', false, '0x1'), '0x1');
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listCpio, writeCpio } from '../../vm/cpio.js';
import { initramfsManifest, manifestHash, moduleFile } from '../../vm/initramfs.js';
import { BASE_MODULES, checkEssential, EXT4_MODULES, moduleName, parseBuiltin, parseModulesDep, planModules } from '../../vm/modules.js';

// modules.dep of a 6.1-like kernel (virtio as modules, fscache separate) and of a 6.12-like one (.ko.xz, virtio built in)
const DEP_61 = `kernel/drivers/virtio/virtio.ko:
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio_pci_modern_dev.ko:
kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
kernel/net/9p/9pnet.ko:
kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
kernel/fs/netfs/netfs.ko:
kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
kernel/fs/9p/9p.ko: kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko kernel/net/9p/9pnet.ko
kernel/fs/overlayfs/overlay.ko:
kernel/lib/crc16.ko:
kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko
kernel/crypto/crc32c_generic.ko:
kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
`;
const DEP_612 = `kernel/net/9p/9pnet.ko.xz:
kernel/net/9p/9pnet_virtio.ko.xz: kernel/net/9p/9pnet.ko.xz
kernel/fs/netfs/netfs.ko.xz:
kernel/fs/9p/9p.ko.xz: kernel/fs/netfs/netfs.ko.xz kernel/net/9p/9pnet.ko.xz
kernel/fs/overlayfs/overlay.ko.xz:
`;
const BUILTIN_612 = 'kernel/drivers/virtio/virtio.ko\nkernel/drivers/virtio/virtio_ring.ko\nkernel/drivers/virtio/virtio_pci.ko\n';

test('module names drop the directory and compression suffix and use underscores', () => {
  assert.is(moduleName('kernel/fs/9p/9p.ko.xz'), '9p');
  assert.is(moduleName('kernel/crypto/crc32c-generic.ko'), 'crc32c_generic');
  assert.is(moduleFile('kernel/fs/overlayfs/overlay.ko.zst'), 'overlay.ko');
});

test('modules load after their dependencies, each once, in the order they are wanted', () => {
  const plan = planModules(BASE_MODULES, parseModulesDep(DEP_61), new Set());
  const names = plan.load.map(moduleName);
  assert.equal(new Set(names).size, names.length);
  for (const [before, after] of [['virtio', 'virtio_pci'], ['9pnet', '9pnet_virtio'], ['netfs', 'fscache'], ['fscache', '9p'], ['virtio_pci_modern_dev', 'virtio_pci']]) {
    assert.ok(names.indexOf(before) < names.indexOf(after), `${before} before ${after}`);
  }
  assert.equal(plan.absent, []);
});

test('built-in modules are not loaded, absent ones are listed, and a kernel without 9p or overlay is refused', () => {
  const plan = planModules([...BASE_MODULES, ...EXT4_MODULES], parseModulesDep(DEP_612), parseBuiltin(BUILTIN_612));
  assert.equal(plan.builtin.sort(), ['virtio', 'virtio_pci', 'virtio_ring']);
  assert.ok(plan.absent.includes('fscache'));
  assert.ok(plan.load.every((p) => p.endsWith('.ko.xz')));
  checkEssential(plan, '6.12');
  const bare = planModules(BASE_MODULES, parseModulesDep('kernel/fs/9p/9p.ko:\n'), new Set());
  assert.throws(() => checkEssential(bare, '9.9'), /kernel 9\.9 has neither a module nor a built-in for 9pnet_virtio, overlay/);
});

test('the initramfs holds busybox, /init, the load list and every module decompressed under /modules', () => {
  const plan = planModules(BASE_MODULES, parseModulesDep(DEP_612), parseBuiltin(BUILTIN_612));
  const m = initramfsManifest({ busybox: '/bin/busybox', plan, moduleRoot: '/c/tree/lib/modules/6.12' });
  const byPath = new Map(m.map((e) => [e.path, e]));
  assert.is(byPath.get('bin/busybox')?.source, '/bin/busybox');
  assert.is(byPath.get('init')?.mode, 0o755);
  assert.match(byPath.get('init')!.text!, /^#!\/bin\/busybox sh/);
  assert.is(byPath.get('modules.list')?.text, '9pnet.ko\n9pnet_virtio.ko\nnetfs.ko\n9p.ko\noverlay.ko\n');
  assert.equal(byPath.get('modules/overlay.ko'), { path: 'modules/overlay.ko', type: 'file', mode: 0o644, source: '/c/tree/lib/modules/6.12/kernel/fs/overlayfs/overlay.ko.xz', decompress: 'xz' });
  assert.is(byPath.get('dev/console')?.type, 'chr');
  assert.is(manifestHash(m, 1), manifestHash(structuredClone(m), 1));
  assert.is.not(manifestHash(m, 1), manifestHash(m, 2));
});

test('the cpio writer produces newc records the reader lists back, padded to 512 bytes', () => {
  const buf = writeCpio([
    { path: 'bin', type: 'dir', mode: 0o755 },
    { path: 'bin/sh', type: 'symlink', mode: 0o777, target: 'busybox' },
    { path: 'init', type: 'file', mode: 0o755, data: Buffer.from('#!/bin/sh\necho hi\n') },
  ]);
  assert.is(buf.length % 512, 0);
  assert.is(buf.toString('ascii', 0, 6), '070701');
  assert.equal(listCpio(buf), [
    { path: 'bin', mode: 0o040755, size: 0 },
    { path: 'bin/sh', mode: 0o120777, size: 7 },
    { path: 'init', mode: 0o100755, size: 18 },
  ]);
  assert.ok(buf.includes(Buffer.from('TRAILER!!!')));
});

test.run();

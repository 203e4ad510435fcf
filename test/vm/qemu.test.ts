import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initScript, jobScript, kernelCmdline, shQuote } from '../../vm/guest.js';
import { guestRunArgv } from '../../vm/job.js';
import { phaseOf } from '../../vm/progress.js';
import { chooseAccel, qemuArgv } from '../../vm/qemu.js';
import { installHint, isStaticElf, requireTools } from '../../vm/tools.js';
import { bzImageRelease, isElf64, payloadCandidates } from '../../vm/vmlinux.js';

const base = {
  accel: 'tcg' as const, vmlinux: '/c/vmlinux', initramfs: '/c/i.cpio', cmdline: 'console=ttyS0', memoryMiB: 2048,
  shares: [{ tag: 'hostroot', path: '/', readonly: true }, { tag: 'job', path: '/c/runs/j1', readonly: false }],
};

test('the QEMU command line boots the ELF kernel with no default devices, serial on stdio and no reboot', () => {
  const a = qemuArgv({ ...base, disk: '/c/d.img' });
  assert.is(a[0], 'qemu-system-x86_64');
  const pairs = (flag: string) => a.flatMap((x, i) => (x === flag ? [a[i + 1]] : []));
  assert.equal(pairs('-accel'), ['tcg']);
  assert.equal(pairs('-cpu'), ['max']);
  assert.equal(pairs('-kernel'), ['/c/vmlinux']);
  assert.equal(pairs('-initrd'), ['/c/i.cpio']);
  assert.equal(pairs('-serial'), ['stdio']);
  for (const f of ['-nodefaults', '-no-reboot']) assert.ok(a.includes(f), f);
  assert.equal(pairs('-virtfs'), [
    'local,path=/,mount_tag=hostroot,security_model=none,multidevs=remap,readonly=on',
    'local,path=/c/runs/j1,mount_tag=job,security_model=none,multidevs=remap',
  ]);
  assert.equal(pairs('-drive'), ['file=/c/d.img,format=raw,if=virtio,cache=unsafe']);
  assert.equal(qemuArgv({ ...base, accel: 'kvm' }).slice(1, 5), ['-accel', 'kvm', '-cpu', 'host']);
  assert.throws(() => qemuArgv({ ...base, shares: [{ tag: 'x', path: '/a,b', readonly: true }] }), /contains a comma/);
});

test('KVM is chosen only when /dev/kvm is usable and the CPU has vmx or svm', () => {
  assert.is(chooseAccel(true, 'flags : fpu vmx sse'), 'kvm');
  assert.is(chooseAccel(true, 'flags : fpu svm'), 'kvm');
  assert.is(chooseAccel(true, 'flags : fpu sse'), 'tcg');
  assert.is(chooseAccel(false, 'flags : vmx'), 'tcg');
});

test('the kernel command line carries the job path and filesystem for /init, quiet and without reboot on panic', () => {
  assert.is(kernelCmdline({ job: '/c/j', fs: 'ext4' }), 'console=ttyS0 quiet loglevel=1 panic=-1 rdinit=/init rcupdate.rcu_expedited=1 ovlconf.job=/c/j ovlconf.fs=ext4');
  assert.match(kernelCmdline({ job: '/c/j', fs: 'tmpfs', tree: '/tmp/co' }), /ovlconf\.tree=\/tmp\/co$/);
  assert.throws(() => kernelCmdline({ job: '/c/a b', fs: 'ext4' }), /white space/);
});

test('/init loads the modules, mounts the host root read-only with caching, checks every mount and powers off', () => {
  const s = initScript();
  assert.match(s, /insmod "\/modules\/\$m"/);
  assert.match(s, /mount -t 9p -o trans=virtio,version=9p2000\.L,ro,cache=loose,msize=262144 hostroot \/host \|\| fail/);
  assert.match(s, /mount -t ext4 \/dev\/vda \/host\/tmp \|\| fail/);
  assert.match(s, /cache=none,msize=262144 job "\/host\$JOB" \|\| fail/);
  assert.match(s, /chroot \/host \/bin\/sh "\$JOB\/job.sh"/);
  assert.match(s.trimEnd(), /poweroff -f$/);
});

test('the job script runs the suite with the host node in one process and writes its status last', () => {
  const s = jobScript({ node: '/usr/bin/node', root: '/work/main', job: '/c/j', argv: ['run', '--grep', 'a b'] });
  assert.match(s, /\/usr\/bin\/node \/work\/main\/bin\/ovlconf\.js run --grep 'a b' > \/c\/j\/run\.log 2>&1/);
  assert.match(s, /echo \$\? > \/c\/j\/status\.tmp && mv \/c\/j\/status\.tmp \/c\/j\/status/);
  assert.is(shQuote("it's"), `'it'\\''s'`);
  assert.not.match(s, /OVLCONF_CACHE_DIR/);
  // the host's cache directory, when it has one, is the guest's to read
  assert.match(jobScript({ node: '/usr/bin/node', root: '/work/main', job: '/c/j', argv: [], cacheDir: '/work/main/node_modules/.cache/ovlconf' }), /^export OVLCONF_CACHE_DIR=\/work\/main\/node_modules\/\.cache\/ovlconf$/m);
});

test('the guest run gets a JSON report on the job share, and --out/--reporter of the user are refused', () => {
  assert.equal(guestRunArgv(['ovlconf', 'run', '--adapter', 'kernel'], '/j'), ['run', '--adapter', 'kernel', '--reporter', 'json', '--out', '/j/results.json']);
  assert.equal(guestRunArgv([], '/j'), ['run', '--reporter', 'json', '--out', '/j/results.json']);
  assert.throws(() => guestRunArgv(['list'], '/j'), /expected "ovlconf run/);
  assert.throws(() => guestRunArgv(['run', '--out=x'], '/j'), /--out is set by ovlconf vm/);
});

test('console lines announce the guest phases', () => {
  assert.is(phaseOf('ovlconf-guest: phase run @12.3'), 'run');
  assert.is(phaseOf('ovlconf-guest: phase done @70'), 'collect');
  assert.is(phaseOf('[ 1.0] random line'), undefined);
});

test('missing programs are named together with one apt-get line that installs them', () => {
  assert.throws(() => requireTools(['qemu-system-x86_64', 'depmod', 'dpkg'], true, (n) => n === 'dpkg', () => undefined), (e: Error) =>
    /qemu-system-x86_64 \(boots the kernel\) — package qemu-system-x86/.test(e.message) && /busybox-static/.test(e.message) &&
    e.message.endsWith('Install them with: apt-get install -y qemu-system-x86 kmod busybox-static'));
  requireTools(['dpkg'], false, () => true);
  assert.is(installHint(['a', 'b', 'a']), 'apt-get install -y a b');
});

test('ELF headers tell a static binary from a dynamic one', () => {
  const elf = (interp: boolean) => {
    const b = Buffer.alloc(256);
    b.writeUInt32BE(0x7f454c46, 0);
    b[4] = 2;
    b.writeBigUInt64LE(64n, 32);
    b.writeUInt16LE(56, 54);
    b.writeUInt16LE(2, 56);
    b.writeUInt32LE(1, 64); // PT_LOAD
    b.writeUInt32LE(interp ? 3 : 1, 120);
    return b;
  };
  assert.is(isStaticElf(elf(false)), true);
  assert.is(isStaticElf(elf(true)), false);
  assert.is(isStaticElf(Buffer.from('#!/bin/sh\n'.padEnd(80))), undefined);
  assert.ok(isElf64(elf(false)));
});

test('a bzImage header yields its release, and compressed payloads are found in file order', () => {
  const bz = Buffer.alloc(0x2000);
  bz.write('HdrS', 0x202, 'latin1');
  bz.writeUInt16LE(0x300, 0x20e);
  bz.write('6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP\0', 0x500, 'latin1');
  assert.is(bzImageRelease(bz), '6.1.0-57-amd64');
  Buffer.from([0x1f, 0x8b, 0x08]).copy(bz, 0x1800);
  Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]).copy(bz, 0x1000);
  assert.equal(payloadCandidates(bz).map((c) => [c.format.name, c.offset]), [['xz', 0x1000], ['gzip', 0x1800]]);
  assert.is(bzImageRelease(Buffer.alloc(0x300)), undefined);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareVersions, parseKernelRequest, releaseOf, resolvePackages, sourcesList } from '../../vm/packages.js';
import { aptOptions } from '../../vm/kernel.js';

// package names as Debian's registry lists them (a sample of bullseye … sid)
const NAMES = [
  'linux-image-5.10.0-32-amd64-unsigned', 'linux-image-5.10.0-46-amd64-unsigned', 'linux-image-5.10.0-46-cloud-amd64-unsigned',
  'linux-image-6.1.0-9-amd64-unsigned', 'linux-image-6.1.0-57-amd64-unsigned', 'linux-image-6.1.0-0.deb11.52-amd64-unsigned', 'linux-image-6.1.0-57-amd64',
  'linux-image-6.12.117+deb12-amd64-unsigned', 'linux-image-6.12.118+deb13-amd64-unsigned', 'linux-image-6.12.115+deb13.1-amd64-unsigned',
  'linux-binary-unsigned-7.2.13+deb14-amd64', 'linux-modules-7.2.13+deb14-amd64', 'linux-image-7.2.13+deb14-amd64',
  'linux-binary-unsigned-7.3.1+deb14-amd64',
];

test('what --kernel names is classified as a series, a package, .deb files, a vmlinuz or the host', () => {
  assert.equal(parseKernelRequest('6.1'), { kind: 'series', series: '6.1', flavour: 'amd64' });
  assert.equal(parseKernelRequest('linux-image-6.1.0-57-amd64-unsigned'), { kind: 'package', name: 'linux-image-6.1.0-57-amd64-unsigned' });
  assert.equal(parseKernelRequest('a.deb+b/c.deb'), { kind: 'debs', paths: ['a.deb', 'b/c.deb'] });
  assert.equal(parseKernelRequest('/boot/vmlinuz-6.1.0-57-amd64'), { kind: 'vmlinuz', path: '/boot/vmlinuz-6.1.0-57-amd64' });
  assert.equal(parseKernelRequest('host'), { kind: 'host' });
  assert.throws(() => parseKernelRequest('bookworm'), /expected a series/);
});

test('a series resolves to its newest amd64 unsigned image, never a backport or another flavour', () => {
  assert.equal(resolvePackages(parseKernelRequest('5.10'), NAMES), { release: '5.10.0-46-amd64', packages: ['linux-image-5.10.0-46-amd64-unsigned'] });
  assert.equal(resolvePackages(parseKernelRequest('6.1'), NAMES), { release: '6.1.0-57-amd64', packages: ['linux-image-6.1.0-57-amd64-unsigned'] });
  assert.equal(resolvePackages(parseKernelRequest('6.12'), NAMES).release, '6.12.118+deb13-amd64');
});

test('sid kernels come as a split binary and modules pair, and a binary without modules is not usable', () => {
  assert.equal(resolvePackages(parseKernelRequest('7.2'), NAMES), { release: '7.2.13+deb14-amd64', packages: ['linux-binary-unsigned-7.2.13+deb14-amd64', 'linux-modules-7.2.13+deb14-amd64'] });
  assert.throws(() => resolvePackages(parseKernelRequest('7.3'), NAMES), /no amd64 kernel of series 7\.3/);
});

test('an exact package name resolves to itself, and an unknown one is an error naming it', () => {
  assert.equal(resolvePackages(parseKernelRequest('linux-image-6.1.0-9-amd64-unsigned'), NAMES).packages, ['linux-image-6.1.0-9-amd64-unsigned']);
  assert.throws(() => resolvePackages(parseKernelRequest('linux-image-6.1.0-99-amd64-unsigned'), NAMES), /no kernel package linux-image-6\.1\.0-99-amd64-unsigned/);
});

test('versions compare numerically piece by piece and releases come from package names', () => {
  assert.ok(compareVersions('6.1.0-9-amd64', '6.1.0-57-amd64') < 0);
  assert.ok(compareVersions('6.12.118+deb13', '6.12.117+deb12') > 0);
  assert.ok(compareVersions('5.10.0-46-amd64', '6.18.44-fc') < 0);
  assert.is(releaseOf('linux-binary-unsigned-7.2.13+deb14-amd64'), '7.2.13+deb14-amd64');
  assert.is(releaseOf('linux-image-6.1.0-57-amd64'), undefined);
});

test('the private apt state keeps sources, lists and caches under its own directory', () => {
  const o = aptOptions('/c/apt');
  for (const k of ['Dir::Etc::SourceList=/c/apt/sources.list', 'Dir::Etc::SourceParts=/c/apt/sources.list.d', 'Dir::State::Lists=/c/apt/lists', 'Dir::Cache=/c/apt/cache']) assert.ok(o.includes(k), k);
  assert.ok(o.every((x) => x === '-o' || !x.includes('/etc/apt')));
  assert.match(sourcesList(), /bullseye main[\s\S]*bookworm-security main[\s\S]*trixie main[\s\S]*sid main/);
});

test.run();

// Fetches and prepares one Debian kernel in the cache: apt-get download through a private apt
// state (the host's sources are never touched), dpkg -x, depmod -b, vmlinux extraction and the
// initramfs. Every product is cached; a second use of a kernel costs nothing.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { buildInitramfs, initramfsManifest, manifestHash } from './initramfs.js';
import { BASE_MODULES, checkEssential, EXT4_MODULES, parseBuiltin, parseModulesDep, planModules, type ModulePlan } from './modules.js';
import { parseKernelRequest, resolvePackages, sourcesList, type KernelRequest } from './packages.js';
import { staticBusybox } from './tools.js';
import { bzImageRelease, extractVmlinux } from './vmlinux.js';

/** A kernel ready to boot. */
export interface PreparedKernel {
  release: string;
  /** what the user asked for */
  request: string;
  vmlinux: string;
  initramfs: string;
  modules: ModulePlan;
  /** packages (or files) it came from */
  from: string[];
}

/** The default kernel cache (never /boot). */
export const defaultCache = () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ovlconf', 'kernels');

/** apt options that keep every list, cache and source file inside `state`. */
export function aptOptions(state: string): string[] {
  const o = (k: string, v: string) => ['-o', `${k}=${v}`];
  return [
    ...o('Dir::Etc::SourceList', join(state, 'sources.list')), ...o('Dir::Etc::SourceParts', join(state, 'sources.list.d')),
    ...o('Dir::Etc::Preferences', join(state, 'preferences')), ...o('Dir::Etc::PreferencesParts', join(state, 'preferences.d')),
    ...o('Dir::State::Lists', join(state, 'lists')), ...o('Dir::Cache', join(state, 'cache')), ...o('Acquire::Languages', 'none'),
  ];
}

function run(argv: string[], what: string, cwd?: string): string {
  const r = spawnSync(argv[0], argv.slice(1), { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  return r.stdout;
}

/** Create the private apt state, refreshing its package lists when older than `maxAgeH` hours. */
export function aptState(cache: string, log: (s: string) => void, maxAgeH = 24, force = false): string {
  const state = join(cache, 'apt');
  for (const d of ['sources.list.d', 'preferences.d', 'lists/partial', 'cache/archives/partial']) mkdirSync(join(state, d), { recursive: true });
  writeFileSync(join(state, 'sources.list'), sourcesList());
  const stamp = join(state, 'updated');
  const age = existsSync(stamp) ? (Date.now() - statSync(stamp).mtimeMs) / 3.6e6 : Infinity;
  if (force || age > maxAgeH) {
    log('updating the private package lists (bullseye … sid)');
    run(['apt-get', ...aptOptions(state), '-q', 'update'], 'apt-get update (private state; is the Debian mirror reachable?)');
    writeFileSync(stamp, new Date().toISOString() + '\n');
  }
  return state;
}

function packageNames(state: string): string[] {
  return run(['apt-cache', ...aptOptions(state), 'pkgnames', 'linux-'], 'apt-cache pkgnames').split('\n').filter(Boolean);
}

/** The .deb of `pkg` in the cache, downloading it when absent. */
function debFor(cache: string, state: string, pkg: string, log: (s: string) => void): string {
  const dir = join(cache, 'debs');
  mkdirSync(dir, { recursive: true });
  const have = () => readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!have()) {
    log(`downloading ${pkg}`);
    run(['apt-get', ...aptOptions(state), '-q', 'download', pkg], `apt-get download ${pkg}`, dir);
  }
  const f = have();
  if (!f) throw new Error(`apt-get download ${pkg} left no .deb in ${dir}`);
  return join(dir, f);
}

function unpack(debs: string[], tree: string): void {
  const tmp = `${tree}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const d of debs) run(['dpkg', '-x', d, tmp], `dpkg -x ${basename(d)}`);
  // sid ships modules under usr/lib/modules: give depmod and the manifest the classic path
  if (!existsSync(join(tmp, 'lib')) && existsSync(join(tmp, 'usr/lib/modules'))) symlinkSync('usr/lib', join(tmp, 'lib'));
  rmSync(tree, { recursive: true, force: true });
  renameSync(tmp, tree);
}

function releaseIn(tree: string): string {
  const rels = existsSync(join(tree, 'lib/modules')) ? readdirSync(join(tree, 'lib/modules')) : [];
  if (rels.length !== 1) throw new Error(`expected one lib/modules/<release> in the unpacked kernel, found ${rels.length ? rels.join(', ') : 'none'}`);
  return rels[0];
}

function findVmlinuz(tree: string, release: string): string {
  for (const p of [`boot/vmlinuz-${release}`, `lib/modules/${release}/vmlinuz`, `lib/modules/${release}/vmlinuz.unsigned`, `boot/vmlinux-${release}`]) if (existsSync(join(tree, p))) return join(tree, p);
  throw new Error(`no boot/vmlinuz-${release} in the unpacked kernel nor lib/modules/${release}/vmlinuz[.unsigned] (sid's linux-binary-unsigned-* package holds it)`);
}

/** Fetch (if needed) and prepare a kernel; `fs` decides whether the ext4 modules go in. */
export function prepareKernel(text: string, o: { cache?: string; fs: 'ext4' | 'tmpfs'; log: (s: string) => void; refresh?: boolean }): PreparedKernel {
  const cache = resolve(o.cache ?? defaultCache());
  mkdirSync(cache, { recursive: true });
  const req: KernelRequest = parseKernelRequest(text);
  let release: string;
  let tree: string;
  let vmlinuz: string;
  let from: string[];
  if (req.kind === 'host') throw new Error('the host kernel runs without a VM');
  if (req.kind === 'vmlinuz') {
    const img = readFileSync(req.path);
    release = bzImageRelease(img) ?? basename(req.path).replace(/^vmlinu[xz]-/, '');
    const candidates = [join(dirname(resolve(req.path)), '..', 'lib/modules', release), `/lib/modules/${release}`];
    tree = candidates.map((c) => resolve(c, '../../..')).find((t) => existsSync(join(t, 'lib/modules', release))) ?? join(cache, release, 'empty');
    mkdirSync(join(tree, 'lib/modules', release), { recursive: true });
    vmlinuz = resolve(req.path);
    from = [vmlinuz];
  } else {
    let debs: string[];
    if (req.kind === 'debs') debs = req.paths.map((p) => resolve(p));
    else {
      const state = aptState(cache, o.log, 24, o.refresh);
      let names = packageNames(state);
      let pk;
      try {
        pk = resolvePackages(req, names);
      } catch (e) {
        if (o.refresh) throw e;
        aptState(cache, o.log, 0, true); // the lists may be older than the package: refresh once
        names = packageNames(state);
        pk = resolvePackages(req, names);
      }
      debs = pk.packages.map((p) => debFor(cache, state, p, o.log));
    }
    from = debs.map((d) => basename(d));
    const key = join(cache, 'trees', from.map((f) => f.replace(/\.deb$/, '')).join('+'));
    if (!existsSync(join(key, '.unpacked'))) {
      o.log(`unpacking ${from.join(', ')}`);
      unpack(debs, key);
      writeFileSync(join(key, '.unpacked'), '');
    }
    tree = key;
    release = releaseIn(tree);
    vmlinuz = findVmlinuz(tree, release);
  }
  const modRoot = join(tree, 'lib/modules', release);
  if (existsSync(join(modRoot, 'kernel')) && !existsSync(join(modRoot, 'modules.dep'))) {
    o.log(`depmod -b for ${release}`);
    run(['depmod', '-b', tree, release], `depmod -b ${tree} ${release}`);
  }
  const dir = join(cache, 'prepared', release);
  mkdirSync(dir, { recursive: true });
  const vmlinux = join(dir, 'vmlinux');
  if (!existsSync(vmlinux) || statSync(vmlinux).mtimeMs < statSync(vmlinuz).mtimeMs) {
    o.log(`extracting vmlinux from ${basename(vmlinuz)}`);
    writeFileSync(vmlinux + '.tmp', extractVmlinux(readFileSync(vmlinuz)));
    renameSync(vmlinux + '.tmp', vmlinux);
  }
  const read = (f: string) => (existsSync(join(modRoot, f)) ? readFileSync(join(modRoot, f), 'utf8') : '');
  const plan = planModules([...BASE_MODULES, ...(o.fs === 'ext4' ? EXT4_MODULES : [])], parseModulesDep(read('modules.dep')), parseBuiltin(read('modules.builtin')));
  checkEssential(plan, release);
  const busybox = staticBusybox();
  if (!busybox) throw new Error('no statically linked busybox: apt-get install -y busybox-static');
  const manifest = initramfsManifest({ busybox, plan, moduleRoot: modRoot });
  const initramfs = join(dir, `initramfs-${o.fs}-${manifestHash(manifest, statSync(busybox).mtimeMs)}.cpio`);
  if (!existsSync(initramfs)) {
    o.log(`building the initramfs (${plan.load.length} modules)`);
    writeFileSync(initramfs + '.tmp', buildInitramfs(manifest));
    renameSync(initramfs + '.tmp', initramfs);
  }
  return { release, request: text, vmlinux, initramfs, modules: plan, from };
}

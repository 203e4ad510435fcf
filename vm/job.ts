// One suite run in one guest: the job share (job script in, results/status/log out), the disk
// the layers live on, the boot, and the verdict on how it ended (status, crash, timeout).

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../language/root.js';
import { jobScript, kernelCmdline } from './guest.js';
import type { PreparedKernel } from './kernel.js';
import { boot, qemuArgv, type BootOutcome } from './qemu.js';

/** How one guest run ended. */
export interface JobOutcome {
  release: string;
  /** the suite's exit status, or undefined when the guest never wrote one (crash, timeout) */
  status?: number;
  /** the results JSON text, when the guest wrote one */
  results?: string;
  /** why there is no status, in words */
  problem?: string;
  boot: BootOutcome;
  /** the suite's own stderr/stdout inside the guest */
  runLog: string;
  jobDir: string;
}

/** The `ovlconf run` argv the guest runs: the user's args, with a JSON report written to the job share. */
export function guestRunArgv(userArgs: string[], job: string): string[] {
  let a = [...userArgs];
  if (a[0] === 'ovlconf') a = a.slice(1);
  if (a.length === 0) a = ['run'];
  if (a[0] !== 'run') throw new Error(`after --, expected "ovlconf run …" (or "run …"), not ${JSON.stringify(a.join(' '))}`);
  for (const f of ['--out', '--reporter']) if (a.some((x) => x === f || x.startsWith(f + '='))) throw new Error(`${f} is set by ovlconf vm (the guest writes JSON to the job share); use ovlconf vm --out`);
  return [...a, '--reporter', 'json', '--out', `${job}/results.json`];
}

/** Make a sparse raw disk and format it ext4 on the host (the guest only mounts it). */
export function makeDisk(path: string, sizeMiB: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, sizeMiB * 1024 * 1024);
  closeSync(fd);
  const r = spawnSync('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', path], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`mkfs.ext4 ${path}: ${r.error?.message ?? r.stderr.trim()} (apt-get install -y e2fsprogs)`);
}

/** How to boot and what to run: the guest's run argv, limits, accelerator and where job directories go. */
export interface JobOptions {
  runArgs: string[];
  timeoutMs: number;
  fs: 'ext4' | 'tmpfs';
  accel: 'kvm' | 'tcg';
  memoryMiB: number;
  /** where job directories are made (not under /tmp: the guest mounts its own /tmp) */
  base: string;
  keep: boolean;
  onLine?: (l: string) => void;
}

/** Boot `k`, run the suite inside, and collect what came back. */
export async function runJob(k: PreparedKernel, o: JobOptions): Promise<JobOutcome> {
  mkdirSync(o.base, { recursive: true });
  const jobDir = mkdtempSync(join(o.base, `${k.release}-`));
  const root = packageRoot();
  const tree = root === '/tmp' || root.startsWith('/tmp/') ? root : undefined;
  try {
    const argv = guestRunArgv(o.runArgs, jobDir);
    writeFileSync(join(jobDir, 'job.sh'), jobScript({ node: process.execPath, root, job: jobDir, argv, cacheDir: process.env.OVLCONF_CACHE_DIR || undefined }), { mode: 0o755 });
    let disk: string | undefined;
    if (o.fs === 'ext4') {
      disk = join(jobDir, '..', `${jobDir.split('/').pop()}.img`);
      makeDisk(disk, 2048);
    }
    const shares = [{ tag: 'hostroot', path: '/', readonly: true }, { tag: 'job', path: jobDir, readonly: false }];
    if (tree) shares.push({ tag: 'tree', path: tree, readonly: true });
    const qargv = qemuArgv({
      accel: o.accel, vmlinux: k.vmlinux, initramfs: k.initramfs, memoryMiB: o.memoryMiB, shares, disk,
      cmdline: kernelCmdline({ job: jobDir, fs: o.fs, ...(tree ? { tree } : {}) }),
    });
    writeFileSync(join(jobDir, 'qemu.argv'), qargv.join('\n') + '\n');
    let b: BootOutcome;
    try {
      b = await boot(qargv, o.timeoutMs, o.onLine);
    } finally {
      if (disk) rmSync(disk, { force: true });
    }
    writeFileSync(join(jobDir, 'console.log'), b.console);
    const read = (f: string) => (existsSync(join(jobDir, f)) ? readFileSync(join(jobDir, f), 'utf8') : undefined);
    const statusText = read('status');
    const status = statusText !== undefined && /^\d+\s*$/.test(statusText) ? Number(statusText) : undefined;
    const guestFail = /ovlconf-guest: FAIL (.*)/.exec(b.console)?.[1];
    const problem = status !== undefined ? undefined
      : b.timedOut ? `timed out after ${Math.round(o.timeoutMs / 1000)} s (no status from the guest)`
      : guestFail ? `the guest could not start the run: ${guestFail}`
      : /Kernel panic/.test(b.console) ? `kernel panic: ${/Kernel panic[^\n]*/.exec(b.console)![0]}`
      : `the guest stopped without writing a status (crash?); QEMU exited ${b.qemuExit}`;
    return { release: k.release, status, results: read('results.json'), problem, boot: b, runLog: read('run.log') ?? '', jobDir };
  } finally {
    if (!o.keep) rmSync(jobDir, { recursive: true, force: true });
  }
}

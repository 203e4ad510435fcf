// Runs the suite on several kernels one after another (a VM each; `host` runs natively) and
// joins their results into one file, each kernel's adapters labelled with its release.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { release as hostRelease } from 'node:os';
import type { ResultsFile } from '../language/schema/results.js';
import { packageRoot } from '../language/root.js';
import { parseResults } from '../results/diff/read.js';
import { mergeResults, type MergeOutcome } from '../results/merge.js';
import { guestRunArgv, runJob, type JobOptions } from './job.js';
import { prepareKernel } from './kernel.js';
import { labelResults } from './label.js';
import { phaseOf, type Progress } from './progress.js';
import { requireTools } from './tools.js';

/** How one kernel's run went. */
export interface KernelRun {
  request: string;
  release?: string;
  /** the suite's exit status; undefined when none came back */
  status?: number;
  problem?: string;
  /** seconds: preparing (download, unpack, initramfs) and the boot with the run */
  prepareS: number;
  runS: number;
  file?: ResultsFile;
  /** the guest's pretty summary */
  runLog: string;
}

/** A job's options plus where kernels are cached and whether to refresh the package lists. */
export interface KernelRunOptions extends Omit<JobOptions, 'onLine'> {
  cache?: string;
  refresh?: boolean;
}

function runHost(runArgs: string[], base: string): Promise<{ status: number; results?: string; runLog: string }> {
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'host-'));
  const argv = guestRunArgv(runArgs, dir);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(packageRoot(), 'bin/ovlconf.js'), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (b) => (log += b));
    child.stderr.on('data', (b) => (log += b));
    child.on('error', reject);
    child.on('close', (code) => {
      const f = join(dir, 'results.json');
      const results = existsSync(f) ? readFileSync(f, 'utf8') : undefined;
      rmSync(dir, { recursive: true, force: true });
      resolvePromise({ status: code ?? 1, results, runLog: log });
    });
  });
}

/** Prepare, boot and run one kernel (`host`: the running kernel, no VM). Never throws for a kernel's own trouble. */
export async function runKernel(request: string, o: KernelRunOptions, p: Progress): Promise<KernelRun> {
  const t0 = Date.now();
  const out: KernelRun = { request, prepareS: 0, runS: 0, runLog: '' };
  try {
    if (request === 'host') {
      out.release = hostRelease();
      p.phase('run', 'natively on the host');
      const r = await runHost(o.runArgs, o.base);
      Object.assign(out, { status: r.status, runLog: r.runLog, runS: (Date.now() - t0) / 1000 });
      if (r.results) out.file = parseResults(r.results, `results of ${request}`);
      else out.problem = `the run wrote no results (exit ${r.status})`;
      return out;
    }
    requireTools(['qemu-system-x86_64', 'depmod', 'apt-get', 'dpkg', 'xz', ...(o.fs === 'ext4' ? ['mkfs.ext4'] : [])], true);
    const k = prepareKernel(request, { cache: o.cache, fs: o.fs, refresh: o.refresh, log: (s) => p.phase('prepare', s) });
    out.release = k.release;
    out.prepareS = (Date.now() - t0) / 1000;
    p.phase('boot', `${o.accel.toUpperCase()}, ${k.release}`);
    const t1 = Date.now();
    const j = await runJob(k, { ...o, onLine: (l) => {
      const ph = phaseOf(l);
      if (ph) p.phase(ph);
      else if (/ovlconf-guest: (insmod|FAIL)/.test(l)) p.log(`  ${k.release}: ${l.replace(/^.*ovlconf-guest: /, '')}`);
    } });
    out.runS = (Date.now() - t1) / 1000;
    Object.assign(out, { status: j.status, problem: j.problem, runLog: j.runLog });
    if (j.problem) p.log(`  ${k.release}: ${j.problem}\n${j.boot.console.split('\n').slice(-12).map((l) => `    | ${l}`).join('\n')}`);
    p.phase('collect');
    if (j.results) out.file = parseResults(j.results, `results from the ${k.release} guest`);
    else if (!j.problem) out.problem = `the guest exited ${j.status} without writing results:\n${j.runLog.split('\n').slice(-10).join('\n')}`;
  } catch (e) {
    out.problem = (e as Error).message;
  }
  return out;
}

/** Merge kernel runs into one file, each kernel's adapters labelled `adapter@release`. */
export function mergeKernels(runs: KernelRun[], argv: string[]): MergeOutcome | undefined {
  const have = runs.filter((r) => r.file && r.release);
  if (have.length === 0) return undefined;
  return mergeResults(have.map((r) => ({ name: r.release!, file: labelResults(r.file!, r.release!) })), argv);
}

/** Join results files into a matrix: files not yet labelled get their adapters labelled with the kernel they ran on. */
export function matrixFromFiles(inputs: { name: string; file: ResultsFile }[], argv: string[]): MergeOutcome {
  return mergeResults(inputs.map((i) => {
    const labelled = i.file.results.length > 0 && i.file.results.every((r) => r.adapter.includes('@'));
    return { name: i.name, file: labelled ? i.file : labelResults(i.file, i.file.environment.host.kernel) };
  }), argv);
}

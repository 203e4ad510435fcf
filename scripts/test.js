#!/usr/bin/env node
// Runs the compiled uvu test files (dist/test/**/*.test.js), each in its own process group, as
// many at once as there are CPUs, each with a deadline, and ends with the plain
// "N passed, N failed, N skipped" line CI reads (uvu prints none). A file whose first lines say
// `// tier: system` mounts, spawns daemons or boots kernels; the rest are the unit tier.
//
// Each file gets its own TMPDIR, removed when it ends (also when killed at its deadline).
// Usage: node scripts/test.js [--unit | --system] [--jobs N] [--times] [pattern]
//   --unit      only the unit tier (seconds)        --system   only the system tier
//   --times     print each file's CPU time (user+sys of it and the children it waited for) and wall time
//   pattern     a regular expression matched against the file's path under dist/test/
// Files start longest first (by the wall time each took last run, kept in .test-times.json, which
// is not committed; on a first run by scripts/test-times.seed.json), so the long system files do
// not end up alone on one core at the end.
// A test that skips at run time prints "SKIP(run) <title>: <reason>" (test/helpers/env.ts), and is
// counted as skipped, not passed. Fails when no test ran, a file timed out, or a file crashed.
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const jobsAt = args.indexOf('--jobs');
const jobs = jobsAt >= 0 ? Number(args[jobsAt + 1]) : availableParallelism();
const positional = args.filter((a, i) => !a.startsWith('--') && !(jobsAt >= 0 && i === jobsAt + 1));
const pattern = new RegExp(positional[0] ?? '\\.test\\.js$');
const tier = flag('--unit') ? 'unit' : flag('--system') ? 'system' : 'all';
/** per-file deadlines on an idle machine: a unit file gets a minute, a system file half an hour (a kernel boot under TCG) */
const DEADLINE = { unit: Number(process.env.OVLCONF_UNIT_TIMEOUT_MS ?? 60_000), system: Number(process.env.OVLCONF_SYSTEM_TIMEOUT_MS ?? 1_800_000) };
/**
 * A file's deadline guards against a hang; it is not a speed requirement, so it stretches with
 * the load when the file starts, as test/helpers/wait.ts stretches waits: OVLCONF_DEADLINE_SCALE
 * when set, else the run-queue length per CPU (1-minute load average), at least 1 and at most 10.
 * (At a load average of 23 on this project's 2-core machine, a unit file of 3.4 s of CPU took 17 s.)
 */
function deadlineOf(tier) {
  const env = Number(process.env.OVLCONF_DEADLINE_SCALE);
  const scale = env > 0 ? env : Math.min(10, Math.max(1, loadavg()[0] / availableParallelism()));
  return Math.round(DEADLINE[tier] * scale);
}

const root = 'dist/test';
if (!existsSync(root)) {
  console.error('dist/test is missing: run `npm run build` first');
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

/** every compiled test file with its tier */
function collect(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...collect(p));
    // a compiled file whose source is gone (moved or deleted) is stale output, never run
    else if (e.name.endsWith('.test.js') && existsSync(join('test', relative(root, p)).replace(/\.js$/, '.ts'))) {
      const head = readFileSync(p, 'utf8').slice(0, 600);
      out.push({ file: p, rel: relative(root, p), tier: /^\/\/ tier: system\b/m.test(head) ? 'system' : 'unit' });
    }
  }
  return out;
}

/** what each file took last time ({ rel: { ms, cpu } }); a missing or broken cache is no cache */
const TIMES = '.test-times.json';
function lastTimes() {
  try {
    return JSON.parse(readFileSync(TIMES, 'utf8'));
  } catch {
    return {};
  }
}
const last = lastTimes();
/**
 * What the longer files take on an idle 2-core machine (scripts/test-times.seed.json, estimated
 * from their CPU time): the order of a checkout's first run, which has no .test-times.json yet;
 * without it a fresh clone started the kernel boot and the self-check last, alone at the end.
 */
const seed = (() => {
  try {
    return JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'test-times.seed.json'), 'utf8'));
  } catch {
    return {};
  }
})();
/** the expected wall time: last run's, else the seed's, else a guess by tier (a system file is usually the longer) */
const expected = (f) => last[f.rel]?.ms ?? seed[f.rel] ?? (f.tier === 'system' ? 2_000 : 1_000);

const files = collect(root)
  .filter((f) => pattern.test(f.rel) && (tier === 'all' || f.tier === tier))
  // the slowest first, so the long files overlap the many short ones and the lanes end together
  .sort((a, b) => expected(b) - expected(a) || a.rel.localeCompare(b.rel));

const cpuPreload = join(dirname(fileURLToPath(import.meta.url)), 'cpu.cjs');
/**
 * The loader's caches (catalog, suite, known failures) for the test processes: this checkout's
 * own, so the files of a run share them while other checkouts' runs on the machine, which keep
 * only a few keys in ~/.cache/ovlconf, neither evict them nor lose theirs to the tests.
 */
const cacheDir = process.env.OVLCONF_CACHE_DIR || join(process.cwd(), 'node_modules', '.cache', 'ovlconf');
const cpuDir = mkdtempSync(join(tmpdir(), 'ovlconf-test-cpu-'));
let serial = 0;
/** the CPU seconds the file's process recorded at exit (scripts/cpu.cjs), or undefined */
function cpuOf(file) {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8'));
    return c.user + c.system + c.children;
  } catch {
    return undefined;
  }
}

/**
 * The running files' process groups. Each file runs detached (its own group, so a timeout kills
 * all it started), which also keeps a terminal's Ctrl-C from reaching it: a SIGINT or SIGTERM to
 * this runner is passed on to every running group (the files' own runs unmount and stop on it),
 * no further file starts, whatever is still running after GRACE_MS is killed, and the runner
 * exits 130 (SIGINT) or 143 (SIGTERM) once every file it started is gone.
 */
const running = new Set();
let stopping;
const GRACE_MS = 15_000;
function stop(signal) {
  if (stopping) return;
  stopping = signal;
  console.log(`\n${signal}: stopping ${running.size} running test file(s)`);
  const kill = (sig) => {
    for (const pid of running) {
      try {
        process.kill(-pid, sig);
      } catch {
        // already gone
      }
    }
  };
  kill(signal);
  setTimeout(() => kill('SIGKILL'), GRACE_MS).unref();
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

/**
 * A file's own temporary directory (its TMPDIR, so every os.tmpdir() of it and of the ovlconf runs
 * it starts is beneath it), removed when the file ends whatever way: a file killed at its deadline
 * or by ^C never reaches its test.after, and its scratch stayed in /tmp. Mode 0755: the
 * unprivileged agents (uid 65534, gVisor's sandbox) must traverse it as they traverse /tmp. A
 * mount of the host's still beneath it is left in place, and the file fails (a leak).
 */
function fileTmp() {
  const dir = mkdtempSync(join(tmpdir(), 'ot-'));
  chmodSync(dir, 0o755);
  return dir;
}
function endFileTmp(dir) {
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.split(' ')[1]?.startsWith(dir + '/'));
  if (mounts.length) return `left ${mounts.length} mount(s) beneath its temporary directory ${dir}: ${mounts[0]}`;
  rmSync(dir, { recursive: true, force: true });
}

/** run one file; resolves with its counts and its whole output */
function runFile(f) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const cpuFile = join(cpuDir, `${serial++}.json`);
    const tmp = fileTmp();
    const child = spawn(process.execPath, ['--require', cpuPreload, f.file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a timeout kills everything it started
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', TEST_CPU_FILE: cpuFile, OVLCONF_CACHE_DIR: cacheDir, TMPDIR: tmp },
    });
    running.add(child.pid);
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    let timedOut = false;
    const deadline = deadlineOf(f.tier);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, deadline);
    child.on('close', (code, signal) => {
      running.delete(child.pid);
      clearTimeout(timer);
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
      const num = (re) => Number(re.exec(plain)?.[1] ?? 0);
      const total = num(/Total:\s+(\d+)/);
      const passedRaw = num(/Passed:\s+(\d+)/);
      const runSkips = plain.match(/^\s*SKIP\(run\) /gm)?.length ?? 0;
      const skipped = num(/Skipped:\s+(\d+)/) + runSkips;
      const passed = Math.max(0, passedRaw - runSkips);
      let failed = total - passedRaw;
      let why;
      const leak = endFileTmp(tmp);
      if (timedOut) why = `timed out after ${Math.round(deadline / 1000)} s`;
      else if (leak) why = leak;
      else if (code !== 0 && failed === 0) why = `exited with ${signal ?? code} and no failing test reported`;
      else if (total === 0 && skipped === 0) why = 'ran no test';
      if (why) failed = Math.max(failed, 1);
      resolve({ ...f, passed, failed, skipped, why, out, ms: Date.now() - t0, cpu: cpuOf(cpuFile) });
    });
  });
}

const results = [];
let next = 0;
async function lane() {
  while (next < files.length && !stopping) {
    const r = await runFile(files[next++]);
    results.push(r);
    const cpu = r.cpu === undefined ? '' : `, ${r.cpu.toFixed(1)} s CPU`;
    const head = `── ${r.rel} [${r.tier}] ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (${(r.ms / 1000).toFixed(1)} s${cpu})`;
    const body = r.failed || r.skipped ? r.out.trimEnd() + '\n' : '';
    process.stdout.write(`${head}${r.why ? ` — ${r.why}` : ''}\n${body}`);
  }
}

const t0 = Date.now();
await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, files.length)) }, lane));
rmSync(cpuDir, { recursive: true, force: true });
const sum = (k) => results.reduce((n, r) => n + (r[k] ?? 0), 0);
const failedFiles = results.filter((r) => r.failed);
// remember this run's times for the next run's order (only files that finished on their own)
const times = { ...last };
for (const r of results) if (!r.why) times[r.rel] = { ms: r.ms, cpu: r.cpu === undefined ? undefined : Math.round(r.cpu * 10) / 10 };
try {
  writeFileSync(TIMES, JSON.stringify(times, null, 1) + '\n');
} catch {
  // a read-only checkout runs in the default order next time
}
if (flag('--times')) {
  console.log('\n   CPU s   wall s  tier    file');
  for (const r of [...results].sort((a, b) => (b.cpu ?? 0) - (a.cpu ?? 0))) {
    const c = r.cpu === undefined ? '?' : r.cpu.toFixed(1);
    console.log(`${c.padStart(8)} ${(r.ms / 1000).toFixed(1).padStart(8)}  ${r.tier.padEnd(6)}  ${r.rel}`);
  }
}
const tierCpu = (t) => results.filter((r) => r.tier === t).reduce((n, r) => n + (r.cpu ?? 0), 0).toFixed(1);
console.log(`\n${results.length} files (${tier} tier${tier === 'all' ? 's' : ''}) in ${((Date.now() - t0) / 1000).toFixed(1)} s with ${jobs} at a time; CPU ${sum('cpu').toFixed(1)} s (unit ${tierCpu('unit')} s, system ${tierCpu('system')} s)`);
for (const r of results.filter((x) => x.skipped)) {
  for (const m of r.out.matchAll(/^\s*SKIP(?:\(run\))? (.*)$/gm)) console.log(`  skipped in ${r.rel}: ${m[1]}`);
}
for (const r of failedFiles) console.log(`  FAILED ${r.rel}${r.why ? ` (${r.why})` : ''}`);
if (results.length === 0) console.error(`no test file matches ${pattern}`);
const failed = sum('failed') + (results.length === 0 ? 1 : 0);
console.log(`${sum('passed')} passed, ${failed} failed, ${sum('skipped')} skipped`);
process.exit(stopping ? (stopping === 'SIGINT' ? 130 : 143) : failed > 0 ? 1 : 0);

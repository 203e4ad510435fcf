// `npm run bench`: every row of the speed table of issue 18, measured in this one run on this
// machine, each with its target, its ratio to the target (wall clock, and CPU where the row has
// it) and its ratio to the physical floor (bench/floor.c: a C loop of
// mkdirs + mount + stat + umount, measured right before and right after the kernel row it is the unit of, and at the end;
// a two-mount-cycle row beside it, not part of the unit, is what a scenario with the warm/cold check must do at least). Wall clocks on a
// shared machine vary; the CPU column and the ratios, taken minutes apart, vary less.
// `--matrix` adds the whole-matrix row: left out unless asked (it runs every adapter variant);
// `--matrix-out FILE` keeps its results file.

// first: the V8 flag the CLI sets, before any engine code runs (bench/jit.ts)
import './jit.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { floorUnavailable, measureFloor } from './floor.js';
import { timeCli } from './cli.js';
import { campaign } from '../fuzz/campaign.js';
import { runAll, type Target } from '../engine/orchestrate.js';
import { baselineTarget } from '../results/session.js';
import { loadCatalog } from '../language/loader/catalog.js';
import { loadSuite } from '../language/loader/suite.js';
import type { Scenario } from '../language/model.js';
import { isRow, meets, ratioText, targetText, unitOf, type Row } from './ratios.js';
import { fuseRows } from './fuse.js';
import { benchTarget, profilesOf } from './target.js';

/** Which final-state checks a row makes: none, warm/cold only, or warm/cold plus the posix baseline (the default of `ovlconf run`). */
type FinalChecks = 'none' | 'warm/cold' | 'warm/cold+baseline';

async function inProcess(adapterName: string, variant: string, scenarios: Scenario[], jobs: number, workdir: string, target: Row['target'], checks: FinalChecks = 'warm/cold', label = ''): Promise<Row | string> {
  const t = await benchTarget(adapterName, variant);
  if (typeof t === 'string') return t;
  const { profiles } = t;
  const targets: Target[] = [{ adapter: t.adapter, variant: t.variant }];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const baseline = checks === 'warm/cold+baseline' ? await baselineTarget([]) : undefined;
  if (checks === 'warm/cold+baseline' && !baseline) return `${adapterName}/${variant} with the posix baseline: posix unavailable`;
  const out = await runAll(targets, scenarios, { jobs, workdir, profiles, finalState: checks !== 'none', baseline });
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const runs = out.results.filter((r) => r.verdict !== 'skip').length;
  const oracle = out.baselineRuns !== undefined ? `; ${out.baselineRuns} posix oracle runs` : '';
  return { what: `${adapterName}/${variant} in-process, ${jobs} job${jobs > 1 ? 's' : ''}${label}`, runs, seconds, cpu: (c.user + c.system) / 1e6, target, note: `${out.results.length - runs} skipped${oracle}; CPU is this process only` };
}

/** One `ovlconf` command line, timed; runs counted from its results file when it writes one. */
function cli(what: string, args: string[], cacheDir: string, target: Row['target'], out?: string): Row | string {
  const t = timeCli(out ? [...args, '--reporter', 'json', '--out', out] : args, cacheDir);
  if (t.status !== 0 && t.status !== 1) return `${what}: exited ${t.status}: ${t.stderr.split('\n').filter(Boolean).slice(-1)[0] ?? ''}`;
  let runs: number | undefined;
  if (out) runs = (JSON.parse(readFileSync(out, 'utf8')) as { results: { verdict: string }[] }).results.filter((r) => r.verdict !== 'skip').length;
  return { what, runs, seconds: t.seconds, cpu: t.cpu, target, note: 'CPU includes agents and daemons' };
}

/** Generated cases per second of `ovlconf fuzz --against memory` (the implementation and the model each run every case). */
async function fuzzRate(adapterName: string, variant: string, cases: number, workdir: string): Promise<Row | string> {
  const catalog = loadCatalog();
  const profiles = profilesOf(catalog);
  try {
    const s = await campaign({ adapter: adapterName, variant, against: 'memory', seed: 15, budgetMs: 600_000, maxCases: cases, shrinkRuns: 0, workdir, catalog, profiles });
    return {
      what: `fuzz ${adapterName}/${variant} vs model (generated cases, final tree warm)`, runs: s.cases, seconds: s.elapsedMs / 1000, target: {},
      note: `${s.agree} agreed, ${s.errors} harness errors, ${s.findings.length} findings`,
    };
  } catch (e) {
    return `fuzz ${adapterName}/${variant}: ${(e as Error).message}`;
  }
}

async function floor(workdir: string, name: string): Promise<Row | string> {
  const why = floorUnavailable();
  if (why) return `floor: ${why}`;
  const n = 300;
  const dir = join(workdir, name);
  mkdirSync(dir);
  // the floor's umounts sync the upper filesystem: flush what the rows before left dirty first, or
  // the first cycles pay for it (umount 0.84 ms right after the kernel row, 0.27 ms later, idle)
  execFileSync('sync');
  const f = await measureFloor(dir, n);
  return {
    what: `floor (${name}): C loop of mkdir ×4, write, mount, stat, umount, rmdir`, runs: n, seconds: f.totalNs / 1e9, target: {},
    note: `per cycle: mkdir ${(f.mkdirNs / 1e6).toFixed(2)} · mount ${(f.mountNs / 1e6).toFixed(2)} · umount ${(f.umountNs / 1e6).toFixed(2)} · rmdir ${(f.rmdirNs / 1e6).toFixed(2)} ms`,
  };
}

/**
 * The floor of a scenario as the suite must run it with the warm/cold final-state check: two
 * mount cycles on the same layers (the scenario's mount and the cold remount). Named so it is not
 * a floor of the unit (those rows start with "floor"): its × floor column says how many units the
 * two cycles are, so a ≤ 2× floor target reads against it.
 */
async function twoCycleFloor(workdir: string): Promise<Row | string> {
  const why = floorUnavailable();
  if (why) return `two-mount-cycle floor: ${why}`;
  const n = 300;
  const dir = join(workdir, 'two cycles');
  mkdirSync(dir);
  execFileSync('sync');
  const f = await measureFloor(dir, n, [], 2);
  return {
    what: 'two-mount-cycle floor (not the unit): C loop of mkdir ×4, write, (mount, stat, umount) ×2, rmdir', runs: n, seconds: f.totalNs / 1e9, target: {},
    note: `per cycle pair: mount ${(f.mountNs / 1e6).toFixed(2)} · umount ${(f.umountNs / 1e6).toFixed(2)} ms (both cycles); the least a kernel scenario with the warm/cold check does`,
  };
}

/** A floor-compared row with the floor measured right before and right after it. */
async function bracketed(workdir: string, name: string, row: () => Promise<Row | string>): Promise<(Row | string)[]> {
  const before = await floor(workdir, `before ${name}`);
  const r = await row();
  const after = await floor(workdir, `after ${name}`);
  if (isRow(r) && isRow(before) && isRow(after)) r.bracket = [(before.seconds * 1000) / before.runs!, (after.seconds * 1000) / after.runs!];
  return [before, r, after];
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** The cost of the final-state checks: the same scenarios with none, warm/cold, and warm/cold plus the posix baseline. */
async function finalCost(adapterName: string, scenarios: Scenario[], workdir: string, what: string): Promise<(Row | string)[]> {
  const rows: (Row | string)[] = [];
  for (const checks of ['none', 'warm/cold', 'warm/cold+baseline'] as const)
    rows.push(await inProcess(adapterName, 'default', scenarios, 1, join(workdir, `${adapterName}-${checks.replace(/\W/g, '_')}`), {}, checks, `, ${what}, final-state checks: ${checks}`));
  return rows;
}

/** "runs/s with the checks ÷ without": how much of the speed the final-state checks keep */
function costLines(rows: (Row | string)[]): string[] {
  const out: string[] = [];
  for (const adapter of ['memory/default', 'kernel/default']) {
    const get = (checks: string) => rows.filter(isRow).find((r) => r.what.startsWith(adapter) && r.what.endsWith(`final-state checks: ${checks}`) && r.runs);
    const none = get('none');
    if (!none) continue;
    const rate = (r: Row) => r.runs! / r.seconds;
    const parts = ['warm/cold', 'warm/cold+baseline'].map((c) => [c, get(c)] as const).filter(([, r]) => r).map(([c, r]) => `${c} ${(rate(r!) / rate(none)).toFixed(2)}× (${fmt(rate(r!))} vs ${fmt(rate(none))} runs/s)`);
    out.push(`final-state cost on ${adapter}: runs/s with the checks ÷ without: ${parts.join('; ')}`);
  }
  return out;
}

async function main(): Promise<void> {
  const withMatrix = process.argv.includes('--matrix');
  // `--final-only`: only the final-state cost rows (a quick look on a shared machine)
  const finalOnly = process.argv.includes('--final-only');
  // `--start-only`: only the start-up rows (validate cold and warm, the memory run end to end and in-process)
  const startOnly = process.argv.includes('--start-only');
  const all = loadSuite(loadCatalog()).scenarios;
  // the 500-layer scenario measures layer materialisation, not the runner: left out in-process
  const everyday = all.filter((s) => s.layers.lowers.length <= 16);
  const workdir = mkdtempSync(join(tmpdir(), 'ovlconf-bench-'));
  const cache = join(workdir, 'cache');
  const cpus = availableParallelism();
  const load0 = loadavg()[0];
  const rows: (Row | string)[] = [];
  // the final-state cost on the kernel: every 5th everyday scenario, three times over
  const fifth = everyday.filter((_, i) => i % 5 === 0);
  try {
    // `--fuse-only`: only the daemon-backed adapters' rows
    if (process.argv.includes('--fuse-only')) rows.push(...(await fuseRows(fifth, cpus, workdir)));
    else if (finalOnly) {
      rows.push(...(await finalCost('memory', all, workdir, 'all scenarios')));
      rows.push(...(await finalCost('kernel', fifth, workdir, 'every 5th scenario')));
    } else if (startOnly) await start();
    else await everything();
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
  async function start(): Promise<void> {
    rows.push(cli('ovlconf validate, cold (empty cache)', ['validate'], cache, { maxSeconds: 1.5 }));
    rows.push(cli('ovlconf validate, warm', ['validate'], cache, { maxSeconds: 0.5 }));
    rows.push(cli('ovlconf run --adapter memory --variant default, end to end', ['run', '--adapter', 'memory', '--variant', 'default'], cache, { maxSeconds: 1.5 }, join(workdir, 'm.json')));
    rows.push(await inProcess('memory', 'default', all, 1, join(workdir, 'm'), { minPerSecond: 5000 }));
  }
  async function everything(): Promise<void> {
    await start();
    rows.push(...(await bracketed(workdir, 'kernel 1 job', () => inProcess('kernel', 'default', everyday, 1, join(workdir, 'k1'), { maxFloor: 2 }))));
    rows.push(await twoCycleFloor(workdir));
    if (cpus > 1) rows.push(await inProcess('kernel', 'default', everyday, cpus, join(workdir, 'kn'), {}));
    rows.push(await inProcess('posix', 'ext4', everyday, 1, join(workdir, 'p'), {}));
    rows.push(cli('ovlconf run --adapter kernel --variant default, end to end', ['run', '--adapter', 'kernel', '--variant', 'default'], cache, { maxSeconds: 5 }, join(workdir, 'k.json')));
    rows.push(...(await finalCost('memory', all, workdir, 'all scenarios')));
    rows.push(...(await finalCost('kernel', fifth, workdir, 'every 5th scenario')));
    rows.push(await fuzzRate('memory', 'default', 200, join(workdir, 'fm')));
    rows.push(await fuzzRate('kernel', 'default', 100, join(workdir, 'fk')));
    rows.push(...(await fuseRows(fifth, cpus, workdir)));
    rows.push(await floor(workdir, 'at the end'));
    // `--matrix-out FILE` keeps the matrix check's results (for `ovlconf diff` against an earlier run)
    const keep = process.argv.indexOf('--matrix-out');
    const matrixArgs = ['matrix', '--check', ...(keep > 0 && process.argv[keep + 1] ? ['--out', process.argv[keep + 1]] : [])];
    if (withMatrix) rows.push(cli('ovlconf matrix --check (every available adapter variant)', matrixArgs, cache, { maxSeconds: 90 }));
    else rows.push('ovlconf matrix (target ≤ 90 s): not measured; `npm run bench -- --matrix` runs it');
  }
  const floors = rows.filter(isRow).filter((r) => r.what.startsWith('floor'));
  const floorMs = floors.length ? floors.reduce((a, r) => a + (r.seconds * 1000) / r.runs!, 0) / floors.length : undefined;
  console.log(`overlay-conformance bench: ${all.length} scenario runs (${everyday.length} with ≤16 layers in-process), ${cpus} CPUs, load average ${load0.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end`);
  console.log(`floor: ${floorMs ? `${floorMs.toFixed(2)} ms per cycle (mean of ${floors.length}; from ${Math.min(...floors.map((r) => (r.seconds * 1000) / r.runs!)).toFixed(2)} to ${Math.max(...floors.map((r) => (r.seconds * 1000) / r.runs!)).toFixed(2)}), the unit of the × floor column; a row measured between two floors of its own uses their mean` : 'not measured here'}\n`);
  console.log('| what | runs | s | CPU s | runs/s | ms/run | × floor | target | ÷ target | meets | notes |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |');
  for (const r of rows) {
    if (!isRow(r)) {
      console.log(`| ${r} | | | | | | | | | | |`);
      continue;
    }
    const perRun = r.runs ? (r.seconds * 1000) / r.runs : undefined;
    const cells = [
      r.what, r.runs ?? '', fmt(r.seconds), r.cpu === undefined ? '' : fmt(r.cpu),
      r.runs ? fmt(r.runs / r.seconds) : '', perRun === undefined ? '' : perRun.toFixed(3),
      perRun !== undefined && floorMs && !r.what.startsWith('floor') ? `${(perRun / unitOf(r, floorMs)!).toFixed(2)}×` : '',
      targetText(r.target), ratioText(r, floorMs), meets(r, floorMs), r.note ?? '',
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  const rate = (prefix: string) => rows.filter(isRow).find((r) => r.what.startsWith(prefix) && r.runs);
  const fk = rate('fuzz kernel/default');
  const k1 = rate('kernel/default in-process, 1 job');
  for (const l of costLines(rows)) console.log(`\n${l}`);
  if (fk && k1) console.log(`\nfuzz kernel/default vs the curated suite on kernel/default: ${(fk.runs! / fk.seconds / (k1.runs! / k1.seconds)).toFixed(2)}× (generated cases/s per scenario runs/s)`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

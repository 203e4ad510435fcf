// `npm run bench`: throughput of the suite on each available adapter and the kernel adapter's
// ratio to the physical floor (bench/floor.c: a C loop of mkdirs + mount + stat + umount), all
// measured in one run on this machine. Ratios, not absolute targets: machines differ.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAdapter } from '../adapters/registry.js';
import { floorUnavailable, measureFloor } from './floor.js';
import { campaign } from '../fuzz/campaign.js';
import { runAll, type Target } from '../engine/orchestrate.js';
import { loadCatalog } from '../language/loader/catalog.js';
import { loadSuite } from '../language/loader/suite.js';
import type { Scenario } from '../language/model.js';

interface Row {
  what: string;
  runs: number;
  seconds: number;
  perSecond: number;
  msPerRun: number;
  note?: string;
}

async function measure(adapterName: string, variant: string, scenarios: Scenario[], jobs: number, workdir: string): Promise<Row | string> {
  const adapter = await loadAdapter(adapterName);
  const info = await adapter.probe();
  const v = info.variants.find((x) => x.name === variant);
  if (!info.available || !v?.available) return `${adapterName}/${variant}: unavailable (${v?.reason ?? info.reason})`;
  const catalog = loadCatalog();
  const profiles = new Map([...catalog.profiles.values()].map((p) => [p.implementation, [p]]));
  const targets: Target[] = [{ adapter, variant: v }];
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const out = await runAll(targets, scenarios, { jobs, workdir, profiles });
  const seconds = (performance.now() - t0) / 1000;
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  const ran = out.results.filter((r) => r.verdict !== 'skip').length;
  return {
    what: `${adapterName}/${variant}, ${jobs} job${jobs > 1 ? 's' : ''}`,
    runs: ran, seconds, perSecond: ran / seconds, msPerRun: (seconds * 1000) / ran,
    note: `${out.results.length - ran} skipped; heap +${heapMb.toFixed(1)} MiB`,
  };
}

/** Generated cases per second of `ovlconf fuzz --against memory` (the implementation and the model each run every case). */
async function fuzzRate(adapterName: string, variant: string, cases: number, workdir: string): Promise<Row | string> {
  const catalog = loadCatalog();
  const profiles = new Map([...catalog.profiles.values()].map((p) => [p.implementation, [p]]));
  try {
    const s = await campaign({ adapter: adapterName, variant, against: 'memory', seed: 15, budgetMs: 600_000, maxCases: cases, shrinkRuns: 0, workdir, catalog, profiles });
    const seconds = s.elapsedMs / 1000;
    return {
      what: `fuzz ${adapterName}/${variant} vs model (generated cases, final tree warm)`, runs: s.cases, seconds, perSecond: s.cases / seconds, msPerRun: s.elapsedMs / s.cases,
      note: `${s.agree} agreed, ${s.errors} harness errors, ${s.findings.length} findings`,
    };
  } catch (e) {
    return `fuzz ${adapterName}/${variant}: ${(e as Error).message}`;
  }
}

async function floor(workdir: string): Promise<Row | string> {
  const why = floorUnavailable();
  if (why) return `floor: ${why}`;
  const n = 300;
  const dir = join(workdir, 'floor');
  mkdirSync(dir);
  const f = await measureFloor(dir, n);
  const ms = f.ns / 1e6;
  return {
    what: 'floor: C loop (mkdir ×4, write, mount, stat, umount, rmdir)', runs: n, seconds: f.totalNs / 1e9, perSecond: 1000 / ms, msPerRun: ms,
    note: `mkdir ${(f.mkdirNs / 1e6).toFixed(2)} · mount ${(f.mountNs / 1e6).toFixed(2)} · umount ${(f.umountNs / 1e6).toFixed(2)} · rmdir ${(f.rmdirNs / 1e6).toFixed(2)} ms`,
  };
}

async function main(): Promise<void> {
  const catalog = loadCatalog();
  const all = loadSuite(catalog).scenarios;
  // the 500-layer scenario measures layer materialisation, not the runner: reported apart
  const everyday = all.filter((s) => s.layers.lowers.length <= 16);
  const workdir = mkdtempSync(join(tmpdir(), 'ovlconf-bench-'));
  const cpus = availableParallelism();
  const rows: (Row | string)[] = [];
  try {
    rows.push(await measure('memory', 'default', all, 1, join(workdir, 'm')));
    rows.push(await measure('posix', 'ext4', everyday, 1, join(workdir, 'p')));
    rows.push(await measure('kernel', 'default', everyday, 1, join(workdir, 'k1')));
    if (cpus > 1) rows.push(await measure('kernel', 'default', everyday, cpus, join(workdir, 'kn')));
    rows.push(await fuzzRate('memory', 'default', 200, join(workdir, 'fm')));
    rows.push(await fuzzRate('kernel', 'default', 100, join(workdir, 'fk')));
    rows.push(await floor(workdir));
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
  console.log(`overlay-conformance bench: ${all.length} scenario runs (${everyday.length} with ≤16 layers for host adapters), ${cpus} CPUs\n`);
  console.log('| what | runs | s | runs/s | ms/run | notes |\n| --- | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    if (typeof r === 'string') console.log(`| ${r} | | | | | |`);
    else console.log(`| ${r.what} | ${r.runs} | ${r.seconds.toFixed(2)} | ${r.perSecond.toFixed(1)} | ${r.msPerRun.toFixed(2)} | ${r.note ?? ''} |`);
  }
  const f = rows.find((r): r is Row => typeof r !== 'string' && r.what.startsWith('floor'));
  const k1 = rows.find((r): r is Row => typeof r !== 'string' && r.what === 'kernel/default, 1 job');
  const m = rows.find((r): r is Row => typeof r !== 'string' && r.what.startsWith('memory'));
  console.log('');
  if (f && k1) console.log(`kernel/default per scenario vs the floor: ${(k1.msPerRun / f.msPerRun).toFixed(2)}× (target ≤ 2×)`);
  if (m && k1) console.log(`memory engine vs kernel/default: ${(m.perSecond / k1.perSecond).toFixed(1)}× the throughput`);
  const fk = rows.find((r): r is Row => typeof r !== 'string' && r.what.startsWith('fuzz kernel/default'));
  if (fk && k1) console.log(`fuzz kernel/default vs the curated suite on kernel/default: ${(fk.perSecond / k1.perSecond).toFixed(2)}× (generated cases/s per scenario runs/s)`);
  const ums = 44; // unionmount-testsuite subtests/s on these machines (DESIGN.md)
  if (k1) console.log(`kernel/default vs unionmount-testsuite's ~${ums} subtests/s: ${(k1.perSecond / ums).toFixed(1)}×`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

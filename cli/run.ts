// `ovlconf run`: the main job — every selected scenario on every selected adapter variant,
// results to the chosen reporter, exit status non-zero on fail/xpass/error.

import { gzipSync } from 'node:zlib';
import { availableParallelism } from 'node:os';
import type { Adapter, AdapterInfo, ProbeOptions } from '../adapters/adapter.js';
import { ProbeInterrupted } from '../adapters/host/probeonce.js';
import { builtinNames, UnknownAdapter } from '../adapters/registry.js';
import { adapterEntries } from '../adapters/registry.js';
import { formatLoadError, type Profile } from '../language/model.js';
import type { Target } from '../engine/orchestrate.js';
import { runSession } from '../results/session.js';
import { checkOutput, writeOutput } from '../results/output.js';
import { interruptible, type Interrupt } from '../engine/signals.js';
import { prettyReporter } from '../results/reporters/pretty.js';
import { withProgress } from '../results/reporters/progress.js';
import { readPublished } from '../results/published.js';
import type { StepDetail } from '../results/compact.js';
import { REPORTERS, type Reporter, type ReporterName } from '../results/reporters/reporter.js';
import { hasProblems } from '../results/results.js';
import { int, list, parse, str, UsageError, type Flags } from './args.js';
import { loadAll } from './load.js';
import { markShard } from '../results/results.js';
import { shardScenarios } from '../results/shard.js';
import { markUnstable, renderUnstable, unstableRuns } from '../results/repeat.js';
import type { Result, ResultsFile } from '../language/schema/results.js';
import { retryPlan, settleRetries } from '../results/retry.js';
import type { KnownFailures } from '../language/loader/known.js';
import { termSafe } from '../results/text.js';

export const RUN_HELP = `Usage: ovlconf run [options]

Run scenarios on adapter variants and report verdicts (pass, deviation, fail, xpass, skip, error).

Options:
  --adapter NAME      adapter to run (repeatable or comma-separated): a built-in name
                      (${'${builtins}'}), or a path / package name of a plug-in.
                      Default: every built-in adapter available on this machine.
  --config FILE       a command adapter config (YAML/JSON) describing how to mount another
                      overlay implementation (repeatable); implies --adapter command.
                      \`--adapter ./my-overlay.yaml\` works too. See docs/testing-your-overlay.md
  --variant NAME      only these variants (repeatable or comma-separated; default: all)
  --suite PATH        scenario files or directories (repeatable; default: the package's suites/)
  --grep REGEX        only scenarios whose run id or title matches
  --jobs N            parallel workers per variant (default: CPU count)
  --reporter NAME     pretty | json | tap | junit (default: pretty)
  --out FILE          write the reporter's output to FILE instead of stdout (FILE.gz: gzipped)
  --workdir DIR       sandbox directory the run creates its files under (default: the OS temp dir)
  --keep              keep the run's sandbox directory afterwards
  --no-final-state    skip the final-state check, which is made by default: after the last step
                      the whole merged tree is snapshotted, remounted and snapshotted again, and a
                      difference (a lost write, a stale cached attribute) is a fail unless the
                      profile documents it (--final-state, the old opt-in, is still accepted);
                      then the cold tree is compared with the same scenario run's final tree on
                      the posix baseline (posix of the selection, else posix/tmpfs run as the
                      oracle once per scenario run)
  --no-baseline       make the warm/cold check but no comparison with the posix baseline
  --repeat N          run the selection N times, each on fresh layers: a run whose verdict or
                      observations differ between the repeats is reported UNSTABLE (in its result,
                      the summary and the exit status), never settled by keeping one repeat
  --retry-unexpected N  run each unexpected result again up to N times on fresh layers (default: 1;
                      0: never): one that is as expected on a retry is FLAKY, named at the end and
                      marked in its result (its first verdict kept), but not a failure of the run
  --timeout MS        per-step timeout (default: 10000)
  --profile FILE      extra profile of documented deviations (repeatable)
  --known FILE        extra known-failures file (expected failures; repeatable), besides
                      spec/known-failures/<implementation>.yaml
  --steps WHICH       step detail kept in the results: unexpected (default: every step of a
                      fail, xpass or error, the deviating steps of a deviation) or all
  --allow-empty       exit 0 even when nothing ran (no scenario selected, everything skipped)
  --shard I/N         run only shard I of N (1-based): a deterministic split of the selected
                      scenarios, balanced by cost; merge the shards with \`ovlconf merge\`
  --shard-costs FILE  balance the shards by the milliseconds measured in this results file
                      (every shard must be given the same file)
  -h, --help          this help

Exit status: 0 when every result is pass, deviation, skip or a known failure; 1 on any other
fail, xpass or error, a known failure that passed, a broken scenario file, or a run that ran
nothing (unless --allow-empty); 2 on a usage error; 130/143 when interrupted (partial results are written).
`;

/** the chosen reporter; only its module loads (tap's pulls in the YAML writer) */
async function makeReporter(name: ReporterName, published?: string[], known?: KnownFailures, profiles?: Map<string, Profile[]>): Promise<Reporter> {
  switch (name) {
    case 'json': return (await import('../results/reporters/json.js')).jsonReporter();
    case 'tap': return (await import('../results/reporters/tap.js')).tapReporter();
    case 'junit': return (await import('../results/reporters/junit.js')).junitReporter();
    default: return prettyReporter({ published, known, profiles });
  }
}

/** The adapter variants to run; probing stops early (fewer targets) when probe.signal is aborted. */
export async function selectTargets(names: string[], variants: string[], log: (s: string) => void, configs: string[] = [], probe: ProbeOptions = {}): Promise<Target[]> {
  const explicit = names.length > 0 || configs.length > 0;
  const chosen = names.length ? names : explicit ? [] : builtinNames().filter((n) => n !== 'command');
  const targets: Target[] = [];
  const seenVariants = new Set<string>();
  let entries;
  try {
    entries = adapterEntries(chosen, configs);
  } catch (e) {
    if (e instanceof UnknownAdapter) throw new UsageError(e.message);
    throw e;
  }
  for (const { name, load } of entries) {
    if (probe.signal?.aborted) return targets;
    let adapter: Adapter;
    let info: AdapterInfo;
    try {
      adapter = await load();
      // only the variants asked for are probed (an agent each): the others are listed unprobed
      info = await adapter.probe(variants.length ? { ...probe, variants } : probe);
    } catch (e) {
      if (e instanceof ProbeInterrupted || probe.signal?.aborted) return targets;
      if (e instanceof UnknownAdapter) throw new UsageError(e.message);
      if (explicit) throw e;
      log(`adapter ${name}: cannot load (${(e as Error).message}); not run`);
      continue;
    }
    if (!info.available && !explicit) {
      log(`adapter ${name}: unavailable here (${info.reason ?? 'no reason given'}); not run`);
      continue;
    }
    const vs = info.variants.map((v) => (info.available ? v : { ...v, available: false, reason: info.reason }));
    for (const v of vs) if (variants.length === 0 || variants.includes(v.name)) {
      targets.push({ adapter, variant: v });
      seenVariants.add(v.name);
    }
    if (explicit) for (const v of variants) if (!info.variants.some((x) => x.name === v) && entries.length === 1)
      throw new UsageError(`adapter ${name} has no variant "${v}"; its variants: ${info.variants.map((x) => x.name).join(', ')}`);
  }
  if (variants.length && targets.length === 0) throw new UsageError(`no adapter has a variant named ${variants.join(', ')}`);
  return targets;
}

/** `ovlconf run`; returns the exit status. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    adapter: { type: 'string', multiple: true }, variant: { type: 'string', multiple: true },
    suite: { type: 'string', multiple: true }, grep: { type: 'string' }, jobs: { type: 'string' },
    reporter: { type: 'string' }, out: { type: 'string' }, workdir: { type: 'string' }, keep: { type: 'boolean' }, 'final-state': { type: 'boolean' }, 'no-final-state': { type: 'boolean' }, 'no-baseline': { type: 'boolean' },
    timeout: { type: 'string' }, profile: { type: 'string', multiple: true },
    shard: { type: 'string' }, 'shard-costs': { type: 'string' }, config: { type: 'string', multiple: true },
    known: { type: 'string', multiple: true }, steps: { type: 'string' }, 'allow-empty': { type: 'boolean' },
    repeat: { type: 'string' }, 'retry-unexpected': { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(RUN_HELP.replace('${builtins}', builtinNames().join(', ')));
    return 0;
  }
  const reporterName = (str(values.reporter) ?? 'pretty') as ReporterName;
  if (!REPORTERS.includes(reporterName)) throw new UsageError(`--reporter must be one of ${REPORTERS.join(', ')}, not "${reporterName}"`);
  const steps = str(values.steps) ?? 'unexpected';
  if (steps !== 'unexpected' && steps !== 'all') throw new UsageError(`--steps must be unexpected or all, not "${steps}"`);
  const log = (s: string) => process.stderr.write(s + '\n');
  // a results file that cannot be written is found before the run, not after it
  const outFile = str(values.out);
  if (outFile) checkOutput(outFile);
  const interrupt = interruptible(log);
  try {
    return await runWith(values, argv, interrupt, log);
  } finally {
    interrupt.dispose();
  }
}

async function runWith(values: Flags, argv: string[], interrupt: Interrupt, log: (s: string) => void): Promise<number> {
  const reporterName = (str(values.reporter) ?? 'pretty') as ReporterName;
  const jobs = int(values.jobs, 'jobs', availableParallelism());
  const timeoutMs = values.timeout === undefined ? undefined : int(values.timeout, 'timeout', 10_000);
  const loaded = await loadAll({ suites: list(values.suite), grep: str(values.grep), profiles: list(values.profile), known: list(values.known) });
  const sharded = shardScenarios(loaded.scenarios, str(values.shard), str(values['shard-costs']));
  const allowEmpty = values['allow-empty'] === true;
  for (const e of loaded.errors) log(termSafe(formatLoadError(e)));
  const targets = await selectTargets(list(values.adapter), list(values.variant), log, list(values.config), { workdir: str(values.workdir), signal: interrupt.signal });
  const stopped = interrupt.received();
  if (stopped) {
    log('ovlconf run: interrupted while probing the adapters; nothing ran');
    return stopped === 'SIGINT' ? 130 : 143;
  }
  // the published verdicts of the variants that run (their results are compared with those alone)
  const published = readPublished(targets.map((t) => `${t.adapter.name}/${t.variant.name}`));
  const reporter = withProgress(await makeReporter(reporterName, published, loaded.known, loaded.profiles));
  const empty = nothingSelected(sharded.scenarios.length, targets.length, str(values.grep));
  if (empty && !allowEmpty) {
    log(`ovlconf run: ${empty} (--allow-empty to accept)`);
    return 1;
  }
  const repeats = int(values.repeat, 'repeat', 1);
  const session = (rep?: typeof reporter, only = targets, scenarios = sharded.scenarios) => runSession({
    targets: only, scenarios, profiles: loaded.profiles, loadErrors: loaded.errors, files: loaded.suite.files,
    argv: ['run', ...argv], jobs, timeoutMs, workdir: str(values.workdir), keep: values.keep === true, finalState: values['no-final-state'] !== true, baseline: values['no-baseline'] !== true, reporter: rep, log, interrupt,
    known: loaded.known, detail: str(values.steps) === 'all' ? 'all' : ('unexpected' as StepDetail),
  });
  const { file, schemaProblems: problems, signalled: first } = await session(reporter);
  let signalled = first;
  // the other repeats, on fresh layers; the first is the one reported, marked where they differ
  const rest: ResultsFile[] = [];
  for (let i = 2; i <= repeats && !signalled; i++) {
    log(`repeat ${i} of ${repeats}`);
    const r = await session();
    signalled = r.signalled;
    if (!signalled) rest.push(r.file);
  }
  // unexpected results run again (not with --repeat, which already ran everything N times)
  const retries = repeats > 1 ? 0 : int(values['retry-unexpected'], 'retry-unexpected', 1, 0);
  const rounds: Result[][] = [];
  for (let i = 1; i <= retries && !signalled; i++) {
    const plans = retryPlan(file.results, targets, sharded.scenarios);
    if (!plans.length) break;
    log(`retrying ${plans.reduce((n, p) => n + p.scenarios.length, 0)} unexpected result(s) on fresh layers (retry ${i} of ${retries})`);
    const round: Result[] = [];
    for (const p of plans) {
      const r = await session(undefined, [p.target], p.scenarios);
      signalled = r.signalled;
      if (signalled) break;
      round.push(...r.file.results);
    }
    if (signalled) break;
    rounds.push(round);
    settleRetries(file, rounds);
  }
  const unstable = repeats > 1 && !signalled ? unstableRuns([file.results, ...rest.map((f) => f.results)]) : [];
  markUnstable(file, unstable);
  if (sharded.shard) markShard(file, sharded.shard, loaded.scenarios.length);
  const text = reporter.end(file);
  const outFile = str(values.out);
  if (outFile) writeOutput(outFile, outFile.endsWith('.gz') ? gzipSync(text) : text);
  else process.stdout.write(text);
  if (outFile && reporterName !== 'pretty') process.stderr.write(prettyReporter({ published, known: loaded.known, profiles: loaded.profiles }).end(file));
  if (signalled) return signalled === 'SIGINT' ? 130 : 143;
  if (repeats > 1) process.stderr.write(renderUnstable(unstable, repeats));
  if (unstable.length) return 1;
  const ran = nothingRan(file.results);
  if (ran && !allowEmpty) {
    log(`ovlconf run: ${ran} (--allow-empty to accept)`);
    return 1;
  }
  return hasProblems(file) || problems.length ? 1 : 0;
}

/** Why a selection holds nothing to run, or undefined. */
export function nothingSelected(scenarios: number, targets: number, grep?: string): string | undefined {
  if (scenarios === 0) return `nothing to run: no scenario selected${grep ? ` (--grep ${JSON.stringify(grep)} matched none)` : ''}`;
  if (targets === 0) return 'nothing to run: no adapter variant selected or available (see `ovlconf list`)';
  return undefined;
}

/** Why a finished run tested nothing (every result a skip), or undefined. */
export function nothingRan(results: { verdict: string; reason?: string }[]): string | undefined {
  if (!results.length || results.some((r) => r.verdict !== 'skip')) return undefined;
  const reasons = new Map<string, number>();
  for (const r of results) reasons.set(r.reason ?? '', (reasons.get(r.reason ?? '') ?? 0) + 1);
  const [top] = [...reasons].sort((a, b) => b[1] - a[1]);
  return `nothing ran: all ${results.length} results were skipped (most often: ${top[0]})`;
}

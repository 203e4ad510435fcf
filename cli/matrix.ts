// `ovlconf matrix`: every available adapter × variant, results.json, and CONFORMANCE.md part 2
// regenerated from that run; `--check` compares a fresh run with the committed verdicts instead.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { builtinNames } from '../adapters/registry.js';
import { formatLoadError } from '../language/model.js';
import { packageRoot } from '../language/root.js';
import { agreement } from '../results/conformance/agree.js';
import { implementations, renderConformance } from '../results/conformance/summary.js';
import { renderImplementationPage } from '../results/conformance/page.js';
import { inRunOrder } from '../results/conformance/order.js';
import { readResults } from '../results/diff/read.js';
import { summarise } from '../results/results.js';
import type { ResultsFile } from '../language/schema/results.js';
import type { KnownFailures } from '../language/loader/known.js';
import { knownOutcome } from '../engine/known.js';
import { changedRuns, verdictChanges, verdictHash, verdictLines } from '../results/conformance/verdicts.js';
import { unstableRuns } from '../results/repeat.js';
import { looseRuns } from '../results/published.js';
import { prettyReporter } from '../results/reporters/pretty.js';
import { runSession } from '../results/session.js';
import { writeOutput } from '../results/output.js';
import { withProgress } from '../results/reporters/progress.js';
import { resultsText } from '../results/results.js';
import { reportData } from '../results/html/data.js';
import { renderHtml } from '../results/html/page.js';
import { interruptible, type Interrupt } from '../engine/signals.js';
import { int, list, parse, str, type Flags } from './args.js';
import { coverage } from './list.js';
import { loadAll } from './load.js';
import { selectTargets } from './run.js';

export const MATRIX_HELP = `Usage: ovlconf matrix [--check] [--adapter NAME]... [--config FILE]... [--jobs N] [--out results.json[.gz]] [--doc CONFORMANCE.md] [--from results.json...]

Run every available adapter × variant on the whole suite, write the results file and regenerate
from it CONFORMANCE.md (the summary), conformance/<implementation>.md (the details),
conformance/verdicts.tsv (the verdict of every run) and conformance/index.html (the HTML report).
--from FILE… regenerates them from results files (one per adapter, say) instead of running.
--check runs the same matrix but writes no page (only the results file, when --out names one):
it exits 1 when any verdict differs from the committed conformance/verdicts.tsv (for CI on a
machine like the one that generated it). A run
that changed is run once more first: if the repeat answers differently it is reported unstable,
not as a change.
--config FILE adds a command adapter described by that config (see docs/testing-your-overlay.md).
`;

/** Several results files (one per adapter, say) as one: results, variants and summaries joined. */
function joinResults(paths: string[], known: KnownFailures): ResultsFile {
  const files = paths.map((p) => readResults(p));
  // a file written before its implementation's known failures were recorded gets them now
  const results = files.flatMap((f) => f.results).map((r) => (r.known ? r : { ...r, ...knownOutcome(r, known.get(r.adapter) ?? []) }));
  return {
    ...files[0],
    environment: { ...files[0].environment, variants: Object.assign({}, ...files.map((f) => f.environment.variants)), suite: { ...files[0].environment.suite, scenarios: results.length } },
    results, loadErrors: files.flatMap((f) => f.loadErrors), summary: summarise(results),
  };
}

/** The run's results file, gzipped when its name ends in .gz (as `ovlconf run --out` does): 93 MB of JSON otherwise. */
function writeResults(path: string, file: ResultsFile): void {
  const text = resultsText(file);
  writeOutput(path, path.endsWith('.gz') ? gzipSync(text) : text);
}

/** `ovlconf matrix`; returns the exit status. */
export async function matrixCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    check: { type: 'boolean' }, adapter: { type: 'string', multiple: true }, jobs: { type: 'string' },
    out: { type: 'string' }, doc: { type: 'string' }, workdir: { type: 'string' }, timeout: { type: 'string' },
    config: { type: 'string', multiple: true }, from: { type: 'string', multiple: true },
  });
  if (values.help) {
    process.stdout.write(MATRIX_HELP);
    return 0;
  }
  const docPath = str(values.doc) ?? join(packageRoot(), 'CONFORMANCE.md');
  const tsvRel = 'conformance/verdicts.tsv';
  const tsvPath = join(dirname(docPath), tsvRel);
  const log = (s: string) => process.stderr.write(s + '\n');
  const interrupt = interruptible(log);
  try {
    return await matrixWith(values, argv, docPath, tsvPath, tsvRel, interrupt, log);
  } finally {
    interrupt.dispose();
  }
}

async function matrixWith(values: Flags, argv: string[], docPath: string, tsvPath: string, tsvRel: string, interrupt: Interrupt, log: (s: string) => void): Promise<number> {
  const loaded = await loadAll({ suites: [] });
  for (const e of loaded.errors) log(formatLoadError(e));
  const configs = list(values.config);
  const from = list(values.from);
  const targets = from.length ? [] : await selectTargets(list(values.adapter).length ? list(values.adapter) : builtinNames().filter((n) => n !== 'command' || configs.length), [], log, configs, { workdir: str(values.workdir), signal: interrupt.signal });
  const session = (ts: typeof targets, scenarios: typeof loaded.scenarios, reporter?: ReturnType<typeof prettyReporter>) => runSession({
    targets: ts, scenarios, profiles: loaded.profiles, loadErrors: loaded.errors, files: loaded.suite.files,
    argv: ['matrix', ...argv], jobs: int(values.jobs, 'jobs', availableParallelism()),
    timeoutMs: values.timeout === undefined ? undefined : int(values.timeout, 'timeout', 10_000),
    workdir: str(values.workdir), reporter, log, interrupt, known: loaded.known,
  });
  const { file, schemaProblems, signalled } = from.length
    ? { file: joinResults(from, loaded.known), schemaProblems: [] as string[], signalled: undefined }
    : await session(targets, loaded.scenarios, withProgress(prettyReporter()));
  process.stderr.write(prettyReporter().end(file));
  if (signalled) return signalled === 'SIGINT' ? 130 : 143;
  const lines = verdictLines(file);
  if (values.check) {
    // the check's own results, kept when asked: `ovlconf diff` of two checks shows what moved between them
    if (values.out !== undefined && !from.length) writeResults(str(values.out)!, file);
    if (!existsSync(tsvPath)) {
      log(`${tsvRel} is missing: run \`ovlconf matrix\` to generate it`);
      return 1;
    }
    const committed = readFileSync(tsvPath, 'utf8').split('\n').filter(Boolean);
    // a changed run is run once more on fresh layers before it is called a change: one that
    // answers differently the second time is unstable, reported as such and not as a change
    // runs a flaky known failure covers may pass or fail from one run to the next: not changes
    const loose = looseRuns(file, committed, loaded.known, loaded.profiles);
    const key = (l: string) => l.split('\t').slice(0, 2).join('\t');
    const allowed = verdictChanges(committed.filter((l) => loose.has(key(l))), lines.filter((l) => loose.has(key(l)))).filter((c) => c.startsWith('changed:'));
    if (allowed.length) log(`${allowed.length} run(s) covered by flaky known failures differ, as their entries allow:\n  ${allowed.slice(0, 5).join('\n  ')}`);
    const changed = new Set([...changedRuns(committed, lines)].filter((k) => !loose.has(k)));
    const unstable: string[] = [];
    const shaky = new Set<string>();
    if (changed.size && !from.length) {
      log(`repeating the ${changed.size} changed run(s) before calling them changes`);
      const runs = [...changed].map((k) => k.split('\t'));
      const again = await session(targets.filter((t) => runs.some(([v]) => v === `${t.adapter.name}/${t.variant.name}`)), loaded.scenarios.filter((s) => runs.some(([, id]) => id === s.runId)));
      if (again.signalled) return again.signalled === 'SIGINT' ? 130 : 143;
      const mine = (f: ResultsFile) => f.results.filter((r) => changed.has(`${r.adapter}/${r.variant}\t${r.scenario}`));
      for (const u of unstableRuns([mine(file), mine(again.file)])) {
        unstable.push(`unstable: ${u.run}: ${u.verdicts.join(' then ')} (${u.observations.join(' / ')})`);
        shaky.add(u.run.replace(' ', '\t'));
      }
    }
    const steady = (l: string) => !shaky.has(key(l)) && !loose.has(key(l));
    const changes = [...verdictChanges(committed.filter(steady), lines.filter(steady)), ...unstable];
    const docHash = /\(hash `([0-9a-f]+)`\)/.exec(readFileSync(docPath, 'utf8'))?.[1];
    if (docHash !== verdictHash(committed)) changes.unshift(`CONFORMANCE.md names verdict hash ${docHash ?? 'none'}, but ${tsvRel} has ${verdictHash(committed)}`);
    for (const c of changes) process.stdout.write(c + '\n');
    process.stdout.write(changes.length ? `${changes.length} difference(s) from the committed CONFORMANCE.md\n` : 'CONFORMANCE.md matches a fresh run\n');
    return changes.length || schemaProblems.length ? 1 : 0;
  }
  const outFile = str(values.out) ?? 'results.json';
  if (!from.length) writeResults(outFile, file);
  const dir = dirname(tsvPath);
  mkdirSync(dir, { recursive: true });
  writeFileSync(tsvPath, lines.join('\n') + '\n');
  // the pages in one order of runs, not the order the workers finished them in
  const shown = inRunOrder(file);
  const hasBoth = shown.results.some((r) => r.adapter === 'memory') && shown.results.some((r) => r.adapter === 'kernel');
  writeFileSync(docPath, renderConformance({
    file: shown, catalog: loaded.catalog, known: loaded.known, coverage: coverage(loaded),
    agreement: hasBoth ? agreement(shown, 'memory', 'kernel') : undefined,
    verdictsFile: tsvRel, verdictHash: verdictHash(lines),
  }) + '\n');
  const pages = implementations(shown).map((impl) => {
    const p = join(dir, `${impl}.md`);
    writeFileSync(p, renderImplementationPage(shown, impl, loaded.catalog, loaded.known));
    return p;
  });
  const htmlPath = join(dir, 'index.html');
  writeFileSync(htmlPath, renderHtml(reportData([shown], loaded.catalog, loaded.known, 'overlay-conformance: every implementation and variant')));
  const rel = (p: string) => relative(process.cwd(), p) || p;
  log(`wrote ${from.length ? '' : outFile + ', '}${rel(docPath)}, ${tsvRel}, ${rel(htmlPath)} and ${pages.length} implementation pages (${pages.map(rel).join(', ')})`);
  return schemaProblems.length ? 1 : 0;
}

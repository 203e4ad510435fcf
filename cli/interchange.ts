// `ovlconf interchange --from A[/variant] --to B[/variant]`: every selected scenario run on A,
// A's upper layer mounted for B over the same lowers, B's merged view compared with A's.

import { rmSync } from 'node:fs';
import { writeOutput } from '../results/output.js';
import { makeScratch } from '../adapters/host/scratch.js';
import { loadAdapter, UnknownAdapter } from '../adapters/registry.js';
import { formatLoadError } from '../language/model.js';
import { interchange, type InterchangeResult, type Side } from '../engine/interchange.js';
import { int, list, parse, str, UsageError } from './args.js';
import { loadAll } from './load.js';

/** `ovlconf interchange --help`. */
export const INTERCHANGE_HELP = `Usage: ovlconf interchange --from ADAPTER[/VARIANT] --to ADAPTER[/VARIANT] [options]

Run each scenario on the --from implementation, mount its upper layer (in its own on-disk format)
for the --to implementation over the same lower layers, and compare the two merged views (types,
sizes, modes, owners, contents, symlink targets, xattrs). Both must be host adapters (kernel,
fuse-overlayfs, unionfs-fuse …). The variant defaults to "default".

Options:
  --from A[/V]        implementation whose upper layer is carried over
  --to B[/V]          implementation that mounts it
  --as upper|lower    mount A's upper as B's upper (default) or as B's top lower layer
  --suite PATH        scenario files or directories (repeatable; default: the package's suites/)
  --grep REGEX        only scenarios whose run id or title matches
  --reporter NAME     pretty | json (default: pretty)
  --out FILE          write the report to FILE instead of stdout
  --workdir DIR       sandbox directory (default: the OS temp dir)
  --timeout MS        per-step timeout (default: 10000)
  -h, --help          this help

Exit status: 0 when every carried-over scenario looks the same on both, 1 when any differs or
errors, 2 on a usage error.
`;

async function side(spec: string, flag: string, workdir?: string): Promise<Side> {
  const [name, variant = 'default'] = spec.split('/');
  try {
    const adapter = await loadAdapter(name);
    const info = await adapter.probe({ workdir });
    if (!info.available) throw new UsageError(`--${flag} ${name}: unavailable here (${info.reason ?? 'no reason given'})`);
    const v = info.variants.find((x) => x.name === variant);
    if (!v) throw new UsageError(`--${flag}: ${name} has no variant "${variant}"; its variants: ${info.variants.map((x) => x.name).join(', ')}`);
    if (!v.available) throw new UsageError(`--${flag} ${name}/${variant}: unavailable here (${v.reason ?? 'no reason given'})`);
    return { adapter, variant };
  } catch (e) {
    if (e instanceof UnknownAdapter) throw new UsageError(e.message);
    throw e;
  }
}

/** The pretty report: one line per scenario, the differences indented below. */
export function prettyInterchange(results: InterchangeResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.outcome.padEnd(9)} ${r.scenario}${r.reason ? `  (${r.reason})` : ''}`);
    for (const d of r.differences ?? []) lines.push(`            ${d.path}: ${d.what} ${d.from ?? ''} -> ${d.to ?? ''}`);
  }
  const count = (o: string) => results.filter((r) => r.outcome === o).length;
  const head = results[0] ? `${results[0].from} -> ${results[0].to}` : 'nothing ran';
  lines.push('', `${head}: same ${count('same')}  different ${count('different')}  skip ${count('skip')}  error ${count('error')}`);
  return lines.join('\n') + '\n';
}

/** `ovlconf interchange`; returns the exit status. */
export async function interchangeCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    from: { type: 'string' }, to: { type: 'string' }, as: { type: 'string' }, suite: { type: 'string', multiple: true },
    grep: { type: 'string' }, reporter: { type: 'string' }, out: { type: 'string' }, workdir: { type: 'string' }, timeout: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(INTERCHANGE_HELP);
    return 0;
  }
  const fromSpec = str(values.from);
  const toSpec = str(values.to);
  if (!fromSpec || !toSpec) throw new UsageError('interchange needs --from and --to');
  const as = str(values.as) ?? 'upper';
  if (as !== 'upper' && as !== 'lower') throw new UsageError(`--as must be upper or lower, not "${as}"`);
  const reporter = str(values.reporter) ?? 'pretty';
  if (reporter !== 'pretty' && reporter !== 'json') throw new UsageError(`--reporter must be pretty or json, not "${reporter}"`);
  const timeoutMs = values.timeout === undefined ? undefined : int(values.timeout, 'timeout', 10_000);
  const loaded = await loadAll({ suites: list(values.suite), grep: str(values.grep) });
  for (const e of loaded.errors) process.stderr.write(formatLoadError(e) + '\n');
  const from = await side(fromSpec, 'from', str(values.workdir));
  const to = await side(toSpec, 'to', str(values.workdir));
  const workdir = makeScratch('ovlconf-xchg-', str(values.workdir));
  let results: InterchangeResult[];
  try {
    results = await interchange(from, to, loaded.scenarios, {
      workdir, as, timeoutMs,
      onResult: (r, d, t) => {
        if (reporter === 'pretty' && process.stderr.isTTY) process.stderr.write(`\r${d}/${t} ${r.scenario.slice(0, 60).padEnd(60)}`);
      },
    });
  } finally {
    rmSync(workdir, { recursive: true, force: true });
    if (reporter === 'pretty' && process.stderr.isTTY) process.stderr.write('\r' + ' '.repeat(72) + '\r');
  }
  const text = reporter === 'json' ? JSON.stringify({ from: fromSpec, to: toSpec, as, results }, null, 2) + '\n' : prettyInterchange(results);
  const out = str(values.out);
  if (out) writeOutput(out, text);
  else process.stdout.write(text);
  return results.some((r) => r.outcome === 'different' || r.outcome === 'error') ? 1 : 0;
}

// `ovlconf repro`: a standalone shell script reproducing one scenario on one implementation, to
// attach to an upstream bug report (no suite needed to run it).

import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { reproScript } from '../fuzz/repro/script.js';
import { loadScenarioFile } from '../language/loader/scenario.js';
import { formatLoadError, type Scenario } from '../language/model.js';
import { parse, str, UsageError } from './args.js';
import { loadAll } from './load.js';

export const REPRO_HELP = `Usage: ovlconf repro <scenario-file | scenario id> --adapter NAME [options]

Write a standalone bash script that builds the scenario's layers, mounts them as the adapter
would (kernel, fuse-overlayfs, unionfs-fuse), performs the steps with a small embedded Python
helper, prints what it observed against what POSIX expects, and cleans up. It needs root,
python3 and the implementation's own tools, not this suite.

Options:
  --adapter NAME   kernel | fuse-overlayfs | unionfs-fuse
  --variant NAME   the adapter's variant (default: default)
  --run RUNID      which expansion of a scenario with vary (default: the first)
  --out FILE       write the script here (made executable) instead of stdout
`;

/** Find the scenario: a file path, or an id / run id of the package's suite. */
async function findScenario(what: string, run: string | undefined): Promise<Scenario> {
  const loaded = await loadAll({ suites: [] });
  let runs: Scenario[];
  if (existsSync(what)) {
    const r = loadScenarioFile(resolve(what), loaded.catalog, what);
    if (r.errors.length) throw new UsageError(r.errors.map(formatLoadError).join('\n'));
    runs = r.scenarios;
  } else runs = loaded.scenarios.filter((s) => s.id === what || s.runId === what);
  if (runs.length === 0) throw new UsageError(`no scenario file or scenario id "${what}"`);
  const pick = run ? runs.find((s) => s.runId === run) : runs[0];
  if (!pick) throw new UsageError(`"${what}" has no run ${run}; its runs: ${runs.map((s) => s.runId).join(', ')}`);
  return pick;
}

/** `ovlconf repro`; returns the exit status. */
export async function reproCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { adapter: { type: 'string' }, variant: { type: 'string' }, run: { type: 'string' }, out: { type: 'string' } }, true);
  if (values.help) {
    process.stdout.write(REPRO_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give one scenario file or scenario id');
  const adapter = str(values.adapter);
  if (!adapter) throw new UsageError('--adapter is required');
  const s = await findScenario(positionals[0], str(values.run));
  const r = reproScript(s, adapter, str(values.variant) ?? 'default');
  if (typeof r === 'string') throw new UsageError(r);
  for (const p of r.problems) process.stderr.write(`note: ${p}\n`);
  const out = str(values.out);
  if (!out) process.stdout.write(r.script);
  else {
    writeFileSync(out, r.script);
    chmodSync(out, 0o755);
    process.stderr.write(`wrote ${out}: run it as root (bash ${out}); exit 0 = POSIX behaviour observed, 1 = differs\n`);
  }
  return 0;
}

// `ovlconf fuzz`: generative differential testing of one adapter variant against the reference
// model and the POSIX baseline; new findings are shrunk and written as scenario files.

import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { campaign, type CampaignStats } from '../fuzz/campaign.js';
import { writeFinding } from '../fuzz/findings.js';
import { shown } from '../fuzz/gen/pool.js';
import { formatLoadError } from '../language/model.js';
import { int, list, parse, str, UsageError } from './args.js';
import { loadAll } from './load.js';

export const FUZZ_HELP = `Usage: ovlconf fuzz --adapter NAME [options]

Generate random layer stacks and operation sequences, run each on the adapter variant, on the
reference model (memory, same options) and on the POSIX baseline (posix/ext4), and compare every
step's outcome and the final merged tree. A divergence a documented deviation of the variant
explains is not a finding; each new one is shrunk to a minimal scenario file in --out.

Options:
  --adapter NAME     adapter to fuzz (built-in name or plug-in path)
  --variant NAME     its variant (default: default)
  --against memory   compare with the reference model only (model vs implementation)
  --seed N           seed (default: derived from the clock, printed); the same seed and budget
                     draw the same cases
  --budget TIME      how long to search, e.g. 90s, 10m (default: 1m)
  --cases N          stop after N generated cases
  --out DIR          findings folder (default: fuzz-findings/<adapter>.<variant>)
  --max-actions N    operations per case (default: 12)
  --shrink-runs N    runs one finding's shrinking may take (default: 400)
  --final-tree MODE  compare the final merged trees: warm (default: after the last step),
                     remount (also after a remount; slower), off (step outcomes only)
  --workdir DIR      sandbox parent (default: the OS temp dir)
  --timeout MS       per-step timeout (default: 10000)
  --profile FILE     extra profile of documented deviations (repeatable)

Exit status: 0 without findings, 1 with findings, 2 on a usage error.
`;

/** "10m", "90s", "1500ms", "2h" → milliseconds */
export function parseBudget(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new UsageError(`--budget must look like 90s, 10m or 1h, not ${JSON.stringify(s)}`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000);
}

/** The one-line progress shown on a terminal. */
export function progressLine(s: CampaignStats): string {
  const rate = s.cases / Math.max(0.001, s.elapsedMs / 1000);
  const explained = Object.values(s.explained).reduce((a, b) => a + b, 0);
  return `cases ${s.cases} · ${rate.toFixed(1)}/s · findings ${s.findings.length} · explained ${explained} · skipped ${s.skipped} · errors ${s.errors} · shrink runs ${s.shrinkRuns}${s.reruns ? ` · reruns ${s.reruns}` : ''}`;
}

/** `ovlconf fuzz`; returns the exit status. */
export async function fuzzCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    adapter: { type: 'string' }, variant: { type: 'string' }, against: { type: 'string' }, seed: { type: 'string' },
    budget: { type: 'string' }, cases: { type: 'string' }, out: { type: 'string' }, 'max-actions': { type: 'string' },
    'shrink-runs': { type: 'string' }, 'final-tree': { type: 'string' }, workdir: { type: 'string' }, timeout: { type: 'string' }, profile: { type: 'string', multiple: true },
  });
  if (values.help) {
    process.stdout.write(FUZZ_HELP);
    return 0;
  }
  const adapter = str(values.adapter);
  if (!adapter) throw new UsageError('--adapter is required');
  const variant = str(values.variant) ?? 'default';
  const against = str(values.against);
  if (against !== undefined && against !== 'memory') throw new UsageError(`--against takes only "memory", not ${JSON.stringify(against)}`);
  const seedText = str(values.seed);
  if (seedText !== undefined && !/^-?\d+$/.test(seedText)) throw new UsageError(`--seed must be an integer, not ${JSON.stringify(seedText)}`);
  const seed = seedText !== undefined ? Number(seedText) | 0 : Date.now() % 2_147_483_647;
  const ft = str(values['final-tree']);
  if (ft !== undefined && !['warm', 'remount', 'off'].includes(ft)) throw new UsageError(`--final-tree takes warm, remount or off, not ${JSON.stringify(ft)}`);
  const budgetText = str(values.budget) ?? '1m';
  const budgetMs = parseBudget(budgetText);
  const loaded = await loadAll({ suites: [], profiles: list(values.profile) });
  for (const e of loaded.catalog.errors) process.stderr.write(formatLoadError(e) + '\n');
  const name = adapter.replace(/^.*\//, '').replace(/\.[cm]?js$/, '');
  const out = resolve(str(values.out) ?? `fuzz-findings/${name}.${variant}`);
  const command = `ovlconf fuzz --adapter ${adapter} --variant ${variant}${against ? ' --against memory' : ''} --seed ${seed} --budget ${budgetText}`;
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  process.stderr.write(`${command}\nfindings go to ${out}\n`);
  const stats = await campaign({
    adapter, variant, against: against as 'memory' | undefined, seed, budgetMs,
    maxCases: values.cases === undefined ? undefined : int(values.cases, 'cases', 1),
    maxActions: int(values['max-actions'], 'max-actions', 12),
    shrinkRuns: int(values['shrink-runs'], 'shrink-runs', 400),
    finalTree: ft === 'off' ? false : ft === 'remount' ? true : 'warm',
    workdir: resolve(str(values.workdir) ?? tmpdir()), catalog: loaded.catalog, profiles: loaded.profiles,
    timeoutMs: values.timeout === undefined ? undefined : int(values.timeout, 'timeout', 10_000),
    onProgress: (s) => {
      const now = Date.now();
      if (tty && now - lastLine > 200) process.stderr.write(`\r${progressLine(s)}\x1b[K`);
      else if (!tty && now - lastLine > 30_000) process.stderr.write(progressLine(s) + '\n');
      else return;
      lastLine = now;
    },
    onFinding: async (f, c, ctx) => {
      const e = await writeFinding(out, f, c, ctx, command);
      process.stderr.write(`${tty ? '\r\x1b[K' : ''}finding: ${shown(f.signature)} → ${e.file} (${e.steps} steps${e.checked ? '' : ', NOT reproduced when run again'})\n`);
    },
  });
  process.stderr.write(`${tty ? '\r\x1b[K' : ''}${progressLine(stats)}\n`);
  const explained = Object.entries(stats.explained).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  process.stdout.write(`${command}\n${stats.cases} cases in ${(stats.elapsedMs / 1000).toFixed(0)} s (${(stats.cases / (stats.elapsedMs / 1000)).toFixed(1)}/s), ${stats.agree} agreed, ${stats.findings.length} distinct findings, ${stats.skipped} skipped, ${stats.errors} errors\n` +
    (explained ? `explained by documented deviations: ${explained}\n` : '') +
    stats.findings.map((f) => `  finding: ${shown(f)}${stats.repeats[f] ? ` (hit ${stats.repeats[f]} more times)` : ''}\n`).join('') +
    (Object.keys(stats.skipReasons).length ? `skip reasons: ${Object.entries(stats.skipReasons).map(([k, v]) => `${v}× ${k}`).join('; ')}\n` : '') +
    (Object.keys(stats.errorReasons).length ? `harness errors (not findings): ${Object.entries(stats.errorReasons).map(([k, v]) => `${v}× ${k}`).join('; ')}\n` : '') +
    (stats.reruns ? `${stats.reruns} disagreeing runs made again: another process dropped the caches while they ran\n` : ''));
  const code = stats.findings.length ? 1 : 0;
  // a worker left behind by a crashed daemon must not keep the finished command alive (seen after
  // fuse-overlayfs aborted 48 times in one campaign): exit once the output is written
  setTimeout(() => process.exit(code), 5000).unref();
  return code;
}

// `ovlconf merge`: joins the shards of one run into a single results file, refusing (exit 1)
// when they come from different suites or do not cover every scenario × variant exactly once.

import { readResults, ResultsFileError, writeResults } from '../results/diff/read.js';
import { mergeResults } from '../results/merge.js';
import { parse, str, UsageError } from './args.js';

/** `ovlconf merge --help` */
export const MERGE_HELP = `Usage: ovlconf merge SHARD.json… --out all.json [--force]

Join results files (the shards of \`ovlconf run --shard I/N\`, plain or .gz) into one: checks that
they come from the same suite version and hash and cover every scenario × variant exactly once
(duplicates and gaps are listed), recomputes the summary, merges the environment fingerprints and
deduplicates load errors. --force writes the merged file despite problems (exit status still 1).
Exit status: 0 merged; 1 problems found (nothing written without --force); 2 usage error.
`;

/** \`ovlconf merge\`; returns the exit status. */
export async function mergeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string', short: 'o' }, force: { type: 'boolean' } }, true);
  if (values.help) {
    process.stdout.write(MERGE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give the results files to merge');
  const out = str(values.out);
  if (!out) throw new UsageError('--out FILE is required');
  let inputs;
  try {
    inputs = positionals.map((p) => ({ name: p, file: readResults(p) }));
  } catch (e) {
    if (e instanceof ResultsFileError) {
      process.stderr.write(`ovlconf merge: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const m = mergeResults(inputs, ['merge', ...argv]);
  for (const w of m.warnings) process.stderr.write(`warning: ${w}\n`);
  for (const p of m.problems) process.stderr.write(`problem: ${p}\n`);
  if (m.problems.length && !values.force) {
    process.stderr.write(`ovlconf merge: ${m.problems.length} problem${m.problems.length > 1 ? 's' : ''}; nothing written (--force writes anyway)\n`);
    return 1;
  }
  writeResults(out, m.merged);
  const n = m.merged.results.length;
  process.stderr.write(`merged ${inputs.length} files: ${n} results over ${Object.keys(m.merged.summary).length} variants → ${out}\n`);
  return m.problems.length ? 1 : 0;
}

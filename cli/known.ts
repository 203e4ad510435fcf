// `ovlconf known`: draft known-failure entries (spec/known-failures/<implementation>.yaml) from
// a results file's unexpected fails and errors, one entry per cause.

import { readResults, ResultsFileError } from '../results/diff/read.js';
import { draftKnownYaml } from '../results/known-draft.js';
import { parse, str, UsageError } from './args.js';

export const KNOWN_HELP = `Usage: ovlconf known RESULTS.json [--adapter NAME] [--since TEXT]

Print a draft spec/known-failures/<implementation>.yaml for the fails and errors of RESULTS.json
that no known-failure entry expects yet, grouped by cause (one entry per mismatch). Name each
entry's bug in its title and give an upstream issue as ref where one exists; then \`ovlconf run\`
counts those failures as known and fails only on new ones (or on a known failure that passes).
`;

/** `ovlconf known`; returns the exit status. */
export async function knownCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { adapter: { type: 'string' }, since: { type: 'string' } }, true);
  if (values.help) {
    process.stdout.write(KNOWN_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('known takes one results file');
  let file;
  try {
    file = readResults(positionals[0]);
  } catch (e) {
    if (e instanceof ResultsFileError) throw new UsageError(e.message);
    throw e;
  }
  const adapters = [...new Set(file.results.map((r) => r.adapter))];
  const adapter = str(values.adapter) ?? (adapters.length === 1 ? adapters[0] : undefined);
  if (!adapter || !adapters.includes(adapter)) throw new UsageError(`--adapter must name one of the file's adapters: ${adapters.join(', ')}`);
  const fp = Object.entries(file.environment.variants).find(([k]) => k.startsWith(`${adapter}/`))?.[1];
  const since = str(values.since) ?? `${fp?.version ? `${fp.implementation} ${fp.version}` : adapter} (${file.environment.finishedAt.slice(0, 10)})`;
  process.stdout.write(draftKnownYaml(file, adapter, since));
  return 0;
}

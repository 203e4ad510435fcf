// `ovlconf validate`: load scenarios and spec data and report every problem as
// file:line:col: /json/path: message, without running anything.

import { formatLoadError } from '../language/model.js';
import { list, parse } from './args.js';
import { loadAll } from './load.js';

export const VALIDATE_HELP = `Usage: ovlconf validate [PATH...] [--profile FILE]...

Check scenario files (default: the package's suites/) and the spec data (deviations,
profiles, capabilities, references) without running anything. Prints every problem as
file:line:col: /json/path: message and exits 1 when there is any.
`;

/** `ovlconf validate`; returns the exit status. */
export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { profile: { type: 'string', multiple: true } }, true);
  if (values.help) {
    process.stdout.write(VALIDATE_HELP);
    return 0;
  }
  const loaded = await loadAll({ suites: positionals, profiles: list(values.profile) });
  for (const e of loaded.errors) process.stderr.write(formatLoadError(e) + '\n');
  const files = loaded.suite.files.length;
  const ids = new Set(loaded.scenarios.map((s) => s.id)).size;
  if (loaded.errors.length) {
    process.stderr.write(`${loaded.errors.length} problem(s) in ${files} scenario file(s) and the spec data\n`);
    return 1;
  }
  process.stdout.write(`ok: ${files} scenario file(s), ${ids} scenario(s), ${loaded.scenarios.length} run(s) after vary expansion; spec data valid\n`);
  return 0;
}

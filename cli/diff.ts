// `ovlconf diff OLD NEW`: what changed between two results files (a kernel or distro upgrade),
// grouped by kind; exit status 1 when a change of a --fail-on kind is found.

import { writeOutput } from '../results/output.js';
import { CHANGE_KINDS, DEFAULT_FAIL_ON, diffResults, parseFailOn } from '../results/diff/compare.js';
import { readResults, ResultsFileError } from '../results/diff/read.js';
import { renderDiff, DIFF_REPORTERS, type DiffReporter } from '../results/diff/render.js';
import { environmentRows } from '../results/diff/environment.js';
import { parse, str, UsageError } from './args.js';

/** `ovlconf diff --help` */
export const DIFF_HELP = `Usage: ovlconf diff OLD.json NEW.json [--reporter pretty|json|markdown] [--out FILE] [--fail-on KINDS]

Compare two results files (plain or .gz) scenario by scenario and variant by variant, and show
the environment fingerprints side by side (kernel release, effective options, module parameters,
daemon versions). Change kinds:
  ${CHANGE_KINDS.join(', ')}
Inode numbers, devices, times, fds and free-space figures are not compared (they differ on every
run); errnos, data, modes, sizes, names and the matched deviation are.

Options:
  --reporter NAME     pretty (default) | json | markdown
  --out FILE          write the report to FILE instead of stdout
  --fail-on KINDS     comma-separated kinds that make the exit status 1, or any / none
                      (default: ${DEFAULT_FAIL_ON.join(',')})
  --all               list every skip transition (by default the skips of one variant that share
                      a reason, such as a refused mount option, are one line with a count)
Exit status: 0 no change of a --fail-on kind; 1 such a change, or an input is not a valid results
file (named in the message); 2 usage error.
`;

/** \`ovlconf diff\`; returns the exit status. */
export async function diffCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { reporter: { type: 'string' }, out: { type: 'string' }, 'fail-on': { type: 'string' }, all: { type: 'boolean' } }, true);
  if (values.help) {
    process.stdout.write(DIFF_HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`give two results files (OLD NEW), not ${positionals.length}`);
  const reporter = (str(values.reporter) ?? 'pretty') as DiffReporter;
  if (!DIFF_REPORTERS.includes(reporter)) throw new UsageError(`--reporter must be one of ${DIFF_REPORTERS.join(', ')}, not "${reporter}"`);
  let failOn;
  try {
    failOn = parseFailOn(str(values['fail-on']));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let a, b;
  try {
    a = readResults(positionals[0]);
    b = readResults(positionals[1]);
  } catch (e) {
    if (e instanceof ResultsFileError) {
      process.stderr.write(`ovlconf diff: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const changes = diffResults(a, b);
  const failing = changes.filter((c) => failOn.includes(c.kind));
  const text = renderDiff(reporter, { old: positionals[0], new: positionals[1], changes, environment: environmentRows(a, b), failOn, failing: failing.length, expand: values.all === true });
  const out = str(values.out);
  if (out) writeOutput(out, text);
  else process.stdout.write(text);
  return failing.length ? 1 : 0;
}

// `ovlconf report`: render results files (plain or .gz) as one self-contained HTML page.

import { writeOutput } from '../results/output.js';
import { loadCatalog } from '../language/loader/catalog.js';
import { loadKnownFailures } from '../language/loader/known.js';
import { readResults, ResultsFileError } from '../results/diff/read.js';
import { reportData } from '../results/html/data.js';
import { renderHtml } from '../results/html/page.js';
import { parse, str, UsageError } from './args.js';

export const REPORT_HELP = `Usage: ovlconf report RESULTS.json [MORE.json…] --html OUT.html [--title TEXT]

Write one self-contained HTML page (no network) for results files: implementations and variants
as columns, behaviour groups as rows with coloured verdict counts, expanding to scenarios; a cell
opens the scenario (its YAML, the steps observed, expected vs observed, the deviation's text and
references, the command that reproduces it). Filters by implementation, verdict and group;
search by id.
`;

/** `ovlconf report`; returns the exit status. */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { html: { type: 'string' }, title: { type: 'string' } }, true);
  if (values.help) {
    process.stdout.write(REPORT_HELP);
    return 0;
  }
  const out = str(values.html);
  if (!out) throw new UsageError('report needs --html OUT.html');
  if (!positionals.length) throw new UsageError('report needs at least one results file');
  let files;
  try {
    files = positionals.map((p) => readResults(p));
  } catch (e) {
    if (e instanceof ResultsFileError) throw new UsageError(e.message);
    throw e;
  }
  const data = reportData(files, loadCatalog(), loadKnownFailures().known, str(values.title) ?? 'overlay-conformance results');
  writeOutput(out, renderHtml(data));
  process.stderr.write(`wrote ${out} (${data.runs.length} runs, ${data.variants.length} variants)\n`);
  return 0;
}

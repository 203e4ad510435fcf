// The JSON reporter: the results file itself, as spec/results.schema.json describes it.

import { resultsText } from '../results.js';
import type { Reporter } from './reporter.js';

/** Renders the validated results document. */
export function jsonReporter(): Reporter {
  return { end: (file) => resultsText(file) };
}

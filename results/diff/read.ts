// Reading results files for diff, merge, shard costs and the kernel matrix: plain or gzipped
// JSON, validated against the results schema, every error naming the file.

import { readFileSync, statSync } from 'node:fs';
import { writeOutput } from '../output.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ResultsFile } from '../../language/schema/results.js';
import { resultsText, validateResults } from '../../results/results.js';

/** A results file that is missing, not JSON, or not valid against the schema. */
export class ResultsFileError extends Error {}

/** Parse and validate a results document; `name` is what errors call it. */
export function parseResults(text: string, name: string): ResultsFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ResultsFileError(`${name}: not JSON (${(e as Error).message})`);
  }
  const problems = validateResults(upgradeResults(doc));
  if (problems.length) {
    const more = problems.length > 8 ? `\n  … and ${problems.length - 8} more` : '';
    throw new ResultsFileError(`${name}: not a valid overlay-conformance results file:\n  ${problems.slice(0, 8).join('\n  ')}${more}`);
  }
  return doc as ResultsFile;
}

/**
 * Format 1 numbered a result's steps from 0 (`index`) while every message says "step 1" for the
 * first: format 2 records `step`, 1-based. Older files (the committed kernel matrix among them)
 * are read as format 2; anything else is left for the schema to judge.
 */
export function upgradeResults(doc: unknown): unknown {
  const d = doc as { formatVersion?: unknown; results?: unknown };
  if (d === null || typeof d !== 'object' || d.formatVersion !== 1 || !Array.isArray(d.results)) return doc;
  for (const r of d.results as { steps?: unknown }[]) {
    if (!r || typeof r !== 'object' || !Array.isArray(r.steps)) continue;
    for (const st of r.steps as Record<string, unknown>[]) {
      if (st && typeof st === 'object' && typeof st.index === 'number' && !('step' in st)) {
        st.step = st.index + 1;
        delete st.index;
      }
    }
  }
  d.formatVersion = 2;
  return d;
}

/** The largest results document read (after gunzip): below V8's longest string, far above a whole matrix. */
export const RESULTS_MAX_BYTES = 400 << 20;

const tooLarge = (path: string, what: string, max: number) => new ResultsFileError(`${path}: ${what} more than ${max} bytes, the limit of a results file`);

/** Read a results file (`.gz` is gunzipped, never past RESULTS_MAX_BYTES) and validate it. */
export function readResults(path: string, maxBytes = RESULTS_MAX_BYTES): ResultsFile {
  let buf: Buffer;
  try {
    if (statSync(path).size > maxBytes) throw tooLarge(path, 'holds', maxBytes);
    buf = readFileSync(path);
  } catch (e) {
    if (e instanceof ResultsFileError) throw e;
    throw new ResultsFileError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: maxBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(path, 'expands to', maxBytes);
      throw new ResultsFileError(`${path}: broken gzip data (${(e as Error).message})`);
    }
  }
  return parseResults(buf.toString('utf8'), path);
}

/** Write a results file, gzipped when the name ends in .gz. */
export function writeResults(path: string, file: ResultsFile): void {
  const text = resultsText(file);
  writeOutput(path, path.endsWith('.gz') ? gzipSync(text) : text);
}

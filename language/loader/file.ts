// Reading one YAML/JSON file and validating it against a schema, with every problem turned
// into a LoadError that names file:line:col and the JSON path.

import { readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import type { LoadError } from '../model.js';
import { check, type Problem } from './validate.js';
import { ParseError, parseWithPositions, type JsonPath, type ParsedDoc } from './yaml.js';

/** JSON pointer of a path, as shown in error messages */
export function pointer(path: JsonPath): string {
  return path.length ? '/' + path.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/') : '';
}

/** A problem at a path of a parsed document, as a LoadError. */
export function errorAt(file: string, doc: ParsedDoc | undefined, p: Problem, sourcePath?: JsonPath): LoadError {
  const at = sourcePath ?? p.path;
  const pos = doc ? doc.locate(at, p.key) : { line: 1, col: 1 };
  return { file, line: pos.line, col: pos.col, path: pointer(p.path), message: p.message };
}

/** Parse a file; a syntax error or unreadable file becomes a LoadError. */
export function parseFile(file: string, display = file): { doc?: ParsedDoc; errors: LoadError[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { errors: [{ file: display, line: 1, col: 1, path: '', message: `cannot read: ${(e as Error).message}` }] };
  }
  try {
    return { doc: parseWithPositions(text, file.endsWith('.json')), errors: [] };
  } catch (e) {
    if (e instanceof ParseError) return { errors: [{ file: display, line: e.line, col: e.col, path: '', message: `invalid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${e.message}` }] };
    throw e;
  }
}

/** Parse and schema-check a spec data file (deviations, profiles, capabilities, refs). */
export function loadChecked<T>(file: string, schema: TSchema, display = file): { value?: T; doc?: ParsedDoc; errors: LoadError[] } {
  const { doc, errors } = parseFile(file, display);
  if (!doc) return { errors };
  const problems = check(schema, doc.value);
  if (problems.length) return { doc, errors: problems.map((p) => errorAt(display, doc, p)) };
  return { value: doc.value as T, doc, errors: [] };
}

// Reading one YAML/JSON file and validating it against a schema, with every problem turned
// into a LoadError that names file:line:col and the JSON path.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import type { LoadError } from '../model.js';
import { LIMITS } from './limits.js';
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

const KINDS: [string, (st: ReturnType<typeof fstatSync>) => boolean][] = [
  ['a directory', (st) => st.isDirectory()], ['a FIFO', (st) => st.isFIFO()], ['a character device', (st) => st.isCharacterDevice()],
  ['a block device', (st) => st.isBlockDevice()], ['a socket', (st) => st.isSocket()],
];

/** Text of a regular file of at most `limit` bytes, strictly UTF-8; anything else is a message with a position. */
export function readText(file: string, limit: number = LIMITS.fileBytes): { text: string } | { line: number; col: number; message: string } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO does not wait for a writer; it is refused below
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    return { line: 1, col: 1, message: `cannot read: ${(e as Error).message}` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { line: 1, col: 1, message: `not a regular file (${KINDS.find(([, is]) => is(st))?.[0] ?? 'a special file'}); only regular files are read` };
    if (st.size > limit) return { line: 1, col: 1, message: `the file has ${st.size} bytes; the limit is ${limit} (docs/scenario-limits.md)` };
    const buf = Buffer.alloc(Math.min(st.size, limit) + 1);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    if (n > limit) return { line: 1, col: 1, message: `the file grew past ${limit} bytes while it was read (docs/scenario-limits.md)` };
    return decodeStrict(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text, or the position of the first byte that is not UTF-8 (never replaced by U+FFFD). */
export function decodeStrict(b: Uint8Array): { text: string } | { line: number; col: number; message: string } {
  try {
    return { text: strict.decode(b) };
  } catch {
    let good = 0;
    for (let lo = 0, hi = b.length; lo < hi; ) {
      const mid = (lo + hi + 1) >> 1;
      let ok = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, mid), { stream: true });
      } catch {
        ok = false;
      }
      if (ok) lo = good = mid;
      else hi = mid - 1;
    }
    const before = new TextDecoder().decode(b.subarray(0, good));
    const lines = before.split('\n');
    return { line: lines.length, col: lines[lines.length - 1].length + 1, message: `byte ${good} (0x${b[good]?.toString(16).padStart(2, '0')}) is not UTF-8: scenario files are UTF-8 text (write other bytes with !hex data)` };
  }
}

/** Parse a file; a syntax error or unreadable file becomes a LoadError. */
export function parseFile(file: string, display = file): { doc?: ParsedDoc; errors: LoadError[] } {
  const read = readText(file);
  if (!('text' in read)) return { errors: [{ file: display, line: read.line, col: read.col, path: '', message: read.message }] };
  const text = read.text;
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

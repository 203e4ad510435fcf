// YAML (and JSON, a subset) parsing that keeps source positions, so every load error can name
// file:line:col; plus the scenario shorthand tags (!whiteout, !opaque, !symlink x, …).

import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type ScalarTag } from 'yaml';
import { LIMITS } from './limits.js';
import { keyProblemText, plainOf } from './plain.js';

const tag = (name: string, make: (v: string) => unknown): ScalarTag => ({
  tag: `!${name}`,
  identify: () => false,
  resolve: (v: string) => make(v),
});

/** The shorthand tags a scenario may use for layer entries and `after` matchers. */
export const SCENARIO_TAGS: ScalarTag[] = [
  tag('whiteout', () => ({ type: 'whiteout' })),
  tag('xwhiteout', () => ({ type: 'whiteout', format: 'xattr' })),
  tag('dir', () => ({ type: 'dir' })),
  tag('opaque', () => ({ type: 'dir', opaque: 'y' })),
  tag('fifo', () => ({ type: 'fifo' })),
  tag('absent', () => ({ type: 'absent' })),
  tag('symlink', (v) => ({ type: 'symlink', target: v })),
  tag('hardlink', (v) => ({ type: 'hardlink', target: v })),
  tag('redirect', (v) => ({ type: 'dir', redirect: v })),
  tag('hex', (v) => ({ hex: v.replace(/\s+/g, '') })),
];

export type JsonPath = (string | number)[];

export interface Position {
  line: number;
  col: number;
}

/** A parsed document: its plain value and a way back from a JSON path to the source. */
export interface ParsedDoc {
  value: unknown;
  text: string;
  /** position of the node at path (or of its key when `key` is set); nearest ancestor if absent */
  locate(path: JsonPath, key?: boolean): Position;
  /** the exact source text of the scalar at path, if it is a scalar */
  sourceOf(path: JsonPath): string | undefined;
  /** JSON paths of every `mode:` key whose value is an integer written in decimal */
  decimalModes: JsonPath[];
}

export class ParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

/** Parse YAML or JSON text; throws ParseError with the first syntax error's position. */
export function parseWithPositions(text: string, json: boolean): ParsedDoc {
  const lc = new LineCounter();
  let doc: Document.Parsed;
  try {
    // uniqueKeys of the yaml package compares every key with every other (minutes for 10,000
    // keys); duplicates are found below with one set per mapping instead
    doc = parseDocument(text, { lineCounter: lc, customTags: SCENARIO_TAGS, prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    throw new ParseError(`cannot parse: ${(e as Error).message} (nesting too deep?)`, 1, 1);
  }
  const bad = doc.errors[0];
  if (bad) {
    const p = lc.linePos(bad.pos[0]);
    throw new ParseError(bad.message.split('\n')[0], p.line, p.col);
  }
  const pos = (offset: number | undefined): Position => {
    if (offset === undefined) return { line: 1, col: 1 };
    const p = lc.linePos(offset);
    return { line: p.line, col: p.col };
  };
  // one walk gives the value, the key checks and the decimal modes (plain.ts); a document it
  // leaves (anchors, aliases) takes the yaml package's walks
  const plain = plainOf(doc, text, json);
  if (plain?.keyProblem) {
    const { message, at } = keyProblemText(plain.keyProblem, pos);
    throw new ParseError(message, at.line, at.col);
  }
  const { value, decimalModes } = plain ?? convertByPackage(doc, text, json, pos);
  checkSize(value);
  const walk = (path: JsonPath): { node: Node | null; keyNode: Node | null; depth: number } => {
    let node: unknown = doc.contents;
    let keyNode: Node | null = null;
    let depth = 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
        if (!pair) break;
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        keyNode = null;
        node = node.items[seg];
      } else break;
      depth++;
    }
    return { node: (node as Node) ?? null, keyNode, depth };
  };
  return {
    value,
    text,
    locate(path, key = false) {
      const { node, keyNode, depth } = walk(path);
      const target = key && depth === path.length && keyNode ? keyNode : node;
      return pos(target?.range?.[0]);
    },
    sourceOf(path) {
      const { node, depth } = walk(path);
      if (depth !== path.length || !isScalar(node) || !node.range) return undefined;
      return text.slice(node.range[0], node.range[1]);
    },
    decimalModes,
  };
}

/** The yaml package's route to the same result: its key and alias checks, toJS, and a visit for the decimal modes. */
export function convertByPackage(doc: Document, text: string, json: boolean, pos: (offset: number | undefined) => Position): { value: unknown; decimalModes: JsonPath[] } {
  checkDuplicateKeys(doc, pos);
  checkAliases(doc, pos);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: LIMITS.aliases });
  } catch (e) {
    const msg = /Excessive alias count/.test((e as Error).message) ? `YAML aliases expand beyond the limit of ${LIMITS.aliases} (docs/scenario-limits.md)` : `cannot read the YAML: ${(e as Error).message}`;
    throw new ParseError(msg, 1, 1);
  }
  const decimalModes: JsonPath[] = [];
  if (!json) {
    visit(doc, {
      Pair(_k, pair, path) {
        if (!isScalar(pair.key) || pair.key.value !== 'mode' || !isScalar(pair.value)) return;
        if (typeof pair.value.value !== 'number' || !pair.value.range) return;
        const src = text.slice(pair.value.range[0], pair.value.range[1]).trim();
        if (!/^0o/i.test(src)) decimalModes.push([...jsonPathOf(path, doc), 'mode']);
      },
    });
  }
  return { value, decimalModes };
}

/** Keys of a mapping are unique (scalar keys compared by value, as the yaml package does) and plain values: a
 * sequence, mapping or alias as a key would be silently turned into a string. */
function checkDuplicateKeys(doc: Document, pos: (offset: number | undefined) => Position): void {
  let dup: Node | undefined;
  let complex: Node | undefined;
  visit(doc, {
    // a pair also stands alone in a flow sequence ([a: b] is a one-pair mapping)
    Pair(_k, pair) {
      // a tagged key (`!symlink id:`) would make a key of the tag's value, an object
      if (pair.key !== null && (!isScalar(pair.key) || (pair.key.tag !== undefined && pair.key.tag !== 'tag:yaml.org,2002:str'))) {
        complex = pair.key as Node;
        return visit.BREAK;
      }
      return undefined;
    },
    Map(_k, map) {
      const seen = new Set<unknown>();
      for (const it of map.items) {
        const k = isScalar(it.key) ? it.key.value : it.key;
        if (seen.has(k)) {
          dup = it.key as Node;
          return visit.BREAK;
        }
        seen.add(k);
      }
      return undefined;
    },
  });
  if (complex) {
    const p = pos((complex as Node).range?.[0]);
    throw new ParseError(`a key must be a plain name, not a ${isAlias(complex) ? 'YAML alias' : isMap(complex) ? 'mapping' : isSeq(complex) ? 'sequence' : `value tagged ${(complex as Node).tag}`}`, p.line, p.col);
  }
  if (dup) {
    const p = pos((dup as Node).range?.[0]);
    throw new ParseError('Map keys must be unique', p.line, p.col);
  }
}

/** Aliases must follow their anchor and may not sit inside it (a value containing itself). */
function checkAliases(doc: Document, pos: (offset: number | undefined) => Position): void {
  const anchors = new Set<string>();
  let count = 0;
  let problem: { message: string; at: number | undefined } | undefined;
  visit(doc, {
    Node(_k, node, path) {
      if (problem) return visit.BREAK;
      if (isAlias(node)) {
        const at = node.range?.[0];
        if (++count > LIMITS.aliases) problem = { message: `more than ${LIMITS.aliases} YAML aliases (docs/scenario-limits.md)`, at };
        else if (!anchors.has(node.source)) problem = { message: `alias *${node.source} comes before its anchor &${node.source} (or has none)`, at };
        else if (path.some((a) => (a as { anchor?: string }).anchor === node.source)) problem = { message: `alias *${node.source} sits inside the value anchored as &${node.source}: a value cannot contain itself`, at };
        return undefined;
      }
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor) anchors.add(anchor);
      return undefined;
    },
  });
  if (problem) {
    const p = pos(problem.at);
    throw new ParseError(problem.message, p.line, p.col);
  }
}

/** The parsed value stays within the node and nesting limits (aliases can multiply a small text). */
function checkSize(value: unknown): void {
  let nodes = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (++nodes > LIMITS.nodes) throw new ParseError(`more than ${LIMITS.nodes} values once aliases are expanded (docs/scenario-limits.md)`, 1, 1);
    if (depth > LIMITS.nesting) throw new ParseError(`nested deeper than ${LIMITS.nesting} levels (docs/scenario-limits.md)`, 1, 1);
    if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stack.push([x, depth + 1]);
  }
}

/** Turn the ancestor chain `visit` gives into a JSON path. */
function jsonPathOf(ancestors: readonly unknown[], doc: Document): JsonPath {
  const out: JsonPath = [];
  let parent: unknown = doc;
  for (const node of ancestors) {
    if (isPair(node) && isScalar(node.key)) out.push(String(node.key.value));
    else if (isSeq(parent)) out.push(parent.items.indexOf(node as never));
    parent = node;
  }
  return out;
}

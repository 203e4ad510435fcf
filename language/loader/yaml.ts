// YAML (and JSON, a subset) parsing that keeps source positions, so every load error can name
// file:line:col; plus the scenario shorthand tags (!whiteout, !opaque, !symlink x, …).

import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type ScalarTag } from 'yaml';

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
  const doc = parseDocument(text, { lineCounter: lc, customTags: SCENARIO_TAGS, prettyErrors: false, uniqueKeys: true });
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
  return {
    value: doc.toJS({ maxAliasCount: 1000 }),
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

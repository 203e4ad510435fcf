// A parsed YAML document's plain value in one walk over its nodes: what the yaml package's
// toJS() gives, with the key checks and the decimal `mode:` scan made on the way. On a cold start
// those were four walks (three `visit`s and toJS) over every node of ~500 files, about a fifth of
// the YAML time; this one walk replaces them for any document without anchors or aliases (every
// file of the package today), and gives up on anything else, which then takes the four walks.

import { isAlias, isMap, isPair, isScalar, isSeq, Scalar, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';

/** a JSON path (yaml.ts's JsonPath; its types are not imported here, yaml.ts imports this file) */
type JsonPath = (string | number)[];
type Position = { line: number; col: number };

/** Thrown by the walk for what it leaves to the yaml package (anchors, aliases, other collection kinds). */
class NotPlain extends Error {}

/** What a key check found first, in the order the yaml package's `visit` meets nodes: a repeated key, or a key that is not a plain name. */
export type KeyProblem = { kind: 'dup' | 'complex'; node: Node };

/** The walk's result: the value, every `mode:` integer written in decimal (JSON path), the first key problem. */
export interface PlainDoc {
  value: unknown;
  decimalModes: JsonPath[];
  keyProblem?: KeyProblem;
}

/**
 * The document's value as `doc.toJS()` makes it, or undefined when the document has an anchor, an
 * alias or a node other than a plain mapping, sequence or scalar (the caller converts it the
 * yaml package's way). A key problem stops the walk (the caller throws it, as its checks did).
 */
export function plainOf(doc: Document, text: string, json: boolean): PlainDoc | undefined {
  const decimalModes: JsonPath[] = [];
  const out: { problem?: KeyProblem } = {};
  const path: JsonPath = [];

  const value = (node: unknown): unknown => {
    if (node === null || node === undefined) return null;
    if (isAlias(node) || (node as { anchor?: string }).anchor) throw new NotPlain();
    if (isScalar(node)) {
      if (Object.getPrototypeOf(node) !== Scalar.prototype || 'addToJSMap' in node) throw new NotPlain();
      // toJS({ keep }) answers a scalar's value as it is
      return node.value;
    }
    if (isMap(node)) {
      if (Object.getPrototypeOf(node) !== YAMLMap.prototype) throw new NotPlain();
      return mapOf(node as YAMLMap<unknown, unknown>);
    }
    if (isSeq(node)) {
      if (Object.getPrototypeOf(node) !== YAMLSeq.prototype) throw new NotPlain();
      const arr: unknown[] = [];
      const items = (node as YAMLSeq<unknown>).items;
      for (let i = 0; i < items.length && !out.problem; i++) {
        if (isPair(items[i])) throw new NotPlain();
        path.push(i);
        arr.push(value(items[i]));
        path.pop();
      }
      return arr;
    }
    throw new NotPlain();
  };

  const mapOf = (map: YAMLMap<unknown, unknown>): Record<string, unknown> => {
    // the mapping's own keys are compared before any of its pairs is looked into (visit's Map, then Pair)
    const seen = new Set<unknown>();
    for (const it of map.items) {
      const k = isScalar(it.key) ? it.key.value : it.key;
      if (seen.has(k)) {
        out.problem = { kind: 'dup', node: it.key as Node };
        return {};
      }
      seen.add(k);
    }
    const obj: Record<string, unknown> = {};
    for (const pair of map.items) {
      const key = pair.key;
      if (key !== null && (!isScalar(key) || (key.tag !== undefined && key.tag !== 'tag:yaml.org,2002:str'))) {
        out.problem = { kind: 'complex', node: key as Node };
        return obj;
      }
      if (key !== null && (Object.getPrototypeOf(key) !== Scalar.prototype || (key as { anchor?: string }).anchor)) throw new NotPlain();
      const jsKey = key === null ? null : key.value;
      if (jsKey !== null && typeof jsKey === 'object') throw new NotPlain();
      // addPairToJSMap's name for the key, and its own-property write
      const name = jsKey === null ? '' : String(jsKey);
      if (key !== null) path.push(String(jsKey));
      const v = value(pair.value);
      if (key !== null) path.pop();
      if (out.problem) return obj;
      if (name in obj) Object.defineProperty(obj, name, { value: v, writable: true, enumerable: true, configurable: true });
      else obj[name] = v;
      const pv = pair.value;
      if (!json && jsKey === 'mode' && isScalar(pv) && typeof pv.value === 'number' && pv.range && !/^0o/i.test(text.slice(pv.range[0], pv.range[1]).trim())) decimalModes.push([...path, 'mode']);
    }
    return obj;
  };

  try {
    const v = value(doc.contents);
    return out.problem ? { value: undefined, decimalModes, keyProblem: out.problem } : { value: v, decimalModes };
  } catch (e) {
    if (e instanceof NotPlain) return undefined;
    throw e;
  }
}

/** Where a key problem's node is and what to say about it (the messages of the yaml package's route). */
export function keyProblemText(p: KeyProblem, pos: (offset: number | undefined) => Position): { message: string; at: Position } {
  const at = pos(p.node?.range?.[0]);
  if (p.kind === 'dup') return { message: 'Map keys must be unique', at };
  const n = p.node;
  return { message: `a key must be a plain name, not a ${isAlias(n) ? 'YAML alias' : isMap(n) ? 'mapping' : isSeq(n) ? 'sequence' : `value tagged ${n.tag}`}`, at };
}

// The command templates of a command config: `{name}` placeholders for the scenario's layer
// directories and the mount's options, `[...]` optional groups dropped when a placeholder inside
// them has no value (no upper layer, no options), `{args}` as a whole element for a variant's
// extra arguments, `{ raw: … }` elements passed as written (shell scripts use braces and
// brackets); checked once when the config loads, expanded for every mount.

import { suggest } from '../../language/loader/validate.js';

/** The values a template is expanded with; an absent or empty value drops the group it is in. */
export interface TemplateValues {
  lowers?: string;
  /** lower0, lower1 … (topmost first) */
  lowerN?: readonly string[];
  upper?: string;
  work?: string;
  merged?: string;
  options?: string;
  /** only in `mount.lowers.item` */
  dir?: string;
}

/** One argv element: a template, or `{ raw }` text passed unchanged. */
export type ArgvElement = string | { raw: string };

/** The element's text as written (for messages and the command name). */
export const elementText = (el: ArgvElement) => (typeof el === 'string' ? el : el.raw);

/** What a template uses, for capabilities and checks (placeholders outside optional groups are required). */
export interface TemplateUse {
  all: Set<string>;
  required: Set<string>;
  /** highest N of a {lowerN} placeholder, -1 when none */
  maxLowerIndex: number;
}

type Part = { text: string } | { name: string };
type Piece = Part | { group: Part[] };

const LITERALS: Record<string, string> = { lbracket: '[', rbracket: ']', lbrace: '{', rbrace: '}' };
const NAMES = ['lowers', 'upper', 'work', 'merged', 'options', 'args', 'dir', ...Object.keys(LITERALS)];

/** Whether `name` is a placeholder a template may use. */
export function knownPlaceholder(name: string): boolean {
  return NAMES.includes(name) || /^lower(0|[1-9][0-9]*)$/.test(name);
}

/** The placeholder names every template may use, for messages. */
export const PLACEHOLDERS = '{lowers}, {lower0}, {lower1}…, {upper}, {work}, {merged}, {options}, {args} (a whole element), {dir} (in mount.lowers.item), {lbracket} {rbracket} {lbrace} {rbrace}';

/** A template that cannot be parsed: the message names the problem. */
export class TemplateError extends Error {}

function parseParts(s: string): Part[] {
  const out: Part[] = [];
  let i = 0;
  let text = '';
  while (i < s.length) {
    if (s[i] === '{') {
      const end = s.indexOf('}', i);
      if (end < 0) throw new TemplateError(`unclosed "{" in "${s}"`);
      const name = s.slice(i + 1, end);
      if (!knownPlaceholder(name)) throw new TemplateError(`unknown placeholder {${name}}${suggest(name, NAMES)} in "${s}"; placeholders: ${PLACEHOLDERS}`);
      if (text) out.push({ text });
      text = '';
      out.push(LITERALS[name] !== undefined ? { text: LITERALS[name] } : { name });
      i = end + 1;
    } else if (s[i] === '}') throw new TemplateError(`a lone "}" in "${s}" (write {rbrace})`);
    else text += s[i++];
  }
  if (text) out.push({ text });
  return out;
}

/** Parse one argv element (or a file path) into literal text, placeholders and optional groups. */
export function parseElement(s: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i < s.length) {
    const open = s.indexOf('[', i);
    const close = s.indexOf(']', i);
    if (close >= 0 && (open < 0 || close < open)) throw new TemplateError(`a "]" without its "[" in "${s}" (write {rbracket} for a literal one)`);
    if (open < 0) {
      out.push(...parseParts(s.slice(i)));
      break;
    }
    out.push(...parseParts(s.slice(i, open)));
    const end = s.indexOf(']', open);
    if (end < 0) throw new TemplateError(`unclosed "[" in "${s}" (write {lbracket} for a literal one)`);
    const inner = s.slice(open + 1, end);
    if (inner.includes('[')) throw new TemplateError(`optional groups cannot nest in "${s}"`);
    out.push({ group: parseParts(inner) });
    i = end + 1;
  }
  return out;
}

/** Check a template (throws TemplateError) and say what it uses; `{args}` must be a whole element. */
export function analyse(argv: readonly ArgvElement[], allowArgs = true): TemplateUse {
  const use: TemplateUse = { all: new Set(), required: new Set(), maxLowerIndex: -1 };
  for (const el of argv) {
    if (typeof el !== 'string') continue;
    const pieces = parseElement(el);
    const note = (p: Part, required: boolean) => {
      if (!('name' in p)) return;
      if (p.name === 'args' && (!allowArgs || el !== '{args}')) throw new TemplateError(allowArgs ? `{args} must be a whole argv element, not part of "${el}"` : '{args} is only allowed in mount.argv');
      use.all.add(p.name);
      if (required) use.required.add(p.name);
      const m = /^lower(\d+)$/.exec(p.name);
      if (m) use.maxLowerIndex = Math.max(use.maxLowerIndex, Number(m[1]));
    };
    for (const p of pieces) if ('group' in p) p.group.forEach((q) => note(q, false));
    else note(p, true);
  }
  return use;
}

function valueOf(name: string, v: TemplateValues): string | undefined {
  const m = /^lower(\d+)$/.exec(name);
  if (m) return v.lowerN?.[Number(m[1])];
  return (v as Record<string, string | undefined>)[name];
}

/** A required placeholder had no value: the scenario cannot be mounted this way. */
export class MissingValue extends Error {
  constructor(readonly placeholder: string) {
    super(`the command template needs {${placeholder}}, which this scenario does not have`);
  }
}

/** Expand one element; undefined when it came out empty (the element is dropped). */
export function expandElement(el: string, v: TemplateValues): string | undefined {
  let out = '';
  const part = (p: Part) => ('text' in p ? p.text : valueOf(p.name, v));
  for (const piece of parseElement(el)) {
    if ('group' in piece) {
      const vals = piece.group.map(part);
      if (vals.every((x) => x !== undefined && x !== '')) out += vals.join('');
    } else {
      const x = part(piece);
      if (x === undefined) throw new MissingValue((piece as { name: string }).name);
      out += x;
    }
  }
  return out === '' ? undefined : out;
}

/** Expand an argv template: `{args}` splices the extra arguments, empty elements are dropped. */
export function expandArgv(argv: readonly ArgvElement[], v: TemplateValues, args: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const el of argv) {
    if (typeof el !== 'string') out.push(el.raw);
    else if (el === '{args}') out.push(...args);
    else {
      const x = expandElement(el, v);
      if (x !== undefined) out.push(x);
    }
  }
  return out;
}

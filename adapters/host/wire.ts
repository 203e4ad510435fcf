// The agent's line protocol (agent/PROTOCOL.md) as data: percent-encoding of values, request
// lines out, reply lines in. Pure functions, no process: agent.ts owns the process.

/** One `key=value` of a protocol line, value already percent-decoded. */
export type Field = [key: string, value: Uint8Array];

/** What a request argument may be: booleans become 1 (false is omitted), arrays repeat the key. */
export type AgentValue = string | number | bigint | boolean | Uint8Array | undefined | null;
/** Arguments of one request, in the order they are written. */
export type AgentArgs = Record<string, AgentValue | readonly AgentValue[]>;

const SAFE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-') SAFE[c.charCodeAt(0)] = 1;
const HEXB = new TextEncoder().encode('0123456789ABCDEF');
/** a hex digit's value by its character code; -256 for any other character (so a bad pair is negative) */
const NIBBLE = new Int16Array(256).fill(-256);
for (let d = 0; d < 16; d++) {
  NIBBLE['0123456789ABCDEF'.charCodeAt(d)] = d;
  NIBBLE['0123456789abcdef'.charCodeAt(d)] = d;
}
const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** Percent-encode bytes (or a UTF-8 string) as the protocol wants: binary-safe, no space/=/newline. */
export function encodeValue(v: Uint8Array | string): string {
  const b = typeof v === 'string' ? utf8.encode(v) : v;
  // into a byte array, then one latin1 string: appending one character at a time built a rope
  // of a million pieces for a 1 MiB file, which the write to the agent then had to flatten
  const out = Buffer.allocUnsafe(b.length * 3);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (SAFE[c]) out[n++] = c;
    else {
      out[n++] = 0x25;
      out[n++] = HEXB[c >> 4];
      out[n++] = HEXB[c & 15];
    }
  }
  return out.toString('latin1', 0, n);
}

/** a character above 0xff: reply lines are latin1 text, so only a caller's own string has one */
const WIDE = /[^\x00-\xff]/;

/** Decode a percent-encoded protocol value back to the exact bytes. */
export function decodeValue(s: string): Uint8Array {
  let i = s.indexOf('%');
  if (i < 0) {
    const out = new Uint8Array(s.length);
    for (let j = 0; j < s.length; j++) out[j] = s.charCodeAt(j) & 0xff;
    return out;
  }
  if (WIDE.test(s)) return decodeWide(s);
  // the bytes copied out natively, then decoded in place: reading a 3 MB value (a 1 MiB file's
  // data) a character at a time from the reply line's string took 2.5 times as long
  const b = Buffer.from(s, 'latin1');
  let n = i;
  for (; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x25) {
      const h = i + 2 < b.length ? (NIBBLE[b[i + 1]!]! << 4) | NIBBLE[b[i + 2]!]! : -1;
      if (h < 0) throw badPercent(s);
      b[n++] = h;
      i += 2;
    } else b[n++] = c;
  }
  const out = new Uint8Array(n);
  out.set(b.subarray(0, n));
  return out;
}

function badPercent(s: string): Error {
  return new Error(`bad percent-encoding in ${JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s)}`);
}

/** decodeValue of a string with characters above 0xff (kept as their low byte; never in a hex pair) */
function decodeWide(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const h = i + 2 < s.length ? (NIBBLE[s.charCodeAt(i + 1) & 0xff] << 4) | NIBBLE[s.charCodeAt(i + 2) & 0xff] : -1;
      if (h < 0 || s.charCodeAt(i + 1) > 0xff || s.charCodeAt(i + 2) > 0xff) throw badPercent(s);
      out[n++] = h;
      i += 2;
    } else {
      out[n++] = c & 0xff;
    }
  }
  return out.slice(0, n);
}

/** Decode protocol bytes as UTF-8 text (names, paths, messages). */
export function bytesToText(b: Uint8Array): string {
  return utf8d.decode(b);
}

function valueText(v: Exclude<AgentValue, undefined | null | false>): string {
  if (v === true) return '1';
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`agent arguments are integers, got ${v}`);
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  return encodeValue(v);
}

/** One request line (without the newline). */
export function formatRequest(id: number, op: string, args: AgentArgs = {}): string {
  if (!/^[a-z_]+$/.test(op)) throw new Error(`bad agent op name ${op}`);
  let line = `${id} ${op}`;
  for (const [k, raw] of Object.entries(args)) {
    if (!/^[a-z_]+$/.test(k)) throw new Error(`bad agent argument name ${k}`);
    const list = Array.isArray(raw) ? raw : [raw];
    for (const v of list as AgentValue[]) {
      if (v === undefined || v === null || v === false) continue;
      line += ` ${k}=${valueText(v)}`;
    }
  }
  return line;
}

/** A parsed reply line: `<id> ok|err|escape|fatal|item …`. */
export interface AgentLine {
  id: number;
  kind: 'ok' | 'err' | 'escape' | 'fatal' | 'item';
  /** errno name for `err` (or SIGBUS/SIGSEGV for a faulting mapping access) */
  errno?: string;
  fields: Field[];
}

const KINDS = new Set(['ok', 'err', 'escape', 'fatal', 'item']);

/** Parse one reply line; throws on anything the protocol does not allow. */
export function parseLine(line: string): AgentLine {
  // tokens are cut where spaces are (one or more), as split(' ') without the empty ones
  let p = 0;
  const token = (): string | undefined => {
    while (line.charCodeAt(p) === 32) p++;
    const start = p;
    while (p < line.length && line.charCodeAt(p) !== 32) p++;
    return p > start ? line.slice(start, p) : undefined;
  };
  const head = token();
  const id = Number(head);
  const kind = token();
  if (!Number.isInteger(id) || !KINDS.has(kind ?? '')) {
    throw new Error(`malformed agent line: ${line.slice(0, 200)}`);
  }
  const errno = kind === 'err' ? token() : undefined;
  const fields: Field[] = [];
  for (let t = token(); t !== undefined; t = token()) {
    const eq = t.indexOf('=');
    if (eq <= 0) throw new Error(`malformed agent field ${t.slice(0, 80)}`);
    fields.push([t.slice(0, eq), decodeValue(t.slice(eq + 1))]);
  }
  return { id, kind: kind as AgentLine['kind'], errno, fields };
}

/** The first value of key as bytes. */
export function getBytes(fields: readonly Field[], key: string): Uint8Array | undefined {
  for (const [k, v] of fields) if (k === key) return v;
  return undefined;
}
/** The first value of key as text. */
export function getText(fields: readonly Field[], key: string): string | undefined {
  const b = getBytes(fields, key);
  return b === undefined ? undefined : bytesToText(b);
}
/** Every value of a repeated key, in order. */
export function getAll(fields: readonly Field[], key: string): Uint8Array[] {
  return fields.filter(([k]) => k === key).map(([, v]) => v);
}
/** A decimal field as a number (only for values known to stay below 2^53). */
export function getInt(fields: readonly Field[], key: string): number | undefined {
  const t = getText(fields, key);
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!Number.isFinite(n)) throw new Error(`agent field ${key}=${t} is not a number`);
  return n;
}

/** The `key=value` fields of a line after its head (the `ready` line); tokens without `=` are skipped. */
export function parseFields(rest: string): Field[] {
  const out: Field[] = [];
  for (const t of rest.split(' ')) {
    const eq = t.indexOf('=');
    if (eq > 0) out.push([t.slice(0, eq), decodeValue(t.slice(eq + 1))]);
  }
  return out;
}

/** A final reply: ok/err/escape/fatal plus the `item` lines that came before it. */
export interface AgentReply {
  id: number;
  kind: 'ok' | 'err' | 'escape' | 'fatal';
  errno?: string;
  fields: Field[];
  items: Field[][];
}

/** One request of a pipeline. */
export interface AgentRequest {
  op: string;
  args?: AgentArgs;
}

/**
 * Reply bytes cut into lines (latin1 text, one character per byte, as parseLine reads them).
 * Chunks of a line not yet ended are kept as they came and joined once, at its newline: adding
 * each chunk to the text so far and searching that again from its start copied a 3 MB tree line
 * (a 1 MiB file's data) once per 64 KiB pipe read, most of the runner's CPU on such scenarios.
 */
export class LineSplitter {
  private parts: Buffer[] = [];

  /** the lines this chunk completes, in order; its unfinished tail is kept for the next */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(10, start)) >= 0) {
      const piece = chunk.subarray(start, nl);
      const line = this.parts.length ? Buffer.concat([...this.parts, piece]) : piece;
      this.parts = [];
      if (line.length > 0) lines.push(line.toString('latin1'));
      start = nl + 1;
    }
    if (start < chunk.length) this.parts.push(chunk.subarray(start));
    return lines;
  }
}

// Scenario paths: everything a scenario names must stay beneath the scenario root, so paths
// are checked (no `..`, not absolute, no empty components) before anything runs.

import { LIMITS } from './limits.js';

/** a UTF-16 surrogate without its pair: it would be written as U+FFFD, a different name */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** normalised path, or the reason it is refused */
export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Check and normalise a scenario path. `.` is the root; `./a` becomes `a`; a trailing slash is
 * kept when allowed (it changes the meaning of several syscalls).
 */
export function checkPath(p: string, opts: { trailingSlash?: boolean; root?: boolean } = {}): PathCheck {
  if (p.includes('\0')) return { ok: false, reason: 'contains a NUL byte' };
  if (LONE_SURROGATE.test(p)) return { ok: false, reason: `"${p.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\\u{?}')}" holds a lone UTF-16 surrogate, which no filesystem name can hold (names are UTF-8; write it as valid Unicode)` };
  if (Buffer.byteLength(p) > LIMITS.pathBytes) return { ok: false, reason: `"${p.slice(0, 40)}…" is ${Buffer.byteLength(p)} bytes; the limit is ${LIMITS.pathBytes}` };
  if (p.startsWith('/')) return { ok: false, reason: `"${p}" is absolute: scenario paths are relative to the scenario root` };
  const trailing = p.length > 1 && p.endsWith('/');
  if (trailing && !opts.trailingSlash) return { ok: false, reason: `"${p}" ends with a slash, which is not allowed here` };
  const body = trailing ? p.replace(/\/+$/, '') : p;
  const parts = body.split('/');
  if (parts.length > LIMITS.pathDepth) return { ok: false, reason: `"${p.slice(0, 40)}…" has ${parts.length} components; the limit is ${LIMITS.pathDepth}` };
  const kept: string[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === '..') return { ok: false, reason: `"${p}" contains "..", which could escape the scenario root` };
    if (part === '') return { ok: false, reason: `"${p}" has an empty component` };
    if (part === '.') {
      if (parts.length === 1) continue;
      if (i === 0) continue;
      return { ok: false, reason: `"${p}" has a "." component` };
    }
    if (Buffer.byteLength(part) > 255 * 4) return { ok: false, reason: `"${p.slice(0, 40)}…" has an absurdly long component` };
    kept.push(part);
  }
  if (kept.length === 0) {
    if (opts.root === false) return { ok: false, reason: 'the scenario root itself is not allowed here' };
    return { ok: true, path: '.' };
  }
  return { ok: true, path: kept.join('/') + (trailing ? '/' : '') };
}

/** parent directories of a normalised path, outermost first ("a/b/c" → ["a", "a/b"]) */
export function parentsOf(path: string): string[] {
  const parts = path.replace(/\/$/, '').split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

// Normalised oracle outcomes written back as scenario expectations, so a finding is a scenario
// that passes on the oracle and fails on the implementation.

import type { Norm } from './outcome.js';

/** The `expect:` of a step whose oracle outcome is `n` (undefined: plain success). */
export function expectationOf(n: Norm, op: string): Record<string, unknown> | undefined {
  if (n.status === 'notRun' || n.status.startsWith('crash')) return undefined;
  if (n.status !== 'ok') return { errno: n.status };
  const f = n.fields ?? {};
  const out: Record<string, unknown> = {};
  for (const k of ['type', 'mode', 'uid', 'gid', 'nlink', 'size', 'data', 'value', 'count', 'offset', 'target', 'path', 'names']) if (k in f) out[k] = f[k];
  if (Array.isArray(f.entries)) {
    const split = (f.entries as string[]).map((e) => [e.slice(0, e.lastIndexOf(':')), e.slice(e.lastIndexOf(':') + 1)]);
    out.entries = split.map(([n]) => n);
    if (split.length) out.entryTypes = Object.fromEntries(split);
  }
  return Object.keys(out).length ? out : undefined;
}

/** One line saying what the implementation observed instead. */
export function observedText(n: Norm): string {
  if (n.status.startsWith('crash')) return `the implementation crashed (${n.status.slice(6) || 'killed'})`;
  if (n.status !== 'ok') return `errno ${n.status}`;
  return JSON.stringify(n.fields ?? {}).replace(/"L{255}"/g, '"L×255"');
}

const BEHAVIOUR: Record<string, string> = {
  rename: 'RN-006', unlink: 'WH-001', rmdir: 'OP-001', mkdir: 'OP-003', link: 'HL-001', open: 'CU-001', write: 'CU-001',
  pwrite: 'CU-001', truncate: 'CU-002', writefile: 'CU-001', chmod: 'CU-003', chown: 'CU-003', utimens: 'CU-003',
  setxattr: 'XA-006', removexattr: 'XA-006', listxattr: 'XA-006', getxattr: 'XA-006', readdir: 'RD-001', pread: 'FD-007',
  read: 'FD-007', fstat: 'FD-002', fchmod: 'FD-002', ftruncate: 'FD-002', mread: 'MM-002', mmap: 'MM-002', symlink: 'CU-004',
  readlink: 'CU-004', lstat: 'LK-001', stat: 'LK-001', readfile: 'LK-001', mkfifo: 'CU-013', close: 'FD-007',
};

/** The catalogue behaviour a finding at this op most likely concerns. */
export const behaviourOf = (op: string): string => BEHAVIOUR[op] ?? 'LK-001';

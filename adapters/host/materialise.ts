// Writing a canonical layer tree into a real directory through the agent, in one pipeline:
// entries in order, hard links after their targets, ownership before modes (chown clears
// set-id bits), directory times last (creating children moves them).

import type { CanonEntry, CanonTree, CanonWhiteout } from '../../language/canonical.js';
import { toBytes } from '../../language/data.js';
import type { AgentRequest } from './agent.js';

/** How a layer format writes the overlay markers; plain directories have none. */
export interface MarkerWriter {
  /** requests that make `path` a whiteout */
  whiteout(path: string, format: CanonWhiteout['format']): AgentRequest[];
  /** requests that set a private overlay attribute (opaque, redirect, metacopy) on path */
  mark(path: string, key: 'opaque' | 'redirect' | 'metacopy', value: string): AgentRequest[];
}

/** Kernel overlayfs markers: char 0/0 (or xattr) whiteouts and `<ns>.overlay.*` xattrs. */
export function kernelMarkers(ns: 'trusted' | 'user'): MarkerWriter {
  return {
    whiteout: (path, format) =>
      format === 'xattr'
        ? [{ op: 'writefile', args: { path, data: new Uint8Array() } }, { op: 'setxattr', args: { path, name: `${ns}.overlay.whiteout`, value: new Uint8Array(), nofollow: true } }]
        : [{ op: 'mknod', args: { path, type: 'chr', major: 0, minor: 0, mode: 0 } }],
    mark: (path, key, value) => [{ op: 'setxattr', args: { path, name: `${ns}.overlay.${key}`, value: new TextEncoder().encode(value), nofollow: true } }],
  };
}

/** Writers for directories that must not hold overlay markers (the posix baseline). */
export const noMarkers: MarkerWriter = {
  whiteout: (path) => {
    throw new Error(`a plain directory cannot hold the whiteout at ${path}`);
  },
  mark: (path) => {
    throw new Error(`a plain directory cannot hold overlay markers (at ${path})`);
  },
};

/**
 * Whether an entry created in this directory would inherit from it rather than take the canonical
 * defaults (owner 0:0, mode 0644/0755): a set-group-ID directory hands down its group (and the bit
 * to subdirectories), a default ACL the mode. Seen when the posix baseline flattened a setgid upper
 * directory over a lower file: the file took the upper directory's group, which the overlay's
 * lower file never had.
 */
function hands(parent: CanonEntry | undefined): boolean {
  if (parent?.type !== 'dir') return false;
  return ((parent.mode ?? 0) & 0o2000) !== 0 || Object.keys(parent.xattrs ?? {}).includes('system.posix_acl_default');
}

function attrs(path: string, e: CanonEntry & Record<string, unknown>, symlink: boolean, inherits = false, mode = 0o644): AgentRequest[] {
  const out: AgentRequest[] = [];
  for (const [name, v] of Object.entries((e.xattrs as Record<string, unknown>) ?? {}))
    out.push({ op: 'setxattr', args: { path, name, value: toBytes(v), nofollow: true } });
  if (e.uid !== undefined || e.gid !== undefined || inherits) out.push({ op: 'lchown', args: { path, uid: Number(e.uid ?? 0), gid: Number(e.gid ?? 0) } });
  if (!symlink && (typeof e.mode === 'number' || inherits)) out.push({ op: 'chmod', args: { path, mode: typeof e.mode === 'number' ? e.mode : mode } });
  return out;
}

function times(path: string, e: Record<string, unknown>): AgentRequest[] {
  if (e.mtime === undefined && e.atime === undefined) return [];
  return [{ op: 'utimens', args: { path, atime: (e.atime as string) ?? 'omit', mtime: (e.mtime as string) ?? 'omit', nofollow: true } }];
}

/** Requests that build `tree` beneath the agent's current root. */
export function materialise(tree: CanonTree, markers: MarkerWriter): AgentRequest[] {
  const main: AgentRequest[] = [];
  const links: AgentRequest[] = [];
  const late: { depth: number; reqs: AgentRequest[] }[] = [];
  for (const [path, entry] of Object.entries(tree)) {
    const e = entry as CanonEntry & Record<string, unknown>;
    const inherits = hands(tree[path.split('/').slice(0, -1).join('/')]);
    switch (entry.type) {
      case 'dir':
        main.push({ op: 'mkdir', args: { path, mode: 0o755 } }, ...attrs(path, e, false, inherits, 0o755));
        if (entry.opaque) main.push(...markers.mark(path, 'opaque', entry.opaque));
        if (entry.redirect) main.push(...markers.mark(path, 'redirect', entry.redirect));
        late.push({ depth: path.split('/').length, reqs: times(path, e) });
        break;
      case 'file': {
        const data = entry.data === undefined ? new Uint8Array() : toBytes(entry.data);
        main.push({ op: 'writefile', args: { path, data, mode: 0o644 } });
        if (entry.size !== undefined && entry.size !== data.length) main.push({ op: 'truncate', args: { path, length: entry.size } });
        main.push(...attrs(path, e, false, inherits));
        if (entry.metacopy) main.push(...markers.mark(path, 'metacopy', ''));
        if (entry.redirect) main.push(...markers.mark(path, 'redirect', entry.redirect));
        main.push(...times(path, e));
        break;
      }
      case 'symlink':
        main.push({ op: 'symlink', args: { path, target: entry.target } }, ...attrs(path, e, true, inherits), ...times(path, e));
        break;
      case 'hardlink':
        links.push({ op: 'link', args: { from: entry.target, to: path } });
        break;
      case 'fifo':
      case 'chr':
      case 'blk':
      case 'sock':
        main.push({ op: 'mknod', args: { path, type: entry.type, mode: entry.mode ?? 0o644, major: entry.major ?? 0, minor: entry.minor ?? 0 } }, ...attrs(path, e, false, inherits, entry.mode ?? 0o644), ...times(path, e));
        break;
      case 'whiteout':
        main.push(...markers.whiteout(path, entry.format));
        break;
    }
  }
  late.sort((a, b) => b.depth - a.depth);
  return [...main, ...links, ...late.flatMap((l) => l.reqs)];
}

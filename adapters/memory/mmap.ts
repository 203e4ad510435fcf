// MAP_SHARED mappings: a mapping is made on the real file the fd reaches at mmap time, so a
// mapping of a lower file stays stale after copy-up (DEV MM-001) while a writable mapping,
// which needs an fd that already copied the file up, stays coherent with read/write.

import { fail } from './errors.js';
import { BLOCK, writeAt, type LNode } from './layer.js';
import type { Mapping, OpenFile } from './handles.js';
import { readNode } from './fileops.js';
import type { Mount } from './state.js';
import { touchAtime, touchModify } from './times.js';

/** mmap(2) MAP_SHARED of [offset, offset+length). */
export function mapFd(m: Mount, f: OpenFile, offset: number, length: number, write: boolean): Mapping {
  if (!f.readable) fail('EACCES');
  if (write && !f.writable) fail('EACCES');
  if (length <= 0 || offset < 0 || offset % BLOCK !== 0) fail('EINVAL');
  if (f.inode.kind !== 'file') fail('ENODEV');
  const node = readNode(f);
  const map: Mapping = { id: m.handle(), node, inode: f.inode, path: f.path, offset, length, writable: write };
  if (f.inode.upper) touchAtime(m, f.inode.upper);
  m.maps.set(map.id, map);
  return map;
}

/** the mapping, or EINVAL for an unknown handle */
export function getMap(m: Mount, id: number): Mapping {
  const map = m.maps.get(id);
  if (!map) fail('EINVAL');
  return map;
}

/**
 * Check an access at [off, off+len) of the mapping as the host agent reports it: EINVAL for a
 * range outside the mapping (the agent refuses it before touching memory), SIGBUS for a page
 * wholly past the end of the file (an empty file has no page at all: its first byte faults).
 */
function check(map: Mapping, off: number, len: number): number {
  if (off < 0 || off + len > map.length) fail('EINVAL', 'outside the mapping');
  const fileOff = map.offset + off;
  const pages = Math.ceil(map.node.size / BLOCK) * BLOCK;
  if (fileOff + len > pages) fail('SIGBUS', 'access beyond the end of the mapped file');
  return fileOff;
}

/** Read bytes from a mapping (zeros past EOF within the last page). */
export function mapRead(map: Mapping, off: number, len: number): Uint8Array {
  const at = check(map, off, len);
  const n: LNode = map.node;
  const out = new Uint8Array(len);
  const avail = Math.max(0, Math.min(n.size, n.data.length) - at);
  if (avail > 0) out.set(n.data.subarray(at, at + Math.min(avail, len)));
  return out;
}

/** Store bytes into a writable mapping (stores past EOF are not part of the file). */
export function mapWrite(m: Mount, map: Mapping, off: number, data: Uint8Array): void {
  if (!map.writable) fail('SIGSEGV', 'the mapping does not allow this access');
  const at = check(map, off, data.length);
  const n = map.node;
  const keep = Math.max(0, Math.min(data.length, n.size - at));
  if (keep > 0) writeAt(n, at, data.subarray(0, keep));
  touchModify(m, n);
}

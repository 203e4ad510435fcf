// Special files opened through the overlay: named pipes (a buffer with reader and writer
// counts, O_NONBLOCK rules) and the few character devices whose behaviour is fixed
// (null, zero, full); other device numbers have no driver here (ENXIO, as on a bare system).

import { fail } from './errors.js';
import type { LNode } from './layer.js';
import type { OInode } from './inode.js';

/** Known character devices by "major:minor". */
const DEVICES: Record<string, 'null' | 'zero' | 'full'> = { '1:3': 'null', '1:5': 'zero', '1:7': 'full' };

/** Which device a node is, or undefined when opening it would fail with ENXIO. */
export function deviceOf(n: LNode): 'null' | 'zero' | 'full' | undefined {
  return n.kind === 'chr' ? DEVICES[`${n.major}:${n.minor}`] : undefined;
}

/** open(2) of a special file: fifo ends are counted, unknown devices and sockets refused. */
export function openSpecial(i: OInode, n: LNode, read: boolean, write: boolean, nonblock: boolean): void {
  if (n.kind === 'sock') fail('ENXIO');
  if (n.kind === 'chr' || n.kind === 'blk') {
    if (!deviceOf(n)) fail('ENXIO');
    return;
  }
  if (n.kind !== 'fifo') return;
  const p = (i.pipe ??= { buf: [], readers: 0, writers: 0 });
  if (read && write) {
    p.readers++;
    p.writers++;
    return;
  }
  if (read) {
    if (!nonblock && p.writers === 0) fail('EAGAIN', 'opening a fifo for reading with no writer would block forever');
    p.readers++;
    return;
  }
  if (p.readers === 0) fail(nonblock ? 'ENXIO' : 'EAGAIN', nonblock ? undefined : 'opening a fifo for writing with no reader would block forever');
  p.writers++;
}

/** close(2) of a special file: drop its fifo ends. */
export function closeSpecial(i: OInode, read: boolean, write: boolean): void {
  if (!i.pipe) return;
  if (read) i.pipe.readers--;
  if (write) i.pipe.writers--;
  if (i.pipe.readers <= 0 && i.pipe.writers <= 0) i.pipe = null;
}

/** read(2) from a special file. */
export function readSpecial(i: OInode, n: LNode, len: number, nonblock: boolean): Uint8Array {
  if (n.kind === 'fifo') {
    const p = i.pipe!;
    if (p.buf.length === 0) {
      if (p.writers === 0) return new Uint8Array(0);
      fail('EAGAIN', nonblock ? undefined : 'reading an empty fifo would block forever');
    }
    return Uint8Array.from(p.buf.splice(0, Math.min(len, p.buf.length)));
  }
  const dev = deviceOf(n);
  if (dev === 'null') return new Uint8Array(0);
  return new Uint8Array(len);
}

/** write(2) to a special file; returns the count written. */
export function writeSpecial(i: OInode, n: LNode, data: Uint8Array): number {
  if (n.kind === 'fifo') {
    const p = i.pipe!;
    if (p.readers === 0) fail('EPIPE');
    for (const b of data) p.buf.push(b);
    return data.length;
  }
  if (deviceOf(n) === 'full') fail('ENOSPC');
  return data.length;
}

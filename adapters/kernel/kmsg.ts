// The kernel's log around one mount: overlayfs reports most refusals (option conflicts, layers in
// use) with pr_err rather than in the fs-context log, so a refused mount's reason is read from
// /dev/kmsg, records after a sequence number taken just before the mount.

import { closeSync, constants, openSync, readSync } from 'node:fs';

/** One /dev/kmsg record: sequence number and text. */
interface Record {
  seq: number;
  text: string;
}

function records(): Record[] {
  let fd: number;
  try {
    fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return [];
  }
  const out: Record[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (let i = 0; i < 100_000; i++) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') continue; // overwritten while reading
        break; // EAGAIN: the end
      }
      if (n <= 0) break;
      const line = buf.subarray(0, n).toString('utf8');
      const semi = line.indexOf(';');
      const seq = Number(line.split(',')[1]);
      if (semi > 0 && Number.isFinite(seq)) out.push({ seq, text: line.slice(semi + 1).split('\n')[0] });
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** The sequence number of the newest kernel log record (-1 when the log cannot be read). */
export function kmsgMark(): number {
  const all = records();
  return all.length ? all[all.length - 1].seq : -1;
}

/** The first overlayfs record logged after the mark (other mounts on the machine may log too: a hint, never asserted). */
export function overlayLogSince(mark: number): string | undefined {
  if (mark < 0) return undefined;
  const lines = records().filter((r) => r.seq > mark && /^overlay(fs)?: /.test(r.text)).map((r) => r.text);
  return lines[0];
}

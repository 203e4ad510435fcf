// The kernel's log around one mount: overlayfs reports most refusals (option conflicts, layers in
// use) with pr_err rather than in the fs-context log, so a refused mount's reason is read from
// /dev/kmsg, records after a sequence number taken just before the mount.
//
// One descriptor stays open for the process and each call reads only the records logged since
// the last one (a fresh open reads the whole ring buffer: ~2,500 records, one read(2) each, were
// read twice per kernel scenario, more CPU than the scenario's own mount and unmount). The
// newest records are kept in memory, as many as the ring buffer holds, so every mark taken by
// any worker of the process still finds what was logged after it.

import { closeSync, constants, openSync, readSync } from 'node:fs';

/** One /dev/kmsg record: sequence number and text. */
interface Record {
  seq: number;
  text: string;
}

/** records kept (the ring buffer of these machines holds about 2,500) */
const KEEP = 4096;
const kept: Record[] = [];
const buf = Buffer.alloc(8192);
/** the open log, undefined before the first call, -1 when it cannot be read */
let fd: number | undefined;

/** Read the records logged since the last call into `kept`; false when the log cannot be read. */
function drain(): boolean {
  if (fd === undefined) {
    try {
      // (libuv opens every file close-on-exec: the agents and daemons the runner starts do not inherit it)
      fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      fd = -1;
    }
  }
  if (fd < 0) return false;
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
    if (semi > 0 && Number.isFinite(seq)) kept.push({ seq, text: line.slice(semi + 1).split('\n')[0] });
  }
  if (kept.length > KEEP) kept.splice(0, kept.length - KEEP);
  return true;
}

/** The sequence number of the newest kernel log record (-1 when the log cannot be read). */
export function kmsgMark(): number {
  if (!drain()) return -1;
  return kept.length ? kept[kept.length - 1].seq : -1;
}

/** The first overlayfs record logged after the mark (other mounts on the machine may log too: a hint, never asserted). */
export function overlayLogSince(mark: number): string | undefined {
  if (mark < 0 || !drain()) return undefined;
  return kept.find((r) => r.seq > mark && /^overlay(fs)?: /.test(r.text))?.text;
}

/** Close the log (tests; a process that exits closes it anyway). */
export function closeKmsg(): void {
  if (fd !== undefined && fd >= 0) closeSync(fd);
  fd = undefined;
  kept.length = 0;
}

// A writer for the "newc" cpio format the kernel unpacks as an initramfs: a few dozen entries,
// so writing it in-process avoids depending on the cpio tool.

/** One initramfs entry; data for files, target for symlinks. */
export interface CpioEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'chr';
  mode: number;
  data?: Buffer;
  target?: string;
  rdev?: [number, number];
}

const S_IF = { file: 0o100000, dir: 0o040000, symlink: 0o120000, chr: 0o020000 } as const;

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function pad4(n: number): Buffer {
  return Buffer.alloc((4 - (n % 4)) % 4);
}

function record(ino: number, name: string, mode: number, body: Buffer, rdev: [number, number] = [0, 0], nlink = 1): Buffer {
  const nameBuf = Buffer.from(name + '\0');
  const header = '070701' + [ino, mode, 0, 0, nlink, 0, body.length, 0, 0, rdev[0], rdev[1], nameBuf.length, 0].map(hex8).join('');
  const head = Buffer.concat([Buffer.from(header, 'ascii'), nameBuf]);
  return Buffer.concat([head, pad4(head.length), body, pad4(body.length)]);
}

/** Serialise entries (parents before children is the caller's job) with the TRAILER!!! record. */
export function writeCpio(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((e, i) => {
    const body = e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : e.type === 'symlink' ? Buffer.from(e.target ?? '') : Buffer.alloc(0);
    parts.push(record(i + 1, e.path.replace(/^\/+/, ''), S_IF[e.type] | (e.mode & 0o7777), body, e.rdev, e.type === 'dir' ? 2 : 1));
  });
  parts.push(record(0, 'TRAILER!!!', 0, Buffer.alloc(0), [0, 0], 1));
  const all = Buffer.concat(parts);
  return Buffer.concat([all, Buffer.alloc((512 - (all.length % 512)) % 512)]);
}

/** Read the entry names back (for tests and `--explain`): name → mode. */
export function listCpio(buf: Buffer): { path: string; mode: number; size: number }[] {
  const out: { path: string; mode: number; size: number }[] = [];
  let off = 0;
  while (off + 110 <= buf.length && buf.toString('ascii', off, off + 6) === '070701') {
    const field = (i: number) => parseInt(buf.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const namesize = field(11);
    const name = buf.toString('utf8', off + 110, off + 110 + namesize - 1);
    if (name === 'TRAILER!!!') break;
    out.push({ path: name, mode, size });
    const afterName = off + 110 + namesize;
    off = afterName + ((4 - (afterName % 4)) % 4);
    off += size + ((4 - (size % 4)) % 4);
  }
  return out;
}

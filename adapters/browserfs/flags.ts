// BrowserFS opens only with Node's flag strings (FileFlag.getFileFlag): numeric open flags are
// mapped to the string with the same access mode, creation and truncation, or refused with why.

import { constants as C } from 'node:fs';

const O_ACCMODE = 3;
/** O_CLOEXEC (0o2000000) and O_LARGEFILE (0o100000) change nothing for an in-process library */
const MASK = O_ACCMODE | C.O_CREAT | C.O_EXCL | C.O_TRUNC | C.O_APPEND;
const STRINGS = new Map<number, string>([
  [C.O_RDONLY, 'r'],
  [C.O_RDWR, 'r+'],
  [C.O_WRONLY | C.O_CREAT | C.O_TRUNC, 'w'],
  [C.O_WRONLY | C.O_CREAT | C.O_TRUNC | C.O_EXCL, 'wx'],
  [C.O_RDWR | C.O_CREAT | C.O_TRUNC, 'w+'],
  [C.O_RDWR | C.O_CREAT | C.O_TRUNC | C.O_EXCL, 'wx+'],
  [C.O_WRONLY | C.O_CREAT | C.O_APPEND, 'a'],
  [C.O_WRONLY | C.O_CREAT | C.O_APPEND | C.O_EXCL, 'ax'],
  [C.O_RDWR | C.O_CREAT | C.O_APPEND, 'a+'],
  [C.O_RDWR | C.O_CREAT | C.O_APPEND | C.O_EXCL, 'ax+'],
]);

/** The flag string BrowserFS accepts for these open flags, or why it cannot open with them. */
export function bfsOpenFlags(n: number): string | { skip: string } {
  const extra = n & ~MASK & ~0o2000000 & ~0o100000;
  const s = STRINGS.get(n & MASK);
  if (s === undefined || extra) return { skip: `BrowserFS cannot open with flags 0x${n.toString(16)}: its open() takes only Node's flag strings (r, r+, w, wx, w+, a, a+ …)` };
  return s;
}

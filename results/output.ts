// Writing an output file (--out) safely: checked writable before a run starts, written to a
// temporary file beside it and renamed over it, so a full filesystem or a kill leaves the previous
// file (or none) and never a truncated one; a failure is an OutputError with a clear message.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** An output file that cannot be written; the message names the file and the cause. */
export class OutputError extends Error {
  override name = 'OutputError';
}

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the filesystem (ENOSPC)',
  EDQUOT: 'disk quota exceeded (EDQUOT)',
  EROFS: 'the filesystem is read-only (EROFS)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  ENOENT: 'the directory does not exist (ENOENT)',
  ENOTDIR: 'a part of the path is not a directory (ENOTDIR)',
  EISDIR: 'it is a directory (EISDIR)',
};
const cause = (e: unknown) => CAUSES[(e as NodeJS.ErrnoException).code ?? ''] ?? (e as Error).message;

/** the temporary file an output is written to before it is renamed into place */
const tempOf = (file: string) => join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Check, before any work, that `file` can be written: its directory exists and takes a new file. */
export function checkOutput(path: string): void {
  const file = resolve(path);
  if (isDir(file)) throw new OutputError(`cannot write ${path}: it is a directory`);
  const tmp = tempOf(file);
  try {
    closeSync(openSync(tmp, 'wx'));
  } catch (e) {
    throw new OutputError(`cannot write ${path}: ${dirname(file)}: ${cause(e)}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Write `data` to `file` atomically (temporary file, fsync, rename); throws OutputError, leaving `file` as it was. */
export function writeOutput(path: string, data: string | Uint8Array): void {
  const file = resolve(path);
  const tmp = tempOf(file);
  const existed = statSync(file, { throwIfNoEntry: false }) !== undefined;
  try {
    const fd = openSync(tmp, 'w');
    try {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new OutputError(`cannot write ${path}: ${cause(e)}; ${existed ? 'the previous file is left unchanged' : 'nothing was written'}`);
  }
}

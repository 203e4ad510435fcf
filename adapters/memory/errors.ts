// Errors of the model: a filesystem error carries the errno name Linux would return; an escape
// means the path would leave the merged root (RESOLVE_BENEATH), refused before anything ran.

/** A failed syscall: thrown inside the engine, turned into an OpResult at the worker boundary. */
export class FsError extends Error {
  constructor(
    readonly errno: string,
    message?: string,
  ) {
    super(message ?? errno);
  }
}

/** A path that resolves outside the scenario root (absolute symlink, `..` above the root). */
export class EscapeError extends Error {}

/** Throw an errno; typed `never` so it can end expressions. */
export function fail(errno: string, message?: string): never {
  throw new FsError(errno, message);
}

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

/** Throw an errno; typed `never` so it can end expressions. An errno is an answer, not a bug:
 * it carries no stack trace (capturing one for every ENOENT of a final-state walk cost more than
 * the lookup that failed). */
export function fail(errno: string, message?: string): never {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let e: FsError;
  try {
    e = new FsError(errno, message);
  } finally {
    Error.stackTraceLimit = limit;
  }
  throw e;
}

// Errors any layer may raise for bad input from the command line (a flag, a shard spec), which
// the CLI turns into a usage message and exit status 2 rather than a stack trace.

/** The user asked for something malformed: the message says what and how to fix it. */
export class UsageError extends Error {}

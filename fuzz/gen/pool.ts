// The small, fixed name pool generated scenarios draw every path from: few names, so operations
// collide (rename onto, unlink then recreate, link between) the way overlay bugs need.

/** 255 bytes: NAME_MAX on ext4, tmpfs and the overlays over them */
export const LONG = 'L'.repeat(255);

/** top-level names that hold files, symlinks or nothing; never FIFOs */
export const FILE_SLOTS = ['a', 'b', 'c'] as const;
/** top-level names that hold directories (or nothing) */
export const DIR_SLOTS = ['m', 'n'] as const;
/** the only names FIFOs ever live at, so no generated open(2) can block on one */
export const FIFO_SLOTS = ['p', 'q'] as const;

/** every path a generated step may name, except FIFO names */
export const REGULAR_PATHS = ['a', 'b', 'c', 'e', 'a.link', 'b.link', 'm', 'n', 'm/x', 'm/y', 'n/x', 'n/y', 'm/s', 'm/s/z', LONG] as const;
/** paths a step that creates a directory or renames one may name */
export const DIR_PATHS = ['m', 'n', 'e', 'm/s', 'n/s', 'm/y'] as const;

/** Which behaviour-catalogue path class a pool path belongs to after generation. */
export type PathClass =
  | 'absent' | 'lower-only' | 'upper-only' | 'shadowed' | 'stacked' | 'whiteout' | 'lower-whiteout'
  | 'hard-link' | 'symlink' | 'xattr' | 'long-name' | 'fifo'
  | 'lower-dir' | 'upper-dir' | 'merged-dir' | 'opaque-dir' | 'whiteout-dir' | 'redirect-dir';

/** Short display name of a pool path (the long name would fill a line). */
export function shown(path: string): string {
  return path.replace(LONG, 'L×255');
}

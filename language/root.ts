// Where the package lives on disk, found from this module's own location, so the CLI works
// the same from source checkouts, dist/ and an installed package.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** the directory holding overlay-conformance's package.json */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'overlay-conformance') return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the overlay-conformance package root');
    dir = up;
  }
}

/** the package version, for the results fingerprint */
export function packageVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version;
}

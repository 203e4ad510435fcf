// Facts about the tools on this machine that the daemon-backed adapters (fuse-overlayfs,
// unionfs-fuse, command) need: whether a binary is on PATH, whether /dev/fuse can be opened, and
// a command's version text.

import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The absolute path of a command on PATH, or undefined. */
export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const p = join(dir || '.', cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Why FUSE cannot be used by this process, or undefined when it can. */
export function fuseUnavailable(): string | undefined {
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    return '/dev/fuse cannot be opened by this user (it is mode 0600 root here)';
  }
  if (!which('fusermount3')) return 'fusermount3 is not installed (apt-get install fuse3)';
  return undefined;
}

/** stdout and stderr of a short command (version queries), without the lazytime noise. */
export function commandText(argv: string[]): string {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
  return `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').filter((l) => l.trim() && !/unknown argument ignored: lazytime/.test(l)).join('\n');
}

/** The first "version X.Y[.Z]" in a text that follows a label, e.g. versionAfter(t, 'fuse-overlayfs'). */
export function versionAfter(text: string, label: RegExp): string | undefined {
  for (const line of text.split('\n')) if (label.test(line)) {
    const m = /(\d+(?:\.\d+)+)/.exec(line.replace(label, ''));
    if (m) return m[1];
  }
  return undefined;
}

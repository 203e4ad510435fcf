// What the machine running the tests offers, so tests that need root, FUSE or a compiler
// skip with a printed reason instead of failing on a laptop.
import { accessSync, constants, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { staticBusybox } from '../../vm/tools.js';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** undefined when available, else the reason a test must skip */
export const missing = {
  root: isRoot ? undefined : 'needs root (CI runs as root)',
  cc: has('cc') || has('gcc') ? undefined : 'no C compiler (cc/gcc) on PATH',
  fuse: (() => {
    try {
      accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
      return undefined;
    } catch {
      return '/dev/fuse is not usable by this user';
    }
  })(),
  fuseOverlayfs: has('fuse-overlayfs') ? undefined : 'fuse-overlayfs is not installed (apt-get install fuse-overlayfs)',
  unionfs: has('unionfs') ? undefined : 'unionfs-fuse is not installed (apt-get install unionfs-fuse)',
  mergerfs: has('mergerfs') ? undefined : 'mergerfs is not installed (apt-get install mergerfs)',
  mhddfs: has('mhddfs') ? undefined : 'mhddfs is not installed (apt-get install mhddfs)',
  runsc: has('runsc') ? undefined : 'runsc (gVisor) is not installed (apt-get install runsc)',
  qemu: has('qemu-system-x86_64') ? undefined : 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)',
  kmod: has('depmod') ? undefined : 'depmod is not installed (apt-get install kmod)',
  busybox: staticBusybox() ? undefined : 'no statically linked busybox (apt-get install busybox-static)',
  chromium: existsSync('/usr/bin/chromium') ? undefined : 'Debian chromium is not installed (apt-get install chromium)',
  overlay: existsSync('/proc/filesystems') && /\boverlay\b/.test(safeRead('/proc/filesystems')) ? undefined : 'kernel has no overlay filesystem',
};

function safeRead(p: string): string {
  try {
    return execFileSync('cat', [p]).toString();
  } catch {
    return '';
  }
}

/** the first reason among the needs that is missing, printed once per skipped suite */
export function skipReason(...needs: (keyof typeof missing)[]): string | undefined {
  for (const n of needs) if (missing[n]) return missing[n];
  return undefined;
}

/** print why a test (or suite) is skipped; returns true when it must skip */
export function skipping(title: string, ...needs: (keyof typeof missing)[]): boolean {
  const why = skipReason(...needs);
  if (why) console.log(`  SKIP ${title}: ${why}`);
  return why !== undefined;
}

/**
 * Skip a test that has already started (a need found only at run time): prints the marker
 * scripts/test.js counts as a skip, so the test is reported skipped, never passed. Return right after.
 */
export function skipNow(title: string, reason: string): void {
  console.log(`  SKIP(run) ${title}: ${reason}`);
}

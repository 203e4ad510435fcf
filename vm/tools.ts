// The host programs `ovlconf vm` needs, and a clear error naming the apt command that installs
// whatever is missing (instead of a spawn ENOENT deep inside a boot).

import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';

/** A program the vm runner calls, with the Debian package that ships it. */
export interface Tool {
  name: string;
  pkg: string;
  why: string;
}

/** Everything a first boot may need (later boots only need qemu). */
export const VM_TOOLS: Tool[] = [
  { name: 'qemu-system-x86_64', pkg: 'qemu-system-x86', why: 'boots the kernel' },
  { name: 'depmod', pkg: 'kmod', why: 'builds modules.dep for the unpacked kernel' },
  { name: 'apt-get', pkg: 'apt', why: 'downloads kernel packages' },
  { name: 'dpkg', pkg: 'dpkg', why: 'unpacks kernel packages' },
  { name: 'xz', pkg: 'xz-utils', why: 'decompresses the kernel image and .ko.xz modules' },
  { name: 'zstd', pkg: 'zstd', why: 'decompresses zstd kernel images and .ko.zst modules' },
  { name: 'mkfs.ext4', pkg: 'e2fsprogs', why: 'formats the guest disk the layers live on' },
];

/** Where a static busybox lives on Debian (package busybox-static). */
export const BUSYBOX_PATHS = ['/bin/busybox', '/usr/bin/busybox'];

/** true when `name` is found on PATH */
export function onPath(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1"`, 'sh', name], { stdio: 'ignore' }).status === 0;
}

/** Is this ELF file statically linked (no PT_INTERP program header)? undefined: not a 64-bit ELF. */
export function isStaticElf(header: Buffer): boolean | undefined {
  if (header.length < 64 || header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return undefined;
  const phoff = Number(header.readBigUInt64LE(32));
  const phentsize = header.readUInt16LE(54);
  const phnum = header.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize;
    if (off + 4 > header.length) return undefined;
    if (header.readUInt32LE(off) === 3) return false; // PT_INTERP
  }
  return true;
}

/** The first static busybox found, or undefined. */
export function staticBusybox(paths = BUSYBOX_PATHS): string | undefined {
  for (const p of paths) {
    try {
      const fd = openSync(p, 'r');
      const buf = Buffer.alloc(4096);
      readSync(fd, buf, 0, buf.length, 0);
      closeSync(fd);
      if (isStaticElf(buf)) return p;
    } catch {
      /* not there */
    }
  }
  return undefined;
}

/** The install hint for missing tools: one apt-get line. */
export function installHint(pkgs: string[]): string {
  return `apt-get install -y ${[...new Set(pkgs)].join(' ')}`;
}

/** Throw one error naming every missing tool and the command that installs them. */
export function requireTools(names: string[], needBusybox: boolean, has: (n: string) => boolean = onPath, busybox: () => string | undefined = staticBusybox): void {
  const miss = VM_TOOLS.filter((t) => names.includes(t.name) && !has(t.name));
  const lines = miss.map((t) => `  ${t.name} (${t.why}) — package ${t.pkg}`);
  const pkgs = miss.map((t) => t.pkg);
  if (needBusybox && !busybox()) {
    lines.push('  a statically linked busybox (the guest\'s init) — package busybox-static');
    pkgs.push('busybox-static');
  }
  if (lines.length) throw new Error(`ovlconf vm needs programs that are not installed:\n${lines.join('\n')}\nInstall them with: ${installHint(pkgs)}`);
}

// The QEMU command line for one guest (pure), the choice of accelerator, and the boot itself:
// console captured to a log, a hard timeout, and the guest's exit status read from the job share.

import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';

/** Everything the QEMU command line depends on. */
export interface QemuConfig {
  qemu?: string;
  accel: 'kvm' | 'tcg';
  vmlinux: string;
  initramfs: string;
  cmdline: string;
  memoryMiB: number;
  /** 9p shares: tag → host path */
  shares: { tag: string; path: string; readonly: boolean }[];
  /** raw disk image attached as virtio-blk (/dev/vda) */
  disk?: string;
}

/** The argv for qemu-system-x86_64 (flags from qemu.md: no devices but the ones named, serial on stdio). */
export function qemuArgv(c: QemuConfig): string[] {
  const argv = [
    c.qemu ?? 'qemu-system-x86_64',
    '-accel', c.accel, '-cpu', c.accel === 'kvm' ? 'host' : 'max', '-m', `${c.memoryMiB}M`, '-smp', '1',
    '-nodefaults', '-display', 'none', '-serial', 'stdio', '-nic', 'none', '-no-reboot',
    '-kernel', c.vmlinux, '-initrd', c.initramfs, '-append', c.cmdline,
  ];
  for (const s of c.shares) {
    if (/,/.test(s.path)) throw new Error(`cannot share ${s.path} with QEMU: the path contains a comma`);
    argv.push('-virtfs', `local,path=${s.path},mount_tag=${s.tag},security_model=none,multidevs=remap${s.readonly ? ',readonly=on' : ''}`);
  }
  if (c.disk) argv.push('-drive', `file=${c.disk},format=raw,if=virtio,cache=unsafe`);
  return argv;
}

/** KVM when /dev/kvm is usable and the CPU has virtualisation extensions; TCG otherwise. */
export function chooseAccel(kvmUsable: boolean, cpuinfo: string): 'kvm' | 'tcg' {
  return kvmUsable && /\b(vmx|svm)\b/.test(cpuinfo) ? 'kvm' : 'tcg';
}

/** The accelerator for this machine. */
export function hostAccel(): 'kvm' | 'tcg' {
  let usable = false;
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    usable = true;
  } catch {
    /* no KVM */
  }
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    /* not Linux */
  }
  return chooseAccel(usable, cpuinfo);
}

/** How a boot ended. */
export interface BootOutcome {
  /** QEMU's own exit code (0 after poweroff -f whatever happened inside) */
  qemuExit: number | null;
  timedOut: boolean;
  ms: number;
  /** the last lines of the serial console */
  console: string;
}

/** Boot and wait: kills QEMU (by its pid) after `timeoutMs`; console lines go to `onLine` and the returned tail. */
export function boot(argv: string[], timeoutMs: number, onLine: (l: string) => void = () => {}): Promise<BootOutcome> {
  const t0 = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let tail = '';
    let partial = '';
    let timedOut = false;
    const take = (b: Buffer) => {
      const s = b.toString('utf8');
      tail = (tail + s).slice(-8000);
      partial += s;
      const lines = partial.split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${argv[0]}: ${e.message}${(e as NodeJS.ErrnoException).code === 'ENOENT' ? ' (apt-get install -y qemu-system-x86)' : ''}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ qemuExit: code, timedOut, ms: Date.now() - t0, console: tail });
    });
  });
}

// Running the real `ovlconf` binary in a child process, for end-to-end tests.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../language/root.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** run `ovlconf args…`; `onSpawn` may signal the child (for SIGINT tests), `onStderr` sees its progress as it comes */
export function ovlconf(args: string[], opts: { onSpawn?: (pid: number) => void; onStderr?: (sofar: string) => void; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'ovlconf.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => {
      stderr += b;
      opts.onStderr?.(stderr);
    });
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stdout, stderr });
    });
    if (child.pid) opts.onSpawn?.(child.pid);
  });
}

/** the fixture suites directory */
export const fixtures = (name: string) => join(packageRoot(), 'test', 'fixtures', 'suites', name);

/** our overlay/fuse mounts visible in the host's mount table */
export async function hostOverlayMounts(): Promise<string[]> {
  const { readFileSync } = await import('node:fs');
  return readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => / (overlay|fuse[.a-z-]*) /.test(l) && l.includes('ovlconf'));
}

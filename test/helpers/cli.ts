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

/**
 * Run `ovlconf args…` in this process: main() with stdout and stderr captured. For usage errors,
 * help and validation, where a child process adds only its start-up (~0.4 s of CPU each); the
 * runs themselves go through the real binary (ovlconf above).
 */
export async function ovlconfHere(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../cli/main.js');
  const out = { stdout: '', stderr: '' };
  const capture = (k: 'stdout' | 'stderr') => ((chunk: string | Uint8Array) => ((out[k] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()), true)) as typeof process.stdout.write;
  const saved = [process.stdout.write, process.stderr.write] as const;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    return { code: await main(args), ...out };
  } finally {
    [process.stdout.write, process.stderr.write] = saved;
  }
}

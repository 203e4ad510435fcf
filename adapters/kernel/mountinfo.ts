// Reading what the kernel really mounted: /proc/<pid>/mountinfo of the agent's namespace and
// the overlay module's parameters, resolved into the effective options profiles test against.

import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** One line of mountinfo that matters here. */
export interface MountEntry {
  mountPoint: string;
  fstype: string;
  source: string;
  superOptions: string[];
}

const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Parse a mountinfo document. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [pre, post] = line.split(' - ');
    if (!post) continue;
    const f = pre.split(' ');
    const [fstype, source, sopts = ''] = post.split(' ');
    out.push({ mountPoint: unescape(f[4]), fstype, source: unescape(source), superOptions: splitOptions(sopts) });
  }
  return out;
}

/** split a mount option string on commas that are not escaped */
export function splitOptions(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === ',') {
      out.push(cur);
      cur = '';
    } else cur += s[i];
  }
  if (cur) out.push(cur);
  return out;
}

/** The mount at target in a process's namespace (last one wins, as the kernel shows it). */
export function mountAt(pid: number, target: string): MountEntry | undefined {
  const all = parseMountinfo(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'));
  return all.filter((m) => m.mountPoint === target).pop();
}

/** /sys/module/overlay/parameters as a map (empty when the module exposes none). */
export function moduleParams(): Record<string, string> {
  const dir = '/sys/module/overlay/parameters';
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(`${dir}/${n}`, 'utf8').trim()]));
}

const yes = (v: string | undefined) => v === 'Y' || v === 'y' || v === '1';

/**
 * The effective overlay options: what mountinfo shows, with the module defaults for what it
 * leaves out (the kernel prints only options that differ from the defaults).
 */
export function effectiveOptions(superOptions: string[], params: Record<string, string>): Record<string, string> {
  const shown = new Map<string, string>();
  for (const o of superOptions) {
    const i = o.indexOf('=');
    shown.set(i < 0 ? o : o.slice(0, i), i < 0 ? 'on' : o.slice(i + 1));
  }
  // userxattr turns redirects and metacopy off (overlayfs.rst "User xattr"); older kernels
  // (6.1) do not print the implied redirect_dir=nofollow
  const userxattr = shown.has('userxattr');
  const metacopy = shown.get('metacopy') ?? (!userxattr && yes(params.metacopy) ? 'on' : 'off');
  const redirect =
    shown.get('redirect_dir') ??
    (userxattr ? 'nofollow' : metacopy === 'on' || yes(params.redirect_dir) ? 'on' : yes(params.redirect_always_follow) ? 'follow' : 'nofollow');
  const nfs = shown.get('nfs_export') ?? (yes(params.nfs_export) ? 'on' : 'off');
  return {
    redirect_dir: redirect,
    index: shown.get('index') ?? (nfs === 'on' || yes(params.index) ? 'on' : 'off'),
    metacopy,
    xino: shown.get('xino') ?? (yes(params.xino_auto) ? 'auto' : 'off'),
    nfs_export: nfs,
    userxattr: userxattr ? 'on' : 'off',
    volatile: shown.get('fsync') === 'volatile' || shown.has('volatile') ? 'on' : 'off',
    uuid: shown.get('uuid') ?? 'auto',
    ro: shown.has('ro') ? 'on' : 'off',
  };
}

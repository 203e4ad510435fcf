// Which Debian packages make up a kernel: resolves what the user typed (a series such as
// "6.1", an exact package name, a .deb file or a vmlinuz) against the package names a private
// apt state knows. Pure: the apt look-up is done by the caller (fetch.ts).

/** What `--kernel` / one `--matrix` entry asks for. */
export type KernelRequest =
  | { kind: 'series'; series: string; flavour: string }
  | { kind: 'package'; name: string }
  | { kind: 'debs'; paths: string[] }
  | { kind: 'vmlinuz'; path: string }
  | { kind: 'host' };

/** The packages to download for one kernel (the image, and on split layouts the modules). */
export interface KernelPackages {
  /** release as `uname -r` will show it, e.g. 6.1.0-57-amd64 */
  release: string;
  packages: string[];
}

/** Classify a request: `host`, a path (.deb, several joined by +, or a vmlinuz), a series, a package. */
export function parseKernelRequest(text: string, flavour = 'amd64'): KernelRequest {
  const t = text.trim();
  if (t === 'host') return { kind: 'host' };
  if (t.split('+').every((p) => p.endsWith('.deb'))) return { kind: 'debs', paths: t.split('+') };
  if (t.includes('/') || /^vmlinu[xz]/.test(t)) return { kind: 'vmlinuz', path: t };
  if (/^\d+\.\d+$/.test(t)) return { kind: 'series', series: t, flavour };
  if (/^linux-(image|binary)/.test(t)) return { kind: 'package', name: t };
  throw new Error(`--kernel ${JSON.stringify(text)}: expected a series (5.10, 6.1, 6.12, 7.2), a Debian package (linux-image-6.1.0-57-amd64-unsigned), a .deb file, a vmlinuz path, or "host"`);
}

/** Compare dotted/dashed version strings numerically, piece by piece (sort -V, roughly). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[^0-9]+/).filter(Boolean).map(Number);
  const pb = b.split(/[^0-9]+/).filter(Boolean).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const IMAGE = /^linux-image-(.+)-unsigned$/;
const BINARY = /^linux-binary-unsigned-(.+)$/;

/** The release a kernel package installs (`uname -r`), or undefined for other packages. */
export function releaseOf(pkg: string): string | undefined {
  return IMAGE.exec(pkg)?.[1] ?? BINARY.exec(pkg)?.[1];
}

/** The packages holding one release: an -unsigned image, or sid's split binary + modules. */
export function packagesFor(release: string, known: Set<string>): KernelPackages | undefined {
  if (known.has(`linux-image-${release}-unsigned`)) return { release, packages: [`linux-image-${release}-unsigned`] };
  if (known.has(`linux-binary-unsigned-${release}`)) {
    const mods = `linux-modules-${release}`;
    if (!known.has(mods)) return undefined;
    return { release, packages: [`linux-binary-unsigned-${release}`, mods] };
  }
  return undefined;
}

/** Resolve a series or package request against the package names apt knows. */
export function resolvePackages(req: KernelRequest, names: Iterable<string>): KernelPackages {
  const known = new Set(names);
  if (req.kind === 'package') {
    const rel = releaseOf(req.name);
    const r = rel ? packagesFor(rel, known) : undefined;
    if (!r) throw new Error(`no kernel package ${req.name} in the configured Debian suites${rel ? '' : ' (expected linux-image-<release>-unsigned or linux-binary-unsigned-<release>)'}`);
    return r;
  }
  if (req.kind !== 'series') throw new Error(`resolvePackages: ${req.kind} requests need no package look-up`);
  // <series>.0-N-flavour (5.10, 6.1) or <series>.N+debNN-flavour (6.12 and later); no backports (0.debNN)
  const re = new RegExp(`^${req.series.replace('.', '\\.')}(\\.0-\\d+|\\.\\d+\\+deb\\d+(\\.\\d+)?)-${req.flavour}$`);
  const releases = [...known].map(releaseOf).filter((r): r is string => r !== undefined && re.test(r));
  const usable = [...new Set(releases)].filter((r) => packagesFor(r, known)).sort(compareVersions);
  if (usable.length === 0) throw new Error(`no ${req.flavour} kernel of series ${req.series} in the configured Debian suites (reachable: 5.10, 6.1, 6.12, 7.2)`);
  return packagesFor(usable[usable.length - 1], known)!;
}

/** The Debian suites searched for kernels, as sources.list lines (the host's apt config is never touched). */
export function sourcesList(mirror = 'http://deb.debian.org'): string {
  const d = `${mirror}/debian`;
  const s = `${mirror}/debian-security`;
  return [
    `deb ${d} bullseye main`, `deb ${s} bullseye-security main`,
    `deb ${d} bookworm main`, `deb ${s} bookworm-security main`, `deb ${d} bookworm-backports main`,
    `deb ${d} trixie main`, `deb ${s} trixie-security main`,
    `deb ${d} sid main`,
  ].join('\n') + '\n';
}

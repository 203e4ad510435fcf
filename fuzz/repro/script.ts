// `ovlconf repro`'s output: a standalone bash script that builds a scenario's layers with
// coreutils, mounts them as the implementation would be mounted, performs the steps with an
// embedded Python helper, prints observed against expected, and cleans up — no suite needed.

import type { CanonEntry, CanonTree } from '../../language/canonical.js';
import type { Scenario } from '../../language/model.js';
import { HELPER_PY } from './helper.js';
import { mountPlan, type MountPlan } from './mount.js';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const dataOf = (d: unknown): Uint8Array => (typeof d === 'string' ? new TextEncoder().encode(d) : d && typeof d === 'object' && 'hex' in d ? Buffer.from(String((d as { hex: string }).hex), 'hex') : new Uint8Array());

/** JSON with bytes as { b64 } so the helper can tell them from text. */
function jsonable(v: unknown): unknown {
  if (v instanceof Uint8Array) return { b64: b64(v) };
  if (Array.isArray(v)) return v.map(jsonable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonable(x)]));
  return v;
}

/** Shell lines creating one layer directory's entries. */
function layerLines(dir: string, tree: CanonTree, plan: MountPlan, problems: string[]): string[] {
  const out: string[] = [];
  const late: string[] = [];
  const P = (p: string) => `"${dir}"/${q(p)}`;
  const ns = plan.xattrNs;
  for (const [path, e] of Object.entries(tree) as [string, CanonEntry][]) {
    const x = e as unknown as Record<string, unknown>;
    switch (e.type) {
      case 'dir':
        out.push(`mkdir -p ${P(path)}`);
        if (e.opaque === 'y') out.push(plan.format === 'unionfs' ? `mkdir -p "${dir}"/.unionfs-fuse/${q(path)}_HIDDEN~` : `setx ${P(path)} ${ns}.overlay.opaque eQ==`);
        if (e.opaque === 'x') problems.push(`${path}: opaque=x (xattr whiteouts) is not written by this script`);
        if (e.redirect) out.push(plan.format === 'unionfs' ? `# ${path}: unionfs-fuse has no redirects` : `setx ${P(path)} ${ns}.overlay.redirect ${b64(new TextEncoder().encode(e.redirect))}`);
        break;
      case 'file':
        out.push(`mkdir -p "$(dirname ${P(path)})"`, e.data !== undefined ? `printf %s ${b64(dataOf(e.data))} | base64 -d > ${P(path)}` : `truncate -s ${e.size ?? 0} ${P(path)}`);
        if (e.metacopy) problems.push(`${path}: metacopy files are not written by this script`);
        break;
      case 'symlink': out.push(`mkdir -p "$(dirname ${P(path)})"`, `ln -s ${q(e.target)} ${P(path)}`); break;
      case 'hardlink': late.push(`ln ${P(e.target)} ${P(path)}`); break;
      case 'fifo': out.push(`mkfifo ${P(path)}`); break;
      case 'chr': case 'blk': out.push(`mknod ${P(path)} ${e.type === 'chr' ? 'c' : 'b'} ${e.major ?? 0} ${e.minor ?? 0}`); break;
      case 'sock': out.push(`python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' ${P(path)}`); break;
      case 'whiteout':
        if (e.format === 'xattr') problems.push(`${path}: xattr whiteouts are not written by this script`);
        else if (plan.format === 'unionfs') out.push(`mkdir -p "$(dirname "${dir}"/.unionfs-fuse/${q(path)})"`, `touch "${dir}"/.unionfs-fuse/${q(path)}_HIDDEN~`);
        else out.push(`mknod ${P(path)} c 0 0`);
        break;
    }
    if (e.type === 'whiteout' || e.type === 'hardlink') continue;
    if (x.uid !== undefined || x.gid !== undefined) late.push(`chown -h ${x.uid ?? 0}:${x.gid ?? 0} ${P(path)}`);
    if (x.mode !== undefined && e.type !== 'symlink') late.push(`chmod ${(x.mode as number).toString(8)} ${P(path)}`);
    for (const [n, v] of Object.entries((x.xattrs as Record<string, unknown>) ?? {})) late.push(`setx ${P(path)} ${q(n)} ${b64(dataOf(v))}`);
  }
  // times last, deepest first, so creating children does not move a directory's mtime again
  const times = (Object.entries(tree) as [string, CanonEntry][]).filter(([, e]) => (e as { mtime?: string }).mtime || (e as { atime?: string }).atime).reverse();
  for (const [path, e] of times) {
    const t = e as { mtime?: string; atime?: string };
    if (t.mtime) late.push(`touch -h -m -d @${t.mtime} ${P(path)}`);
    if (t.atime) late.push(`touch -h -a -d @${t.atime} ${P(path)}`);
  }
  return [...out, ...late];
}

/** The steps as the helper reads them. */
function stepsJSON(s: Scenario): string {
  return JSON.stringify(s.steps.map((st) => {
    const alt = Object.keys(st.deviations);
    return jsonable({ op: st.op, args: st.args, user: st.user, as: st.as, expect: st.expect, label: String(st.args.path ?? st.args.from ?? st.args.fd ?? '') + (alt.length ? ` (documented alternatives: ${alt.join(', ')})` : '') });
  }));
}

/** The whole script, or why this adapter cannot have one. */
export function reproScript(s: Scenario, adapter: string, variant: string): { script: string; problems: string[] } | string {
  const plan = mountPlan(adapter, variant);
  if (typeof plan === 'string') return plan;
  if (s.layers.upper === null) return 'read-only overlays (no upper layer) are not written by this script';
  const problems: string[] = [];
  const unsupported = s.steps.filter((st) => ['opendir', 'readdirNext', 'telldir', 'seekdir', 'rewinddir', 'closedir', 'flock', 'lock', 'linkfd', 'fdpath', 'edit'].includes(st.op));
  if (unsupported.length) problems.push(`steps ${unsupported.map((st) => `${st.index + 1} (${st.op})`).join(', ')} are not performed by this script`);
  const lowers = s.layers.lowers.map((_t, i) => `$T/lower${i}`);
  const build = [
    ...s.layers.lowers.flatMap((t, i) => [`# lower layer ${i} (topmost first)`, `mkdir -p "$T/lower${i}"`, ...layerLines(`$T/lower${i}`, t, plan, problems)]),
    '# upper layer', 'mkdir -p "$T/upper" "$T/work" "$T/merged"', ...layerLines('$T/upper', s.layers.upper, plan, problems),
  ];
  const script = `#!/bin/bash
# Standalone reproduction of scenario ${s.runId} (${s.file}:${s.line}) on ${adapter}/${variant},
# written by \`ovlconf repro\` from overlay-conformance. ${s.title.replace(/\n/g, ' ')}
# Needs: root, python3, ${plan.needs.join(', ')}, unshare (util-linux). Everything happens in a fresh
# mount namespace under one temporary directory, removed at the end.${plan.note ? `\n# Note: ${plan.note}.` : ''}${problems.map((p) => `\n# Not reproduced: ${p}.`).join('')}
set -u
if [ -z "\${OVLCONF_REPRO_NS:-}" ]; then exec env OVLCONF_REPRO_NS=1 unshare -m --propagation private bash "$0" "$@"; fi
[ "$(id -u)" = 0 ] || { echo "run as root (mounts)"; exit 2; }
T=$(mktemp -d "\${TMPDIR:-/tmp}/ovl-repro.XXXXXX")
cleanup() { ${plan.umount} 2>/dev/null; sleep 0.1; rm -rf "$T"; }
trap cleanup EXIT
setx() { python3 -c 'import base64,os,sys; os.setxattr(sys.argv[1], sys.argv[2], base64.b64decode(sys.argv[3]), follow_symlinks=False)' "$1" "$2" "$3"; }
umask 022
${build.join('\n')}
LOWERS="${lowers.join(':')}"
UNIONFS_LOWERS="${lowers.map((l) => `${l}=RO`).join(':')}"
MOUNT_CMD="${plan.mount.replace(/"/g, '\\"')}"
UMOUNT_CMD="${plan.umount.replace(/"/g, '\\"')}"
eval "$MOUNT_CMD" || { echo "mount failed: $MOUNT_CMD"; exit 2; }
echo "mounted: $(eval echo "$MOUNT_CMD")"
export MERGED="$T/merged" MOUNT_CMD UMOUNT_CMD
export STEPS=${b64(new TextEncoder().encode(stepsJSON(s)))}
cd / && python3 - <<'PY'
${HELPER_PY.trim()}
PY
`;
  return { script, problems };
}

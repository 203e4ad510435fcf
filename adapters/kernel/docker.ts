// Docker's overlay2 layout, so Docker users test the layout they run: one directory per layer
// with diff/, link (its short id), lower (its parents' l/ links) and work/; the l/<short id>
// symlinks; lowerdir given relative to the driver root, mounted from there with mount(2).

import { createHash } from 'node:crypto';
import type { AgentRequest } from '../host/agent.js';

/** Where each part of a Docker-style overlay lives and how to mount it. */
export interface DockerLayout {
  /** the driver root (…/overlay2), the cwd of the mount */
  root: string;
  /** absolute diff/ of each image layer, topmost first */
  lowers: string[];
  upper: string;
  work: string;
  merged: string;
  /** overlay options as Docker passes them */
  options: string[];
  /** requests (absolute mkdirp, then root-relative beneath `root`) building the skeleton */
  prepare: AgentRequest[];
}

const hex64 = (seed: string) => createHash('sha256').update(seed).digest('hex');

/** Docker's short layer id: 26 characters of base32 (A-Z, 2-7). */
export function shortId(seed: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = createHash('sha256').update('short:' + seed).digest();
  let out = '';
  for (let i = 0; out.length < 26; i++) out += alphabet[bytes[i] & 31];
  return out;
}

/** The layout for a scenario with `count` image layers (and a container layer when upper). */
export function dockerLayout(scenarioDir: string, runId: string, count: number, upper: boolean): DockerLayout {
  const root = `${scenarioDir}/overlay2`;
  const ids = Array.from({ length: count }, (_, i) => hex64(`${runId}:layer:${i}`));
  const shorts = ids.map((id) => shortId(id));
  const cid = hex64(`${runId}:container`);
  const enc = (s: string) => new TextEncoder().encode(s);
  const prepare: AgentRequest[] = [
    { op: 'mkdirp', args: { path: `${root}/l`, mode: 0o700 } },
    ...ids.map((id) => ({ op: 'mkdirp', args: { path: `${root}/${id}/diff` } })),
    ...(upper ? [`diff`, `work`, `merged`].map((d) => ({ op: 'mkdirp', args: { path: `${root}/${cid}/${d}` } })) : [{ op: 'mkdirp', args: { path: `${root}/${cid}/merged` } }]),
    { op: 'root', args: { path: root } },
  ];
  ids.forEach((id, i) => {
    prepare.push({ op: 'symlink', args: { target: `../${id}/diff`, path: `l/${shorts[i]}` } });
    prepare.push({ op: 'writefile', args: { path: `${id}/link`, data: enc(shorts[i]) } });
    // a layer's parents are the layers below it (later in the topmost-first list)
    const parents = shorts.slice(i + 1).map((s) => `l/${s}`);
    if (parents.length) prepare.push({ op: 'writefile', args: { path: `${id}/lower`, data: enc(parents.join(':')) } });
    prepare.push({ op: 'mkdir', args: { path: `${id}/work`, mode: 0o700 } });
  });
  if (upper) {
    prepare.push({ op: 'writefile', args: { path: `${cid}/lower`, data: enc(shorts.map((s) => `l/${s}`).join(':')) } });
    prepare.push({ op: 'writefile', args: { path: `${cid}/link`, data: enc(shortId(cid)) } });
  }
  const options = [`lowerdir=${shorts.map((s) => `l/${s}`).join(':')}`, ...(upper ? [`upperdir=${cid}/diff`, `workdir=${cid}/work`] : [])];
  return {
    root,
    lowers: ids.map((id) => `${root}/${id}/diff`),
    upper: `${root}/${cid}/diff`,
    work: `${root}/${cid}/work`,
    merged: `${root}/${cid}/merged`,
    options,
    prepare,
  };
}

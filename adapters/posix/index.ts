// The `posix` baseline: the layers flattened into one plain directory on a real filesystem, so
// every merged-view expectation of every scenario is proven against POSIX itself.

import { mkdirSync } from 'node:fs';
import { release } from 'node:os';
import type { Adapter, AdapterInfo, Capabilities, CanonLayers, Fingerprint, InspectResult, OpResult, ScenarioContext, SetupResult, Worker, WorkerOptions } from '../adapter.js';
import { agentAvailable, type Agent } from '../host/agent.js';
import { flatten } from '../host/flatten.js';
import { materialise, noMarkers } from '../host/materialise.js';
import { closeAll, mkdirp, mountattr, runOp, setRoot, tmpfs } from '../host/ops.js';
import { firstFailure, HostWorker, workerAgent } from '../host/worker.js';
import type { AgentRequest } from '../host/agent.js';
import { cacheDropReach, execCapability, probeCapabilities } from '../host/capabilities.js';


const isRoot = process.getuid?.() === 0;

const VARIANTS = {
  ext4: 'the sandbox directory\'s own filesystem (ext4 on these machines; the fingerprint records the real type)',
  tmpfs: 'a tmpfs mounted inside the agent\'s private mount namespace',
} as const;

class PosixWorker extends HostWorker {
  /** a plain directory has no mount options */
  readonly knownOptions: readonly string[] = [];
  protected override readonly reapsTeardown = true;
  constructor(agent: Agent, dir: string, caps: Capabilities, private readonly variant: string, private readonly fstype: string, private readonly tmpfsDir?: string) {
    super(agent, dir, caps);
  }

  async fingerprint(): Promise<Fingerprint> {
    return { implementation: 'posix', version: release(), options: { fs: this.variant }, details: { fstype: this.fstype, euid: this.agent.info.euid, cacheDrop: cacheDropReach(this.agent.info) } };
  }

  protected async build(layers: CanonLayers, _ctx: ScenarioContext, prelude: AgentRequest[]): Promise<SetupResult> {
    const flat = flatten(layers);
    if (!flat.ok) return { ok: false, skip: flat.reason };
    const root = `${this.scenarioDir}/root`;
    // the tmpfs is nodev,nosuid except while a scenario that declares device-open runs on it
    const attr: AgentRequest[] = this.tmpfsDir ? [{ op: 'mountattr', args: { target: this.tmpfsDir, dev: this.devices || undefined } }] : [];
    const reqs = [...attr, ...prelude, ...this.treeRequests(root, materialise(flat.tree, noMarkers)), { op: 'root', args: { path: root } }];
    const bad = firstFailure(reqs, await this.pipeline(reqs));
    return bad ? { ok: false, error: `materialising the flattened layers: ${bad}` } : { ok: true };
  }

  protected async unmount(): Promise<void> {}

  protected unmountRequests(): AgentRequest[] {
    return [];
  }

  async inspect(): Promise<InspectResult> {
    return { ok: false, skip: 'posix flattens the layers into one plain directory: there is no upper layer to inspect' };
  }

  async remount(): Promise<OpResult> {
    await closeAll(this.agent);
    await this.setRoot(`${this.scenarioDir}/root`);
    return { ok: true };
  }

  async editLayer(): Promise<OpResult> {
    return { ok: false, skip: 'posix has no layers to edit' };
  }
}

/** The posix baseline adapter. */
export const posixAdapter: Adapter = {
  name: 'posix',
  description: 'plain directory baseline: layers flattened, proves the POSIX expectations',
  async probe(): Promise<AdapterInfo> {
    const av = agentAvailable();
    const reason = av.ok ? undefined : av.reason;
    return {
      name: 'posix', description: this.description, available: av.ok, reason,
      variants: Object.entries(VARIANTS).map(([name, description]) => {
        const why = reason ?? (name === 'tmpfs' && !isRoot ? 'mounting a tmpfs needs root' : undefined);
        return { name, description, options: { fs: name }, available: why === undefined, ...(why ? { reason: why } : {}) };
      }),
    };
  },
  async createWorker(variant: string, opts: WorkerOptions): Promise<Worker> {
    if (!(variant in VARIANTS)) throw new Error(`posix has no variant "${variant}"; variants: ${Object.keys(VARIANTS).join(', ')}`);
    mkdirSync(opts.workdir, { recursive: true });
    const agent = await workerAgent(opts.workdir, { ns: isRoot ? 'private' : 'none' });
    try {
      let dir = opts.workdir;
      if (variant === 'tmpfs') {
        dir = `${opts.workdir}/tmpfs`;
        await mkdirp(agent, dir);
        await tmpfs(agent, dir);
      }
      const probed = await probeCapabilities(agent, dir);
      const fstype = probed.fstype;
      const caps: Capabilities = {
        ...probed.capabilities,
        'layer-state': 'posix flattens the layers into one plain directory: there is no layer to inspect',
        redirect: 'a redirect has no plain-directory equivalent',
        metacopy: 'a metacopy file has no plain-directory equivalent',
        'data-only-lowers': 'a data-only layer has no plain-directory equivalent: only its data shows, under the names of the metacopy files that point at it (the merged view the data-only scenarios expect)',
        'no-upper': 'the posix baseline has no read-only mode',
        'layer-edit': 'posix has no layers to edit',
        'overlay-magic': `a plain ${fstype} filesystem is not overlayfs`,
        remount: true,
        'mount-options': 'the posix baseline mounts no overlay: there are no overlay options to set',
        mountinfo: 'the posix baseline mounts no overlay: there are no overlay options to read back',
        reconfigure: 'the posix baseline mounts no overlay to reconfigure',
        'range-ops': true,
        'inode-flags': true,
        exec: execCapability(),
        inotify: true,
        'file-handles': agent.info.euid === 0 && agent.info.ns !== 'userns' ? true : 'open_by_handle_at needs CAP_DAC_READ_SEARCH in the initial user namespace',
        'overlay-stacking': 'the posix baseline mounts no overlay to stack another on',
        'layer-open': 'the posix baseline has no layers beside the merged tree (op openLayer)',
        'override-creds': 'the posix baseline mounts no overlay whose stashed credentials could be chosen',
      };
      // the tmpfs keeps device semantics only for scenarios that declare device-open: probe it that way
      const tmpfsDir = variant === 'tmpfs' ? dir : undefined;
      if (tmpfsDir) await mountattr(agent, tmpfsDir, true);
      const devices = await devicesOpen(agent, dir);
      if (tmpfsDir) await mountattr(agent, tmpfsDir, false);
      if (caps.mknod === true) caps['device-open'] = devices;
      return new PosixWorker(agent, dir, caps, variant, fstype, tmpfsDir);
    } catch (e) {
      await agent.kill();
      throw e;
    }
  },
};

export default posixAdapter;

/**
 * Whether a device node made in dir can be opened: the agent binds its sandbox nodev, so on the
 * ext4 variant device semantics are absent, and the scenarios that open devices (requires:
 * device-open) skip with this reason instead of failing on EACCES. The tmpfs variant's tmpfs has
 * them only while such a scenario runs (mountattr per scenario).
 */
async function devicesOpen(agent: Agent, dir: string): Promise<true | string> {
  await setRoot(agent, dir);
  const op = (o: string, args: Record<string, unknown>) => runOp(agent, { op: o as never, args }, 10_000);
  const name = '.ovlconf-probe-nodev';
  const made = await op('mknod', { path: name, type: 'chr', major: 1, minor: 3, mode: 0o600 });
  if (!made.ok) return true; // no device nodes at all: the mknod capability already says why
  const opened = await op('open', { path: name, flags: ['O_RDWR'] });
  if (opened.ok && opened.value && 'fd' in opened.value) await op('close', { fd: opened.value.fd });
  await op('unlink', { path: name });
  if (opened.ok) return true;
  const errno = 'errno' in opened ? String((opened as { errno: string }).errno) : 'an error';
  return `device nodes cannot be opened here (open of /dev/null's twin failed with ${errno}: the agent's sandbox is mounted nodev, so host devices stay out of reach)`;
}

// A minimal overlay plug-in for overlay-conformance: layers kept in memory, names looked up from
// the top layer down, writes going to the upper layer, and unlinking a lower name leaving a
// whiteout there. Ops it does not implement make the scenario skip with a reason.
import type { Adapter, CanonLayers, CanonTree, Capabilities, Fingerprint, InspectResult, OpResult, ResolvedOp, SetupResult, Worker } from 'overlay-conformance';

type Data = string | { hex: string } | undefined;
const bytes = (d: Data): Uint8Array => (typeof d === 'string' ? new TextEncoder().encode(d) : d ? Uint8Array.from(Buffer.from(d.hex, 'hex')) : new Uint8Array());
const text = (b: Uint8Array) => new TextDecoder().decode(b);

class UnionWorker implements Worker {
  readonly capabilities: Capabilities = { whiteout: true, 'multi-lower': true, 'layer-state': true, 'no-upper': 'my-union always has an upper layer' };
  private lowers: CanonTree[] = [];
  private upper: CanonTree = {};

  async fingerprint(): Promise<Fingerprint> {
    return { implementation: 'my-union', version: '1.0.0', options: {} };
  }

  async setup(layers: CanonLayers): Promise<SetupResult> {
    this.lowers = layers.lowers.map((l) => ({ ...l }));
    this.upper = { ...(layers.upper ?? {}) };
    return { ok: true };
  }

  /** the topmost entry of a path: the upper first, then each lower; a whiteout hides what is below */
  private lookup(path: string) {
    for (const layer of [this.upper, ...this.lowers]) {
      const e = layer[path];
      if (e) return e.type === 'whiteout' ? undefined : e;
    }
    return undefined;
  }

  async op(op: ResolvedOp): Promise<OpResult> {
    const path = String(op.args.path ?? '');
    switch (op.op) {
      case 'readfile': {
        const e = this.lookup(path);
        if (!e) return { ok: false, errno: 'ENOENT' };
        return e.type === 'file' ? { ok: true, value: { data: bytes(e.data) } } : { ok: false, errno: 'EISDIR' };
      }
      case 'writefile':
        this.upper[path] = { type: 'file', data: text(op.args.data as Uint8Array) };
        return { ok: true };
      case 'unlink': {
        if (!this.lookup(path)) return { ok: false, errno: 'ENOENT' };
        const below = this.lowers.some((l) => l[path]);
        if (below) this.upper[path] = { type: 'whiteout', format: 'chr' };
        else delete this.upper[path];
        return { ok: true };
      }
      case 'readdir': {
        const prefix = path === '.' ? '' : `${path}/`;
        const names = new Set<string>();
        for (const layer of [this.upper, ...this.lowers])
          for (const p of Object.keys(layer)) if (p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) names.add(p.slice(prefix.length));
        const entries = [...names].filter((n) => this.lookup(prefix + n)).map((name) => ({ name, ino: '0', type: 'unknown' as const }));
        return { ok: true, value: { entries } };
      }
      default:
        return { ok: false, skip: `the my-union plug-in does not implement ${op.op}` };
    }
  }

  async remount(): Promise<OpResult> {
    return { ok: false, skip: 'my-union has no mount to cycle' };
  }
  async editLayer(): Promise<OpResult> {
    return { ok: false, skip: 'my-union does not edit layers behind the union' };
  }
  async inspect(): Promise<InspectResult> {
    return { ok: true, upper: this.upper, lowers: this.lowers };
  }
  async teardown(): Promise<void> {
    this.upper = {};
    this.lowers = [];
  }
  async close(): Promise<void> {}
}

/** the plug-in: one variant, always available */
export const adapter: Adapter = {
  name: 'my-union',
  description: 'an in-memory union written as an overlay-conformance plug-in',
  async probe() {
    return { name: this.name, description: this.description, available: true, variants: [{ name: 'default', description: 'the only one', options: {}, available: true }] };
  },
  async createWorker() {
    return new UnionWorker();
  },
};

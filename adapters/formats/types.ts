// The layer-format contract: how an implementation keeps overlay markers (whiteouts, opaque
// directories, redirects, metacopy) in its layer directories, both ways — written when the suite
// builds the layers, decoded into canonical form when the `after:` checks read the upper back.

import type { CanonTree } from '../../language/canonical.js';
import type { AgentRequest } from '../host/agent.js';
import type { MarkerWriter } from '../host/materialise.js';
import type { TreeItem } from '../host/ops.js';

/** what a marker writer returns: requests of the suite's agent, run beneath the layer's root */
export type { AgentRequest, AgentArgs, AgentValue } from '../host/agent.js';
/** a plain decoder function, as adapters/host/inspect.ts makes them */
export type { LayerDecoder } from '../host/inspect.js';
/** how a format writes whiteouts and overlay markers */
export type { MarkerWriter } from '../host/materialise.js';
/** one entry of a layer directory's listing, as the decoder receives it */
export type { TreeItem } from '../host/ops.js';
/** the canonical form layers are written from and decoded into */
export type { CanonEntry, CanonTree, CanonWhiteout, DataJSON } from '../../language/canonical.js';

/** Facts about the mount a layer belongs to, which a format may depend on. */
export interface FormatContext {
  /** namespace of the private overlay xattrs: trusted (root in the initial namespace) or user (user namespaces) */
  xattrNs: 'trusted' | 'user';
  /** the mount's current options as the mount command receives them (e.g. "xattr_permissions=1") */
  options: readonly string[];
  /** which layer is written or read */
  role: 'upper' | 'lower';
}

/** A canonical layer rewritten for a format, or why the format cannot hold it (the scenario skips). */
export type PreparedLayer = { ok: true; tree: CanonTree } | { ok: false; skip: string };

/** A layer as agent requests, or why the format cannot hold it (the scenario skips). */
export type EncodedLayer = { ok: true; requests: AgentRequest[] } | { ok: false; skip: string };

/** One named layer format: a plug-in or a command config can name it or supply its own. */
export interface LayerFormat {
  /** how configs name it (`format: kernel`) */
  readonly name: string;
  readonly description: string;
  /** how whiteouts, opaque directories, redirects and metacopy are written (entries are written by the suite) */
  markers(ctx: FormatContext): MarkerWriter;
  /** a layer directory's listing (pre-order, names sorted, nothing followed) → canonical tree */
  decode(items: TreeItem[], ctx: FormatContext): CanonTree;
  /** optional: rewrite or refuse a canonical layer before it is written (e.g. markers kept as files elsewhere) */
  prepare?(tree: CanonTree, ctx: FormatContext): PreparedLayer;
  /** optional: requests run after the layer is written, beneath the layer's root (e.g. per-entry bookkeeping xattrs) */
  extra?(tree: CanonTree, ctx: FormatContext): AgentRequest[];
  /** capabilities (spec/capabilities.yaml) the format cannot hold, with the reason a skip shows */
  readonly lacks?: Readonly<Record<string, string>>;
}

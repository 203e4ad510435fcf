// The memory adapter: the in-process reference model of Linux 6.18 overlayfs, one variant per
// supported mount option set; always available (no root, no kernel needed).

import type { Adapter, AdapterInfo, Worker, WorkerOptions } from '../adapter.js';
import { VARIANTS } from './options.js';
import { MemoryWorker } from './worker.js';

/** The adapter object the registry loads as `memory`. */
export const memoryAdapter: Adapter = {
  name: 'memory',
  description: 'in-process reference model of Linux kernel overlayfs semantics (kernel 6.18)',
  async probe(): Promise<AdapterInfo> {
    return {
      name: 'memory', description: this.description, available: true,
      variants: VARIANTS.map((v) => ({ name: v.name, description: v.description, options: { ...v.options }, available: true })),
    };
  },
  async createWorker(variant: string, _opts: WorkerOptions): Promise<Worker> {
    const v = VARIANTS.find((x) => x.name === variant);
    if (!v) throw new Error(`memory adapter: unknown variant "${variant}"; variants: ${VARIANTS.map((x) => x.name).join(', ')}`);
    return new MemoryWorker(v.options);
  },
};

/** The default export, for loading the adapter as a plug-in module. */
export default memoryAdapter;

// The loader's resource limits: a hostile or broken suite ends in a clear file:line error
// within seconds and bounded memory, never an exhausted runner. Documented in
// docs/scenario-limits.md; the suites stay far below every one of them.

/** Every limit the loader enforces. */
export const LIMITS = {
  /** bytes of one scenario file (the largest suite file is ~33 KB) */
  fileBytes: 1 << 20,
  /** bytes of all scenario files of one run together */
  suiteBytes: 64 << 20,
  /** scenario files of one run */
  suiteFiles: 20_000,
  /** runs one file may expand to through `vary` (the suites use at most 36) */
  runsPerFile: 1_000,
  /** runs × file size: what `vary` may copy out of one file in total */
  expandedBytes: 128 << 20,
  /** YAML alias nodes in one file (billion-laughs protection of the yaml package) */
  aliases: 1_000,
  /** values (scalars, mappings, sequences) of one parsed file after aliases are resolved */
  nodes: 1_000_000,
  /** nesting depth of one parsed file */
  nesting: 256,
  /** steps of one scenario */
  steps: 1_000,
  /** lower layers of one scenario (the kernel mounts at most 500) */
  lowers: 500,
  /** entries of one layer (a `repeat` counts each copy) */
  entries: 10_000,
  /** bytes of one scenario path (4 × PATH_MAX: the suites test paths just past PATH_MAX) */
  pathBytes: 16_384,
  /** components of one scenario path */
  pathDepth: 2_048,
} as const;

// Kernel and daemon versions as profiles and adapters compare them ("6.18.44-fc-v595" ≥ 6.7),
// kept at the bottom so adapters and the engine share one reading of a version string.

/** Numeric prefix of a version string: "6.18.44-fc-v595" → [6, 18, 44] */
export function versionParts(v: string): number[] {
  const m = /^\D*(\d+(?:\.\d+)*)/.exec(v);
  return m ? m[1].split('.').map(Number) : [];
}

/** Compare two dotted versions, missing parts counting as 0 */
export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

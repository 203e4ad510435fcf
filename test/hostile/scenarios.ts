// The hostile scenario files, written for a canary directory outside the sandbox (every route of
// issue 11 that a scenario file can take); test/hostile/suite.test.ts runs them on every adapter.

/** the head of a hostile scenario */
const head = (id: string, title: string) => `id: hostile/${id}\ntitle: ${JSON.stringify(title)}\nbehaviour: [LK-004]\n`;
const deep = Array(1200).fill('d').join('/');

/** the hostile scenario files (name → text), naming the canary directory c */
export function hostileSuite(c: string, MARK: string): Record<string, string> {
  return {
    'symlink-lower-to-host.yaml': head('symlink-lower-to-host', 'A lower-layer symlink to a host directory under a lower directory reaches no host file') +
      `layers:\n  lower:\n    - { x/a: "a" }\n    - { x: !symlink ${c} }\nsteps:\n  - readfile: x/secret\n    expect: { errno: ENOENT }\n  - readdir: x\n    expect: { entries: [a] }\n`,
    'symlink-lower-only.yaml': head('symlink-lower-only', 'An absolute symlink in a lower layer resolves inside the sandbox, never on the host') +
      `layers:\n  lower:\n    - { l: !symlink ${c}, f: !symlink ${c}/secret }\nsteps:\n  - readfile: l/secret\n    expect: { errno: ENOENT }\n  - readfile: f\n    expect: { errno: ENOENT }\n  - writefile: { path: l/new, data: "${MARK}" }\n    expect: { errno: ENOENT }\n  - writefile: { path: f, data: "${MARK}" }\n`,
    'symlink-made.yaml': head('symlink-made', 'A symlink made by a step to a host file, then written and read') +
      `requires: [symlink]\nlayers:\n  lower:\n    - { d: !dir }\nsteps:\n  - symlink: { target: ${c}/secret, path: d/s }\n  - readfile: d/s\n    expect: { errno: ENOENT }\n  - writefile: { path: d/s, data: "${MARK}" }\n`,
    'device-nodes.yaml': head('device-nodes', 'Device nodes on the allow-list are made, opened and written without declaring device-open: the mounts are nodev, so none reaches a host device') +
      `requires: [mknod]\nlayers:\n  lower:\n    - { z: { type: chr, major: 1, minor: 5 } }\nsteps:\n  - mknod: { path: b, type: blk, major: 7, minor: 200, mode: "0600" }\n  - open: { path: b, flags: [O_RDWR] }\n    as: w\n  - pwrite: { fd: w, data: "${MARK}", offset: 0 }\n  - open: { path: z, flags: [O_RDWR] }\n    as: r\n  - read: { fd: r, length: 4 }\n`,
    'device-open-declared.yaml': head('device-open-declared', 'Device semantics declared for a loop device node are refused at load') +
      `requires: [device-open]\nsteps:\n  - mknod: { path: b, type: blk, major: 7, minor: 200, mode: "0600" }\n  - open: { path: b, flags: [O_RDWR] }\n    as: w\n  - pwrite: { fd: w, data: "${MARK}", offset: 0 }\n`,
    'device-forbidden.yaml': head('device-forbidden', 'A node for the kernel log is refused at load') +
      `layers:\n  lower:\n    - { k: { type: chr, major: 1, minor: 11 } }\nsteps:\n  - mknod: { path: m, type: chr, major: 1, minor: 11 }\n  - writefile: { path: k, data: "${MARK}" }\n`,
    'remount-upperdir.yaml': head('remount-upperdir', 'Layer paths smuggled into remount options are refused at load') +
      `steps:\n  - remount: { options: { upperdir: ${c}, workdir: ${c}w } }\n  - open: { path: secret, flags: [O_WRONLY, O_TRUNC] }\n`,
    'remount-comma.yaml': head('remount-comma', 'A comma in an option value cannot add a layer path') +
      `steps:\n  - remount: { options: { xino: "off,upperdir=${c},workdir=${c}w" } }\n  - open: { path: secret, flags: [O_WRONLY, O_TRUNC] }\n`,
    'deep-tree.yaml': head('deep-tree', 'A 1,200-level tree is read and copied up') +
      `layers:\n  lower:\n    - { ${deep}/f: "x" }\nsteps:\n  - stat: ${deep}/f\n    expect: { size: 1 }\n  - writefile: { path: ${deep}/f, data: "y" }\n  - readfile: ${deep}/f\n    expect: { data: "y" }\n`,
  };
}


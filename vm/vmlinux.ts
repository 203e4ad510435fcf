// Turns a compressed bzImage (vmlinuz) into the ELF vmlinux QEMU boots through the PVH entry:
// decompressing the kernel on the host once saves 1–3 s of emulated XZ/ZSTD work per boot.

import { spawnSync } from 'node:child_process';

/** Compression formats a Debian bzImage payload can use, with their magic and decompressor. */
export const PAYLOADS: { name: string; magic: Buffer; argv: string[] }[] = [
  { name: 'xz', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), argv: ['xz', '-dcq'] },
  { name: 'zstd', magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), argv: ['zstd', '-dcq'] },
  { name: 'gzip', magic: Buffer.from([0x1f, 0x8b, 0x08]), argv: ['gzip', '-dcq'] },
];

/** The release string a bzImage carries in its setup header (e.g. "6.1.0-57-amd64"), if any. */
export function bzImageRelease(buf: Buffer): string | undefined {
  if (buf.length < 0x210 || buf.toString('latin1', 0x202, 0x206) !== 'HdrS') return undefined;
  const at = buf.readUInt16LE(0x20e) + 0x200;
  if (at >= buf.length) return undefined;
  const end = buf.indexOf(0, at);
  const text = buf.toString('latin1', at, end < 0 ? Math.min(buf.length, at + 256) : end);
  return text.split(' ')[0] || undefined;
}

/** Offsets where a compressed payload may start, in file order, tagged with its format. */
export function payloadCandidates(buf: Buffer): { offset: number; format: (typeof PAYLOADS)[number] }[] {
  const out: { offset: number; format: (typeof PAYLOADS)[number] }[] = [];
  for (const f of PAYLOADS) {
    for (let i = buf.indexOf(f.magic); i >= 0; i = buf.indexOf(f.magic, i + 1)) out.push({ offset: i, format: f });
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** true when the buffer is a 64-bit ELF image */
export const isElf64 = (b: Buffer) => b.length > 64 && b.readUInt32BE(0) === 0x7f454c46 && b[4] === 2;

/** Decompress the embedded kernel; decompressors complain about trailing data, so the ELF check decides. */
export function extractVmlinux(bz: Buffer): Buffer {
  if (isElf64(bz)) return bz;
  const tried: string[] = [];
  for (const c of payloadCandidates(bz)) {
    const [cmd, ...args] = c.format.argv;
    const r = spawnSync(cmd, args, { input: bz.subarray(c.offset), maxBuffer: 1 << 30 });
    if (r.error) {
      tried.push(`${c.format.name}@${c.offset}: ${r.error.message}`);
      continue;
    }
    if (r.stdout && isElf64(r.stdout)) return r.stdout;
    tried.push(`${c.format.name}@${c.offset}: not an ELF image`);
  }
  throw new Error(`cannot extract vmlinux from the kernel image (${tried.slice(0, 4).join('; ') || 'no known compressed payload'})`);
}

// Bytes and modes as scenarios write them and as results JSON records them.

import type { DataJSON } from './canonical.js';

/** Bytes from a scenario value: UTF-8 string, { hex } or { base64 }. */
export function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return new TextEncoder().encode(v);
  if (v && typeof v === 'object') {
    const o = v as { hex?: string; base64?: string };
    if (typeof o.hex === 'string') return Uint8Array.from(Buffer.from(o.hex, 'hex'));
    if (typeof o.base64 === 'string') return Uint8Array.from(Buffer.from(o.base64, 'base64'));
  }
  throw new TypeError(`not data: ${JSON.stringify(v)}`);
}

/** A layer file's bytes at its declared size: the data cut or zero-padded to `size` (a sparse
 * file written as data plus size). One copy: building it a byte at a time through a callback cost
 * the in-process adapters a quarter of a second for each 8 MiB file (copy-up/sparse-holes). */
export function sizedBytes(data: Uint8Array, size: number | undefined): Uint8Array {
  if (size === undefined || size === data.length) return data;
  const out = new Uint8Array(size);
  out.set(data.subarray(0, size));
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Whether every byte is printable ASCII, tab, newline or carriage return: text that decodes to
 * itself, with none of the control characters toDataJSON refuses */
function printableAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c > 0x7e || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return false;
  }
  return true;
}

/** JSON form of bytes: the string when it is printable UTF-8, else { hex }. */
export function toDataJSON(b: Uint8Array): DataJSON {
  // most data is short printable ASCII: the same string without the decoder and the pattern
  if (printableAscii(b)) return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  try {
    const s = decoder.decode(b);
    // eslint-disable-next-line no-control-regex
    if (!/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s)) return s;
  } catch {
    /* not UTF-8 */
  }
  return { hex: Buffer.from(b).toString('hex') };
}

/** Normalise a DataJSON-ish value ({ base64 } becomes { hex }). */
export function normData(v: unknown): DataJSON {
  return typeof v === 'string' ? v : toDataJSON(toBytes(v));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Permission bits from "0644", "0o644", "644" (octal) or a number. */
export function parseMode(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^(0o?)?[0-7]{1,4}$/.test(v)) return parseInt(v.replace(/^0o/, ''), 8);
  throw new TypeError(`not a mode: ${JSON.stringify(v)}`);
}

/** "0644" — how modes are shown in messages and reports. */
export function modeString(m: number): string {
  return '0' + (m & 0o7777).toString(8).padStart(3, '0');
}

/** A time as "sec.nsec" with 9 fractional digits from a number or string of seconds. */
export function normTime(v: unknown): string {
  if (typeof v === 'number') {
    const sec = Math.floor(v);
    const ns = Math.round((v - sec) * 1e9);
    return `${sec}.${String(ns).padStart(9, '0')}`;
  }
  const s = String(v);
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(s);
  if (!m) return s;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}`;
}

/** nanoseconds of a "sec.nsec" time, for ordering comparisons */
export function timeNs(s: string): bigint {
  const [sec, frac = ''] = s.split('.');
  return BigInt(sec) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9)) * (sec.startsWith('-') ? -1n : 1n);
}

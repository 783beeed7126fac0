// A small ustar writer for the diagnostics archive: regular files only, gzip from node:zlib.
// Enough for `tar -tzf` and any unpacker; no dependency for a few hundred lines of format.
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  /** Path inside the archive ('/'-separated, relative, at most 255 bytes). */
  name: string;
  data: Buffer | string;
  /** Modification time, seconds since the epoch (default: now). */
  mtimeS?: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width includes the terminating NUL
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** Splits a long name into ustar's prefix (<=155) and name (<=100) at a '/'. */
function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) return { prefix, base };
  }
  throw new Error(`Archive entry name too long for tar: ${name}`);
}

function header(name: string, size: number, mtimeS: number): Buffer {
  if (!name || name.startsWith('/') || name.split('/').includes('..')) throw new Error(`Archive entry name must be relative: ${name}`);
  const h = Buffer.alloc(BLOCK, 0);
  const { prefix, base } = splitName(name);
  h.write(base, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii'); // mode
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtimeS), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum counts as spaces while summing
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** The uncompressed tar stream of these entries. */
export function tarOf(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  const nowS = Date.now() / 1000;
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
    parts.push(header(e.name, data.length, e.mtimeS ?? nowS), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0)); // end of archive
  return Buffer.concat(parts);
}

export function tarGzOf(entries: TarEntry[]): Buffer {
  return gzipSync(tarOf(entries));
}

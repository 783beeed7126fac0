// The per-printer G-code folder: streamed uploads (written to a temporary name, renamed when
// complete, with progress), listing, deletion and metadata. Names never leave the folder.
import { closeSync, createWriteStream, existsSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { readMetadata, type GCodeMetadata } from './metadata';

export interface GCodeFileInfo {
  name: string;
  sizeBytes: number;
  modifiedMs: number;
}

export class FileStoreError extends Error {
  override name = 'FileStoreError';
}

const ALLOWED = /\.(gcode|gco|g)$/i;

export class GCodeFileStore {
  constructor(readonly dir: string) {}

  /** Absolute path of `name`; refuses names that reach outside the folder or are not G-code. */
  resolve(name: string): string {
    const clean = name.replace(/\\/g, '/').replace(/^\/+/, '');
    const p = path.resolve(this.dir, clean);
    if (!clean || p === this.dir || !p.startsWith(this.dir + path.sep)) throw new FileStoreError(`File name '${name}' is outside the G-code folder ${this.dir}`);
    if (!ALLOWED.test(p)) throw new FileStoreError(`File '${name}' is not a G-code file (.gcode, .gco or .g)`);
    return p;
  }

  list(): GCodeFileInfo[] {
    if (!existsSync(this.dir)) return [];
    const out: GCodeFileInfo[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) walk(full);
        else if (ALLOWED.test(e.name)) {
          const st = statSync(full);
          out.push({ name: path.relative(this.dir, full).split(path.sep).join('/'), sizeBytes: st.size, modifiedMs: st.mtimeMs });
        }
      }
    };
    walk(this.dir);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Up to `length` bytes from `offset` (fewer at the end of the file, none past it). */
  read(name: string, offset: number, length: number): { bytes: Buffer; totalBytes: number } {
    const p = this.resolve(name);
    if (!existsSync(p)) throw new FileStoreError(`File '${name}' does not exist in ${this.dir}`);
    const fd = openSync(p, 'r');
    try {
      const totalBytes = fstatSync(fd).size;
      const bytes = Buffer.alloc(Math.max(0, Math.min(length, totalBytes - offset)));
      let done = 0;
      while (done < bytes.length) {
        const n = readSync(fd, bytes, done, bytes.length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return { bytes: bytes.subarray(0, done), totalBytes };
    } finally {
      closeSync(fd);
    }
  }

  delete(name: string): void {
    const p = this.resolve(name);
    if (!existsSync(p)) throw new FileStoreError(`File '${name}' does not exist in ${this.dir}`);
    rmSync(p);
  }

  metadata(name: string): Promise<GCodeMetadata> {
    const p = this.resolve(name);
    if (!existsSync(p)) throw new FileStoreError(`File '${name}' does not exist in ${this.dir}`);
    return readMetadata(p);
  }

  /**
   * Starts an upload of `totalBytes`; chunks are appended in order and the file appears under
   * its name only when complete (a half upload never shows up in the list or gets printed).
   */
  beginUpload(name: string, totalBytes: number, onProgress?: (doneBytes: number, totalBytes: number) => void): Upload {
    const p = this.resolve(name);
    mkdirSync(path.dirname(p), { recursive: true });
    return new Upload(p, totalBytes, onProgress);
  }

  /** Uploads from any async byte source (a stream, chunks from the API). */
  async upload(name: string, source: AsyncIterable<Uint8Array>, totalBytes: number, onProgress?: (done: number, total: number) => void): Promise<GCodeFileInfo> {
    const up = this.beginUpload(name, totalBytes, onProgress);
    try {
      for await (const chunk of source) await up.write(chunk);
      await up.finish();
    } catch (e) {
      up.abort();
      throw e;
    }
    return this.list().find((f) => f.name === path.relative(this.dir, this.resolve(name)).split(path.sep).join('/'))!;
  }
}

export class Upload {
  private readonly tmp: string;
  private readonly out;
  /** A write error (full disk, aborted stream): reported by the next write/finish, never thrown unhandled. */
  private failure: Error | null = null;
  doneBytes = 0;

  constructor(
    private readonly finalPath: string,
    readonly totalBytes: number,
    private readonly onProgress?: (done: number, total: number) => void,
  ) {
    this.tmp = `${finalPath}.${process.pid}.uploading`;
    this.out = createWriteStream(this.tmp);
    // An unhandled stream error would take the whole host process (and the printer) down.
    this.out.on('error', (e) => {
      this.failure = e;
      this.out.emit('drain');
    });
  }

  private checkFailure(): void {
    if (this.failure) throw new FileStoreError(`Upload failed: ${this.failure.message}`);
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.checkFailure();
    if (this.doneBytes + chunk.length > this.totalBytes) throw new FileStoreError(`Upload is larger than announced (${this.totalBytes} bytes)`);
    if (!this.out.write(chunk)) await new Promise<void>((r) => this.out.once('drain', () => r()));
    this.checkFailure();
    this.doneBytes += chunk.length;
    this.onProgress?.(this.doneBytes, this.totalBytes);
  }

  async finish(): Promise<void> {
    this.checkFailure();
    // The stream may fail only now (its file opens in the background): same message as above.
    await new Promise<void>((resolve, reject) =>
      this.out.end((e?: Error | null) => (e ? reject(new FileStoreError(`Upload failed: ${e.message}`)) : resolve())),
    );
    if (this.doneBytes !== this.totalBytes) {
      rmSync(this.tmp, { force: true });
      throw new FileStoreError(`Upload incomplete: ${this.doneBytes} of ${this.totalBytes} bytes`);
    }
    renameSync(this.tmp, this.finalPath);
  }

  abort(): void {
    this.out.destroy();
    rmSync(this.tmp, { force: true });
  }
}

// Minimal host side of the wire protocol for firmware tests: framing, CRC, VLQ, sequence
// numbers and response decoding with the MCU's own dictionary. Deliberately small and separate
// from the real host codec (src-main/host/mcu), so the firmware is checked independently.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { inflateSync } from 'node:zlib';
import { SerialPort } from 'serialport';

export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    let d = (b ^ (crc & 0xff)) & 0xff;
    d = (d ^ (d << 4)) & 0xff;
    crc = (((d << 8) | (crc >> 8)) ^ (d >> 4) ^ (d << 3)) & 0xffff;
  }
  return crc;
}

export function encodeVlq(value: number, out: number[]): void {
  const v = value | 0; // signed 32-bit view decides the size
  const fits = (lo: number, hi: number) => v >= lo && v < hi;
  const groups = fits(-32, 96) ? 1 : fits(-4096, 12288) ? 2 : fits(-524288, 1572864) ? 3 : fits(-67108864, 201326592) ? 4 : 5;
  for (let i = groups - 1; i > 0; i--) out.push(((v >> (7 * i)) & 0x7f) | 0x80);
  out.push(v & 0x7f);
}

export function decodeVlq(bytes: Uint8Array, pos: number): [number, number] {
  let c = bytes[pos++];
  let v = c & 0x7f;
  if ((c & 0x60) === 0x60) v |= ~0x1f;
  while (c & 0x80) {
    c = bytes[pos++];
    v = (v << 7) | (c & 0x7f);
  }
  return [v, pos];
}

export function frameBlock(seq: number, payload: number[]): Buffer {
  const body = Buffer.from([payload.length + 5, 0x10 | (seq & 0x0f), ...payload]);
  const crc = crc16(body);
  return Buffer.concat([body, Buffer.from([crc >> 8, crc & 0xff, 0x7e])]);
}

export interface Message {
  name: string;
  params: Record<string, number | Buffer>;
}

interface Format {
  name: string;
  params: { name: string; bytes: boolean }[];
}

function parseFormat(fmt: string): Format {
  const [name, ...rest] = fmt.split(' ');
  return { name, params: rest.map((p) => ({ name: p.split('=')[0], bytes: p.endsWith('s') })) };
}

export interface Dictionary {
  commands: Record<string, number>;
  responses: Record<string, number>;
  enumerations: Record<string, Record<string, number | [number, number]>>;
  config: Record<string, number | string>;
}

/** A pin name's number from the dictionary's "pin" enumeration (ranges expand). */
export function pinNumber(dict: Dictionary, name: string): number {
  const pins = dict.enumerations.pin;
  const m = /^(.*?)(\d+)$/.exec(name)!;
  for (const [first, value] of Object.entries(pins)) {
    if (first === name && typeof value === 'number') return value;
    const f = /^(.*?)(\d+)$/.exec(first);
    if (Array.isArray(value) && f && f[1] === m[1]) {
      const idx = Number(m[2]) - Number(f[2]);
      if (idx >= 0 && idx < value[1]) return value[0] + idx;
    }
  }
  throw new Error(`pin ${name} not in the dictionary`);
}

/** Spawn the sim and wait for its `pty:` line. */
export async function startSim(simPath: string, args: string[]): Promise<{ proc: ChildProcessWithoutNullStreams; pty: string }> {
  const proc = spawn(simPath, args);
  const pty = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sim printed no pty line: ${out}`)), 10_000);
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^pty: (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`sim exited early (${code}): ${out}`)));
  });
  return { proc, pty };
}

export async function stopSim(proc: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (proc.exitCode !== null) return proc.exitCode;
  // 'close' (not 'exit') so everything the sim wrote to stdout/stderr has been read.
  return new Promise((resolve) => {
    proc.on('close', (code) => resolve(code));
    proc.kill('SIGTERM');
  });
}

export class SimLink {
  private port: SerialPort;
  private rx = Buffer.alloc(0);
  private seq = 0;
  private waiters: { name: string; resolve: (m: Message) => void }[] = [];
  private byId = new Map<number, Format>();
  private cmdByName = new Map<string, { id: number; format: Format }>();
  readonly received: Message[] = [];
  emptyBlocks = 0;
  badBlocks = 0;
  private adoptSeq: (() => void) | null = null;
  /** Called with the sequence number of every good block from the MCU (its next expected). */
  onBlockSeq: ((seq: number) => void) | null = null;

  private constructor(port: SerialPort) {
    this.port = port;
    // Before the dictionary is known only identify_response (id 0) can be decoded.
    this.byId.set(0, parseFormat('identify_response offset=%u data=%.*s'));
    this.cmdByName.set('identify', { id: 1, format: parseFormat('identify offset=%u count=%c') });
    port.on('data', (d: Buffer) => this.onData(d));
  }

  static async open(path: string): Promise<SimLink> {
    const port = new SerialPort({ path, baudRate: 250000, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return new SimLink(port);
  }

  useDictionary(dict: Dictionary): void {
    for (const [fmt, id] of Object.entries(dict.responses)) this.byId.set(id, parseFormat(fmt));
    for (const [fmt, id] of Object.entries(dict.commands)) this.cmdByName.set(parseFormat(fmt).name, { id, format: parseFormat(fmt) });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }

  private onData(d: Buffer): void {
    this.rx = Buffer.concat([this.rx, d]);
    while (this.rx.length >= 5) {
      if (this.rx[0] === 0x7e) {
        this.rx = this.rx.subarray(1);
        continue;
      }
      const len = this.rx[0];
      const skipToSync = () => {
        // Stale or damaged bytes (e.g. queued while no host had the pty open): resync on 0x7E.
        this.badBlocks++;
        const sync = this.rx.indexOf(0x7e, 1);
        this.rx = sync < 0 ? Buffer.alloc(0) : this.rx.subarray(sync + 1);
      };
      if (len < 5 || len > 64 || (this.rx[1] & 0xf0) !== 0x10) {
        skipToSync();
        continue;
      }
      if (this.rx.length < len) break;
      const block = this.rx.subarray(0, len);
      const crc = crc16(block.subarray(0, len - 3));
      if (block[len - 3] !== crc >> 8 || block[len - 2] !== (crc & 0xff) || block[len - 1] !== 0x7e) {
        skipToSync();
        continue;
      }
      this.rx = this.rx.subarray(len);
      this.onBlockSeq?.(block[1] & 0x0f);
      if (len === 5) {
        this.emptyBlocks++;
        if (this.adoptSeq) {
          // Connection init: take the MCU's expected sequence number from its NAK.
          this.seq = block[1] & 0x0f;
          this.adoptSeq();
          this.adoptSeq = null;
        }
      }
      this.decodePayload(block.subarray(2, len - 3));
    }
  }

  private decodePayload(p: Uint8Array): void {
    let pos = 0;
    while (pos < p.length) {
      let id: number;
      [id, pos] = decodeVlq(p, pos);
      const fmt = this.byId.get(id);
      if (!fmt) return; // unknown before the dictionary arrives (e.g. "starting")
      const params: Record<string, number | Buffer> = {};
      for (const prm of fmt.params) {
        if (prm.bytes) {
          const n = p[pos++];
          params[prm.name] = Buffer.from(p.subarray(pos, pos + n));
          pos += n;
        } else {
          let v: number;
          [v, pos] = decodeVlq(p, pos);
          params[prm.name] = v;
        }
      }
      const msg = { name: fmt.name, params };
      this.received.push(msg);
      const w = this.waiters.findIndex((x) => x.name === msg.name);
      if (w >= 0) this.waiters.splice(w, 1)[0].resolve(msg);
    }
  }

  /** Encode one command; byte-string parameters are Buffers. */
  encode(name: string, params: Record<string, number | Buffer> = {}): number[] {
    const c = this.cmdByName.get(name);
    if (!c) throw new Error(`command ${name} not in the dictionary`);
    const out: number[] = [];
    encodeVlq(c.id, out);
    for (const prm of c.format.params) {
      const v = params[prm.name];
      if (v === undefined) throw new Error(`${name}: missing ${prm.name}`);
      if (prm.bytes) {
        const b = v as Buffer;
        out.push(b.length, ...b);
      } else encodeVlq(v as number, out);
    }
    return out;
  }

  /** Send encoded commands in one block (payload <= 59 bytes). */
  sendBlock(payload: number[]): void {
    this.port.write(frameBlock(this.seq, payload));
    this.seq = (this.seq + 1) & 0x0f;
  }

  /** The sequence number the next block will carry. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Write raw bytes (retransmission tests manage sequence numbers themselves). */
  writeRaw(bytes: Buffer): void {
    this.port.write(bytes);
  }

  send(name: string, params: Record<string, number | Buffer> = {}): void {
    this.sendBlock(this.encode(name, params));
  }

  /** Send and wait for a response by name (resending on timeout, like a host's query). */
  async query(name: string, params: Record<string, number | Buffer>, response: string, timeoutMs = 5000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = new Promise<Message | null>((resolve) => {
        const w = { name: response, resolve: resolve as (m: Message) => void };
        this.waiters.push(w);
        setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(null);
        }, 500);
      });
      this.send(name, params);
      const m = await got;
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no ${response} reply to ${name}`);
    }
  }

  /** Learn the MCU's expected sequence number (after reopening the port or a reset). */
  async resync(): Promise<void> {
    const adopted = new Promise<void>((resolve) => (this.adoptSeq = resolve));
    for (let i = 0; i < 20 && this.adoptSeq; i++) {
      this.port.write(frameBlock((this.seq + 8) & 0x0f, this.encode('get_clock')));
      await Promise.race([adopted, new Promise((r) => setTimeout(r, 250))]);
    }
    if (this.adoptSeq) throw new Error('MCU never answered with its sequence number');
  }

  /** The whole identify transfer, inflated and parsed. */
  async identify(): Promise<{ dict: Dictionary; compressedBytes: number }> {
    const chunks: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const r = await this.query('identify', { offset, count: 40 }, 'identify_response');
      if (r.params.offset !== offset) continue;
      const data = r.params.data as Buffer;
      if (data.length === 0) break;
      chunks.push(data);
      offset += data.length;
    }
    const zipped = Buffer.concat(chunks);
    const dict = JSON.parse(inflateSync(zipped).toString('utf8')) as Dictionary;
    this.useDictionary(dict);
    return { dict, compressedBytes: zipped.length };
  }
}

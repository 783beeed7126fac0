// Batch mode's link: no MCU, no acks, no clock. Queued messages are packed into blocks the same
// way the serial queue packs them (lowest req_clock first across command queues, up to 59
// payload bytes, sequence numbers from 1) and written to a file or stream. Messages are packed
// lazily in large batches so queues filled one after another still interleave by req_clock.

import { closeSync, openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { MESSAGE_HEADER_SIZE, MESSAGE_MAX, MESSAGE_PAYLOAD_MAX, sealBlock } from './codec';
import { QueueSet, type CommandQueue } from './command-queue';

/** Pack when this many bytes wait, down to LOW_WATER (keeps req_clock interleaving). */
const HIGH_WATER_BYTES = 64 * 1024;
const LOW_WATER_BYTES = 32 * 1024;
const OUT_BUFFER_BYTES = 1 << 20;

export type FileOutputTarget = string | number | Writable;

export class FileOutputQueue extends QueueSet {
  readonly defaultQueue: CommandQueue;
  private pendingBytes = 0;
  private out = new Uint8Array(OUT_BUFFER_BYTES);
  private outPos = 0;
  private seq = 1;
  private fd: number | null = null;
  private ownsFd = false;
  private stream: Writable | null = null;
  private closed = false;
  readonly stats = { bytesWrite: 0, blocks: 0, messages: 0 };

  constructor(target: FileOutputTarget) {
    super();
    if (typeof target === 'string') {
      this.fd = openSync(target, 'w');
      this.ownsFd = true;
    } else if (typeof target === 'number') {
      this.fd = target;
    } else {
      this.stream = target;
    }
    this.defaultQueue = this.allocCommandQueue();
  }

  override onPush(_queue: CommandQueue, bytes: number): void {
    this.pendingBytes += bytes;
    if (this.pendingBytes >= HIGH_WATER_BYTES) this.pack(LOW_WATER_BYTES);
  }

  /** Packs every waiting message and writes all blocks out. */
  flush(): void {
    this.pack(0);
    this.writeOut();
  }

  /** Flushes and closes the file (a caller-supplied fd or stream is ended only if `end`). */
  async close(end = true): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd !== null && this.ownsFd) closeSync(this.fd);
    const s = this.stream;
    if (s && end) await new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }

  /** Packs blocks until at most `keepBytes` wait. */
  private pack(keepBytes: number): void {
    while (this.pendingBytes > keepBytes) {
      if (this.outPos + MESSAGE_MAX > this.out.length) this.writeOut();
      const blockStart = this.outPos;
      const payloadStart = blockStart + MESSAGE_HEADER_SIZE;
      const end = this.fillPayload(this.out, payloadStart, payloadStart + MESSAGE_PAYLOAD_MAX, Infinity);
      this.outPos = sealBlock(this.out, blockStart, end, this.seq++);
      this.stats.blocks++;
      this.stats.bytesWrite += this.outPos - blockStart;
    }
  }

  protected override onShift(bytes: number): void {
    this.pendingBytes -= bytes;
    this.stats.messages++;
  }

  private writeOut(): void {
    if (this.outPos === 0) return;
    if (this.fd !== null) {
      let off = 0;
      while (off < this.outPos) off += writeSync(this.fd, this.out, off, this.outPos - off);
    } else if (this.stream) {
      this.stream.write(Buffer.from(this.out.subarray(0, this.outPos)));
    }
    this.outPos = 0;
  }
}

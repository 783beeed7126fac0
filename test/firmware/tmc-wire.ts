// Trinamic datagrams as the tmc firmware tests build them, from the datasheet (CRC8) and the
// tmcuart bit stream Klipper's host sends (start bit, 8 data bits LSB first, stop bit, packed
// LSB first) -- independent of the host's own tmc code, which these tests must not lean on.
import type { Message, SimLink } from './sim-link';

/** Trinamic CRC8: polynomial x^8+x^2+x+1, bytes fed LSB first, init 0. */
export function crc8(bytes: number[]): number {
  let crc = 0;
  for (let b of bytes) {
    for (let i = 0; i < 8; i++) {
      crc = ((crc >> 7) ^ (b & 1)) !== 0 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
      b >>= 1;
    }
  }
  return crc;
}

/** The line levels of UART bytes: per byte a 0 start bit, 8 data bits LSB first, a 1 stop bit. */
export function serialBits(bytes: number[]): number[] {
  const bits: number[] = [];
  for (const b of bytes) bits.push(0, ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => (b >> i) & 1), 1);
  return bits;
}

/** Line levels packed LSB first into bytes (tmcuart_send's write, tmcuart_response's read). */
export function packBits(bits: number[]): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((v, i) => (out[i >> 3] |= v << (i & 7)));
  return out;
}

/** A datagram with its CRC appended, as tmcuart_send's write bytes. */
export const datagram = (bytes: number[]): Buffer => packBits(serialBits([...bytes, crc8(bytes)]));

/** The bytes of a raw read, checking every start and stop bit. */
export function stripSerialBits(raw: Buffer): number[] {
  const bit = (pos: number) => (raw[pos >> 3] >> (pos & 7)) & 1;
  const bytes: number[] = [];
  for (let i = 0; i < Math.floor((raw.length * 8) / 10); i++) {
    if (bit(10 * i) !== 0 || bit(10 * i + 9) !== 1) throw new Error(`framing error in reply byte ${i}: ${raw.toString('hex')}`);
    let v = 0;
    for (let j = 0; j < 8; j++) v |= bit(10 * i + 1 + j) << j;
    bytes.push(v);
  }
  return bytes;
}

/**
 * Send once and wait for the next `response` (no resend: a resent tmcuart_send would run twice
 * once the first finished, and a late duplicate answer would be taken for the next request's).
 * A pty loses nothing; 10 s is for a loaded machine, a transfer itself takes ~5 ms of sim time.
 */
export async function request(link: SimLink, name: string, params: Record<string, number | Buffer>, response: string): Promise<Message> {
  const seen = link.received.length;
  link.send(name, params);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = link.received.slice(seen).find((x) => x.name === response);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no ${response} to ${name} within 10 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

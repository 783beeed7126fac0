import { describe, expect, it } from 'vitest';
import {
  BlockReceiver,
  ByteReader,
  crc16,
  frameBlock,
  MessageFormat,
  ProtocolError,
  vlqSize,
  writeVlq,
} from '../../../src-main/host/mcu/codec';

const hex = (b: Uint8Array): string =>
  Buffer.from(b)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

function vlq(v: number): string {
  const buf = new Uint8Array(8);
  return hex(buf.subarray(0, writeVlq(buf, 0, v)));
}
function readVlq(h: string): number {
  const b = bytes(h);
  const r = new ByteReader(b);
  const v = r.readVlq();
  expect(r.pos).toBe(b.length);
  return v;
}

describe('CRC-16/MCRF4XX', () => {
  it('has the catalogue check value 0x6F91 for "123456789"', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x6f91);
  });
});

describe('VLQ (PROTOCOL.md 1.3 examples)', () => {
  const examples: [number, string][] = [
    [0, '00'],
    [95, '5f'],
    [96, '80 60'],
    [-1, '7f'],
    [-32, '60'],
    [-33, 'ff 5f'],
    [12287, 'df 7f'],
    [12288, '80 e0 00'],
    [-4096, 'e0 00'],
    [2147483647, '87 ff ff ff 7f'],
    [-2147483648, 'f8 80 80 80 00'],
  ];
  it.each(examples)('%d encodes as %s and decodes back', (v, h) => {
    expect(vlq(v)).toBe(h);
    expect(readVlq(h)).toBe(v);
  });

  it('uses the size table of 1.3 at every boundary', () => {
    const table: [number, number, number][] = [
      [-32, 95, 1],
      [-4096, 12287, 2],
      [-524288, 1572863, 3],
      [-67108864, 201326591, 4],
    ];
    for (const [lo, hi, n] of table) {
      expect(vlqSize(lo)).toBe(n);
      expect(vlqSize(hi)).toBe(n);
      expect(vlqSize(lo - 1)).toBe(n + 1);
      expect(vlqSize(hi + 1)).toBe(n + 1);
    }
  });

  it('accepts both encodings of 0xFFFFFFFF', () => {
    expect(vlq(0xffffffff)).toBe('7f');
    expect(readVlq('7f') >>> 0).toBe(0xffffffff);
    expect(readVlq('8f ff ff ff 7f') >>> 0).toBe(0xffffffff);
  });

  it('round-trips pseudo-random 32-bit values', () => {
    let x = 12345;
    const bad: number[] = [];
    const buf = new Uint8Array(8);
    const reader = new ByteReader();
    for (let i = 0; i < 20000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      const v = x >> (i % 31);
      const end = writeVlq(buf, 0, v);
      if (end !== vlqSize(v) || reader.reset(buf, 0, end).readVlq() !== v) bad.push(v);
    }
    expect(bad).toEqual([]);
  });

  it('reports truncation as a ProtocolError', () => {
    expect(() => new ByteReader(bytes('80')).readVlq()).toThrow(ProtocolError);
    expect(() => new ByteReader(bytes('05 01')).readBytes()).toThrow(ProtocolError);
  });
});

describe('block framing (PROTOCOL.md 1.1 worked examples)', () => {
  it('identify offset=0 count=40, seq 1', () => {
    const identify = new MessageFormat(1, 'identify offset=%u count=%c');
    expect(hex(frameBlock(1, identify.encode([0, 40])))).toBe('08 11 01 00 28 42 24 7e');
  });
  it('empty ack/nak block with seq 2', () => {
    expect(hex(frameBlock(2, new Uint8Array(0)))).toBe('05 12 bd 93 7e');
  });
  it('MCU boot message starting (id -15)', () => {
    const starting = new MessageFormat(-15, 'starting');
    expect(hex(frameBlock(0, starting.encode()))).toBe('06 10 71 18 75 7e');
  });
});

describe('BlockReceiver', () => {
  const collect = (): { blocks: string[]; rx: BlockReceiver } => {
    const blocks: string[] = [];
    const rx = new BlockReceiver((b) => blocks.push(hex(b)));
    return { blocks, rx };
  };

  it('delivers blocks split at every byte boundary and skips leading sync bytes', () => {
    const stream = bytes('7e 7e 08 11 01 00 28 42 24 7e 05 12 bd 93 7e');
    for (let cut = 0; cut <= stream.length; cut++) {
      const { blocks, rx } = collect();
      rx.push(stream.subarray(0, cut));
      rx.push(stream.subarray(cut));
      expect(blocks).toEqual(['08 11 01 00 28 42 24 7e', '05 12 bd 93 7e']);
      expect(rx.stats.errors).toBe(0);
    }
  });

  it('resynchronises after a corrupted block at the next 0x7E', () => {
    const { blocks, rx } = collect();
    rx.push(bytes('08 11 01 00 29 42 24 7e 05 12 bd 93 7e')); // count byte flipped: CRC fails
    expect(blocks).toEqual(['05 12 bd 93 7e']);
    expect(rx.stats.errors).toBe(1);
  });

  it('rejects a bad SEQ high nibble and bad lengths', () => {
    const { blocks, rx } = collect();
    rx.push(bytes('05 22 bd 93 7e 41 12 00 00 7e 03 12 7e 05 12 bd 93 7e'));
    expect(blocks).toEqual(['05 12 bd 93 7e']);
    expect(rx.stats.errors).toBe(3);
  });

  it('accepts 0x7E inside a payload (it is not escaped)', () => {
    const payload = bytes('0a 02 7e 7e');
    const block = frameBlock(3, payload);
    const { blocks, rx } = collect();
    rx.push(block);
    expect(blocks).toEqual([hex(block)]);
  });
});

describe('MessageFormat', () => {
  const pins = { name: 'pin', byName: new Map([['PF0', 40]]), byValue: new Map([[40, 'PF0']]) };
  const fmt = new MessageFormat(23, 'config_stepper oid=%c step_pin=%c dir_pin=%c invert_step=%c step_pulse_ticks=%u', (p) =>
    p.endsWith('pin') ? pins : undefined,
  );

  it('resolves enumeration names and prints them back', () => {
    const enc = fmt.encode({ oid: 0, step_pin: 'PF0', dir_pin: 40, invert_step: -1, step_pulse_ticks: 32 });
    const r = new ByteReader(enc);
    expect(r.readVlq()).toBe(23);
    const params = fmt.decodeParams(r);
    expect(params).toEqual({ oid: 0, step_pin: 40, dir_pin: 40, invert_step: 0xffffffff, step_pulse_ticks: 32 });
    expect(fmt.formatParams(params)).toBe('config_stepper oid=0 step_pin=PF0 dir_pin=PF0 invert_step=4294967295 step_pulse_ticks=32');
  });

  it('names the parameter in errors', () => {
    expect(() => fmt.encode({ oid: 0, step_pin: 'PZ9', dir_pin: 1, invert_step: 0, step_pulse_ticks: 1 })).toThrow(
      /unknown pin 'PZ9'.*step_pin/,
    );
    expect(() => fmt.encode([0, 1, 2])).toThrow(/expected 5 parameters/);
    expect(() => fmt.encode({ oid: 0, step_pin: 1, dir_pin: 1, invert_step: 0, step_pulse_ticks: 1.5 })).toThrow(
      /step_pulse_ticks=1.5 is not an integer/,
    );
  });

  it('keeps the low 32 bits of 64-bit clocks, as the MCU does', () => {
    const clockFmt = new MessageFormat(15, 'queue_digital_out oid=%c clock=%u on_ticks=%u');
    const r = new ByteReader(clockFmt.encode([1, 2 ** 33 + 5, 0]), 1);
    expect(clockFmt.decodeParams(r).clock).toBe(5);
  });

  it('encodes byte strings with a length prefix and prints them as b-literals', () => {
    const ping = new MessageFormat(10, 'debug_ping data=%*s');
    const enc = ping.encode([Uint8Array.of(1, 0x41, 0x27)]);
    expect(hex(enc)).toBe('0a 03 01 41 27');
    const r = new ByteReader(enc, 1);
    expect(ping.formatParams(ping.decodeParams(r))).toBe(`debug_ping data=b"\\x01A'"`);
  });
});

describe('CRC table', () => {
  it('matches the byte-wise update of PROTOCOL.md 1.1 on random data', async () => {
    const { crc16Bytewise } = await import('../../../src-main/host/mcu/codec');
    let x = 1;
    for (let n = 0; n < 500; n++) {
      const data = Uint8Array.from({ length: n % 70 }, () => (x = (Math.imul(x, 48271) + 11) >>> 0) & 0xff);
      expect(crc16(data)).toBe(crc16Bytewise(data));
    }
    expect(crc16Bytewise(new TextEncoder().encode('123456789'))).toBe(0x6f91);
  });
});

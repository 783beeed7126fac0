// The UART datagram layer against the datasheet: CRC8, datagram layout, serial bit framing and
// the checks on a read reply. Expected bytes are worked out by hand in the comments.
import { describe, expect, it } from 'vitest';
import {
  decodeReadReply,
  fromSerialBits,
  readDatagram,
  replyDatagram,
  tmcCrc8,
  toSerialBits,
  writeDatagram,
} from '../../../src-main/host/mcu/tmc-uart';
import { chainMessage, chainReplyValue, spiReadDatagram, spiWriteDatagram } from '../../../src-main/host/mcu/tmc-spi';

const reverseBits = (b: number): number => {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return r;
};

describe('TMC UART CRC8', () => {
  it('is CRC-8 (poly 0x07) fed LSB first: bit-reversed input gives the catalogue check value', () => {
    // The datasheet's loop shifts each byte out LSB first into an MSB-first CRC-8/SMBUS register
    // (poly x^8+x^2+x+1, init 0, no reflection). So for input bytes reversed bit by bit, it must
    // give the catalogue check value of CRC-8/SMBUS over "123456789": 0xF4.
    const input = Array.from('123456789', (c) => reverseBits(c.charCodeAt(0)));
    expect(tmcCrc8(input)).toBe(0xf4);
  });

  it('of one byte 0x01 (bit-reversed 0x80) is 0x89', () => {
    // CRC-8/SMBUS of 0x80: shift 0x80 << 1 = 0x100 -> ^0x07 = 0x07; then 7 plain shifts with the
    // top bit checked: 0x07,0x0e,0x1c,0x38,0x70,0xe0 -> 0x1c0 ^ 0x107 = 0xc7 -> 0x18e ^ 0x107 = 0x89.
    expect(tmcCrc8([0x01])).toBe(0x89);
  });
});

describe('TMC UART datagrams', () => {
  it('read request: sync, node address, register, CRC', () => {
    const d = readDatagram(2, 0x6f);
    expect([...d.subarray(0, 3)]).toEqual([0xf5, 0x02, 0x6f]);
    expect(d[3]).toBe(tmcCrc8([0xf5, 0x02, 0x6f]));
  });

  it('write: register with bit 7 set, value MSB first', () => {
    const d = writeDatagram(1, 0x10, 0x00081919);
    expect([...d.subarray(0, 7)]).toEqual([0xf5, 0x01, 0x90, 0x00, 0x08, 0x19, 0x19]);
    expect(d[7]).toBe(tmcCrc8(d.subarray(0, 7)));
  });

  it('serial bits: start 0, data LSB first, stop 1, packed LSB first', () => {
    // 0x05 -> bits 0,(1,0,1,0,0,0,0,0),1 -> byte0 = 0b00001010, byte1 = 0b10.
    expect([...toSerialBits([0x05])]).toEqual([0x0a, 0x02]);
    // 4 bytes = 40 bits = 5 bytes; 8 bytes = 80 bits = 10 bytes (what a reply fills).
    expect(toSerialBits(readDatagram(0, 2)).length).toBe(5);
    expect(toSerialBits(writeDatagram(0, 0, 0)).length).toBe(10);
  });

  it('serial bits round-trip, and a broken stop bit is rejected', () => {
    const d = writeDatagram(3, 0x6c, 0x34030053);
    const bits = toSerialBits(d);
    expect([...fromSerialBits(bits, 8)!]).toEqual([...d]);
    const broken = Uint8Array.from(bits);
    broken[1] &= ~0x02; // bit 9 = the first byte's stop bit
    expect(fromSerialBits(broken, 8)).toBeNull();
  });

  it('a read reply is accepted only with sync, master address 0xff, the register asked and a good CRC', () => {
    const good = toSerialBits(replyDatagram(0x02, 0x0000002a));
    expect(decodeReadReply(good, 0x02)).toBe(42);
    expect(decodeReadReply(good, 0x06)).toBeNull(); // another register's answer
    const badCrc = replyDatagram(0x02, 42);
    badCrc[7] ^= 1;
    expect(decodeReadReply(toSerialBits(badCrc), 0x02)).toBeNull();
    const fromNode = replyDatagram(0x02, 42);
    fromNode[1] = 0x00;
    fromNode[7] = tmcCrc8(fromNode, 7);
    expect(decodeReadReply(toSerialBits(fromNode), 0x02)).toBeNull();
    expect(decodeReadReply(good.subarray(0, 9), 0x02)).toBeNull(); // truncated
    // Values with bit 31 set come back unsigned.
    expect(decodeReadReply(toSerialBits(replyDatagram(0x6f, 0xc0000000)), 0x6f)).toBe(0xc0000000);
  });
});

describe('TMC SPI datagrams', () => {
  it('40 bits: address (bit 7 = write), value MSB first', () => {
    expect([...spiWriteDatagram(0x6c, 0x14030053)]).toEqual([0xec, 0x14, 0x03, 0x00, 0x53]);
    expect([...spiReadDatagram(0x6f)]).toEqual([0x6f, 0, 0, 0, 0]);
  });

  it('a daisy chain puts position p of n at bytes (n-p)*5: the first bytes out go furthest', () => {
    const msg = chainMessage(3, 1, spiWriteDatagram(0x10, 0x01020304));
    expect([...msg]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x90, 1, 2, 3, 4]);
    expect([...chainMessage(3, 3, [9, 9, 9, 9, 9])].slice(0, 5)).toEqual([9, 9, 9, 9, 9]);
    const reply = Uint8Array.of(0, 0, 0, 0, 0, 0x08, 0x80, 0, 0, 1, 0, 0, 0, 0, 0);
    expect(chainReplyValue(reply, 3, 2)).toEqual({ status: 0x08, value: 0x80000001 });
    expect(chainReplyValue(reply.subarray(0, 10), 3, 2)).toBeNull();
  });
});

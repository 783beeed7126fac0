import { describe, expect, it } from 'vitest';
import { Stk500v2, type SerialLink } from '../../../src-main/flash';

// LOAD_ADDRESS per AVR068: the word address big-endian, bit 31 set for extended addressing.
describe('STK500v2 LOAD_ADDRESS', () => {
  const link = {} as SerialLink;
  it('a chip up to 64 K words sends plain word addresses', () => {
    expect(new Stk500v2(link).loadAddressBody(0x1f00)).toEqual([0x06, 0x00, 0x00, 0x0f, 0x80]);
  });
  it('the atmega2560 (128 K words) sets bit 31 on every address, and the high bits past 64 KiB', () => {
    const mega = new Stk500v2(link, 1000, true);
    expect(mega.loadAddressBody(0)).toEqual([0x06, 0x80, 0x00, 0x00, 0x00]);
    expect(mega.loadAddressBody(0x10000)).toEqual([0x06, 0x80, 0x00, 0x80, 0x00]);
    expect(mega.loadAddressBody(0x3e000)).toEqual([0x06, 0x80, 0x01, 0xf0, 0x00]);
  });
  it('an address past 64 K words sets bit 31 even without the chip flag', () => {
    expect(new Stk500v2(link).loadAddressBody(0x20000)).toEqual([0x06, 0x80, 0x01, 0x00, 0x00]);
  });
});

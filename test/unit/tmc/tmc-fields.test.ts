// Register fields against the datasheets' bit positions: values assembled by hand bit by bit.
import { describe, expect, it } from 'vitest';
import { TMC_CHIPS, TmcFields } from '../../../src-main/host/objects/tmc-registers';

describe('TMC register fields', () => {
  it('TMC2209 CHOPCONF: toff 0-3, hstrt 4-6, tbl 15-16, vsense 17, mres 24-27, intpol 28, dedge 29', () => {
    const f = new TmcFields(TMC_CHIPS.tmc2209);
    f.setField('toff', 3); // 0x3
    f.setField('hstrt', 5); // 5 << 4 = 0x50
    f.setField('tbl', 2); // 2 << 15 = 0x10000
    f.setField('vsense', 1); // 0x20000
    f.setField('mres', 4); // 4 << 24 = 0x04000000
    f.setField('intpol', 1); // 0x10000000
    f.setField('dedge', 1); // 0x20000000
    expect(f.values.get('CHOPCONF')).toBe(0x34030053);
    expect(f.getField('mres')).toBe(4);
    f.setField('mres', 8);
    expect(f.values.get('CHOPCONF')).toBe(0x38030053);
  });

  it('bit 31 fields and values stay unsigned', () => {
    const f = new TmcFields(TMC_CHIPS.tmc2209);
    f.setField('diss2vs', 1);
    expect(f.values.get('CHOPCONF')).toBe(0x80000000);
    f.setField('pwm_lim', 12); // 12 << 28
    expect(f.values.get('PWMCONF')).toBe(0xc0000000);
    expect(f.getField('pwm_lim')).toBe(12);
  });

  it("signed fields (TMC2130 COOLCONF.sgt, 7 bits at 16) are two's complement", () => {
    const f = new TmcFields(TMC_CHIPS.tmc2130);
    f.setField('sgt', -1);
    expect(f.values.get('COOLCONF')).toBe(0x7f << 16);
    expect(f.getField('sgt')).toBe(-1);
    f.setField('sgt', 63);
    expect(f.getField('sgt')).toBe(63);
    expect(() => f.setField('sgt', 64)).toThrow(/out of range.*-64\.\.63/);
  });

  it("decodes a read DRV_STATUS by the chip's own layout", () => {
    const t2209 = new TmcFields(TMC_CHIPS.tmc2209);
    // 2209: ot bit 1, cs_actual 16-20, stst 31.
    const v = 0x80000000 + (17 << 16) + 0x2;
    expect([t2209.getField('ot', v), t2209.getField('cs_actual', v), t2209.getField('stst', v)]).toEqual([1, 17, 1]);
    const t2130 = new TmcFields(TMC_CHIPS.tmc2130);
    // 2130: ot is bit 25 instead.
    expect(t2130.getField('ot', 1 << 25)).toBe(1);
    expect(t2130.formatRegister('DRV_STATUS', (1 << 25) + (3 << 16), false)).toBe('DRV_STATUS: 02030000 cs_actual=3 ot=1');
  });

  it('rejects unknown fields and out-of-range values', () => {
    const f = new TmcFields(TMC_CHIPS.tmc2208);
    expect(() => f.setField('sgthrs', 1)).toThrow(/Unknown field/); // a 2209-only register
    expect(() => f.setField('toff', 16)).toThrow(/out of range/);
    expect(() => f.setField('toff', 1.5)).toThrow(/out of range/);
    expect(f.isWritable('ifcnt')).toBe(false);
    expect(f.isWritable('TOFF')).toBe(true);
  });

  it('every register field fits in 32 bits and no two fields of a register overlap', () => {
    for (const chip of Object.values(TMC_CHIPS)) {
      for (const [name, reg] of Object.entries(chip.registers)) {
        let used = 0n;
        for (const [field, [shift, width]] of Object.entries(reg.fields)) {
          expect(shift + width, `${chip.name} ${name}.${field}`).toBeLessThanOrEqual(32);
          const mask = ((1n << BigInt(width)) - 1n) << BigInt(shift);
          expect(used & mask, `${chip.name} ${name}.${field} overlaps`).toBe(0n);
          used |= mask;
        }
      }
    }
  });
});

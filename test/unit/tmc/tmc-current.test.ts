// Current <-> register bits, against values worked out by hand from the datasheet formulas:
//   TMC220x/2130: I = (CS+1)/32 * Vfs/(Rsense + 0.02) / sqrt2;  TMC5160: I = GS/256 * (CS+1)/32 * Vfs/Rsense / sqrt2
import { describe, expect, it } from 'vitest';
import {
  currentForCs,
  currentForGlobalScaler,
  currentForRref,
  globalScalerCurrentBits,
  rrefCurrentBits,
  tmc2240TemperatureC,
  SENSE_VOLTAGE,
  vsenseCurrentBits,
} from '../../../src-main/host/objects/tmc-current';

describe('TMC2209 current (vsense)', () => {
  it('0.8 A on 0.110 ohm: vsense=1, CS 25 (0.795 A)', () => {
    // 32 * 1.41421 * 0.8 * 0.130 / 0.180 = 26.15 -> round 26 -> CS 25;
    // back: 26/32 * 0.180/0.130 / 1.41421 = 0.7955 A.
    const b = vsenseCurrentBits(0.8, 0.8, 0.11, SENSE_VOLTAGE.tmc2209);
    expect(b).toEqual({ vsense: 1, irun: 25, ihold: 25 });
    expect(currentForCs(25, 0.11, 0.18)).toBeCloseTo(0.7955, 3);
  });

  it('0.58 A (a Klipper sample config value): CS 18', () => {
    // 32 * 1.41421 * 0.58 * 0.13 / 0.18 = 18.96 -> 19 -> CS 18; back: 19/32*0.18/0.13/1.41421 = 0.5813 A.
    expect(vsenseCurrentBits(0.58, 0.58, 0.11, SENSE_VOLTAGE.tmc2209).irun).toBe(18);
    expect(currentForCs(18, 0.11, 0.18)).toBeCloseTo(0.5813, 3);
  });

  it('1.2 A does not fit vsense=1 (max 0.979 A): vsense=0, CS 21 (1.215 A)', () => {
    // vsense=1 max: 32/32*0.18/0.13/1.41421 = 0.9791 A. vsense=0: 32*1.41421*1.2*0.13/0.325 = 21.72
    // -> 22 -> CS 21; back: 22/32*0.325/0.13/1.41421 = 1.2153 A.
    const b = vsenseCurrentBits(1.2, 1.2, 0.11, SENSE_VOLTAGE.tmc2209);
    expect(b.vsense).toBe(0);
    expect(b.irun).toBe(21);
    expect(currentForCs(21, 0.11, 0.325)).toBeCloseTo(1.2153, 3);
  });

  it('hold current is never above run current and uses the same vsense', () => {
    // 0.4 A at vsense=1: 32*1.41421*0.4*0.13/0.18 = 13.07 -> 13 -> CS 12.
    expect(vsenseCurrentBits(0.8, 0.4, 0.11, SENSE_VOLTAGE.tmc2209).ihold).toBe(12);
    expect(vsenseCurrentBits(0.5, 2.0, 0.11, SENSE_VOLTAGE.tmc2209).ihold).toBe(
      vsenseCurrentBits(0.5, 0.5, 0.11, SENSE_VOLTAGE.tmc2209).irun,
    );
  });

  it('tiny currents clamp to CS 0, huge ones to 31', () => {
    expect(vsenseCurrentBits(0.01, 0.01, 0.11, SENSE_VOLTAGE.tmc2209).irun).toBe(0);
    expect(vsenseCurrentBits(5, 5, 0.11, SENSE_VOLTAGE.tmc2209)).toMatchObject({ vsense: 0, irun: 31 });
  });
});

describe('TMC5160 current (GLOBALSCALER)', () => {
  it('1.0 A on 0.075 ohm: GLOBALSCALER 84, IRUN 31 (1.005 A)', () => {
    // GS = ceil(256 * 1.0 * 1.41421 * 0.075 / 0.325) = ceil(83.55) = 84;
    // CS = round(32*256*1.0*1.41421*0.075/(84*0.325)) - 1 = round(31.83) - 1 = 31;
    // back: 84/256 * 32/32 * 0.325/0.075 / 1.41421 = 1.0054 A.
    const b = globalScalerCurrentBits(1.0, 1.0, 0.075, 0.325);
    expect(b).toEqual({ globalscaler: 84, irun: 31, ihold: 31 });
    expect(currentForGlobalScaler(84, 31, 0.075, 0.325)).toBeCloseTo(1.0054, 3);
  });

  it('hold 0.5 A with run 1.0 A: IHOLD 15', () => {
    // 32*256*0.5*1.41421*0.075/(84*0.325) = 15.91 -> 16 -> 15.
    expect(globalScalerCurrentBits(1.0, 0.5, 0.075, 0.325).ihold).toBe(15);
  });

  it('the scale stays within 32..256 (256 written as 0)', () => {
    // 0.05 A would need GS 5: below the datasheet minimum of 32.
    expect(globalScalerCurrentBits(0.05, 0.05, 0.075, 0.325).globalscaler).toBe(32);
    // 3.2 A needs 256*3.2*1.41421*0.075/0.325 = 267 > 256: full scale, written as 0.
    expect(globalScalerCurrentBits(3.2, 3.2, 0.075, 0.325).globalscaler).toBe(0);
    expect(currentForGlobalScaler(0, 31, 0.075, 0.325)).toBeCloseTo(3.064, 2);
  });
});

describe('TMC2240 current (IREF resistor, current_range, GLOBALSCALER)', () => {
  it('1.0 A with rref 12 kohm: range 1 (2 A peak), GLOBALSCALER 182, IRUN 31 (1.005 A)', () => {
    // Range 0: 11750/12000 = 0.979 A peak = 0.692 A rms < 1.0; range 1: 24000/12000 = 2 A peak = 1.414 A rms.
    // GS = ceil(256 * 1.0 * 1.41421 / 2) = ceil(181.02) = 182; CS = round(32*256*1.41421/(182*2)) - 1 =
    // round(31.83) - 1 = 31; back: 182/256 * 32/32 * 2 / 1.41421 = 1.0054 A.
    expect(rrefCurrentBits(1.0, 1.0, 12000)).toEqual({ currentRange: 1, globalscaler: 182, irun: 31, ihold: 31 });
    expect(currentForRref(1, 182, 31, 12000)).toBeCloseTo(1.0054, 3);
  });

  it('0.5 A fits range 0; 2.1 A needs range 2', () => {
    // 0.5 <= 0.692: range 0; GS = ceil(256*0.5*1.41421/0.97917) = ceil(184.87) = 185.
    expect(rrefCurrentBits(0.5, 0.5, 12000)).toMatchObject({ currentRange: 0, globalscaler: 185 });
    // 2.1 A > 1.414 A: range 2 (3 A peak); GS = ceil(256*2.1*1.41421/3) = ceil(253.43) = 254.
    expect(rrefCurrentBits(2.1, 2.1, 12000)).toMatchObject({ currentRange: 2, globalscaler: 254 });
  });

  it('ADC_TEMP to degrees: (adc - 2038) / 7.7', () => {
    expect(tmc2240TemperatureC(2038 + 7.7 * 25)).toBeCloseTo(25, 6);
  });
});

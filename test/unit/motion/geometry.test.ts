import { describe, expect, it } from 'vitest';
import { GeometryError, parseGearRatio, stepDistanceMm } from '../../../src-main/host/motion/index.js';

describe('stepper geometry', () => {
  it('derives the step distance from rotation_distance and microsteps', () => {
    // 40 mm belt pulley turn / (200 full steps * 16 microsteps) = 0.0125 mm (80 steps/mm)
    expect(stepDistanceMm({ rotationDistanceMm: 40, microsteps: 16 })).toBeCloseTo(0.0125, 15);
    expect(stepDistanceMm({ rotationDistanceMm: 8, microsteps: 16 })).toBeCloseTo(1 / 400, 15);
    expect(stepDistanceMm({ rotationDistanceMm: 40, microsteps: 16, fullStepsPerRotation: 400 })).toBeCloseTo(
      0.00625,
      15,
    );
  });

  it('multiplies gear ratios and divides the step distance by them', () => {
    expect(parseGearRatio('')).toBe(1);
    expect(parseGearRatio('5:1')).toBe(5);
    expect(parseGearRatio('80:20, 16:48')).toBeCloseTo((80 / 20) * (16 / 48), 15);
    const gear = parseGearRatio('3:1');
    expect(stepDistanceMm({ rotationDistanceMm: 22.6789, microsteps: 16, gearRatio: gear })).toBeCloseTo(
      22.6789 / (200 * 16 * 3),
      15,
    );
  });

  it('rejects malformed options with what to write instead', () => {
    expect(() => parseGearRatio('80-20')).toThrow(GeometryError);
    expect(() => parseGearRatio('80:0')).toThrow(/pairs of positive numbers/);
    expect(() => stepDistanceMm({ rotationDistanceMm: 0, microsteps: 16 })).toThrow(/rotation_distance/);
    expect(() => stepDistanceMm({ rotationDistanceMm: 40, microsteps: 16, fullStepsPerRotation: 201 })).toThrow(
      /multiple of 4/,
    );
  });
});

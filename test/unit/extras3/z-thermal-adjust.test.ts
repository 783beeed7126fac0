// [z_thermal_adjust] on a batch host: the frame sensor's readings are fed in by hand (batch mode
// has no ADC), the reference is taken at Z homing, moves carry temp_coeff * (T - T_ref) on Z
// while the G-code position stays as commanded, held above z_adjust_off_above, clamped to
// max_z_adjustment, switched by SET_Z_THERMAL_ADJUST; bad options name their section.
import { afterEach, describe, expect, it } from 'vitest';
import type { ZThermalAdjust } from '../../../src-main/host/objects/z-thermal-adjust';
import { statusOf } from '../../../src-main/host/objects/status-objects';
import { zThermalAdjustMm } from '../../../src-main/host/objects/z-thermal-adjust';
import { startBatchHost, type BatchHost } from '../extras2/batch-host';
import { CARTESIAN, loadError } from '../objects/load-helpers';

const SECTION = (extra = '') => `[z_thermal_adjust]
temp_coeff: 0.01
smooth_time: 1.0
z_adjust_off_above: 20
max_z_adjustment: 0.25
sensor_type: EPCOS 100K B57560G104F
sensor_pin: PK6
min_temp: 0
max_temp: 100
${extra}`;

let host: BatchHost | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

function toolheadZ(h: BatchHost): number {
  return (h.status('toolhead').position as number[])[2]!;
}

describe('[z_thermal_adjust]', () => {
  it('adds temp_coeff * (T - T_ref) to Z moves, holds it above z_adjust_off_above, clamps it, and can be switched off', async () => {
    host = await startBatchHost(SECTION());
    const zta = host.h.printer.lookupObject<ZThermalAdjust>('z_thermal_adjust');
    zta.onTemperature(1, 25);
    // Not homed yet: no reference, no adjustment.
    expect(host.status('z_thermal_adjust')).toMatchObject({
      temperature: 25,
      z_adjust_ref_temperature: 0,
      current_z_adjust: 0,
      enabled: true,
    });
    await host.run('G28');
    expect(zta.refC).toBe(25);
    // Smoothing: one reading 0.5 s later moves halfway (smooth_time 1 s); then it settles at 35.
    zta.onTemperature(1.5, 35);
    expect(zta.smoothedC).toBeCloseTo(30, 9);
    zta.onTemperature(10, 35);
    await host.run('G90\nG1 Z5 F600\nM400');
    expect(toolheadZ(host)).toBeCloseTo(5 + 0.01 * 10, 9);
    expect((statusOf(host.h.printer, 'gcode_move')!.gcode_position as number[])[2]).toBeCloseTo(5, 9);
    expect(host.status('z_thermal_adjust')).toMatchObject({
      temperature: 35,
      measured_min_temp: 25,
      measured_max_temp: 35,
      z_adjust_ref_temperature: 25,
    });
    expect(host.status('z_thermal_adjust').current_z_adjust as number).toBeCloseTo(0.1, 9);
    // Above z_adjust_off_above (20 mm) the last adjustment is held although the frame warmed further.
    await host.run('G1 Z25');
    zta.onTemperature(20, 45);
    await host.run('G1 Z30');
    expect(toolheadZ(host)).toBeCloseTo(30.1, 9);
    // Back below: 20 C over the reference would be 0.2 mm; 60 C over is clamped at 0.25 mm.
    await host.run('G1 Z10');
    expect(toolheadZ(host)).toBeCloseTo(10.2, 9);
    zta.onTemperature(30, 85);
    await host.run('G1 Z9');
    expect(toolheadZ(host)).toBeCloseTo(9.25, 9);
    // Off: the next move carries no adjustment; the report says so.
    const report = await host.run('SET_Z_THERMAL_ADJUST ENABLE=0\nG1 Z8');
    expect(report).toMatch(/disabled/);
    expect(toolheadZ(host)).toBeCloseTo(8, 9);
    // A user reference and coefficient replace the homed one.
    await host.run('SET_Z_THERMAL_ADJUST ENABLE=1 TEMP_COEFF=-0.002 REF_TEMP=80\nG1 Z7');
    expect(toolheadZ(host)).toBeCloseTo(7 - 0.002 * 5, 9);
    await expect(host.run('SET_Z_THERMAL_ADJUST TEMP_COEFF=3')).rejects.toThrow(/TEMP_COEFF/);
  });

  it('clamps both ways', () => {
    expect(zThermalAdjustMm({ max_z_adjustment: 0.1 }, 0.01, 0, 50)).toBe(-0.1);
    expect(zThermalAdjustMm({ max_z_adjustment: 0.1 }, 0.01, 55, 50)).toBeCloseTo(0.05, 12);
  });

  it('refuses bad options naming the section and option', () => {
    expect(loadError(`${CARTESIAN}\n${SECTION().replace('temp_coeff: 0.01', 'temp_coeff: 2')}`)).toMatch(/temp_coeff/);
    expect(loadError(`${CARTESIAN}\n${SECTION().replace('temp_coeff: 0.01', 'temp_coeff: 2')}`)).toMatch(/z_thermal_adjust/);
    expect(loadError(`${CARTESIAN}\n${SECTION('smooth_time: 0\n').replace('smooth_time: 1.0\n', '')}`)).toMatch(
      /smooth_time.*z_thermal_adjust|z_thermal_adjust.*smooth_time/s,
    );
    expect(loadError(`${CARTESIAN}\n${SECTION('bogus: 1\n')}`)).toMatch(/Option 'bogus' is not valid in section 'z_thermal_adjust'/);
  });
});

// Sensorless homing config: endstop_pin tmc2209_stepper_x:virtual_endstop makes the driver's DIAG
// pin the rail's MCU endstop; Klipper's errors name the section and option. The stall set-up
// and its restore are checked on the fields a homing move changes (the live test runs them).
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { atmegaDict, CARTESIAN, loadError, loadText } from '../objects/load-helpers';
import { runBatch } from './batch-output';

const VIRTUAL_X = (chip: string) => CARTESIAN.replace('endstop_pin: ^PE5', `endstop_pin: ${chip}_stepper_x:virtual_endstop`);
const DRIVER_2209 = '\n[tmc2209 stepper_x]\nuart_pin: PK1\nrun_current: 0.8\ndiag_pin: ^PE5\n';
const DRIVER_5160 = '\n[tmc5160 stepper_x]\ncs_pin: PC3\nrun_current: 1.0\ndiag1_pin: ^!PE5\n';

interface Driver {
  fields: { getField(f: string): number };
  beginStallDetection(): Promise<void>;
  endStallDetection(): Promise<void>;
}

describe('virtual_endstop', () => {
  it("becomes the X rail's MCU endstop on the DIAG pin, stopping X", () => {
    const p = loadText(VIRTUAL_X('tmc2209') + DRIVER_2209);
    const rail = p.printer.lookupObject<PrinterToolhead>('printer_toolhead').homingRails[0]!;
    expect(rail.endstop?.pin).toBe('PE5');
    expect(rail.endstop?.invert).toBe(false);
  });

  it('needs the diag pin on the driver section (Klipper: tmc virtual endstop requires diag pin)', () => {
    expect(loadError(VIRTUAL_X('tmc2209') + DRIVER_2209.replace('diag_pin: ^PE5\n', ''))).toMatch(
      /\[tmc2209 stepper_x\] is a virtual endstop \(endstop_pin 'tmc2209_stepper_x:virtual_endstop'\) but has no diag_pin/,
    );
    expect(loadError(VIRTUAL_X('tmc5160') + DRIVER_5160.replace('diag1_pin: ^!PE5\n', ''))).toMatch(/has no diag0_pin or diag1_pin/);
  });

  it('names a missing driver section, a TMC2208, other pin names and modifiers', () => {
    expect(loadError(VIRTUAL_X('tmc2209'))).toMatch(
      /endstop_pin 'tmc2209_stepper_x:virtual_endstop' in section 'stepper_x' names the driver \[tmc2209 stepper_x\], which is not configured.*printer\.cfg:\d+/,
    );
    expect(loadError(VIRTUAL_X('tmc2208') + DRIVER_2209.replace('tmc2209', 'tmc2208').replace('diag_pin: ^PE5\n', ''))).toMatch(
      /a TMC2208 has no StallGuard/,
    );
    expect(loadError(VIRTUAL_X('^tmc2209') + DRIVER_2209)).toMatch(/cannot be inverted or pulled up/);
  });

  it('the diag pin is claimed like an endstop pin', () => {
    expect(loadError(VIRTUAL_X('tmc2209') + DRIVER_2209.replace('^PE5', 'PF0'))).toMatch(/pin PF0 used multiple times/);
  });

  it('home_current and current_change_dwell_time are checked', () => {
    expect(loadError(VIRTUAL_X('tmc2209') + DRIVER_2209 + 'home_current: 3\n')).toMatch(/home_current/);
    expect(loadError(VIRTUAL_X('tmc2209') + DRIVER_2209 + 'current_change_dwell_time: 0\n')).toMatch(/current_change_dwell_time/);
  });
});

describe('stall detection around a homing move', () => {
  const batch = (cfg: string) => runBatch(new PrinterConfig(parseConfigText(cfg, '/virtual/printer.cfg')), atmegaDict);

  it('TMC2209: stealthChop everywhere and TCOOLTHRS at the slowest speed, then the config values back', async () => {
    const { printer } = await batch(VIRTUAL_X('tmc2209') + DRIVER_2209 + 'stealthchop_threshold: 50\ncoolstep_threshold: 20\n');
    const d = printer.lookupObject<Driver>('tmc2209 stepper_x');
    const f = () => ['tpwmthrs', 'en_spreadcycle', 'tcoolthrs'].map((n) => d.fields.getField(n));
    const before = f();
    expect(before[0]).toBeGreaterThan(0); // 50 mm/s -> a TSTEP threshold
    expect(before[2]).toBeGreaterThan(0); // coolstep_threshold kept (not 0, so not replaced)
    await d.beginStallDetection();
    expect(f()).toEqual([0, 0, before[2]]);
    await d.endStallDetection();
    expect(f()).toEqual(before);
  });

  it('TMC5160 on DIAG1: spreadCycle, the stall routed to DIAG1, TCOOLTHRS 0xfffff, THIGH 0; then back', async () => {
    const { printer } = await batch(VIRTUAL_X('tmc5160') + DRIVER_5160 + 'stealthchop_threshold: 50\nhigh_velocity_threshold: 300\n');
    const d = printer.lookupObject<Driver>('tmc5160 stepper_x');
    const f = () => ['en_pwm_mode', 'diag1_stall', 'diag0_stall', 'tcoolthrs', 'thigh'].map((n) => d.fields.getField(n));
    const before = f();
    expect(before.slice(0, 4)).toEqual([1, 0, 0, 0]);
    await d.beginStallDetection();
    expect(f()).toEqual([0, 1, 0, 0xfffff, 0]);
    await d.endStallDetection();
    expect(f()).toEqual(before);
  });
});

// Sections Klipper users keep in printer.cfg that name built-in objects: [stepper_enable],
// [manual_probe], [query_adc], [pid_calibrate], [statistics], [motion_report] load bare and refuse
// options; SET_STEPPER_ENABLE and its status; MANUAL_PROBE, Z_ENDSTOP_CALIBRATE and
// Z_OFFSET_APPLY_ENDSTOP through TESTZ/ACCEPT with the SAVE_CONFIG value; [duplicate_pin_override]
// lets listed pins be shared; the statistics line.
import { afterEach, describe, expect, it } from 'vitest';
import { statsLine, Statistics } from '../../../src-main/host/objects/statistics';
import { startBatchHost, startBatchHostText, type BatchHost } from '../extras2/batch-host';
import { CARTESIAN, loadError, loadText } from '../objects/load-helpers';

let host: BatchHost | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

const BARE = ['stepper_enable', 'manual_probe', 'query_adc', 'pid_calibrate', 'statistics', 'motion_report'];

describe('built-in sections', () => {
  it('load bare and refuse options, naming the section', () => {
    expect(() => loadText(`${CARTESIAN}\n${BARE.map((n) => `[${n}]\n`).join('\n')}`)).not.toThrow();
    for (const n of BARE)
      expect(loadError(`${CARTESIAN}\n[${n}]\nspeed: 5\n`)).toMatch(new RegExp(`Option 'speed' is not valid in section '${n}'`));
  });

  it('SET_STEPPER_ENABLE switches one driver and the status follows', async () => {
    host = await startBatchHost('[stepper_enable]\n');
    const steppers = () => host!.status('stepper_enable').steppers as Record<string, boolean>;
    expect(steppers()).toEqual({ stepper_x: false, stepper_y: false, stepper_z: false, extruder: false });
    await host.run('SET_STEPPER_ENABLE STEPPER=stepper_y ENABLE=1');
    expect(steppers()).toMatchObject({ stepper_x: false, stepper_y: true });
    await host.run('SET_STEPPER_ENABLE STEPPER=stepper_y ENABLE=0');
    expect(steppers().stepper_y).toBe(false);
    await expect(host.run('SET_STEPPER_ENABLE STEPPER=stepper_q ENABLE=1')).rejects.toThrow(/unknown stepper 'stepper_q'.*stepper_x/);
    await expect(host.run('SET_STEPPER_ENABLE STEPPER=stepper_x ENABLE=2')).rejects.toThrow(/ENABLE/);
  });

  it('MANUAL_PROBE, Z_ENDSTOP_CALIBRATE and Z_OFFSET_APPLY_ENDSTOP offer the new position_endstop', async () => {
    host = await startBatchHost('[manual_probe]\n');
    const mp = () => host!.status('manual_probe');
    expect(mp().is_active).toBe(false);
    await host.run('G28\nG90\nG1 Z5 F600');
    await host.run('MANUAL_PROBE');
    expect(mp()).toMatchObject({ is_active: true, z_position: 5 });
    await host.run('TESTZ Z=-1');
    expect(mp()).toMatchObject({ is_active: true, z_position: 4, z_position_upper: 5 });
    expect(await host.run('ACCEPT')).toMatch(/Manual probe accepted: Z is 4\.000/);
    expect(mp().is_active).toBe(false);
    // The nozzle touches the bed 0.3 mm above where Z thinks 0 is: the endstop is 0.3 mm lower (0.5 -> 0.2).
    await host.run('G1 Z1');
    await host.run('Z_ENDSTOP_CALIBRATE SPEED=10');
    await host.run('TESTZ Z=-0.7');
    const out = await host.run('ACCEPT');
    expect(out).toMatch(/stepper_z: position_endstop: 0\.200\n.*SAVE_CONFIG/s);
    // A G-code Z offset of +0.1 (nozzle raised) moves the endstop the other way: 0.5 - 0.1.
    await host.run('SET_GCODE_OFFSET Z=0.1');
    expect(await host.run('Z_OFFSET_APPLY_ENDSTOP')).toMatch(/stepper_z: position_endstop: 0\.400/);
    await host.run('SET_GCODE_OFFSET Z=0');
    expect(await host.run('Z_OFFSET_APPLY_ENDSTOP')).toMatch(/Nothing to do: Z Offset is 0/);
    expect(host.status('configfile').save_config_pending).toBe(true);
  });

  it('Z_ENDSTOP_CALIBRATE refuses when Z homes on a probe', async () => {
    const text = CARTESIAN.replace('endstop_pin: ^PD3\nposition_endstop: 0.5', 'endstop_pin: probe:z_virtual_endstop');
    host = await startBatchHostText(`${text}\n[probe]\npin: ^PD2\nz_offset: 1.0\n`);
    await expect(host.run('Z_ENDSTOP_CALIBRATE')).rejects.toThrow(/stepper_z has no position_endstop of its own.*PROBE_CALIBRATE/);
    await expect(host.run('Z_OFFSET_APPLY_ENDSTOP')).rejects.toThrow(/PROBE_CALIBRATE/);
  });
});

describe('[duplicate_pin_override]', () => {
  const feeder = (pin: string) =>
    `[manual_stepper feeder]\nstep_pin: ${pin}\ndir_pin: PC3\nenable_pin: !PC7\nmicrosteps: 4\nrotation_distance: 8\n`;
  it('lets a listed pin be used twice and still stops other duplicates', () => {
    expect(loadError(`${CARTESIAN}\n${feeder('PF0')}`)).toMatch(/pin PF0 used multiple times/);
    expect(() => loadText(`${CARTESIAN}\n${feeder('PF0')}\n[duplicate_pin_override]\npins: PF0\n`)).not.toThrow();
    expect(() => loadText(`${CARTESIAN}\n${feeder('PF0')}\n[duplicate_pin_override]\npins: mcu:PF0, PB1\n`)).not.toThrow();
    expect(loadError(`${CARTESIAN}\n${feeder('PF6')}\n[duplicate_pin_override]\npins: PF0\n`)).toMatch(/pin PF6 used multiple times/);
  });
  it('refuses a pin on an MCU printer.cfg does not have', () => {
    expect(loadError(`${CARTESIAN}\n[duplicate_pin_override]\npins: toolboard:PA1\n`)).toMatch(/duplicate_pin_override.*\[mcu toolboard\]/);
    expect(loadError(`${CARTESIAN}\n[duplicate_pin_override]\n`)).toMatch(/pins/);
  });
});

describe('[statistics]', () => {
  it('writes a Stats line with each MCU and the host', () => {
    const p = loadText(`${CARTESIAN}\n[statistics]\n`);
    const line = statsLine(p.printer, 12.34);
    expect(line).toMatch(/^Stats 12\.3: mcu: .*bytesWrite=\d+.* host: sysload=[\d.]+ cputime=[\d.]+ memavail=\d+$/);
    const lines: string[] = [];
    const s = new Statistics(p.printer, (l) => lines.push(l));
    s.logNow();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(s.lastLine);
  });
});

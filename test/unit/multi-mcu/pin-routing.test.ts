// Pins name their MCU (`toolboard:PA1`): every object is built on the MCU its pin names, an
// unknown chip is a config error naming the option and the known MCUs, and the corpus configs
// with a second MCU load on a live (serial) printer.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/host/config/errors';
import { parseConfigText, readConfigFile } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { GCodeDispatcher } from '../../../src-main/host/gcode/dispatcher';
import { type Mcu } from '../../../src-main/host/mcu/mcu';
import type { HomingRail } from '../../../src-main/host/objects/endstop';
import type { PrinterExtruder } from '../../../src-main/host/objects/extruder';
import { allMcus } from '../../../src-main/host/objects/mcu';
import { loadPrinterObjects } from '../../../src-main/host/objects/registry';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { Printer } from '../../../src-main/host/printer';
import { referenceDir } from '../../support/paths';
import { atmegaDict, discard } from '../objects/load-helpers';

/** Loads like a live host (serial MCUs, nothing connected). */
function loadLive(config: PrinterConfig, unsupportedSections: 'error' | 'skip' = 'error'): Printer {
  const printer = new Printer();
  const gcode = new GCodeDispatcher();
  printer.addObject('gcode', gcode);
  loadPrinterObjects({ printer, gcode, config, mcuFileOutput: null, unsupportedSections });
  return printer;
}
const liveText = (text: string) => loadLive(new PrinterConfig(parseConfigText(text, '/virtual/printer.cfg')));

const TWO_MCUS = `
[mcu]
serial: /dev/null
[mcu toolboard]
serial: /dev/null-toolboard
[printer]
kinematics: cartesian
max_velocity: 300
max_accel: 3000
[stepper_x]
step_pin: PF0
dir_pin: PF1
enable_pin: !PD7
microsteps: 16
rotation_distance: 40
endstop_pin: ^toolboard:PE5
position_endstop: 0
position_max: 200
[stepper_y]
step_pin: PF6
dir_pin: PF7
microsteps: 16
rotation_distance: 40
endstop_pin: ^PJ1
position_endstop: 0
position_max: 200
[stepper_z]
step_pin: PL3
dir_pin: PL1
microsteps: 16
rotation_distance: 8
endstop_pin: probe:z_virtual_endstop
position_min: -2
position_max: 200
[extruder]
step_pin: toolboard:PA4
dir_pin: toolboard:PA6
enable_pin: !PA2
microsteps: 16
rotation_distance: 33.5
nozzle_diameter: 0.4
filament_diameter: 1.75
heater_pin: toolboard:PB4
sensor_type: EPCOS 100K B57560G104F
sensor_pin: toolboard:PK5
control: watermark
min_temp: 0
max_temp: 250
[fan]
pin: toolboard:PH6
[output_pin led]
pin: PH4
`;

describe('pins route to their MCU', () => {
  it('steppers, endstops, heaters and fans are built on the MCU their pin names', () => {
    const printer = liveText(TWO_MCUS);
    const mcus = allMcus(printer);
    expect(mcus.map((m) => m.name)).toEqual(['mcu', 'toolboard']);
    expect(printer.lookupObject<Mcu>('mcu toolboard')).toBe(mcus[1]);
    expect(mcus[1]!.isClockReference()).toBe(false);
    expect(mcus[0]!.isClockReference()).toBe(true);
    const th = printer.lookupObject<PrinterToolhead>('printer_toolhead');
    const rails = (th as unknown as { homingRails: HomingRail[] }).homingRails;
    const x = rails.find((r) => r.name === 'x')!;
    // X: stepper on the main MCU, endstop on the toolboard (homing relays between them).
    expect(x.steppers[0]!.mcu.name).toBe('mcu');
    expect(x.endstop!.mcu.name).toBe('toolboard');
    expect(x.endstop!.isMultiMcu).toBe(true);
    expect(rails.find((r) => r.name === 'y')!.endstop!.isMultiMcu).toBe(false);
    expect(rails.find((r) => r.name === 'z')!.endstop).toBeNull(); // a probe's virtual endstop
    const extruder = printer.lookupObject<PrinterExtruder>('extruder');
    expect(extruder.stepper!.mcu.name).toBe('toolboard');
  });

  it('an unknown chip name is an error naming the option, its line and the known MCUs', () => {
    let err: unknown;
    try {
      liveText(TWO_MCUS.replace('heater_pin: toolboard:PB4', 'heater_pin: toolbord:PB4'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as ConfigError).message;
    expect(msg).toContain(`Unknown pin chip name 'toolbord' in option 'heater_pin' of section 'extruder'`);
    expect(msg).toContain('known MCUs: mcu, toolboard');
    expect((err as ConfigError).place?.line).toBe(TWO_MCUS.split('\n').indexOf('heater_pin: toolboard:PB4') + 1);
    expect(() => liveText(TWO_MCUS.replace('endstop_pin: ^PJ1', 'endstop_pin: ^board2:PJ1'))).toThrow(
      /Unknown pin chip name 'board2' in option 'endstop_pin' of section 'stepper_y'/,
    );
  });

  it('step and dir of one stepper must be on one MCU', () => {
    expect(() => liveText(TWO_MCUS.replace('dir_pin: toolboard:PA6', 'dir_pin: PA6'))).toThrow(
      /dir_pin 'PA6' must be on the same MCU as step_pin/,
    );
  });

  it('batch mode names the second MCU as not supported yet', () => {
    const config = new PrinterConfig(parseConfigText(TWO_MCUS, '/virtual/printer.cfg'));
    const printer = new Printer();
    const gcode = new GCodeDispatcher();
    printer.addObject('gcode', gcode);
    expect(() => loadPrinterObjects({ printer, gcode, config, mcuFileOutput: { dictionary: atmegaDict, output: discard() } })).toThrow(
      /\[mcu toolboard\] \(printer\.cfg:4\): a second MCU is not supported yet in batch mode/,
    );
  });

  it('every Klipper sample config with an [mcu NAME] loads live or names only unsupported sections', () => {
    const dir = path.join(referenceDir, 'klipper-configs');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cfg') && /^\[mcu \S+\]/m.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(files.length).toBeGreaterThan(5);
    const bad: string[] = [];
    let loaded = 0;
    let secondaries = 0;
    for (const f of files) {
      try {
        const printer = loadLive(new PrinterConfig(readConfigFile(path.join(dir, f))), 'skip');
        secondaries += allMcus(printer).length - 1;
        loaded++;
      } catch (e) {
        const msg = (e as Error).message;
        if (/^Section \[(mcu|printer)\] is missing/.test(msg)) continue; // add-on snippets
        if (!(e instanceof ConfigError) || !msg.includes('not supported yet')) bad.push(`${f}: ${msg}`);
      }
    }
    console.log(`corpus configs with a second MCU: ${files.length}, ${loaded} load live with ${secondaries} secondary MCUs`);
    expect(bad).toEqual([]);
    expect(loaded).toBeGreaterThan(0);
    expect(secondaries).toBeGreaterThanOrEqual(loaded);
  });
});

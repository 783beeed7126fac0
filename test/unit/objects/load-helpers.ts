// Loads printer.cfg text or files into a Printer the way the host does, with the MCU in batch
// (file output) mode so no serial port is needed. Output goes to a discarding stream.
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { ConfigError } from '../../../src-main/host/config/errors';
import { parseConfigText, readConfigFile } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { GCodeDispatcher } from '../../../src-main/host/gcode/dispatcher';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import { loadPrinterObjects } from '../../../src-main/host/objects/registry';
import { Printer } from '../../../src-main/host/printer';
import { referenceDir } from '../../support/paths';

export const atmegaDict = loadDictionaryFile(path.join(referenceDir, 'klipper-dicts/atmega2560.dict'));

export function discard(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}

export interface LoadedPrinter {
  printer: Printer;
  gcode: GCodeDispatcher;
  config: PrinterConfig;
}

export function loadConfig(config: PrinterConfig, unsupportedSections: 'error' | 'skip' = 'error'): LoadedPrinter {
  const printer = new Printer();
  const gcode = new GCodeDispatcher();
  printer.addObject('gcode', gcode);
  loadPrinterObjects({ printer, gcode, config, mcuFileOutput: { dictionary: atmegaDict, output: discard() }, unsupportedSections });
  return { printer, gcode, config };
}

export function loadText(text: string): LoadedPrinter {
  return loadConfig(new PrinterConfig(parseConfigText(text, '/virtual/printer.cfg')));
}

/** Runs the MCU's config phase (file output), so steps can be generated and sent. */
export async function connectMcu(p: LoadedPrinter): Promise<LoadedPrinter> {
  await p.printer.lookupObject<Mcu>('mcu').connect();
  return p;
}

export function loadFile(file: string, unsupportedSections: 'error' | 'skip' = 'error'): LoadedPrinter {
  return loadConfig(new PrinterConfig(readConfigFile(file)), unsupportedSections);
}

/** A small valid cartesian printer; tests append or replace sections. */
export const CARTESIAN = `
[mcu]
serial: /dev/null

[printer]
kinematics: cartesian
max_velocity: 300
max_accel: 3000
max_z_velocity: 25
max_z_accel: 100

[stepper_x]
step_pin: PF0
dir_pin: PF1
enable_pin: !PD7
microsteps: 16
rotation_distance: 40
endstop_pin: ^PE5
position_endstop: 0
position_max: 200

[stepper_y]
step_pin: PF6
dir_pin: !PF7
enable_pin: !PF2
microsteps: 16
rotation_distance: 40
endstop_pin: ^PJ1
position_endstop: 0
position_max: 200

[stepper_z]
step_pin: PL3
dir_pin: PL1
enable_pin: !PK0
microsteps: 16
rotation_distance: 8
endstop_pin: ^PD3
position_endstop: 0.5
position_max: 200

[extruder]
step_pin: PA4
dir_pin: PA6
enable_pin: !PA2
microsteps: 16
rotation_distance: 33.5
nozzle_diameter: 0.400
filament_diameter: 1.750
heater_pin: PB4
sensor_type: EPCOS 100K B57560G104F
sensor_pin: PK5
control: pid
pid_Kp: 22.2
pid_Ki: 1.08
pid_Kd: 114
min_temp: 0
max_temp: 250

[force_move]
enable_force_move: True
`;

/** The message of the ConfigError a config fails to load with (fails the test if it loads). */
export function loadError(text: string): string {
  try {
    loadText(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the config to fail');
}

/** A batch printer with its MCU connected and `run(script)`: the G-code's responses, joined. */
export async function connectWithRun(text: string): Promise<LoadedPrinter & { run(script: string): Promise<string> }> {
  const p = await connectMcu(loadText(text));
  return {
    ...p,
    async run(script: string) {
      const out: string[] = [];
      const off = p.gcode.onResponse((_k, t) => out.push(t));
      try {
        await p.gcode.run(script);
      } finally {
        off();
      }
      return out.join('\n');
    },
  };
}

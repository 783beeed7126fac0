// The MCU commands the stepper objects send: config_stepper (invert_step, step_pulse_ticks),
// enable pins (config_digital_out, then queue_digital_out on first step and on M84).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { GCodeDispatcher } from '../../../src-main/host/gcode/dispatcher';
import { decodeStream } from '../../../src-main/host/mcu/decode';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import type { Toolhead } from '../../../src-main/host/motion/index';
import { loadPrinterObjects } from '../../../src-main/host/objects/registry';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { Printer } from '../../../src-main/host/printer';
import { atmegaDict, CARTESIAN } from './load-helpers';

async function run(cfgText: string, gcode: string, before?: (p: Printer) => void): Promise<string[]> {
  const chunks: Buffer[] = [];
  const output = new Writable({
    write: (c: Buffer, _e, cb) => {
      chunks.push(c);
      cb();
    },
  });
  const printer = new Printer();
  const gc = new GCodeDispatcher();
  printer.addObject('gcode', gc);
  loadPrinterObjects({
    printer,
    gcode: gc,
    config: new PrinterConfig(parseConfigText(cfgText, '/v/printer.cfg')),
    mcuFileOutput: { dictionary: atmegaDict, output },
  });
  before?.(printer);
  const mcu = printer.lookupObject<Mcu>('mcu');
  await mcu.connect();
  await gc.run(gcode);
  printer.lookupObject<Toolhead>('toolhead').flushStepGeneration();
  await mcu.close();
  const lines: string[] = [];
  decodeStream(atmegaDict, Buffer.concat(chunks), (l) => lines.push(l));
  return lines;
}

describe('stepper MCU commands', () => {
  it('configures steppers as Klipper does: inverted step pins and step_pulse_duration', async () => {
    const cfg = CARTESIAN.replace('step_pin: PF0', 'step_pin: !PF0\nstep_pulse_duration: 0.000005');
    const lines = await run(cfg, '');
    const steppers = lines.filter((l) => l.startsWith('config_stepper'));
    expect(steppers.map((l) => l.replace(/oid=\d+ /, ''))).toEqual([
      'config_stepper step_pin=PF0 dir_pin=PF1 invert_step=1 step_pulse_ticks=80',
      'config_stepper step_pin=PF6 dir_pin=PF7 invert_step=0 step_pulse_ticks=32',
      'config_stepper step_pin=PL3 dir_pin=PL1 invert_step=0 step_pulse_ticks=32',
      'config_stepper step_pin=PA4 dir_pin=PA6 invert_step=0 step_pulse_ticks=32',
    ]);
    // reset_step_clock is for restarts only, as Klipper: not in a fresh config.
    expect(lines.some((l) => l.startsWith('reset_step_clock'))).toBe(false);
    // 4 steppers + 4 enable pins, and an endstop and a trsync for each homing axis, as Klipper;
    // plus the extruder heater's ADC and pin (batch-heaters/ checks those).
    expect(lines[0]).toBe('allocate_oids count=16');
    expect(lines.filter((l) => l.startsWith('config_digital_out') && l.endsWith('max_duration=0'))).toHaveLength(4);
  });

  it('steps on both edges (invert_step=-1) when a driver asks and the MCU can', async () => {
    const lines = await run(CARTESIAN, '', (p) => {
      p.lookupObject<PrinterToolhead>('printer_toolhead').steppers[0].requestStepBothEdge = true;
    });
    expect(lines.find((l) => l.includes('step_pin=PF0'))).toMatch(/invert_step=(-1|4294967295) /); // -1 as the dictionary's %c decodes it
    expect(lines.find((l) => l.includes('step_pin=PF6'))).toMatch(/invert_step=0 /);
  });

  it('enables a driver before its first step and disables all on M84', async () => {
    const lines = await run(CARTESIAN, 'SET_KINEMATIC_POSITION X=0 Y=0 Z=1\nG1 X10 F6000\nM84');
    const xOid = /oid=(\d+)/.exec(lines.find((l) => l.includes('step_pin=PF0'))!)![1];
    const xEnable = /oid=(\d+)/.exec(lines.find((l) => l.includes('pin=PD7'))!)![1];
    const yEnable = /oid=(\d+)/.exec(lines.find((l) => l.includes('pin=PF2'))!)![1];
    expect(lines.find((l) => l.includes('pin=PD7'))).toMatch(/value=1 default_value=1 max_duration=0$/);
    const xOut = lines.filter((l) => l.startsWith(`queue_digital_out oid=${xEnable} `));
    // '!PD7': on = low (on_ticks 0), then off = high (1) after M84.
    expect(xOut.map((l) => l.replace(/clock=\d+ /, ''))).toEqual([
      `queue_digital_out oid=${xEnable} on_ticks=0`,
      `queue_digital_out oid=${xEnable} on_ticks=1`,
    ]);
    const enableClock = Number(/clock=(\d+)/.exec(xOut[0])![1]);
    const firstStep = lines.find((l) => l.startsWith(`queue_step oid=${xOid} `))!;
    expect(enableClock).toBeLessThan(Number(/interval=(\d+)/.exec(firstStep)![1]));
    // Y never moved: its driver is never switched on.
    expect(lines.some((l) => l.startsWith(`queue_digital_out oid=${yEnable} `))).toBe(false);
  });
});

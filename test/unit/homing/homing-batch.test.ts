// Homing in batch mode (file output, as Klipper's batch mode does it: every approach runs in
// full and "triggers" at its end) and the [safe_z_home] / [homing_override] sections' checks.
// The live behaviour against the sim is in test/integration/live/homing.test.ts.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { GCodeDispatcher } from '../../../src-main/host/gcode/dispatcher';
import { decodeStream } from '../../../src-main/host/mcu/decode';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import type { Toolhead } from '../../../src-main/host/motion/index';
import { loadPrinterObjects } from '../../../src-main/host/objects/registry';
import { Printer } from '../../../src-main/host/printer';
import { atmegaDict, CARTESIAN, loadText } from '../objects/load-helpers';

/** A batch-mode printer whose MCU output is kept, decoded into message lines on demand. */
async function batchPrinter(extra = '', edit: (cfg: string) => string = (c) => c) {
  const chunks: Buffer[] = [];
  const output = new Writable({
    write: (c: Buffer, _e, cb) => {
      chunks.push(Buffer.from(c));
      cb();
    },
  });
  const printer = new Printer();
  const gcode = new GCodeDispatcher();
  printer.addObject('gcode', gcode);
  const config = new PrinterConfig(parseConfigText(edit(CARTESIAN) + extra, '/virtual/printer.cfg'));
  loadPrinterObjects({ printer, gcode, config, mcuFileOutput: { dictionary: atmegaDict, output } });
  const mcu = printer.lookupObject<Mcu>('mcu');
  await mcu.connect();
  const out: string[] = [];
  gcode.onResponse((_k, t) => out.push(t));
  const lines = async () => {
    await mcu.flush();
    const text: string[] = [];
    decodeStream(atmegaDict, Buffer.concat(chunks), (l) => text.push(l));
    return text;
  };
  const th = printer.lookupObject<Toolhead>('toolhead');
  return { printer, gcode, out, lines, th, run: (s: string) => gcode.run(s) };
}

const oidOf = (lines: string[], pin: string) =>
  Number(/oid=(\d+)/.exec(lines.find((l) => l.startsWith('config_endstop') && l.includes(`pin=${pin}`))!)![1]);

describe('G28 (batch mode)', () => {
  it('configures an endstop and a trsync per rail and homes X, Y, Z in two approaches each', async () => {
    const p = await batchPrinter();
    await p.run('G28');
    expect(p.th.getStatus().homed_axes).toBe('xyz');
    expect(p.th.getPosition()).toEqual([0, 0, 0.5, 0]);
    const lines = await p.lines();
    expect(lines.filter((l) => l.startsWith('config_endstop'))).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('config_trsync'))).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('config_endstop'))).toMatch(/pin=PE5 pull_up=1/);
    const [x, y, z] = ['PE5', 'PJ1', 'PD3'].map((pin) => oidOf(lines, pin));
    const homes = lines.filter((l) => l.startsWith('endstop_home') && !l.includes('sample_count=0'));
    expect(homes.map((l) => Number(/oid=(\d+)/.exec(l)![1]))).toEqual([x, x, y, y, z, z]);
    // Triggered = pin high (no '!'); 4 samples 15 us apart (240 ticks at 16 MHz).
    for (const h of homes) expect(h).toMatch(/sample_ticks=240 sample_count=4 .* pin_value=1 .* trigger_reason=1/);
    // Every approach arms its trsync (comms-timeout expiry), stops its stepper, and resets its step clock after.
    expect(lines.filter((l) => /^trsync_start .* expire_reason=4/.test(l))).toHaveLength(6);
    expect(lines.filter((l) => l.startsWith('stepper_stop_on_trigger'))).toHaveLength(6);
    expect(lines.filter((l) => /^reset_step_clock .* clock=0$/.test(l)).length).toBeGreaterThanOrEqual(6);
  });

  it('G28 X homes X only; moves before homing are refused', async () => {
    const p = await batchPrinter();
    await expect(p.run('G1 X10')).rejects.toThrow(/Must home axis first/);
    await p.run('G28 X');
    expect(p.th.getStatus().homed_axes).toBe('x');
    await p.run('G1 X10 F3000');
    await expect(p.run('G1 Y10')).rejects.toThrow(/Must home axis first/);
    // M84 forgets homing.
    await p.run('M84');
    expect(p.th.getStatus().homed_axes).toBe('');
  });

  it('an inverted endstop pin is armed for a low level; position_endstop at max homes upwards', async () => {
    const p = await batchPrinter('', (c) =>
      c.replace('endstop_pin: ^PE5\nposition_endstop: 0', 'endstop_pin: ^!PE5\nposition_endstop: 200'),
    );
    await p.run('G28 X');
    expect(p.th.getPosition()[0]).toBe(200);
    const lines = await p.lines();
    const home = lines.find((l) => l.startsWith(`endstop_home oid=${oidOf(lines, 'PE5')}`) && !l.includes('sample_count=0'))!;
    expect(home).toContain('pin_value=0');
  });

  it('corexy: each carriage endstop stops both motors', async () => {
    const p = await batchPrinter('', (c) => c.replace('kinematics: cartesian', 'kinematics: corexy'));
    await p.run('G28');
    expect(p.th.getPosition()).toEqual([0, 0, 0.5, 0]);
    const lines = await p.lines();
    const stepperOid = (pin: string) =>
      Number(/oid=(\d+)/.exec(lines.find((l) => l.startsWith('config_stepper') && l.includes(`step_pin=${pin}`))!)![1]);
    const [a, b, z] = [stepperOid('PF0'), stepperOid('PF6'), stepperOid('PL3')];
    const stops = lines.filter((l) => l.startsWith('stepper_stop_on_trigger')).map((l) => Number(/oid=(\d+)/.exec(l)![1]));
    expect(stops).toEqual([a, b, a, b, b, a, b, a, z, z]);
  });

  it("GET_POSITION prints Klipper's lines after homing", async () => {
    const p = await batchPrinter();
    await p.run('G28\nG1 X10 Y5 F6000\nG92 X0\nGET_POSITION');
    const text = p.out.at(-1)!;
    expect(text).toContain('// mcu: stepper_x:');
    expect(text).toContain('// kinematic: X:10.000000 Y:5.000000 Z:0.500000');
    expect(text).toContain('// toolhead: X:10.000000 Y:5.000000 Z:0.500000 E:0.000000');
    expect(text).toContain('// gcode: X:10.000000 Y:5.000000 Z:0.500000 E:0.000000');
    expect(text).toContain('// gcode base: X:10.000000 Y:0.000000 Z:0.000000 E:0.000000');
    expect(text).toContain('// gcode homing: X:0.000000 Y:0.000000 Z:0.000000');
  });
});

describe('[safe_z_home] and [homing_override]', () => {
  it('safe_z_home homes X and Y, moves to home_xy_position, then homes Z', async () => {
    const p = await batchPrinter('\n[safe_z_home]\nhome_xy_position: 100, 120\nmove_to_previous: False\n');
    await p.run('G28');
    expect(p.th.getPosition()).toEqual([100, 120, 0.5, 0]);
    expect(p.th.getStatus().homed_axes).toBe('xyz');
    await p.run('M84\nG28 X');
    expect(p.th.getStatus().homed_axes).toBe('x');
    await expect(p.run('G28 Z')).rejects.toThrow('Must home X and Y axes first');
  });

  it('homing_override runs its template; G28 inside it homes for real; other axes bypass it', async () => {
    const p = await batchPrinter(
      '\n[homing_override]\naxes: z\nset_position_z: 5\ngcode:\n  RESPOND MSG="homing {params.X|default(\'-\')}"\n  G28 X\n',
    );
    await p.run('G28');
    expect(p.out.join('\n')).toContain('homing -');
    expect(p.th.getStatus().homed_axes).toBe('xz');
    expect(p.th.getPosition()[2]).toBe(5);
    p.out.length = 0;
    await p.run('M84\nG28 Y');
    expect(p.out.join('\n')).not.toContain('homing');
    expect(p.th.getStatus().homed_axes).toBe('y');
  });

  it('rejects the two together and bad options, naming the section', () => {
    expect(() => loadText(CARTESIAN + '\n[homing_override]\ngcode: G28\n[safe_z_home]\nhome_xy_position: 1, 2\n')).toThrow(
      'homing_override and safe_z_homing cannot be used simultaneously',
    );
    expect(() => loadText(CARTESIAN + '\n[homing_override]\naxes: xq\ngcode: G28\n')).toThrow("Invalid axis 'Q'");
    expect(() => loadText(CARTESIAN + '\n[safe_z_home]\nspeed: 10\n')).toThrow(/home_xy_position/);
  });
});

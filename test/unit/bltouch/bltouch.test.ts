// [bltouch]: options at load, its place as the printer's probe (probe:z_virtual_endstop, the
// 'probe' object the bed tools use), the servo pulses it sends, and the deploy/verify/stow
// sequence against a model BLTouch (pin state from the last signal, sensor per the pin-up rules)
// including the faults Klipper names: failed to verify sensor state / deploy / raise probe.
import { describe, expect, it } from 'vitest';
import {
  BLTouch,
  BLTOUCH_PULSE_S,
  BLTouchSequence,
  SERVO_CYCLE_S,
  type BLTouchLink,
  type BLTouchSignal,
  type BLTouchSettings,
} from '../../../src-main/host/objects/bltouch';
import type { HomingRail } from '../../../src-main/host/objects/endstop';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { CARTESIAN, connectMcu, loadText } from '../objects/load-helpers';

const BLTOUCH = '[bltouch]\nsensor_pin: ^PD2\ncontrol_pin: PB5\nz_offset: 1.2\nx_offset: -30\n';
const withBLTouch = (extra = '') =>
  CARTESIAN.replace('endstop_pin: ^PD3\nposition_endstop: 0.5', 'endstop_pin: probe:z_virtual_endstop\nposition_min: -2') + BLTOUCH + extra;

describe('[bltouch] options', () => {
  it("loads with Klipper's defaults as the printer's probe; Z homes on it at z_offset", () => {
    const p = loadText(withBLTouch());
    const bl = p.printer.lookupObject<BLTouch>('probe');
    expect(bl).toBeInstanceOf(BLTouch);
    expect([bl.xOffsetMm, bl.yOffsetMm, bl.zOffsetMm]).toEqual([-30, 0, 1.2]);
    expect(bl.endstop.pin).toBe('PD2');
    const z = p.printer.lookupObject<PrinterToolhead>('printer_toolhead').homingRails.find((r: HomingRail) => r.axis === 'z')!;
    expect(z.endstop).toBe(bl.endstop);
    expect(z.settings.position_endstop).toBe(1.2);
    for (const cmd of ['PROBE', 'QUERY_PROBE', 'PROBE_ACCURACY', 'BLTOUCH_DEBUG', 'BLTOUCH_STORE'])
      expect(p.gcode.lookup(cmd), cmd).toBeDefined();
  });

  it('rejects bad values naming the option and file:line', () => {
    const bad = (extra: string) => () => loadText(withBLTouch(extra));
    expect(bad('pin_move_time: 0')).toThrow(/pin_move_time.*printer\.cfg:\d+/s);
    expect(bad('set_output_mode: 12V')).toThrow(/set_output_mode/);
    expect(bad('samples: 0')).toThrow(/samples/);
    expect(bad('stow_on_each_sample: maybe')).toThrow(/stow_on_each_sample/);
    expect(bad('pin: PD4')).toThrow(/Option 'pin' is not valid in section 'bltouch'/);
    expect(bad('[probe]\npin: PD4\nz_offset: 1')).toThrow(/both in printer.cfg/);
    expect(() => loadText(withBLTouch().replace('control_pin: PB5', 'control_pin: PD2'))).toThrow(/used multiple times/);
    expect(() => loadText(withBLTouch().replace('z_offset: 1.2\n', ''))).toThrow(/z_offset/);
  });

  it('BLTOUCH_DEBUG sends the BLTouch pulse widths on a 20 ms servo signal, then stops it', async () => {
    const p = await connectMcu(loadText(withBLTouch()));
    const bl = p.printer.lookupObject<BLTouch>('probe');
    const sent: number[] = [];
    const real = bl.servo.setValue.bind(bl.servo);
    bl.servo.setValue = (t, v) => (sent.push(v * SERVO_CYCLE_S), real(t, v));
    for (const c of ['pin_down', 'touch_mode', 'pin_up', 'self_test', 'reset']) await p.gcode.run(`BLTOUCH_DEBUG COMMAND=${c}`);
    const us = sent.map((s) => Math.round(s * 1e6));
    expect(us).toEqual([650, 0, 1162, 0, 1475, 0, 1780, 0, 2190, 0]);
    sent.length = 0;
    await p.gcode.run('BLTOUCH_STORE MODE=od');
    expect(sent.filter((s) => s > 0).map((s) => Math.round(s * 1e6))).toEqual([650, 1802, 2091, 1475]);
    await expect(p.gcode.run('BLTOUCH_STORE MODE=3V')).rejects.toThrow(/5V or OD/);
  });
});

/** A BLTouch as its signals and pin-up rules describe it; `faults` make it misbehave. */
class ModelBLTouch implements BLTouchLink {
  pinDown = false;
  touchMode = false;
  signals: BLTouchSignal[] = [];
  info: string[] = [];
  timeS = 0;
  /** Sensor reads triggered even with the pin down, for this many deploys (stuck pin). */
  stuckDeploys = 0;
  /** Sensor reads triggered with the pin up, for this many stows. */
  stuckStows = 0;
  /** Touch mode with the pin up reads open (broken sensor wire). */
  deadSensor = false;

  signal(signal: BLTouchSignal, durationS: number): void {
    this.signals.push(signal);
    this.timeS += durationS;
    if (signal === 'pin_down') [this.pinDown, this.touchMode] = [true, false];
    else if (signal === 'touch_mode') this.touchMode = true;
    else if (signal === 'pin_up' || signal === 'reset') [this.pinDown, this.touchMode] = [false, false];
  }

  async sensorTriggered(): Promise<boolean> {
    if (this.pinDown) return this.stuckDeploys-- > 0;
    if (this.touchMode) return !this.deadSensor;
    return this.stuckStows-- > 0;
  }

  printTimeS(): number {
    return this.timeS;
  }

  respondInfo(msg: string): void {
    this.info.push(msg);
  }
}

const SETTINGS: BLTouchSettings = {
  pinMoveTimeS: 0.68,
  probeWithTouchMode: false,
  pinUpReportsNotTriggered: true,
  pinUpTouchModeReportsTriggered: true,
};

describe('BLTouch deploy/verify/stow', () => {
  it('tests the sensor in touch mode, lowers the pin, probes, raises it (test at most every 5 minutes)', async () => {
    const m = new ModelBLTouch();
    const seq = new BLTouchSequence(m, SETTINGS);
    await seq.deploy();
    expect(m.signals).toEqual(['pin_up', 'touch_mode', 'pin_up', 'pin_down']);
    expect(seq.deployed).toBe(true);
    expect(m.timeS).toBeCloseTo(0.68 + 0.1 + 0.1 + 0.68, 9);
    await seq.stow();
    expect(m.signals.slice(4)).toEqual(['pin_up']);
    expect([seq.deployed, m.pinDown]).toEqual([false, false]);
    m.signals = [];
    await seq.deploy();
    expect(m.signals).toEqual(['pin_down']);
  });

  it('probe_with_touch_mode lowers then enters touch mode; the checks can be turned off', async () => {
    const m = new ModelBLTouch();
    m.deadSensor = true;
    m.stuckStows = 5;
    const seq = new BLTouchSequence(m, {
      ...SETTINGS,
      probeWithTouchMode: true,
      pinUpReportsNotTriggered: false,
      pinUpTouchModeReportsTriggered: false,
    });
    await seq.deploy();
    await seq.stow();
    expect(m.signals).toEqual(['pin_down', 'touch_mode', 'pin_up']);
  });

  it('a broken sensor fails the touch-mode test before the pin moves down', async () => {
    const m = new ModelBLTouch();
    m.deadSensor = true;
    await expect(new BLTouchSequence(m, SETTINGS).deploy()).rejects.toThrow(/BLTouch failed to verify sensor state/);
    expect(m.signals).not.toContain('pin_down');
  });

  it('triggered after lowering: one reset and retry, then "BLTouch failed to deploy" with the pin raised', async () => {
    const once = new ModelBLTouch();
    once.stuckDeploys = 1;
    await new BLTouchSequence(once, SETTINGS).deploy();
    expect(once.signals.slice(3)).toEqual(['pin_down', 'reset', 'pin_down']);
    expect(once.info.join('\n')).toMatch(/resetting and retrying/);
    const twice = new ModelBLTouch();
    twice.stuckDeploys = 2;
    const seq = new BLTouchSequence(twice, SETTINGS);
    await expect(seq.deploy()).rejects.toThrow(/BLTouch failed to deploy/);
    expect([seq.deployed, twice.pinDown, twice.signals.at(-1)]).toEqual([false, false, 'pin_up']);
  });

  it('still triggered with the pin up: reset and raise again, three tries, then "failed to raise probe"', async () => {
    const m = new ModelBLTouch();
    m.stuckStows = 2;
    await new BLTouchSequence(m, SETTINGS).stow();
    expect(m.signals).toEqual(['pin_up', 'reset', 'pin_up', 'reset', 'pin_up']);
    expect(m.info.filter((s) => /Failed to verify BLTouch probe is raised/.test(s))).toHaveLength(2);
    const stuck = new ModelBLTouch();
    stuck.stuckStows = 3;
    await expect(new BLTouchSequence(stuck, SETTINGS).stow()).rejects.toThrow(/BLTouch failed to raise probe/);
  });

  it('pulse widths are the BLTouch signal widths (0.65-2.4 ms of a 20 ms period)', () => {
    for (const w of Object.values(BLTOUCH_PULSE_S)) {
      expect(w).toBeGreaterThanOrEqual(0.00065);
      expect(w).toBeLessThan(0.0024);
    }
    expect(SERVO_CYCLE_S).toBe(0.02);
  });
});

describe('[bltouch] in the sim machine', () => {
  it('is the probe switch on sensor_pin with control_pin as its servo wire', async () => {
    const { machineFromConfig } = await import('../../../src-main/host/sim/machine');
    const { PrinterConfig } = await import('../../../src-main/host/config/section');
    const { parseConfigText } = await import('../../../src-main/host/config/reader');
    const m = machineFromConfig(new PrinterConfig(parseConfigText(withBLTouch(), '/virtual/printer.cfg')));
    const probe = m.endstops.find((e) => e.name === 'probe')!;
    expect(probe).toMatchObject({ pin: 'PD2', servo_pin: 'PB5', trigger_position_mm: 1.2, steppers: ['stepper_z'], side: 'min' });
  });
});

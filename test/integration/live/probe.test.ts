// [probe] on the sim over a real pty: Z homes on the probe (probe:z_virtual_endstop), PROBE,
// PROBE_ACCURACY, QUERY_PROBE and PROBE_CALIBRATE against a simulated probe switch over a tilted
// bed (the sim's `tilt`), checked against the sim's own trace.
//
// Tolerances: the sim moves its steppers and reads the switch at the nominal clock of each timer,
// whatever the machine's load (a late timer runs late in real time, not in simulated physics),
// so a loaded machine changes no position here. What remains is the MCU's sampling: the switch is
// polled about once per step (rest_ticks) and the host takes the trigger as the poll before the
// one that saw it, so a trigger position is exact to a step or two (Z step 0.0025 mm). We allow
// 2 steps and log the measured figures.
import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import { parsePosition, startLivePrinter, type LivePrinter } from './live-printer';
import { homeZOnProbe, probeZs } from './probe-printer';

const Z_STEP_MM = 8 / 3200;
const Z_OFFSET_MM = 1;
/** The bed rises 0.01 mm per mm of X and 0.005 mm per mm of Y (zero at X0 Y0, where Z homes). */
const TILT = { x_stepper: 'stepper_x', y_stepper: 'stepper_y', dz_dx: 0.01, dz_dy: 0.005 };
const bedZ = (x: number, y: number) => TILT.dz_dx * x + TILT.dz_dy * y;

/** stepper_z homes on the probe; Z may go below 0 (Klipper's advice for probes). */
const probeConfig = (cfg: string) =>
  homeZOnProbe(cfg).concat(
    `\n[probe]\npin: ^PD3\nx_offset: -10\ny_offset: 5\nz_offset: ${Z_OFFSET_MM}\nspeed: 10\nlift_speed: 10\nsample_retract_dist: 1\n`,
  );

const NEAR = { stepper_x: { position_mm: 20 }, stepper_y: { position_mm: 20 }, stepper_z: { position_mm: 3 } };

type Ev = {
  ev: string;
  name?: string;
  clock: number;
  triggered?: boolean;
  mm?: number;
  why?: string;
  steppers?: { name: string; mm: number; pos: number }[];
};

/** The trace's clock is the MCU's 32-bit clock: compare with wrap-around. */
const before = (a: Ev, b: Ev) => ((a.clock - b.clock) | 0) < 0;
const homedAxes = (p: LivePrinter) => p.host.printer.lookupObject<Toolhead>('toolhead').getStatus().homed_axes;

describe('[probe] on a live printer', () => {
  it('homes Z on the probe, probes a tilted bed, PROBE_ACCURACY, QUERY_PROBE, PROBE_CALIBRATE', async () => {
    const p = await startLivePrinter('probe', { edit: probeConfig, overrides: { steppers: NEAR, endstops: { probe: { tilt: TILT } } } });
    let pos: Record<string, Record<string, number>>;
    let probeOut: string;
    let samplesOut: string;
    let accuracyOut: string;
    let queries: string[];
    let calibrateOut: string;
    try {
      await expect(p.run('PROBE')).rejects.toThrow('Must home before probe');
      await p.run('G28');
      expect(homedAxes(p)).toBe('xyz');
      pos = parsePosition(await p.run('GET_POSITION'));
      await p.run('G1 Z3 F600\nG1 X100 Y50 F6000');
      probeOut = await p.run('PROBE');
      queries = [(await p.run('QUERY_PROBE')).replace(/^\/\/ /, '')];
      await p.run('G1 Z3 F600');
      queries.push((await p.run('QUERY_PROBE')).replace(/^\/\/ /, ''));
      samplesOut = await p.run('PROBE SAMPLES=3 SAMPLES_RESULT=median');
      await p.run('G1 Z3 F600');
      accuracyOut = await p.run('PROBE_ACCURACY SAMPLES=3');
      calibrateOut = await p.run('G1 Z3 F600\nPROBE_CALIBRATE');
      calibrateOut += await p.run('TESTZ Z=-5\nTESTZ Z=-0.1\nTESTZ Z=+\nTESTZ Z=-\nACCEPT\nM400');
      expect(p.host.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('probe').getStatus()).toMatchObject({
        name: 'probe',
        last_query: false,
      });
    } finally {
      await p.stop();
    }
    const trace = p.trace() as Ev[];
    // G28: Z came down on the probe at X0 Y0 (bed height 0): it closed at z_offset, twice.
    const probeEvents = trace.filter((e) => e.ev === 'endstop' && e.name === 'probe');
    const closings = probeEvents.filter((e) => e.triggered);
    expect(closings[0]!.mm!).toBeCloseTo(Z_OFFSET_MM, 6);
    expect(closings[1]!.mm!).toBeCloseTo(Z_OFFSET_MM, 6);
    // GET_POSITION after homing: the host's Z is where the sim's stepper_z stands, within a step.
    const homed = trace.find((e) => e.ev === 'positions' && e.why === 'stepper_get_position' && !before(e, closings[1]!))!;
    const zHalt = homed.steppers!.find((s) => s.name === 'stepper_z')!.mm;
    const kinZ = pos!.kinematic!.Z!;
    console.log(`homed: host Z ${kinZ.toFixed(6)}, sim stepper_z ${zHalt.toFixed(6)} (step ${Z_STEP_MM})`);
    expect(Math.abs(kinZ - zHalt)).toBeLessThanOrEqual(Z_STEP_MM + 1e-9);
    expect(pos!.toolhead!.Z).toBeCloseTo(kinZ, 6);

    // PROBE at X100 Y50: the bed is 1.25 mm higher there, so the probe closes at Z = 2.25.
    const expected = Z_OFFSET_MM + bedZ(100, 50);
    const [single] = probeZs(probeOut!);
    console.log(`PROBE: z=${single![2]} expected ${expected} (sim closed at ${closings[2]!.mm})`);
    expect(single!.slice(0, 2)).toEqual([100, 50]);
    expect(Math.abs(single![2]! - expected)).toBeLessThanOrEqual(2 * Z_STEP_MM);
    expect(closings[2]!.mm!).toBeCloseTo(expected, 2);
    expect(probeOut!).toMatch(/Result is z=2\.2\d+/);
    expect(queries!).toEqual(['probe: TRIGGERED', 'probe: open']);
    // Three samples, retracting 1 mm between them; all within 2 steps of the surface.
    const samples = probeZs(samplesOut!);
    expect(samples).toHaveLength(3);
    for (const s of samples) expect(Math.abs(s[2]! - expected)).toBeLessThanOrEqual(2 * Z_STEP_MM);
    // PROBE_ACCURACY: Klipper's report; the spread of identical probes is a step or two.
    expect(accuracyOut!).toContain('PROBE_ACCURACY at X:100.000 Y:50.000 Z:3.000 (samples=3 retract=1.000 speed=10.0 lift_speed=10.0)');
    const acc =
      /probe accuracy results: maximum ([\d.]+), minimum ([\d.]+), range ([\d.]+), average ([\d.]+), median ([\d.]+), standard deviation ([\d.]+)/.exec(
        accuracyOut!,
      );
    expect(acc).not.toBeNull();
    console.log(`PROBE_ACCURACY: ${acc![0]}`);
    expect(Number(acc![3])).toBeLessThanOrEqual(2 * Z_STEP_MM + 1e-6);
    expect(Math.abs(Number(acc![4]) - expected)).toBeLessThanOrEqual(2 * Z_STEP_MM);
    // PROBE_CALIBRATE: probe at X100 Y50 (z ~2.25 = cz), nozzle moved over that point (X90 Y55:
    // probe = nozzle + offset), 5 mm up; TESTZ: down to cz, to cz - 0.1, '+' halfway back up
    // (cz - 0.05), '-' halfway down again (cz - 0.075): z_offset 0.075.
    expect(calibrateOut!).toContain('Starting manual Z probe');
    const cz = probeZs(calibrateOut!)[0]![2]!;
    // Compared as numbers: cz is read back from a 4-decimal report, so the host's own 3-decimal
    // rounding of a half step (2.2525 - 0.05) may land on the other side of .0005.
    const zLine = [...calibrateOut!.matchAll(/Z position: ([\d.]+) --> ([\d.]+) <-- ([\d.]+)/g)].at(-1); // after the last TESTZ
    expect(zLine, calibrateOut!).not.toBeNull();
    [cz - 0.1, cz - 0.075, cz - 0.05].forEach((want, i) => expect(Math.abs(Number(zLine![i + 1]) - want)).toBeLessThanOrEqual(0.0011));
    expect(calibrateOut!).toContain('probe: z_offset: 0.075');
    const final = trace.filter((e) => e.ev === 'positions' && e.why === 'exit').at(-1)!;
    const at = (n: string) => final.steppers!.find((s) => s.name === n)!.mm;
    expect(at('stepper_x')).toBeCloseTo(90, 1);
    expect(at('stepper_y')).toBeCloseTo(55, 1);
    expect(at('stepper_z')).toBeCloseTo(cz - 0.075, 2);
  }, 90_000);

  it('offers the calibrated z_offset to SAVE_CONFIG and applies a babystepped Z offset', async () => {
    const p = await startLivePrinter('probe-save', { edit: probeConfig, overrides: { steppers: NEAR } });
    let out: string;
    let pending: unknown;
    try {
      out = await p.run('Z_OFFSET_APPLY_PROBE');
      await p.run('SET_GCODE_OFFSET Z=-0.2');
      out += await p.run('Z_OFFSET_APPLY_PROBE');
      pending = p.host.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('configfile').getStatus().save_config_pending_items;
    } finally {
      await p.stop();
    }
    expect(out).toContain('Nothing to do: Z Offset is 0');
    // z_offset 1 minus a -0.2 mm babystep: the nozzle was 0.2 mm too high.
    expect(out).toContain('probe: z_offset: 1.200');
    expect(pending).toEqual({ probe: { z_offset: '1.200' } });
  }, 60_000);

  it("Klipper's errors: no trigger after the full movement, triggered before moving", async () => {
    const never = await startLivePrinter('probe-never', {
      edit: probeConfig,
      overrides: { steppers: NEAR, endstops: { probe: { trigger_position_mm: -100 } } },
    });
    try {
      // Homed by declaration: a probe that never closes cannot home Z.
      await never.run('SET_KINEMATIC_POSITION X=20 Y=20 Z=1');
      await expect(never.run('PROBE')).rejects.toThrow('No trigger on probe after full movement');
      expect(never.host.printer.state).toBe('ready');
      // The whole move down to position_min ran; the host agrees.
      expect(never.host.printer.lookupObject<Toolhead>('toolhead').getPosition()[2]).toBeCloseTo(-2, 6);
    } finally {
      await never.stop();
    }
    const always = await startLivePrinter('probe-always', {
      edit: probeConfig,
      overrides: { steppers: NEAR, endstops: { probe: { trigger_position_mm: 100 } } },
    });
    try {
      expect(await always.run('QUERY_PROBE')).toMatch(/probe: TRIGGERED$/);
      await always.run('SET_KINEMATIC_POSITION X=20 Y=20 Z=3');
      await expect(always.run('PROBE')).rejects.toThrow('Probe triggered prior to movement');
      await expect(always.run('G28 Z')).rejects.toThrow(/still triggered|prior to movement|No trigger/);
    } finally {
      await always.stop();
    }
  }, 90_000);
});

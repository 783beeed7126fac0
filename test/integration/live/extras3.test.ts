// motion_report, SET_STEPPER_ENABLE, QUERY_ADC and [z_thermal_adjust] on the sim over a real pty,
// one printer:
// - during a 140 mm X move motion_report's live position runs along the move (Y, Z fixed, X
//   between start and end, never backwards) with a live velocity above 0 and at most F; once
//   the move is done it reads the end, at rest;
// - SET_STEPPER_ENABLE switches stepper_y's driver: the sim's trace shows its enable pin's edges;
// - QUERY_ADC reads the frame sensor's pin, which the sim leaves unwired (it then reads as a 100k
//   NTC at 25 C on a 4.7k pullup: 100000 / 104700 of full scale);
// - z_thermal_adjust: with REF_TEMP 10 C below the frame, a Z move carries 0.01 mm/C * 10 C on
//   the sim's Z motor, and none once disabled (the Z reference from homing is in the unit test).
//
// Why these hold under load: the live position is read at the MCU's estimated time, whatever
// the host's delays, so every sample is on the planned path; the sample count only needs one
// poll inside a ~3 s move. Pin edges and Z steps are counted by the sim on its own clock, read
// after the trace has been flushed (waited for, not timed).
import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../jobs/print-helpers';
import { startLivePrinter } from './live-printer';

type Status = { getStatus(t?: number): Record<string, unknown> };

const SECTIONS = `
[motion_report]

[stepper_enable]

[query_adc]

[z_thermal_adjust]
temp_coeff: 0.01
sensor_type: Generic 3950
sensor_pin: PK7
min_temp: 0
max_temp: 100
`;

/** The sim trace's 0/1 edges of a pin (the sim names inverted pins '!PF2'). */
function pinEdges(trace: Record<string, unknown>[], pin: string): number[] {
  return trace.filter((e) => e.ev === 'pin' && String(e.pin).replace(/^!/, '') === pin).map((e) => e.value as number);
}

describe('motion_report, SET_STEPPER_ENABLE, QUERY_ADC and z_thermal_adjust on the sim', () => {
  it('reports the head moving, switches a driver, reads an ADC and adjusts Z', async () => {
    const p = await startLivePrinter('extras3', { edit: (cfg) => cfg + SECTIONS });
    let adjustMm = NaN;
    try {
      const status = (n: string) => p.host.printer.lookupObject<Status>(n).getStatus();
      // Z is declared, not homed: homing it from the sim's start would take ~15 s at 5 mm/s.
      await p.run('G28 X Y\nSET_KINEMATIC_POSITION Z=20\nG90\nG1 X10 Y20 Z15 F6000\nM400');
      const rest = status('motion_report');
      expect(rest.live_position).toEqual([10, 20, 15, expect.any(Number)]);
      expect(rest.live_velocity).toBe(0);
      expect(rest.trapq).toEqual(['extruder', 'toolhead']);
      expect(rest.steppers).toEqual(['extruder', 'stepper_x', 'stepper_y', 'stepper_z']);

      // 140 mm at 50 mm/s: sample the report while the move runs.
      const samples: { x: number; y: number; z: number; v: number }[] = [];
      let done = false;
      const move = p.run('G1 X150 F3000\nM400').finally(() => (done = true));
      while (!done) {
        const s = status('motion_report');
        const pos = s.live_position as number[];
        samples.push({ x: pos[0]!, y: pos[1]!, z: pos[2]!, v: s.live_velocity as number });
        await sleep(40);
      }
      await move;
      const moving = samples.filter((s) => s.v > 0);
      console.log(
        `motion_report: ${samples.length} samples, ${moving.length} while moving, top speed ${Math.max(...samples.map((s) => s.v)).toFixed(2)} mm/s`,
      );
      expect(moving.length).toBeGreaterThan(0);
      for (const s of samples) {
        expect(s.y).toBeCloseTo(20, 9);
        expect(s.z).toBeCloseTo(15, 9);
        expect(s.x).toBeGreaterThanOrEqual(10 - 1e-9);
        expect(s.x).toBeLessThanOrEqual(150 + 1e-9);
        expect(s.v).toBeLessThanOrEqual(50 + 1e-6);
      }
      for (const s of moving) expect(s.x > 10 && s.x < 150).toBe(true);
      // The MCU's estimated time never runs backwards by more than clock-sync noise.
      for (let i = 1; i < samples.length; i++) expect(samples[i]!.x).toBeGreaterThanOrEqual(samples[i - 1]!.x - 0.05);
      const end = status('motion_report');
      expect((end.live_position as number[]).slice(0, 3)).toEqual([150, 20, 15]);
      expect(end.live_velocity).toBe(0);

      // QUERY_ADC on the unwired frame sensor pin.
      await waitFor(() => (status('z_thermal_adjust').temperature as number) > 0, 'a frame sensor reading', 20_000);
      const adc = await p.run('QUERY_ADC NAME=z_thermal_adjust PULLUP=4700');
      const m = /value ([\d.]+).*resistance ([\d.]+) ohm/.exec(adc);
      expect(m, adc).not.toBeNull();
      expect(Number(m![1])).toBeCloseTo(100000 / 104700, 3);
      expect(Number(m![2]) / 100000).toBeCloseTo(1, 1);
      expect(await p.run('QUERY_ADC')).toMatch(/"extruder".*"heater_bed".*"z_thermal_adjust"/);

      // z_thermal_adjust: the frame reads ~25 C; the reference 10 C lower gives +0.1 mm.
      const frameC = status('z_thermal_adjust').temperature as number;
      expect(frameC).toBeGreaterThan(24);
      expect(frameC).toBeLessThan(26);
      await p.run('SET_Z_THERMAL_ADJUST ENABLE=0\nG1 Z15\nM400');
      await p.run(`SET_Z_THERMAL_ADJUST ENABLE=1 REF_TEMP=${(frameC - 10).toFixed(3)}\nG1 Z20\nM400`);
      adjustMm = status('z_thermal_adjust').current_z_adjust as number;
      expect(adjustMm).toBeCloseTo(0.1, 2);
      expect((status('toolhead').position as number[])[2]).toBeCloseTo(20 + adjustMm, 9);
      await p.run('SET_Z_THERMAL_ADJUST ENABLE=0\nG1 Z15\nM400');
      expect((status('toolhead').position as number[])[2]).toBeCloseTo(15, 9);
      // SET_STEPPER_ENABLE: stepper_y was switched on by G28; off, then on again (last: it unhomes).
      await p.run('SET_STEPPER_ENABLE STEPPER=stepper_y ENABLE=0');
      expect((status('stepper_enable').steppers as Record<string, boolean>).stepper_y).toBe(false);
      await p.run('SET_STEPPER_ENABLE STEPPER=stepper_y ENABLE=1\nM400');
      expect((status('stepper_enable').steppers as Record<string, boolean>).stepper_y).toBe(true);
    } finally {
      await p.stop();
    }
    // The trace is complete once the sim has exited.
    const trace = p.trace();
    expect(trace.filter((e) => e.ev === 'shutdown')).toEqual([]);
    // !PF2: off at config, on for G28 Y, off and on by SET_STEPPER_ENABLE.
    expect(pinEdges(trace, 'PF2')).toEqual([1, 0, 1, 0]);
    // Z: 15 -> 20 + the adjustment -> 15 without it: the sim's motor came down 5 mm + adjustMm
    // from the top of the last rise (1/400 mm steps).
    const zMm = trace.filter((e) => e.ev === 'stepper' && e.name === 'stepper_z').map((e) => e.mm as number);
    let top = zMm.length - 1;
    while (top > 0 && zMm[top - 1]! >= zMm[top]!) top--;
    const peakMm = zMm[top]!;
    console.log(`z_thermal_adjust: ${adjustMm.toFixed(4)} mm on the host; sim Z peak - end = ${(peakMm - zMm.at(-1)!).toFixed(4)} mm`);
    expect(Math.abs(peakMm - zMm.at(-1)! - (5 + adjustMm))).toBeLessThanOrEqual(1 / 400 + 1e-9);
  });
});

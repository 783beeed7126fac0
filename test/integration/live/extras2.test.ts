// [manual_stepper], [servo] and [filament_motion_sensor] on the sim over a real pty, one printer:
// - MANUAL_STEPPER MOVE runs exactly its steps on the sim's motor; MOVE ... STOP_ON_ENDSTOP=1
//   stops at the sim's switch (through endstop_home + trsync) and the host takes the MCU's count;
// - SET_SERVO ANGLE=/WIDTH= show as those pulse widths on the sim's trace of the servo pin;
// - the sim's motion sensor toggles every 2 mm of extruder motion until RUNOUT_MM, then stops:
//   the host pauses the print once the extruder has pushed detection_length more.
//
// Why these hold under load: the sim counts steps and times pin edges on its own clock (nominal
// ticks, whatever the machine's load), so step counts and pulse widths are exact; the endstop is
// polled about once per step, so the halt lands within a step or two of the switch; the runout
// point is measured by the host at 250 ms intervals from the MCU's estimated time, so it may
// come late (logged), never early: the lower bound is exact, the upper one allows 10 mm (2.5 s
// of extrusion at 4 mm/s) for a stalled host.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FilamentMotionSensor } from '../../../src-main/host/objects/filament-motion-sensor';
import { STARTUP_QUIET_S } from '../../../src-main/host/objects/filament-switch-sensor-runout';
import type { ManualStepper } from '../../../src-main/host/objects/manual-stepper';
import { MANUAL_STEPPER_START_MM } from '../../../src-main/host/sim/machine';
import { fastConfig, PRINT_SIM_LATE_LIMIT_MS, sleep, status, waitFor } from '../jobs/print-helpers';
import { startLivePrinter } from './live-printer';

const FEEDER_STEPS_PER_MM = (200 * 4) / 8;
const RUNOUT_MM = 12;
const DETECTION_MM = 4;

const SECTIONS = `
[manual_stepper feeder]
step_pin: PC1
dir_pin: PC3
enable_pin: !PC7
microsteps: 4
rotation_distance: 8
velocity: 10
endstop_pin: ^PC5

[servo arm]
pin: PC6

[filament_motion_sensor encoder]
switch_pin: ^PE4
extruder: extruder
detection_length: ${DETECTION_MM}
runout_gcode: M117 Motion runout
`;

/** 200 lines of 1 mm of filament each at 4 mm/s (50 s if never stopped). */
function extrusionGcode(): string {
  const lines = ['G28', 'G90', 'M83', 'G1 X20 Y20 Z1 F12000'];
  for (let i = 0; i < 200; i++) lines.push(`G1 X${i % 2 ? 20 : 30} E1 F2400`);
  return lines.join('\n') + '\n';
}

interface TraceEv {
  ev: string;
  name?: string;
  clock?: number;
  value?: number;
  why?: string;
  clock_freq?: number;
  triggered?: boolean;
  steppers?: { name: string; pos: number; steps: number }[];
}

describe('manual_stepper, servo and filament_motion_sensor on the sim', () => {
  it('counts exact steps, stops at the endstop, shows servo pulses, pauses on a motion runout', async () => {
    let gcodeDir = '';
    const p = await startLivePrinter('extras2', {
      edit: (cfg) => {
        gcodeDir = path.join(path.dirname(cfg.match(/^serial: (.*)$/m)![1]!), 'gcodes');
        return fastConfig(cfg, gcodeDir) + SECTIONS;
      },
      overrides: {
        heaters: { extruder: { initial_c: 195 }, heater_bed: { initial_c: 50 } },
        switches: { 'filament_motion_sensor encoder': { runout_after_mm: RUNOUT_MM } },
      },
      simArgs: ['--late-limit-ms', String(PRINT_SIM_LATE_LIMIT_MS)],
    });
    mkdirSync(gcodeDir, { recursive: true });
    writeFileSync(path.join(gcodeDir, 'extrude.gcode'), extrusionGcode());
    const feeder = p.host.printer.lookupObject<ManualStepper>('manual_stepper feeder');
    const sensor = p.host.printer.lookupObject<FilamentMotionSensor>('filament_motion_sensor encoder');
    let hostHaltMm = NaN;
    let hostHaltSteps = NaN;
    let pausedAtE = NaN;
    try {
      const tReady = Date.now();
      // Manual stepper: 10 mm up, then down until the switch (the sim's motor starts 20 mm above it).
      await p.run('MANUAL_STEPPER STEPPER=feeder ENABLE=1\nMANUAL_STEPPER STEPPER=feeder MOVE=10');
      expect(feeder.stepper.motion.mcuPositionSteps).toBe(10 * FEEDER_STEPS_PER_MM);
      await p.run('MANUAL_STEPPER STEPPER=feeder MOVE=-100 SPEED=20 STOP_ON_ENDSTOP=1');
      hostHaltMm = feeder.positionMm;
      hostHaltSteps = feeder.stepper.motion.mcuPositionSteps;
      // Halted after the switch closed: it still reads closed; 5 mm up it is open.
      expect(await p.run('QUERY_ENDSTOPS')).toMatch(/ feeder:TRIGGERED$/);
      await p.run('MANUAL_STEPPER STEPPER=feeder MOVE=' + (hostHaltMm + 5).toFixed(6) + '\nM400');
      expect(await p.run('QUERY_ENDSTOPS')).toMatch(/ feeder:open$/);
      // 1 mm away from the switch: the move runs in full and STOP_ON_ENDSTOP=1 says so.
      const away = (hostHaltMm + 6).toFixed(6);
      expect(await p.run(`MANUAL_STEPPER STEPPER=feeder MOVE=${away} STOP_ON_ENDSTOP=1`).catch((e: Error) => e.message)).toMatch(
        /No trigger on manual_stepper feeder after full movement/,
      );
      // Servo: 90 degrees (1.5 ms), then 1.2 ms, then off.
      await p.run('SET_SERVO SERVO=arm ANGLE=90\nG4 P300\nSET_SERVO SERVO=arm WIDTH=0.0012\nG4 P300\nSET_SERVO SERVO=arm WIDTH=0\nM400');
      expect(status(p, 'servo arm').value).toBe(0);
      // Motion sensor: events count from STARTUP_QUIET_S after ready.
      const quietLeftMs = STARTUP_QUIET_S * 1000 - (Date.now() - tReady);
      if (quietLeftMs > 0) await sleep(quietLeftMs + 100);
      expect(status(p, 'filament_motion_sensor encoder').filament_detected).toBe(true);
      await p.run('SDCARD_PRINT_FILE FILENAME=extrude.gcode');
      await waitFor(() => status(p, 'pause_resume').is_paused === true, 'the motion-sensor runout pause', 40_000);
      pausedAtE = (status(p, 'toolhead').position as number[])[3]!;
      await waitFor(() => status(p, 'display_status').message === 'Motion runout', 'runout_gcode', 10_000);
      expect(status(p, 'print_stats').state).toBe('paused');
      // One runout event ran. (The pause's park moves count as printing again, which, as in
      // Klipper, gives the filament a fresh detection_length: the status may read detected again.)
      expect(sensor.runout.events.map((e) => e.kind)).toEqual(['runout']);
      await p.run('CANCEL_PRINT');
    } finally {
      await p.stop();
    }
    const trace = p.trace() as unknown as TraceEv[];
    expect(trace.filter((e) => e.ev === 'shutdown')).toEqual([]);
    const start = trace.find((e) => e.ev === 'start')!;
    const freq = start.clock_freq!;
    const startPos = start.steppers!.find((s) => s.name === 'manual_stepper feeder')!.pos;
    expect(startPos).toBe(MANUAL_STEPPER_START_MM * FEEDER_STEPS_PER_MM);
    const feederAt = (e: TraceEv) => e.steppers!.find((s) => s.name === 'manual_stepper feeder')!;
    // The host asked the MCU for the position right after each STOP_ON_ENDSTOP move.
    const halt = feederAt(trace.find((e) => e.ev === 'positions' && e.why === 'stepper_get_position')!);
    const exit = feederAt(trace.filter((e) => e.ev === 'positions' && e.why === 'exit').at(-1)!);
    const upSteps = (halt.steps + (halt.pos - startPos)) / 2;
    const switchAt = trace.find((e) => e.ev === 'endstop' && e.name === 'manual_stepper feeder' && e.triggered);
    console.log(
      `manual_stepper: MOVE=10 ran ${upSteps} steps on the sim; halted at sim ${halt.pos} steps (switch at 0), host ${hostHaltMm.toFixed(4)} mm / ${hostHaltSteps} steps; then +5 mm and +1 mm ran ${exit.steps - halt.steps} steps (${exit.pos - halt.pos} net)`,
    );
    expect(upSteps).toBe(10 * FEEDER_STEPS_PER_MM);
    expect(switchAt).toBeDefined();
    // The MCU halts the motor within a couple of polls of the switch closing at 0.
    expect(Math.abs(halt.pos)).toBeLessThanOrEqual(2);
    // The host's count is the MCU's (its steps from the sim's start), and its position follows.
    expect(hostHaltSteps).toBe(halt.pos - startPos);
    expect(hostHaltMm).toBeCloseTo(10 + (halt.pos - startPos - 10 * FEEDER_STEPS_PER_MM) / FEEDER_STEPS_PER_MM, 9);
    // MOVE to halt + 5 mm, then the 1 mm that missed the switch: exactly 600 more steps, all up.
    expect(exit.pos - halt.pos).toBe(6 * FEEDER_STEPS_PER_MM);
    expect(exit.steps - halt.steps).toBe(6 * FEEDER_STEPS_PER_MM);
    // Servo pulses on the sim's pin: rising to falling edge, in microseconds.
    const edges = trace.filter((e) => e.ev === 'fan' && e.name === 'servo arm');
    const runs: { us: number; n: number }[] = [];
    for (let i = 1; i < edges.length; i++) {
      if (edges[i - 1]!.value === 1 && edges[i]!.value === 0) {
        const us = Math.round((((edges[i]!.clock! - edges[i - 1]!.clock!) >>> 0) * 1e6) / freq);
        if (runs.at(-1)?.us === us) runs.at(-1)!.n++;
        else runs.push({ us, n: 1 });
      }
    }
    // A change landing inside a pulse cuts that one pulse short or long (software PWM applies
    // it at once): the widths that held for several 20 ms periods are the ones set.
    const widthsUs = runs.filter((r) => r.n >= 3).map((r) => r.us);
    console.log(
      `servo pulses on the sim (us x count): ${runs.map((r) => `${r.us}x${r.n}`).join(', ')}; last edge value ${edges.at(-1)?.value}`,
    );
    expect(widthsUs).toEqual([1500, 1200]);
    expect(edges.at(-1)!.value).toBe(0);
    // Motion sensor: toggles every 2 mm up to RUNOUT_MM, then runout once detection_length more was pushed.
    const runoutAt = sensor.runoutAtMm!;
    console.log(
      `filament_motion_sensor: ${sensor.toggles} toggles, runout seen at E=${runoutAt.toFixed(2)} mm (last toggle at ${RUNOUT_MM} mm + detection_length ${DETECTION_MM}), paused at E=${pausedAtE.toFixed(2)}`,
    );
    expect(sensor.toggles).toBeGreaterThanOrEqual(RUNOUT_MM / 2);
    expect(runoutAt).toBeGreaterThanOrEqual(RUNOUT_MM + DETECTION_MM - 0.05);
    expect(runoutAt).toBeLessThan(RUNOUT_MM + DETECTION_MM + 10);
  }, 90_000);
});

// (~35-45 s. Runs in vitest's avr-live phase, one file at a time after the parallel tests: it
// keeps real-time deadlines against a paced simulator.)
// A sliced print on Tether's AVR firmware on simulated silicon, through the whole host: the
// atmega2560 (move_count 309) in simavr-printer behind a pty, paced (see SPEED), with
// resources/printers/tether-sim.cfg (test/tools/simavr-printer/live-printer.ts). The host homes X and Y on the simulated switches (G28 X Y),
// heats the hotend and prints 133 lines of PrusaSlicer's benchy: first-layer hull curves (80
// moves of 0.1-1 mm, z-hops, retractions, wipes, M204), the short-segment stream that needs many
// move-queue entries a second. The steps the simulator counted on the pins equal the ones the
// host planned, on every stepper, and the MCU never shuts down. (Before the host's move-queue
// and set_next_step_dir fixes such files stopped with "Stepper too far in past";
// test/unit/step-ordering is the deterministic version.) On failure, test-output/avr-print has
// both directions of the UART (uart-in.bin, uart-out.bin) for `tether decode`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import { referenceDir } from '../../support/paths';
import { toolsPresent } from '../../support/tools';
import { startLiveAvrPrinter, type LiveAvrPrinter, type LiveReport } from '../../tools/simavr-printer/live-printer';

/**
 * Simulated time as a fraction of real time (the host follows the slower clock). 0.15: ~45 s
 * for the file (homing alone is 3.5 s simulated). On a machine loaded beyond ~12 the simulator
 * cannot hold 0.15x; falling behind, its clock runs more than the host's 0.2 s move-queue slot
 * margin behind the host's estimate and the MCU reports "Move queue overflow". 0.1 holds its
 * pace better (the simulator falls at most 1 s wall-clock = 0.1 s simulated behind) but takes
 * ~75 s: AVR_PRINT_SPEED=0.1.
 */
const SPEED = process.env.AVR_PRINT_SPEED ?? '0.15';
let printer: LiveAvrPrinter | null = null;

/** tether-sim.cfg: 16 microsteps of 200 per rotation_distance 40 (X, Y), 8 (Z), 33.5 (E). */
const STEPS_PER_MM = { X: 80, Y: 80, Z: 400, E: 3200 / 33.5 };
type Axis = keyof typeof STEPS_PER_MM;
/** Counted step positions in the host's sign (stepper_y's dir pin is inverted: !PF7). */
const counted = (r: LiveReport): Record<Axis, number> => ({
  X: r.positions.PF0!,
  Y: -r.positions.PF6!,
  Z: r.positions.PL3!,
  E: r.positions.PA4!,
});

/** Lines 1042-1174 of the benchy's first layer (hull curves), and where the head is before them. */
function slicedLines(): { lines: string[]; startX: number; startY: number } {
  const all = readFileSync(path.join(referenceDir, 'gcode/benchy-prusaslicer-2.6.1.gcode'), 'utf8').split('\n');
  let startX = NaN;
  let startY = NaN;
  for (const l of all.slice(0, 1041)) {
    startX = Number(/^G1 .*X([\d.]+)/.exec(l)?.[1] ?? startX);
    startY = Number(/^G1 .*Y([\d.]+)/.exec(l)?.[1] ?? startY);
  }
  return { lines: all.slice(1041, 1174), startX, startY };
}

describe.skipIf(!toolsPresent('avr-gcc', 'cc'))('sliced print on the AVR firmware in simavr', () => {
  beforeAll(async () => {
    printer = await startLiveAvrPrinter({
      name: 'avr-print',
      speed: SPEED,
      // Carriages start 5 mm (X, Y: 400 steps; Z: 2000) from their switches, and the second
      // approaches are short (2 mm back, 4 mm in): homing is most of this test's time.
      endstopSteps: [400, 400, 2000],
      editConfig: (cfg) => cfg.replaceAll('homing_speed: 50', 'homing_speed: 50\nhoming_retract_dist: 2'),
    });
  }, 60_000);

  afterAll(async () => {
    await printer?.stop();
  });

  it(
    'homes X and Y, heats and prints 133 lines of a sliced benchy: counted steps equal the planned ones',
    { timeout: 150_000 },
    async () => {
      const { host, report, settledReport, run, toolheadMm } = printer!;
      const mcu = host.printer.lookupObject<Mcu>('mcu');
      expect(host.printer.state, host.printer.stateMessage).toBe('ready');
      expect(mcu.getStatus().moveCount).toBe(309);
      const atStart = counted(await report());
      // Heat while homing: M104 now, wait after G28.
      await run('M104 S70\nG28 X Y');
      await run('TEMPERATURE_WAIT SENSOR=extruder MINIMUM=45');
      expect(host.printer.state, host.printer.stateMessage).toBe('ready');
      const homedReport = await settledReport();
      const homed = counted(homedReport);
      // The switches sit 400 steps from where the carriages started; homed, the host calls that
      // X=0 Y=0 (position_endstop). The carriage ends within the trigger's few steps of it.
      expect(Math.abs(homed.X - atStart.X + 400), `X homed at ${homed.X - atStart.X}`).toBeLessThanOrEqual(2);
      expect(Math.abs(homed.Y - atStart.Y + 400), `Y homed at ${homed.Y - atStart.Y}`).toBeLessThanOrEqual(2);
      const home = await toolheadMm();
      expect([home.X, home.Y]).toEqual([0, 0]);

      const { lines, startX, startY } = slicedLines();
      expect(lines.filter((l) => /^G1 X.*E\.?\d/.test(l)).length).toBeGreaterThan(60); // extruding moves
      // Z is not homed (G28 X Y): the layer's height is declared. Then the travel to the curve's
      // start and the file's lines, counted from the homed carriages.
      await run('SET_KINEMATIC_POSITION Z=0.3\nG90\nM83');
      const startMm = await toolheadMm();
      const before = homed;
      const risesBefore = homedReport.rises;
      await run([`G1 X${startX} Y${startY} F9000`, ...lines, 'M400'].join('\n'));
      expect(host.printer.state, host.printer.stateMessage).toBe('ready');
      const endMm = await toolheadMm();
      const r = await settledReport();
      const after = counted(r);
      // Planned: from where the toolhead was to where the file left it, in whole steps (a step is
      // taken where the position crosses a half step).
      for (const axis of Object.keys(STEPS_PER_MM) as Axis[]) {
        const perMm = STEPS_PER_MM[axis];
        const planned = Math.round(endMm[axis]! * perMm) - Math.round(startMm[axis]! * perMm);
        expect(after[axis] - before[axis], `${axis}: ${startMm[axis]} -> ${endMm[axis]} mm`).toBe(planned);
      }
      // It really printed: millimetres on X and Y, and E moved (the lines retract and prime again:
      // their net extrusion is small, the steps both ways are not).
      expect(Math.abs(after.X - before.X) + Math.abs(after.Y - before.Y)).toBeGreaterThan(500);
      expect((r.rises.PA4 ?? 0) - (risesBefore.PA4 ?? 0)).toBeGreaterThan(100);
      for (const pin of ['PF0', 'PF6', 'PA4']) expect(r.min_high[pin]).toBeGreaterThanOrEqual(32);
      expect(r.heater_c).toBeGreaterThan(40);
      expect(mcu.state).toBe('ready');
      expect(host.printer.state, host.printer.stateMessage).toBe('ready');
    },
  );
});

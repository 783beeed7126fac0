// Live step streaming: a long run of slicer moves typed at once is planned far ahead, and the
// toolhead's flush timer must keep the sim's MCU fed without scheduling steps in its past.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceDir } from '../../support/paths';
import { startLivePrinter } from './live-printer';
import { simPositions, sleep, waitFor } from '../jobs/print-helpers';

const CURA = path.join(referenceDir, 'gcode/puzzle_all-cura-2.3.1.gcode');

/** The G0/G1/G92 lines among the first `n` lines of the Cura file and its last XY target. */
function curaMoves(n: number): { lines: string[]; lastX: number; lastY: number } {
  const lines = readFileSync(CURA, 'utf8')
    .split('\n')
    .slice(0, n)
    .filter((l) => /^G(0|1|92)\b/.test(l));
  let lastX = NaN;
  let lastY = NaN;
  for (const l of lines) {
    const x = /X([\d.]+)/.exec(l);
    const y = /Y([\d.]+)/.exec(l);
    if (x) lastX = Number(x[1]);
    if (y) lastY = Number(y[1]);
  }
  return { lines, lastX, lastY };
}

describe('live step streaming on the sim', () => {
  it('runs 400 lines of a Cura file without an MCU shutdown and ends where the G-code does', async () => {
    const p = await startLivePrinter('streaming', {
      // Cold extrusion allowed (this test is about motion, not heating); higher limits so the
      // file runs in seconds at real step rates (16 microsteps).
      edit: (cfg) =>
        cfg
          .replace(/^\[extruder\]$/m, '[extruder]\nmin_extrude_temp: 0')
          .replace(/^max_velocity: .*$/m, 'max_velocity: 1000')
          .replace(/^max_accel: .*$/m, 'max_accel: 20000')
          .replace(/^max_z_velocity: .*$/m, 'max_z_velocity: 50')
          .replace(/^max_z_accel: .*$/m, 'max_z_accel: 1000'),
    });
    try {
      const { lines, lastX, lastY } = curaMoves(400);
      expect(lines.length).toBeGreaterThan(300);
      await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=0');
      await p.run('G90\nM82\nM220 S300');
      await p.run(lines.join('\n'));
      const th = () => p.host.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('toolhead').getStatus();
      const motionS = (th().print_time as number) - (th().estimated_print_time as number);
      expect(motionS).toBeGreaterThan(4); // far more than the MCU's buffer: streaming is needed
      await waitFor(
        () => (th().estimated_print_time as number) > (th().print_time as number) + 0.2 || p.host.printer.state !== 'ready',
        'motion to finish',
        120_000,
      );
      expect(p.host.printer.stateMessage).toBe('Printer is ready');
      await sleep(1500); // the sim flushes its trace at least once a second
      const sim = simPositions(p);
      expect(sim.stepper_x).toBeCloseTo(lastX, 1);
      expect(sim.stepper_y).toBeCloseTo(lastY, 1);
      const shutdowns = p.trace().filter((e) => e.ev === 'shutdown');
      expect(shutdowns).toEqual([]);
    } finally {
      await p.stop();
    }
  }, 150_000);
});

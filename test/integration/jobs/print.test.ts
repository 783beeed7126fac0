// Print jobs on the sim printer: a slicer file is uploaded into the printer's G-code folder and
// printed through virtual_sdcard; the sim's trace shows where the steppers really went.
// The full Cura file (about an hour of motion) does not fit a test; a prefix of it is printed
// to the end instead.
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GCodeFileStore } from '../../../src-main/host/files/store';
import { referenceDir, testOutputDir } from '../../support/paths';
import { simPositions, sleep, startPrintPrinter, waitFor } from './print-helpers';
import type { LivePrinter } from '../live/live-printer';
import { statusOf } from '../../../src-main/host/objects/status-objects';

const CURA = path.join(referenceDir, 'gcode/puzzle_all-cura-2.3.1.gcode');

/** The first `n` lines of the Cura file, cut after its last absolute XY move, and that move. */
function curaPrefix(n: number): { text: string; lastX: number; lastY: number } {
  const lines = readFileSync(CURA, 'utf8').split('\n').slice(0, n);
  let last = lines.length - 1;
  while (!/^G[01] .*X[\d.]+ Y[\d.]+/.test(lines[last])) last--;
  const m = /X([\d.]+) Y([\d.]+)/.exec(lines[last])!;
  return { text: lines.slice(0, last + 1).join('\n') + '\n', lastX: Number(m[1]), lastY: Number(m[2]) };
}

async function upload(gcodeDir: string, name: string, text: string): Promise<void> {
  const src = path.join(testOutputDir, `${name}-${process.pid}.src`);
  writeFileSync(src, text);
  const store = new GCodeFileStore(gcodeDir);
  await store.upload(name, createReadStream(src), Buffer.byteLength(text));
}

const status = (p: LivePrinter, name: string) => statusOf(p.host.printer, name)!;

/** Waits until the MCU has run every planned move and the sim's trace holds it. */
async function motionDone(p: LivePrinter): Promise<void> {
  await waitFor(() => {
    const th = status(p, 'toolhead');
    return (th.estimated_print_time as number) > (th.print_time as number) + 0.2;
  }, 'motion to finish');
  await sleep(1500); // the sim flushes its trace at least once a second
}

// Opt-in (TETHER_SIM_PRINT=1): since the toolhead streams steps from its flush timer both pass
// on the sim, but together they take ~110 s of real time (too long for `npm test`'s budget;
// the first one also failed once on a loaded machine). They are the acceptance tests of
// issue 7's print path; the fast streaming check is test/integration/live/streaming.test.ts.
describe.skipIf(process.env.TETHER_SIM_PRINT !== '1')('print jobs on the sim printer', () => {
  it('prints an uploaded Cura file to the end: print_stats complete, sim ends at the last move', async () => {
    const { p, gcodeDir } = await startPrintPrinter('print-end');
    try {
      const { text, lastX, lastY } = curaPrefix(150);
      await upload(gcodeDir, 'puzzle.gcode', text);
      await p.run('SDCARD_PRINT_FILE FILENAME=puzzle.gcode');
      expect(status(p, 'print_stats').state).toBe('printing');
      await waitFor(() => status(p, 'print_stats').state !== 'printing', 'print end');
      expect(status(p, 'print_stats')).toMatchObject({ state: 'complete', filename: 'puzzle.gcode' });
      expect(status(p, 'virtual_sdcard').progress).toBe(1);
      expect(status(p, 'print_stats').filament_used as number).toBeGreaterThan(5);
      await motionDone(p);
      expect(p.host.printer.stateMessage).toBe('Printer is ready');
      const sim = simPositions(p);
      expect(sim.stepper_x).toBeCloseTo(lastX, 1);
      expect(sim.stepper_y).toBeCloseTo(lastY, 1);
    } finally {
      await p.stop();
    }
  }, 90_000);

  it('PAUSE stops motion and parks, RESUME goes back and finishes, CANCEL_PRINT parks and turns heaters off', async () => {
    const { p, gcodeDir } = await startPrintPrinter('pause');
    try {
      const { text, lastX, lastY } = curaPrefix(400);
      await upload(gcodeDir, 'puzzle.gcode', text);
      await p.run('SDCARD_PRINT_FILE FILENAME=puzzle.gcode');
      await waitFor(() => (status(p, 'virtual_sdcard').file_position as number) > 2000, 'some progress');
      await p.run('PAUSE');
      expect(status(p, 'pause_resume').is_paused).toBe(true);
      expect(status(p, 'print_stats').state).toBe('paused');
      const posAtPause = status(p, 'virtual_sdcard').file_position as number;
      await motionDone(p);
      // Parked as the PAUSE macro says, and nothing more moves while paused.
      const parked = simPositions(p);
      expect(parked.stepper_x).toBeCloseTo(5, 1);
      expect(parked.stepper_y).toBeCloseTo(190, 1);
      await sleep(1500);
      expect(simPositions(p)).toEqual(parked);
      expect(status(p, 'virtual_sdcard').file_position).toBe(posAtPause);
      await p.run('RESUME');
      expect(status(p, 'print_stats').state).toBe('printing');
      await waitFor(() => status(p, 'print_stats').state !== 'printing', 'print end');
      expect(status(p, 'print_stats').state).toBe('complete');
      await motionDone(p);
      const end = simPositions(p);
      expect(end.stepper_x).toBeCloseTo(lastX, 1);
      expect(end.stepper_y).toBeCloseTo(lastY, 1);

      // Cancel mid-print: the wrapper macro turns the heaters off and parks.
      await p.run('M104 S195\nM140 S50\nSDCARD_PRINT_FILE FILENAME=puzzle.gcode');
      await waitFor(() => (status(p, 'virtual_sdcard').file_position as number) > 2000, 'some progress');
      await p.run('CANCEL_PRINT');
      expect(status(p, 'print_stats').state).toBe('cancelled');
      expect(status(p, 'extruder').target).toBe(0);
      expect(status(p, 'heater_bed').target).toBe(0);
      await motionDone(p);
      const cancelled = simPositions(p);
      expect(cancelled.stepper_x).toBeCloseTo(190, 1);
      expect(cancelled.stepper_y).toBeCloseTo(190, 1);
    } finally {
      await p.stop();
    }
  }, 120_000);
});

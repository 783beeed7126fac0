// [filament_switch_sensor] end to end on the sim over its pty: the sim's filament switch opens
// once the extruder has pushed RUNOUT_MM (machine override), the firmware reports it in
// buttons_state, and the host pauses the virtual_sdcard print and runs runout_gcode; with
// pause_on_runout False only the gcode runs; SET_FILAMENT_SENSOR ENABLE=0 ignores the runout.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fastConfig, PRINT_SIM_LATE_LIMIT_MS, sleep, status, waitFor } from '../jobs/print-helpers';
import { STARTUP_QUIET_S } from '../../../src-main/host/objects/filament-switch-sensor-runout';
import { startLivePrinter, type LivePrinter } from './live-printer';

const RUNOUT_MM = 6;
const E_PER_LINE_MM = 1;
const LINE_S = 0.25; // 10 mm at 40 mm/s: 4 mm/s of filament

/** A long extrusion: 200 lines back and forth, 1 mm of filament each (50 s if never stopped). */
function runoutGcode(): string {
  const lines = ['G28', 'G90', 'M83', 'G1 X20 Y20 Z1 F12000'];
  for (let i = 0; i < 200; i++) lines.push(`G1 X${i % 2 ? 20 : 30} E${E_PER_LINE_MM} F${(10 / LINE_S) * 60}`);
  return lines.join('\n') + '\n';
}

async function startSensorPrinter(name: string, sensorOptions: string): Promise<LivePrinter> {
  let gcodeDir = '';
  const p = await startLivePrinter(name, {
    edit: (cfg) => {
      gcodeDir = path.join(path.dirname(cfg.match(/^serial: (.*)$/m)![1]), 'gcodes');
      return `${fastConfig(cfg, gcodeDir)}\n[filament_switch_sensor runout]\nswitch_pin: ^PE4\n${sensorOptions}\n`;
    },
    overrides: {
      heaters: { extruder: { initial_c: 195 }, heater_bed: { initial_c: 50 } },
      switches: { 'filament_switch_sensor runout': { runout_after_mm: RUNOUT_MM } },
    },
    simArgs: ['--late-limit-ms', String(PRINT_SIM_LATE_LIMIT_MS)],
  });
  mkdirSync(gcodeDir, { recursive: true });
  writeFileSync(path.join(gcodeDir, 'runout.gcode'), runoutGcode());
  return p;
}

const sensor = (p: LivePrinter) => status(p, 'filament_switch_sensor runout');
const switchEvents = (p: LivePrinter) => p.trace().filter((e) => e.ev === 'switch') as { on: boolean; mm: number; clock: number }[];
const noShutdown = (p: LivePrinter) => expect(p.trace().filter((e) => e.ev === 'shutdown')).toEqual([]);

describe('filament switch sensor on the sim', () => {
  it('runout during a print pauses it, then runs runout_gcode; filament_detected goes false', async () => {
    const p = await startSensorPrinter('filament-pause', 'runout_gcode: M117 Filament runout');
    try {
      // The first report (filament present) comes ~0.5 s after ready.
      await waitFor(() => sensor(p).filament_detected === true, 'filament present at start', 10_000);
      expect(sensor(p).enabled).toBe(true);
      expect(await p.run('QUERY_FILAMENT_SENSOR SENSOR=runout')).toBe('// Filament Sensor runout: filament detected');
      // Events count from 2 s after ready (the start-up reports are the initial state).
      await sleep(STARTUP_QUIET_S * 1000);
      await p.run('SDCARD_PRINT_FILE FILENAME=runout.gcode');
      const t0 = Date.now();
      await waitFor(() => status(p, 'pause_resume').is_paused === true, 'the runout pause', 40_000);
      const pausedAfterS = (Date.now() - t0) / 1000;
      expect(sensor(p).filament_detected).toBe(false);
      expect(status(p, 'print_stats').state).toBe('paused');
      // runout_gcode runs after PAUSE, in the same script.
      await waitFor(() => status(p, 'display_status').message === 'Filament runout', 'runout_gcode', 10_000);
      expect(await p.run('QUERY_FILAMENT_SENSOR SENSOR=runout')).toBe('// Filament Sensor runout: filament not detected');
      // Where the switch opened is exact (the sim's steps are 0.04 mm of filament).
      await sleep(1500); // the sim flushes its trace once a second
      const opened = switchEvents(p).find((e) => !e.on)!;
      expect(opened.mm).toBeGreaterThanOrEqual(RUNOUT_MM - 0.05);
      expect(opened.mm).toBeLessThanOrEqual(RUNOUT_MM + 0.05);
      // Filament pushed after the runout: the moves the print had already planned (the reader
      // keeps at most 2 s of print time queued, 8 mm here) plus the host's reaction (the report
      // is sent within 2 polls = 4 ms, the reader stops at its next line). Measured 10 mm on an
      // idle machine; under load (2 cores, load average 20) the host was seen ~1.5-2 s late, so
      // allow 5 s of extrusion (20 mm). A print that kept going would push 200 mm.
      const pastRunoutMm = (status(p, 'toolhead').position as number[])[3] - RUNOUT_MM;
      console.log(
        `filament pause: paused ${pausedAfterS.toFixed(2)} s after the print started, ${pastRunoutMm.toFixed(1)} mm pushed past the runout (switch opened at ${opened.mm.toFixed(2)} mm)`,
      );
      expect(pastRunoutMm).toBeLessThan(20);
      noShutdown(p);
    } finally {
      await p.stop();
    }
  }, 90_000);

  it('pause_on_runout False runs only runout_gcode; ENABLE=0 ignores the runout', async () => {
    const p = await startSensorPrinter('filament-nopause', 'pause_on_runout: False\nrunout_gcode: M117 Filament runout\nevent_delay: 1');
    try {
      await waitFor(() => sensor(p).filament_detected === true, 'filament present at start', 10_000);
      // Disabled: the runout is seen (status) but nothing runs.
      await p.run('SET_FILAMENT_SENSOR SENSOR=runout ENABLE=0');
      expect(sensor(p).enabled).toBe(false);
      await p.run('SDCARD_PRINT_FILE FILENAME=runout.gcode');
      await waitFor(() => sensor(p).filament_detected === false, 'the runout', 40_000);
      await sleep(1500); // longer than pause_delay + a script: nothing may follow
      expect(status(p, 'display_status').message).toBeNull();
      expect(status(p, 'print_stats').state).toBe('printing');
      await p.run('CANCEL_PRINT');
      // Pull the filament back past the switch (it closes again), enable, print again.
      const pushedMm = (status(p, 'toolhead').position as number[])[3];
      await p.run(`M83\nG1 E-${(pushedMm - 2).toFixed(2)} F3000\nM400`);
      await waitFor(() => sensor(p).filament_detected === true, 'the filament back', 10_000);
      await p.run('SET_FILAMENT_SENSOR SENSOR=runout ENABLE=1');
      await sleep(1200); // past event_delay (1 s) of nothing: the re-insert ran no event while printing
      await p.run('SDCARD_PRINT_FILE FILENAME=runout.gcode');
      await waitFor(() => status(p, 'display_status').message === 'Filament runout', 'runout_gcode', 40_000);
      expect(sensor(p).filament_detected).toBe(false);
      expect(status(p, 'pause_resume').is_paused).toBe(false);
      expect(status(p, 'print_stats').state).toBe('printing');
      await p.run('CANCEL_PRINT');
      noShutdown(p);
    } finally {
      await p.stop();
    }
  }, 120_000);

  it('[gcode_button]: a timed press on the sim runs press_gcode, then release_gcode', async () => {
    // Pressed 4 s after the MCU starts polling, for 0.5 s (the sim's press schedule): the first
    // QUERY_BUTTON runs right after ready, well before it even on a loaded machine.
    const p = await startLivePrinter('gcode-button', {
      edit: (cfg) => `${cfg}\n[gcode_button lcd]\npin: ^!PE3\npress_gcode: M117 pressed\nrelease_gcode: M117 released\n`,
      overrides: { switches: { 'gcode_button lcd': { presses: [{ at_s: 4, hold_s: 0.5 }] } } },
    });
    try {
      expect(await p.run('QUERY_BUTTON BUTTON=lcd')).toBe('// lcd: RELEASED');
      const seen: string[] = [];
      const poll = setInterval(() => seen.push(String(status(p, 'display_status').message)), 20);
      try {
        await waitFor(() => status(p, 'display_status').message === 'released', 'the release', 20_000);
      } finally {
        clearInterval(poll);
      }
      // waitFor can see 'released' between two polls: the record ends with what it saw.
      seen.push(String(status(p, 'display_status').message));
      // 'pressed' held for 0.5 s of MCU time, polled every 20 ms: seen unless the host stalled
      // for the whole half second, which even a loaded machine has not shown.
      expect(seen).toContain('pressed');
      expect(seen.indexOf('pressed')).toBeLessThan(seen.indexOf('released'));
      expect(await p.run('QUERY_BUTTON BUTTON=lcd')).toBe('// lcd: RELEASED');
      await sleep(1200);
      const presses = p
        .trace()
        .filter((e) => e.ev === 'switch')
        .map((e) => e.on);
      expect(presses).toEqual([false, true, false]);
      noShutdown(p);
    } finally {
      await p.stop();
    }
  }, 60_000);
});

// virtual_sdcard, print_stats, pause_resume and exclude_object on a batch-mode host (no MCU
// clock): the job logic itself, byte positions and G-code state, without real-time motion.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Host } from '../../../src-main/host/host';
import { testOutputDir } from '../../support/paths';
import { atmegaDict, CARTESIAN, discard } from '../objects/load-helpers';

let host: Host | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

const dir = path.join(testOutputDir, 'jobs-unit', String(process.pid));

async function start(): Promise<{ h: Host; run: (s: string) => Promise<string>; status: (n: string) => Record<string, unknown> }> {
  mkdirSync(path.join(dir, 'gcodes'), { recursive: true });
  const cfg = path.join(dir, 'printer.cfg');
  writeFileSync(
    cfg,
    CARTESIAN +
      // A relative folder is relative to printer.cfg (the tests run from the repo root).
      `\n[virtual_sdcard]\npath: gcodes\n\n[pause_resume]\n\n[exclude_object]\n\n[gcode_macro PAUSE]\nrename_existing: BASE_PAUSE\ngcode:\n  BASE_PAUSE\n  G1 X5 Y5 F6000\n`,
  );
  const h = await Host.start({ configPath: cfg, mcuFileOutput: { dictionary: atmegaDict, output: discard() } });
  host = h;
  expect(h.info().stateMessage).toBe('Printer is ready');
  const run = async (script: string) => {
    const out: string[] = [];
    const off = h.gcode.onResponse((_k, t) => out.push(t));
    try {
      await h.gcode.run(script);
    } finally {
      off();
    }
    return out.join('\n');
  };
  return { h, run, status: (n) => h.printer.lookupObject<{ getStatus(): Record<string, unknown> }>(n).getStatus() };
}

const pos = (h: Host) => h.printer.lookupObject<{ getPosition(): number[] }>('toolhead').getPosition();

describe('print jobs (batch host)', () => {
  it('M20/M23/M24/M27 and SDCARD_PRINT_FILE print a file to the end; unknown commands are not fatal', async () => {
    const { h, run, status } = await start();
    const text = 'G21 ; unknown to Klipper too\nSET_KINEMATIC_POSITION X=0 Y=0 Z=0\nG1 X10 Y10 F6000\nG1 X20 Y15 E1\nG1 X30 Y20 E2\n';
    writeFileSync(path.join(dir, 'gcodes', 'a.gcode'), text);
    expect(await run('M20')).toContain(`a.gcode ${text.length}`);
    expect(await run('M23 a.gcode')).toContain(`File opened:a.gcode Size:${text.length}`);
    expect(await run('M27')).toBe(`SD printing byte 0/${text.length}`);
    await run('M24');
    await h.printer.lookupObject<{ idle(): Promise<void> }>('virtual_sdcard').idle();
    expect(status('print_stats')).toMatchObject({ state: 'complete', filename: 'a.gcode', filament_used: 2 });
    expect(status('virtual_sdcard').progress).toBe(1);
    expect(pos(h).slice(0, 2)).toEqual([30, 20]);
    await run('SDCARD_RESET_FILE');
    expect(status('print_stats')).toMatchObject({ state: 'standby', filename: '' });
    await expect(run('SDCARD_PRINT_FILE FILENAME=../printer.cfg')).rejects.toThrow(/outside the G-code folder/);
  });

  it('PAUSE inside the file stops before the next line; RESUME restores the position and finishes', async () => {
    const { h, run, status } = await start();
    const text = 'SET_KINEMATIC_POSITION X=0 Y=0 Z=0\nG1 X10 Y10 F6000\nPAUSE\nG1 X40 Y40\n';
    writeFileSync(path.join(dir, 'gcodes', 'p.gcode'), text);
    await run('SDCARD_PRINT_FILE FILENAME=p.gcode');
    const sd = h.printer.lookupObject<{ idle(): Promise<void> }>('virtual_sdcard');
    await sd.idle();
    expect(status('print_stats').state).toBe('paused');
    expect(status('pause_resume').is_paused).toBe(true);
    expect(status('virtual_sdcard').file_position).toBe(text.indexOf('G1 X40'));
    expect(pos(h).slice(0, 2)).toEqual([5, 5]); // parked by the PAUSE macro
    await run('RESUME');
    await sd.idle();
    expect(status('print_stats').state).toBe('complete');
    expect(pos(h).slice(0, 2)).toEqual([40, 40]);
  });

  it('M486 / EXCLUDE_OBJECT skip the moves of an excluded object and keep E consistent', async () => {
    const { h, run, status } = await start();
    const text = [
      'SET_KINEMATIC_POSITION X=0 Y=0 Z=0',
      'EXCLUDE_OBJECT_DEFINE NAME=a CENTER=10,10',
      'EXCLUDE_OBJECT_DEFINE NAME=b CENTER=50,50',
      'EXCLUDE_OBJECT NAME=b',
      'EXCLUDE_OBJECT_START NAME=a',
      'G1 X10 Y10 E1 F6000',
      'EXCLUDE_OBJECT_END NAME=a',
      'EXCLUDE_OBJECT_START NAME=b',
      'G1 X50 Y50 E5',
      'EXCLUDE_OBJECT_END NAME=b',
      'G1 X40 Y12 E5.5',
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'gcodes', 'x.gcode'), text);
    await run('SDCARD_PRINT_FILE FILENAME=x.gcode');
    await h.printer.lookupObject<{ idle(): Promise<void> }>('virtual_sdcard').idle();
    expect(status('print_stats')).toMatchObject({ state: 'complete', message: '' });
    expect(status('exclude_object')).toMatchObject({ excluded_objects: ['B'], current_object: null });
    // The excluded object's move never happened and its 4 mm of filament were not pushed: E
    // continues from the file's E5, so the last move extrudes 0.5 mm (total 1.5 mm).
    expect(pos(h)).toEqual([40, 12, 0, 1.5]);
    await run('M486 T2\nM486 P1\nM486 S0');
    expect(status('exclude_object')).toMatchObject({ objects: [{ name: '0' }, { name: '1' }], excluded_objects: ['1'], current_object: '0' });
  });
});

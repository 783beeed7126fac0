// [sdcard_loop] on a batch host: a printed file's SDCARD_LOOP_BEGIN/END stretch runs COUNT
// times (nested loops too); the commands are refused outside / inside the file as Klipper does.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBatchHost, testDir, type BatchHost } from './batch-host';

let host: BatchHost | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

async function printFile(text: string): Promise<string[]> {
  const dir = testDir('sdloop');
  mkdirSync(path.join(dir, 'gcodes'));
  writeFileSync(path.join(dir, 'gcodes', 'loop.gcode'), text);
  host = await startBatchHost('[virtual_sdcard]\npath: gcodes\n\n[sdcard_loop]\n', dir);
  const out: string[] = [];
  host.h.gcode.onResponse((_k, t) => out.push(t));
  await host.run('SDCARD_PRINT_FILE FILENAME=loop.gcode');
  await host.h.printer.lookupObject<{ idle(): Promise<void> }>('virtual_sdcard').idle();
  expect(host.status('print_stats').state).toBe('complete');
  return out.filter((l) => l.startsWith('echo:')).map((l) => l.slice(5).trim());
}

describe('[sdcard_loop]', () => {
  it('repeats a stretch COUNT times, nested loops multiply', async () => {
    const lines = await printFile(
      'M118 start\nSDCARD_LOOP_BEGIN COUNT=3\nM118 outer\nSDCARD_LOOP_BEGIN COUNT=2\nM118 inner\nSDCARD_LOOP_END\nSDCARD_LOOP_END\nM118 end\n',
    );
    expect(lines).toEqual(['start', ...Array(3).fill(['outer', 'inner', 'inner']).flat(), 'end']);
  });

  it('SDCARD_LOOP_DESIST from the console ends an endless loop after the pass it interrupts', async () => {
    const dir = testDir('sdloop-desist');
    mkdirSync(path.join(dir, 'gcodes'));
    writeFileSync(path.join(dir, 'gcodes', 'forever.gcode'), 'SDCARD_LOOP_BEGIN COUNT=0\nM118 pass\nSDCARD_LOOP_END\nM118 end\n');
    host = await startBatchHost('[virtual_sdcard]\npath: gcodes\n\n[sdcard_loop]\n', dir);
    const h = host.h;
    const sd = h.printer.lookupObject<{ idle(): Promise<void>; cancel(): void }>('virtual_sdcard');
    const lines: string[] = [];
    h.gcode.onResponse((_k, t) => {
      if (!t.startsWith('echo:')) return;
      lines.push(t.slice(5).trim());
      const passes = lines.filter((l) => l === 'pass').length;
      // Queued behind the running chunk: it runs when the reader comes back for the next pass.
      if (passes === 3 && lines.length === 3) void h.gcode.run('SDCARD_LOOP_DESIST');
      if (passes > 50) sd.cancel(); // a loop that ignored DESIST: stop it so the test fails instead of hanging
    });
    await host.run('SDCARD_PRINT_FILE FILENAME=forever.gcode');
    await sd.idle();
    expect(lines).toEqual(['pass', 'pass', 'pass', 'pass', 'end']);
  });

  it('only inside a printed file (BEGIN/END) or outside it (DESIST)', async () => {
    await printFile('M118 x\n');
    await expect(host!.run('SDCARD_LOOP_BEGIN COUNT=2')).rejects.toThrow(/only permitted in a file printed/);
    await host!.run('SDCARD_LOOP_DESIST');
    await host!.stop();
    host = null;
    const lines = await printFile('SDCARD_LOOP_DESIST\nM118 after\n').catch((e: Error) => [e.message]);
    expect(lines).not.toContain('after');
    expect(host!.status('print_stats').state).toBe('error');
  });
});

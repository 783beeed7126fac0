// [save_variables] on a batch host: SAVE_VARIABLE writes the real file (test-output), a new host
// reads it back (macros see printer.save_variables.variables), bad values and files are refused
// with file:line.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBatchHost, testDir, type BatchHost } from './batch-host';

let host: BatchHost | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

const SECTION = `[save_variables]\nfilename: variables.cfg\n\n[gcode_macro SHOW]\ngcode:\n  RESPOND MSG="count={printer.save_variables.variables.count} name={printer.save_variables.variables.name}"\n`;

describe('[save_variables]', () => {
  it('round-trips values through the file across a restart', async () => {
    const dir = testDir('save-vars');
    host = await startBatchHost(SECTION, dir);
    const file = path.join(dir, 'variables.cfg');
    // The file is created empty at start-up (relative to printer.cfg).
    expect(readFileSync(file, 'utf8')).toBe('');
    await host.run(
      'SAVE_VARIABLE VARIABLE=count VALUE=3\nSAVE_VARIABLE VARIABLE=name VALUE="\'pla\'"\nSAVE_VARIABLE VARIABLE=offsets VALUE="[0.5, {\'z\': 1.0}]"',
    );
    expect(host.status('save_variables').variables).toEqual({ count: 3, name: 'pla', offsets: [0.5, { z: 1 }] });
    expect(readFileSync(file, 'utf8')).toBe("[Variables]\ncount = 3\nname = 'pla'\noffsets = [0.5, {'z': 1.0}]\n\n");
    await host.run('SAVE_VARIABLE VARIABLE=count VALUE=4');
    await host.stop();
    host = await startBatchHost(SECTION, dir);
    expect(host.status('save_variables').variables).toEqual({ count: 4, name: 'pla', offsets: [0.5, { z: 1 }] });
    expect(await host.run('SHOW')).toContain('count=4 name=pla');
  });

  it('refuses bad values and names, leaving the file as it was', async () => {
    const dir = testDir('save-vars-bad');
    host = await startBatchHost(SECTION, dir);
    await host.run('SAVE_VARIABLE VARIABLE=a VALUE=1');
    const before = readFileSync(path.join(dir, 'variables.cfg'), 'utf8');
    await expect(host.run('SAVE_VARIABLE VARIABLE=b VALUE=hello')).rejects.toThrow(/Unable to parse 'hello' as a literal/);
    await expect(host.run('SAVE_VARIABLE VARIABLE=Big VALUE=1')).rejects.toThrow(/VARIABLE must not contain upper case/);
    await expect(host.run('SAVE_VARIABLE VALUE=1')).rejects.toThrow(/VARIABLE/);
    expect(readFileSync(path.join(dir, 'variables.cfg'), 'utf8')).toBe(before);
  });

  it('a broken variables file stops the start with its file:line', async () => {
    const dir = testDir('save-vars-broken');
    writeFileSync(path.join(dir, 'variables.cfg'), '[Variables]\nok = 1\nbad = [1,\n');
    await expect(startBatchHost(SECTION, dir)).rejects.toThrow(/variables\.cfg:3.*printer\.cfg:\d+|printer\.cfg:\d+.*variables\.cfg:3/s);
  });
});

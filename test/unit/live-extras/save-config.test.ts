// SAVE_CONFIG's file rewrite: the '#*#' block merged with pending values, duplicates above it
// commented out, an [include]d duplicate refused; the result reads back with the new values.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/host/config/errors';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { writeSaveConfigBlock } from '../../../src-main/host/objects/save-config';
import { testOutputDir } from '../../support/paths';

const pending = (o: Record<string, Record<string, string>>) => new Map(Object.entries(o).map(([s, v]) => [s, new Map(Object.entries(v))]));

const BASE = `[extruder]
control: pid
pid_Kp: 22.2   # tuned by hand
pid_Ki: 1.08
pid_Kd:
  114

[heater_bed]
control: watermark
`;

describe('SAVE_CONFIG block', () => {
  it('appends a block to a file without one and comments out the values it replaces', () => {
    const out = writeSaveConfigBlock(BASE, '/cfg/printer.cfg', pending({ extruder: { pid_kp: '30.1', pid_kd: '150.0' } }));
    expect(out).toBe(`[extruder]
control: pid
#pid_Kp: 22.2   # tuned by hand
pid_Ki: 1.08
#pid_Kd:
#  114

[heater_bed]
control: watermark

#*# <---------------------- SAVE_CONFIG ---------------------->
#*# DO NOT EDIT THIS BLOCK OR BELOW. The contents are auto-generated.
#*#
#*# [extruder]
#*# pid_kp = 30.1
#*# pid_kd = 150.0
`);
    const cfg = parseConfigText(out, '/cfg/printer.cfg');
    const ex = cfg.sections.get('extruder')!.options;
    expect([ex.get('pid_kp')!.value, ex.get('pid_ki')!.value, ex.get('pid_kd')!.value]).toEqual(['30.1', '1.08', '150.0']);
  });

  it('keeps the old block values (multi-line too) and replaces only what is pending', () => {
    const first = writeSaveConfigBlock(BASE, '/cfg/printer.cfg', pending({ bed_mesh: { points: '\n0.1, 0.2\n0.3, 0.4' }, extruder: { pid_kp: '30.1' } }));
    const second = writeSaveConfigBlock(first, '/cfg/printer.cfg', pending({ extruder: { pid_kp: '31.5' }, heater_bed: { control: 'pid' } }));
    const block = second.slice(second.indexOf('#*# <'));
    // The reader joins a value's lines, so a value starting on the next line comes back starting on this one.
    expect(block).toContain('#*# [bed_mesh]\n#*# points = 0.1, 0.2\n#*# \t0.3, 0.4\n#*#\n#*# [extruder]\n#*# pid_kp = 31.5\n#*#\n#*# [heater_bed]\n#*# control = pid\n');
    expect(second.match(/SAVE_CONFIG -/g)).toHaveLength(1);
    const cfg = parseConfigText(second, '/cfg/printer.cfg');
    expect(cfg.sections.get('heater_bed')!.options.get('control')!.value).toBe('pid');
    expect(cfg.sections.get('bed_mesh')!.options.get('points')!.value).toBe('0.1, 0.2\n0.3, 0.4');
    expect(second).toMatch(/^#control: watermark$/m);
  });

  it('refuses a value also set in an [include]d file, naming it', () => {
    const dir = path.join(testOutputDir, 'live-extras', 'save-config');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'extruder.cfg'), '[extruder]\npid_Kp: 20\n');
    const main = path.join(dir, 'printer.cfg');
    let err: unknown;
    try {
      writeSaveConfigBlock('[include extruder.cfg]\n', main, pending({ extruder: { pid_kp: '30' } }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/section 'extruder' option 'pid_kp' is also set in .*extruder\.cfg:2/);
  });

  it('drops a removed section from the block, and refuses one the user wrote above it', () => {
    const saved = writeSaveConfigBlock(BASE, '/cfg/printer.cfg', pending({ 'bed_mesh a': { version: '1' }, 'bed_mesh b': { version: '1' } }));
    const after = writeSaveConfigBlock(saved, '/cfg/printer.cfg', pending({}), new Set(['bed_mesh a']));
    expect(after).not.toContain('[bed_mesh a]');
    expect(after).toContain('#*# [bed_mesh b]\n#*# version = 1');
    expect(() => writeSaveConfigBlock(`${BASE}\n[bed_mesh c]\nversion: 1\n`, '/cfg/printer.cfg', pending({}), new Set(['bed_mesh c']))).toThrow(
      /section \[bed_mesh c\] to remove is written in the file itself, not in the SAVE_CONFIG block; delete it there \(printer.cfg:11\)/,
    );
  });
});

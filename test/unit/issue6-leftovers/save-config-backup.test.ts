// SAVE_CONFIG keeps every previous printer.cfg under Klipper's dated name
// (printer-YYYYMMDD_HHMMSS.cfg, local time) instead of one printer.cfg.bak overwritten each time.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configBackupName, type SaveConfig } from '../../../src-main/host/objects/save-config';
import { testOutputDir } from '../../support/paths';
import { CARTESIAN, loadFile } from '../objects/load-helpers';

describe('SAVE_CONFIG backups', () => {
  it('names a backup like Klipper: the local date and time before .cfg', () => {
    const at = new Date(2024, 0, 31, 14, 25, 1); // local time
    expect(configBackupName('/home/pi/printer_data/config/printer.cfg', at)).toBe(
      '/home/pi/printer_data/config/printer-20240131_142501.cfg',
    );
    expect(configBackupName('/cfg/my.conf', at)).toBe('/cfg/my.conf-20240131_142501');
  });

  it('each SAVE_CONFIG leaves a dated copy of the file it replaced', async () => {
    const dir = path.join(testOutputDir, `save-config-backup-${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'printer.cfg');
    fs.writeFileSync(file, CARTESIAN);
    const backups = () =>
      fs
        .readdirSync(dir)
        .filter((f) => /^printer-\d{8}_\d{6}\.cfg$/.test(f))
        .sort();

    const save = async (kp: string) => {
      const p = loadFile(file);
      p.printer.lookupObject<SaveConfig>('configfile').set('extruder', 'pid_Kp', kp);
      const t0 = new Date();
      await p.gcode.run('SAVE_CONFIG');
      return { t0, t1: new Date() };
    };
    const first = await save('30.000');
    expect(backups()).toHaveLength(1);
    // Named after the time of the save (the clock may tick between t0 and t1).
    expect([configBackupName(file, first.t0), configBackupName(file, first.t1)]).toContain(path.join(dir, backups()[0]!));
    expect(fs.readFileSync(path.join(dir, backups()[0]!), 'utf8')).toBe(CARTESIAN);
    expect(fs.readFileSync(file, 'utf8')).toContain('#*# pid_kp = 30.000');
    expect(fs.existsSync(`${file}.bak`)).toBe(false);

    await new Promise((r) => setTimeout(r, 1100)); // a later second: a second backup name
    const afterFirst = fs.readFileSync(file, 'utf8');
    await save('31.000');
    expect(backups()).toHaveLength(2);
    expect(fs.readFileSync(path.join(dir, backups()[0]!), 'utf8')).toBe(CARTESIAN);
    expect(fs.readFileSync(path.join(dir, backups()[1]!), 'utf8')).toBe(afterFirst);
    expect(fs.readFileSync(file, 'utf8')).toContain('#*# pid_kp = 31.000');
  });
});

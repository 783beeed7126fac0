// The sim's "displays" section generated from printer.cfg [display] sections, and the sim
// loading every generated machine of Klipper's sample configs that has a display (a machine
// file the sim rejects exits with status 2 before printing its pty line).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineFromConfigFile } from '../../src-main/host/sim/machine';
import { referenceDir, repoRoot, testOutputDir } from '../support/paths';

const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const configs = path.join(referenceDir, 'klipper-configs');
const outDir = path.join(testOutputDir, 'firmware');
const config = (name: string) => path.join(configs, name);

/** Start the sim on a machine file; resolves with '' once it serves its pty, else its stderr. */
function simAccepts(machinePath: string): Promise<string> {
  return new Promise((resolve) => {
    const proc = spawn(simPath, ['--machine', machinePath]);
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^pty: /m.test(out)) proc.kill('SIGTERM');
    });
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('close', () => resolve(/^pty: /m.test(out) ? '' : `${machinePath}: ${err || 'no pty line'}`));
  });
}

describe('sim displays from printer.cfg', () => {
  it('each lcd_type with a model becomes a "displays" entry with its pins', () => {
    expect(machineFromConfigFile(config('printer-creality-ender3-2018.cfg')).displays).toEqual([
      { name: 'display', kind: 'st7920', cs_pin: 'PA3', sclk_pin: 'PA1', sid_pin: 'PC1' },
    ]);
    expect(machineFromConfigFile(config('printer-anet-a8-2017.cfg')).displays).toEqual([
      {
        name: 'display',
        kind: 'hd44780',
        columns: 20,
        rows: 4,
        rs_pin: 'PA3',
        e_pin: 'PA2',
        d4_pin: 'PD2',
        d5_pin: 'PD3',
        d6_pin: 'PC0',
        d7_pin: 'PC1',
      },
    ]);
    // No spi options: the MCU's first bus (the sim's "spi", as on the CR-20's atmega).
    expect(machineFromConfigFile(config('printer-creality-cr20-2018.cfg')).displays).toEqual([
      { name: 'display', kind: 'uc1701', cs_pin: 'PA3', a0_pin: 'PA5', spi_bus: 'spi' },
    ]);
    expect(machineFromConfigFile(config('printer-wanhao-duplicator-6-2016.cfg')).displays).toEqual([
      { name: 'display', kind: 'ssd1306', x_offset: 0, i2c_address: 60 },
    ]);
    // A display on another MCU belongs to that MCU's sim.
    const voron = config('kit-voron2-250mm.cfg');
    expect(machineFromConfigFile(voron).displays).toBeUndefined();
    expect(machineFromConfigFile(voron, {}, 'z').displays).toEqual([
      { name: 'display', kind: 'st7920', cs_pin: 'PH1', sclk_pin: 'PA1', sid_pin: 'PH0' },
    ]);
    // hd44780_spi has no model: left out (the display shows nothing, the printer still runs).
    expect(machineFromConfigFile(config('generic-mightyboard.cfg')).displays).toBeUndefined();
  });

  it('the sim loads the generated machine of every sample config with a [display]', async () => {
    mkdirSync(outDir, { recursive: true });
    const withDisplay = readdirSync(configs).filter((f) => f.endsWith('.cfg') && /^\[display\]/m.test(readFileSync(config(f), 'utf8')));
    expect(withDisplay.length).toBeGreaterThanOrEqual(50);
    const failures: string[] = [];
    const kinds = new Map<string, number>();
    const machineFiles: string[] = [];
    for (const f of withDisplay) {
      let machine;
      try {
        machine = machineFromConfigFile(config(f));
      } catch {
        continue; // a config the host cannot read is the corpus test's business, not this one's
      }
      for (const d of machine.displays ?? []) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
      if (!machine.displays) continue;
      const p = path.join(outDir, `display-corpus-${f.replace(/\.cfg$/, '')}.json`);
      writeFileSync(p, JSON.stringify(machine));
      machineFiles.push(p);
    }
    // Four sims at a time: each only loads its file and serves its pty.
    for (let i = 0; i < machineFiles.length; i += 4)
      for (const why of await Promise.all(machineFiles.slice(i, i + 4).map(simAccepts))) if (why) failures.push(why);
    console.log('display models generated from the sample configs:', Object.fromEntries(kinds));
    expect(failures).toEqual([]);
    // Of the 32 st7920 and 11 hd44780 configs, those naming [board_pins] aliases (EXP1_4: 3 and
    // 1) are left out, and the Voron 2's display is on its second MCU (checked below).
    expect(Object.fromEntries(kinds)).toEqual({ st7920: 28, hd44780: 10, uc1701: 7, ssd1306: 1 });
  });
});

// Every Klipper sample config must either load or fail only because it uses sections (or
// kinematics) we do not support yet, said in those words. Prints the tally of unsupported ones.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/host/config/errors';
import { referenceDir } from '../../support/paths';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { loadFile } from './load-helpers';

const corpusDir = path.join(referenceDir, 'klipper-configs');
const files = fs
  .readdirSync(corpusDir)
  .filter((f) => f.endsWith('.cfg'))
  .sort();

describe('Klipper sample config corpus', () => {
  it('loads every config or names what is not supported yet', () => {
    expect(files.length).toBeGreaterThan(100);
    const loaded: string[] = [];
    const tally = new Map<string, number>();
    const bad: string[] = [];
    const stubs: string[] = [];
    const snippets: string[] = [];
    for (const f of files) {
      // A few files are only comments (pointers to the docs): they must say what is missing.
      if (!/^\[/m.test(fs.readFileSync(path.join(corpusDir, f), 'utf8'))) {
        expect(() => loadFile(path.join(corpusDir, f)), f).toThrow(/Section \[mcu\] is missing/);
        stubs.push(f);
        continue;
      }
      try {
        loadFile(path.join(corpusDir, f));
        loaded.push(f);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        // sample-*.cfg snippets made only of supported sections ([board_pins] aliases) are meant to be included.
        if (e instanceof ConfigError && f.startsWith('sample-') && /^Section \[(mcu|printer)\] is missing/.test(msg)) {
          snippets.push(f);
          continue;
        }
        if (!(e instanceof ConfigError) || !msg.includes('not supported yet')) {
          bad.push(`${f}: ${msg}`);
          continue;
        }
        const names = [...msg.matchAll(/\[([^\]]+)\] \(/g)].map((m) => m[1].split(' ')[0].replace(/\d+$/, 'N'));
        const kin = /kinematics '([^']+)' is not supported yet/.exec(msg);
        if (kin) names.push(`kinematics ${kin[1]}`);
        if (!names.length) names.push(msg.split(' (')[0]);
        for (const n of new Set(names)) tally.set(n, (tally.get(n) ?? 0) + 1);
      }
    }
    const top = [...tally].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n}: ${c}`);
    console.log(
      `corpus: ${files.length} configs, ${loaded.length} load, ${files.length - loaded.length - bad.length - stubs.length - snippets.length} name unsupported sections, ${snippets.length} are supported-only snippets (${snippets.join(', ')}), ${stubs.length} have no sections (${stubs.join(', ')})\nunsupported (configs using it): ${top.join(', ')}\nloading: ${loaded.join(', ')}`,
    );
    expect(bad).toEqual([]);
  });

  it('reads every option of the sections we support in every config', () => {
    // With unsupported sections set aside, what remains must load: this checks our [printer],
    // [stepper_*], [extruder], [heater_bed], [mcu] ... against real-world configs.
    const bad: string[] = [];
    const snippets: string[] = [];
    const kinematics = new Map<string, number>();
    // Configs that load with each of these sections read for real (issue 6's live extras).
    const withSection = new Map<string, number>(['board_pins', 'controller_fan', 'idle_timeout'].map((n) => [n, 0]));
    let loaded = 0;
    for (const f of files) {
      if (!/^\[/m.test(fs.readFileSync(path.join(corpusDir, f), 'utf8'))) continue;
      try {
        const p = loadFile(path.join(corpusDir, f), 'skip');
        const kin = p.printer.lookupObject<PrinterToolhead>('printer_toolhead').kinematicsName;
        kinematics.set(kin, (kinematics.get(kin) ?? 0) + 1);
        for (const n of withSection.keys()) {
          if (new RegExp(`^\\[${n}[\\] ]`, 'm').test(fs.readFileSync(path.join(corpusDir, f), 'utf8'))) {
            withSection.set(n, withSection.get(n)! + 1);
          }
        }
        loaded++;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        // sample-*.cfg snippets (an add-on board, macros) are meant to be included, not run alone.
        if (e instanceof ConfigError && /^Section \[(mcu|printer)\] is missing/.test(msg)) snippets.push(f);
        else if (!(e instanceof ConfigError) || !msg.includes('not supported yet')) bad.push(`${f}: ${msg}`);
      }
    }
    console.log(
      `corpus with unsupported sections set aside: ${loaded} load, ${snippets.length} are snippets without [mcu]/[printer]; loading with ${[...withSection].map(([n, c]) => `[${n}]: ${c}`).join(', ')}`,
    );
    for (const [n, c] of withSection) expect(c, `configs loading with [${n}]`).toBeGreaterThan(0);
    expect(snippets.every((f) => f.startsWith('sample-'))).toBe(true);
    expect(bad).toEqual([]);
    expect(loaded).toBeGreaterThan(150);
    // Real configs of every kinematics we support load (cartesian 173, corexy 14, delta 11, corexz 1).
    for (const k of ['cartesian', 'corexy', 'corexz', 'delta']) expect(kinematics.get(k) ?? 0, k).toBeGreaterThan(0);
  });
});

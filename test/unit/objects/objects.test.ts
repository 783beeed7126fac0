import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Host } from '../../../src-main/host/host';
import { configCatalog } from '../../../src-main/host/objects/catalog';
import type { PrinterToolhead } from '../../../src-main/host/objects/toolhead';
import { repoRoot, testOutputDir } from '../../support/paths';
import fs from 'node:fs';
import { CARTESIAN, loadText, loadError } from './load-helpers';

/** CARTESIAN with `option` of `section` replaced (or removed with null). */
function edit(section: string, option: string, value: string | null): string {
  const lines = CARTESIAN.split('\n');
  const start = lines.indexOf(`[${section}]`);
  const i = lines.findIndex((l, n) => n > start && l.startsWith(`${option}:`));
  if (i < 0) lines.splice(start + 1, 0, `${option}: ${value}`);
  else if (value === null) lines.splice(i, 1);
  else lines[i] = `${option}: ${value}`;
  return lines.join('\n');
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.startsWith(needle)) + 1;

describe('printer objects from printer.cfg', () => {
  it('loads the cartesian printer with its steppers', () => {
    const p = loadText(CARTESIAN);
    const th = p.printer.lookupObject<PrinterToolhead>('printer_toolhead');
    expect(th.steppers.map((s) => [s.name, s.stepPin.pin, s.stepDistMm])).toEqual([
      ['stepper_x', 'PF0', 40 / 3200],
      ['stepper_y', 'PF6', 40 / 3200],
      ['stepper_z', 'PL3', 8 / 3200],
    ]);
    expect(th.rails.get('stepper_z')).toMatchObject({
      positionMinMm: 0,
      positionMaxMm: 200,
      position_endstop: 0.5,
      homing_speed: 5,
      homing_retract_dist: 5,
      homing_positive_dir: false,
      endstop_pin: { pin: 'PD3', pullup: 1, invert: false },
    });
  });

  it('names unknown sections and lists unsupported ones with file:line', () => {
    const unknown = CARTESIAN + '\n[stepper_q_typo]\nstep_pin: PA0\n[bogus_section]\nx: 1\n';
    expect(loadError(unknown)).toBe(
      `Section 'bogus_section' is not a valid config section (printer.cfg:${lineOf(unknown, '[bogus_section]')})`,
    );
    const text = CARTESIAN + '\n[palette2]\nserial: /dev/ttyUSB1\n[angle my_angle]\nsensor_type: a1333\n';
    expect(loadError(text)).toBe(
      `sections [palette2] (printer.cfg:${lineOf(text, '[palette2]')}), [angle my_angle] (printer.cfg:${lineOf(text, '[angle')}) are not supported yet: remove or comment them out to use Tether now`,
    );
  });

  it('rejects options nobody reads, naming each with file:line', () => {
    const text = edit('stepper_x', 'rotation_distanse', '40');
    expect(loadError(text)).toBe(
      `Option 'rotation_distanse' is not valid in section 'stepper_x' (printer.cfg:${lineOf(text, 'rotation_distanse')})`,
    );
    // A delta tower option on a cartesian printer is just as wrong.
    expect(loadError(edit('stepper_y', 'arm_length', '200'))).toMatch(/^Option 'arm_length' is not valid in section 'stepper_y'/);
    // Stepper sections the kinematics does not use are mistakes, not silently ignored.
    expect(loadError(CARTESIAN + '\n[stepper_a]\nstep_pin: PC0\n')).toMatch(
      /^Section 'stepper_a' is not a valid config section for this printer/,
    );
  });

  it('checks stepper, printer and extruder values like Klipper', () => {
    expect(loadError(edit('stepper_x', 'rotation_distance', '0'))).toMatch(
      /^Option 'rotation_distance' in section 'stepper_x' must be above 0 \(printer.cfg:\d+\)$/,
    );
    expect(loadError(edit('stepper_x', 'microsteps', null))).toMatch(/^Option 'microsteps' in section 'stepper_x' must be specified/);
    expect(loadError(edit('stepper_x', 'position_endstop', '300'))).toMatch(
      /position_endstop in section 'stepper_x' must be between position_min and position_max/,
    );
    expect(loadError(edit('stepper_x', 'gear_ratio', '80-20'))).toMatch(/Invalid gear_ratio '80-20'/);
    expect(loadError(edit('stepper_x', 'full_steps_per_rotation', '201'))).toMatch(
      /full_steps_per_rotation invalid in section 'stepper_x'/,
    );
    expect(loadError(edit('stepper_y', 'step_pin', 'PF0'))).toMatch(
      /^pin PF0 used multiple times in config: by \[stepper_x\] step_pin \(printer.cfg:\d+\) and by \[stepper_y\] step_pin/,
    );
    expect(loadError(edit('stepper_x', 'step_pin', '^PF0'))).toMatch(
      /Pull-up\/down '\^' is not allowed in pin '\^PF0' for option 'step_pin'/,
    );
    expect(loadError(edit('printer', 'kinematics', 'rotary_delta'))).toMatch(/^kinematics 'rotary_delta' is not supported yet/);
    expect(loadError(edit('printer', 'kinematics', 'cartesain'))).toMatch(/^Unknown kinematics 'cartesain'/);
    expect(loadError(edit('printer', 'minimum_cruise_ratio', '1'))).toMatch(/minimum_cruise_ratio' in section 'printer' must be below 1/);
    expect(loadError(edit('extruder', 'filament_diameter', '0.3'))).toMatch(
      /filament_diameter' in section 'extruder' must have minimum of 0.4/,
    );
    expect(loadError(edit('extruder', 'pressure_advance', '-0.05'))).toMatch(
      /pressure_advance' in section 'extruder' must have minimum of 0/,
    );
    expect(loadError(edit('extruder', 'control', 'bang'))).toMatch(/Choice 'bang' for option 'control' in section 'extruder'/);
    expect(loadError(edit('extruder', 'pid_Kd', null))).toMatch(/Option 'pid_kd' in section 'extruder' must be specified/);
    expect(loadError(CARTESIAN.replace('[mcu]\nserial: /dev/null', ''))).toMatch(/Section \[mcu\] is missing/);
  });

  it('shares enable pins between steppers but no other pins', () => {
    expect(() => loadText(edit('stepper_y', 'enable_pin', '!PD7'))).not.toThrow();
  });

  it('offers one catalog entry per option that the getters read', () => {
    const cat = configCatalog();
    const printer = cat.find((s) => s.name === 'printer');
    expect(printer?.options.find((o) => o.name === 'max_velocity')).toMatchObject({ type: 'float', required: true, limits: { above: 0 } });
    expect(printer?.options.find((o) => o.name === 'square_corner_velocity')).toMatchObject({ default: 5, required: false });
    const stepper = cat.find((s) => s.name === 'stepper_');
    expect(stepper?.options.map((o) => o.name)).toEqual(
      expect.arrayContaining(['step_pin', 'rotation_distance', 'position_max', 'homing_speed', 'arm_length']),
    );
    for (const s of cat) for (const o of s.options) expect(o.doc, `${s.name}.${o.name}`).not.toBe('');
    expect(cat.find((s) => s.name === 'extruder')?.options.find((o) => o.name === 'control')?.choices).toEqual(['watermark', 'pid']);
  });
});

describe('option catalog module', () => {
  it('imports nothing but option tables, so the editor (renderer) can load it', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import (?!type)[^;]*? from '([^']+)';/gms)) {
        expect(m[1].startsWith('.'), `${path.basename(file)} imports ${m[1]}`).toBe(true);
        visit(path.resolve(path.dirname(file), `${m[1]}.ts`));
      }
    };
    visit(path.join(repoRoot, 'src-main/host/objects/catalog.ts'));
    // Option tables (*-options.ts) and a few pure data tables they use; anything else (a module
    // with behaviour, Node or serial imports) would pull the host into the renderer's bundle.
    const DATA_TABLES = ['config/options.ts', 'objects/catalog.ts', 'objects/adc-table.ts', 'objects/tmc-registers.ts'];
    const files = [...seen].map((f) => path.relative(path.join(repoRoot, 'src-main/host'), f)).sort();
    expect(files.filter((f) => !f.endsWith('-options.ts') && !DATA_TABLES.includes(f))).toEqual([]);
    // The catalog really covers the option tables (a sample of modules from several sessions).
    for (const f of ['objects/stepper-options.ts', 'objects/tmc-options.ts', 'objects/display-options.ts', 'objects/adxl345-options.ts'])
      expect(files).toContain(f);
  });
});

describe('Host.start with printer.cfg', () => {
  it('enters the error state with file:line on a bad config', async () => {
    const dir = path.join(testOutputDir, 'objects');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'bad.cfg');
    const text = edit('printer', 'max_accel', '-5');
    fs.writeFileSync(file, text);
    const host = await Host.start({ configPath: file });
    expect(host.info().state).toBe('error');
    expect(host.info().stateMessage).toBe(
      `Config error: Option 'max_accel' in section 'printer' must be above 0 (bad.cfg:${lineOf(text, 'max_accel')})`,
    );
    // Nothing half-built may run: commands get the reason, HELP still answers.
    await expect(host.gcode.run('G1 X10')).rejects.toThrow("Printer is not ready: Config error: Option 'max_accel'");
    await expect(host.gcode.run('HELP')).resolves.toBeUndefined();
    await host.stop();
  });
});

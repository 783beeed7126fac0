import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/host/config/errors';
import { defineOptions } from '../../../src-main/host/config/options';
import { parseConfigText, readConfigFile, SAVE_CONFIG_MARKER } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { testOutputDir } from '../../support/paths';

const dir = path.join(testOutputDir, 'config-reader');

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

function parse(text: string): PrinterConfig {
  return new PrinterConfig(parseConfigText(text, path.join(dir, 'printer.cfg')));
}

/** The ConfigError a function throws (fails the test if it does not throw one). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

beforeAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
});

describe('config reader', () => {
  it('reads both separators, comments and continuation lines with their file:line', () => {
    const cfg = parse(
      [
        '# a comment',
        '[stepper_x]',
        'step_pin: PF0   # inline comment',
        'dir_pin = !PF1 ; other comment',
        'odd: a#b',
        '[gcode_macro START]',
        'gcode:',
        '  G28',
        '',
        '  G1 X10',
        '[Stepper_X]',
      ].join('\n'),
    );
    const s = cfg.get('stepper_x');
    expect(s.getString('step_pin')).toBe('PF0');
    expect(s.getString('dir_pin')).toBe('!PF1');
    // '#' without whitespace before it is part of the value (Klipper's rule).
    expect(s.getString('odd')).toBe('a#b');
    expect(s.placeOf('dir_pin')).toEqual({ file: path.join(dir, 'printer.cfg'), line: 4 });
    expect(cfg.get('gcode_macro START').getString('gcode')).toBe('G28\nG1 X10');
    // Section names keep their case; option names do not.
    expect(cfg.has('Stepper_X')).toBe(true);
  });

  it('merges repeated sections, later values winning', () => {
    const cfg = parse('[printer]\nmax_velocity: 100\nmax_accel: 1\n[printer]\nmax_velocity: 200\n');
    const s = cfg.get('printer');
    expect(s.getFloat('max_velocity')).toBe(200);
    expect(s.placeOf('max_velocity').line).toBe(5);
    expect(s.getFloat('max_accel')).toBe(1);
  });

  it('rejects lines it cannot read, naming file:line', () => {
    expect(configError(() => parse('max_velocity: 5\n')).message).toBe("Option 'max_velocity' is outside of any [section] (printer.cfg:1)");
    expect(configError(() => parse('[printer\n')).message).toBe("Unable to parse section header '[printer' (printer.cfg:1)");
    expect(configError(() => parse('[printer]\nthis is not an option\n')).message).toContain('(printer.cfg:2)');
    expect(configError(() => parse('[printer]\n  indented\n')).message).toBe(
      "Indented line 'indented' does not continue an option (printer.cfg:2)",
    );
    expect(configError(() => parse('[]\n')).message).toBe('Empty section name [] (printer.cfg:1)');
    expect(configError(() => parse('[printer]\n: 5\n')).message).toBe("Missing option name in ': 5' (printer.cfg:2)");
  });

  it('includes files relative to the including file, with globs', () => {
    write('inc/a.cfg', '[stepper_x]\nstep_pin: PA1\n');
    write('inc/b.cfg', '[stepper_y]\nstep_pin: PB1\n[include ../more/c.cfg]\n');
    write('more/c.cfg', '[stepper_z]\nstep_pin: PC1\n');
    write('inc/ignored.txt', '[bogus]\n');
    const main = write('main.cfg', '[include inc/*.cfg]\n[printer]\nkinematics: none\n');
    const cfg = new PrinterConfig(readConfigFile(main));
    expect(cfg.get('stepper_x').getString('step_pin')).toBe('PA1');
    expect(cfg.get('stepper_z').placeOf('step_pin')).toEqual({ file: path.join(dir, 'more/c.cfg'), line: 2 });
    expect(cfg.has('bogus')).toBe(false);
    expect(cfg.raw.files.map((f) => path.relative(dir, f))).toEqual(['main.cfg', 'inc/a.cfg', 'inc/b.cfg', 'more/c.cfg']);
  });

  it('reports missing and recursive includes where they are written', () => {
    const missing = write('missing.cfg', '[printer]\n[include nothere.cfg]\n');
    expect(configError(() => readConfigFile(missing)).message).toBe(
      `Include file '${path.join(dir, 'nothere.cfg')}' does not exist (missing.cfg:2)`,
    );
    write('loop-a.cfg', '[include loop-b.cfg]\n');
    write('loop-b.cfg', '\n[include loop-a.cfg]\n');
    const e = configError(() => readConfigFile(path.join(dir, 'loop-a.cfg')));
    expect(e.message).toBe(`Recursive include of config file '${path.join(dir, 'loop-a.cfg')}' (loop-b.cfg:2)`);
    // An empty glob is fine (a config directory may be empty).
    const glob = write('glob.cfg', '[include nodir/*.cfg]\n[printer]\n');
    expect(new PrinterConfig(readConfigFile(glob)).has('printer')).toBe(true);
    expect(configError(() => readConfigFile(path.join(dir, 'absent.cfg'))).message).toContain('does not exist');
  });

  it('keeps the SAVE_CONFIG block intact and lets its values win', () => {
    const block = [
      SAVE_CONFIG_MARKER,
      '#*# DO NOT EDIT THIS BLOCK OR BELOW. The contents are auto-generated.',
      '#*#',
      '#*# [extruder]',
      '#*# control = pid',
      '#*# pid_kp = 21.5',
      '#*#',
      '#*# [bed_mesh default]',
      '#*# points =',
      '#*# \t0.1, 0.2',
      '#*# \t0.3, 0.4',
    ].join('\n');
    const text = `[extruder]\ncontrol: watermark\nmax_temp: 250\n\n${block}\n`;
    const raw = parseConfigText(text, path.join(dir, 'printer.cfg'));
    expect(raw.saveConfigText).toBe(`${block}\n`);
    const cfg = new PrinterConfig(raw);
    const ex = cfg.get('extruder');
    expect(ex.getString('control')).toBe('pid');
    expect(ex.placeOf('control').line).toBe(9);
    expect(ex.getFloat('max_temp')).toBe(250);
    expect(cfg.get('bed_mesh default').getString('points')).toBe('0.1, 0.2\n0.3, 0.4');
    const bad = configError(() =>
      parseConfigText(`[printer]\n${SAVE_CONFIG_MARKER}\n#*# [printer]\nmax_velocity: 5\n`, path.join(dir, 'printer.cfg')),
    );
    expect(bad.message).toContain('(printer.cfg:4)');
    expect(bad.message).toContain("does not start with '#*#'");
  });
});

describe('typed getters', () => {
  const cfg = () =>
    parse(
      [
        '[printer]',
        'max_velocity: 300',
        'max_accel: abc',
        'ratio: 1.5',
        'count: 2.5',
        'mode: fast',
        'flag: maybe',
        'ok: True',
        'pin: ^!PA1',
        'list: 1, 2, 3',
        'empty:',
      ].join('\n'),
    );
  const table = defineOptions({
    max_velocity: { type: 'float', above: 0, doc: 'v' },
    missing_default: { type: 'float', default: 7, doc: 'd' },
    missing_optional: { type: 'int', optional: true, doc: 'o' },
    ok: { type: 'boolean', doc: 'b' },
    pin: { type: 'pin', canInvert: true, canPullup: true, doc: 'p' },
    list: { type: 'floatList', count: 3, doc: 'l' },
  });

  it('reads a table into typed values with defaults', () => {
    const v = cfg().get('printer').read(table);
    expect(v).toEqual({
      max_velocity: 300,
      missing_default: 7,
      missing_optional: undefined,
      ok: true,
      pin: { chip: 'mcu', pin: 'PA1', invert: true, pullup: 1, text: '^!PA1' },
      list: [1, 2, 3],
    });
  });

  it('names section, option and file:line in every error', () => {
    const s = cfg().get('printer');
    const e = (fn: () => unknown) => configError(fn).message;
    expect(e(() => s.getFloat('max_accel'))).toBe(
      "Unable to parse option 'max_accel' in section 'printer': 'abc' is not a number (printer.cfg:3)",
    );
    expect(e(() => s.getFloat('nothing'))).toBe("Option 'nothing' in section 'printer' must be specified (printer.cfg:1)");
    expect(e(() => s.getFloat('ratio', undefined, { minval: 2 }))).toBe(
      "Option 'ratio' in section 'printer' must have minimum of 2 (printer.cfg:4)",
    );
    expect(e(() => s.getFloat('ratio', undefined, { maxval: 1 }))).toBe(
      "Option 'ratio' in section 'printer' must have maximum of 1 (printer.cfg:4)",
    );
    expect(e(() => s.getFloat('ratio', undefined, { above: 1.5 }))).toBe(
      "Option 'ratio' in section 'printer' must be above 1.5 (printer.cfg:4)",
    );
    expect(e(() => s.getFloat('ratio', undefined, { below: 1.5 }))).toBe(
      "Option 'ratio' in section 'printer' must be below 1.5 (printer.cfg:4)",
    );
    expect(e(() => s.getInt('count'))).toBe("Unable to parse option 'count' in section 'printer': '2.5' is not an integer (printer.cfg:5)");
    expect(e(() => s.readSpec('mode', { type: 'choice', choices: ['slow', 'normal'], doc: '' }))).toBe(
      "Choice 'fast' for option 'mode' in section 'printer' is not a valid choice (use one of: slow, normal) (printer.cfg:6)",
    );
    expect(e(() => s.getBoolean('flag'))).toBe(
      "Unable to parse option 'flag' in section 'printer': 'maybe' is not True or False (printer.cfg:7)",
    );
    expect(e(() => s.readSpec('pin', { type: 'pin', canInvert: true, doc: '' }))).toBe(
      "Pull-up/down '^' is not allowed in pin '^!PA1' for option 'pin' in section 'printer' (printer.cfg:9)",
    );
    expect(e(() => s.readSpec('list', { type: 'floatList', count: 2, doc: '' }))).toBe(
      "Option 'list' in section 'printer' must have 2 elements (printer.cfg:10)",
    );
    expect(e(() => s.getFloat('empty'))).toContain("Unable to parse option 'empty'");
    const p2 = parse('[x]\na: !PA1\nb: P A\n').get('x');
    expect(e(() => p2.readSpec('a', { type: 'pin', doc: '' }))).toContain("Inversion '!' is not allowed in pin '!PA1'");
    expect(e(() => p2.readSpec('b', { type: 'pin', doc: '' }))).toContain("Invalid pin description 'P A'");
  });

  it('lists every option nobody read with its file:line', () => {
    const c = parse('[printer]\nmax_velocity: 1\ntypo_option: 2\n[mcu]\nserial: /dev/x\nbuad: 5\n');
    c.get('printer').getFloat('max_velocity');
    c.get('mcu').getString('serial');
    const e = configError(() => c.checkUnread());
    expect(e.message).toBe(
      "Option 'typo_option' is not valid in section 'printer' (printer.cfg:3)\nOption 'buad' is not valid in section 'mcu' (printer.cfg:6)",
    );
    expect(e.places.map((p) => p.line)).toEqual([3, 6]);
  });
});

// The config editor's sources without a browser: host validation of unsaved text (the API's
// config.validate), its diagnostics placed on their lines, catalog completion, the save diff,
// and the rotation_distance / Arduino pin tools.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CompletionContext } from '@codemirror/autocomplete';
import { EditorState, Text } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../src-main/api/config-validate';
import { configCatalog } from '../../../src-main/host/objects/catalog';
import { ARDUINO_BOARDS, lookupArduinoPin, rotationDistance } from '../../../src-renderer/features/config/arduino-pins';
import { sectionOutline } from '../../../src-renderer/features/config/cfg-language';
import { configCompletionSource, diffHunks, hoverDocAt, lineDiff, toEditorDiagnostics } from '../../../src-renderer/features/config/editor-sources';
import { repoRoot } from '../../support/paths';

const simPath = path.join(repoRoot, 'resources/printers/tether-sim.cfg');
const sim = readFileSync(simPath, 'utf8');
const catalog = configCatalog();

describe('config validation (host reader + catalog)', () => {
  it('finds nothing wrong in our sim config', () => {
    expect(validateConfigText(sim, simPath)).toEqual([]);
  });
  it('reports unknown options, bad ranges and duplicate pins on their lines with the host message', () => {
    const text = sim.replace('max_accel: 3000', 'max_accel: -3\nmax_speeed: 1').replace('dir_pin: PF7', 'dir_pin: PF0').replace('dir_pin: !PF7', 'dir_pin: !PF0');
    const lines = text.split('\n');
    const found = validateConfigText(text, simPath);
    const at = (needle: string) => lines.findIndex((l) => l.startsWith(needle)) + 1;
    expect(found).toContainEqual({ line: at('max_speeed'), severity: 'error', message: "Option 'max_speeed' is not valid in section 'printer'" });
    expect(found.find((d) => d.line === at('max_accel'))?.message).toMatch(/max_accel.*printer.*above 0/);
    expect(found.some((d) => /pin PF0 used multiple times/.test(d.message))).toBe(true);
  });
  it('places editor diagnostics on the line the host named', () => {
    const doc = Text.of(['[printer]', 'bogus: 1']);
    const [d] = toEditorDiagnostics(doc, [{ line: 2, severity: 'error', message: 'x' }]);
    expect(doc.sliceString(d.from, d.to)).toBe('bogus: 1');
  });
});

describe('completion and hover from the catalog', () => {
  const complete = (doc: string) => {
    const state = EditorState.create({ doc });
    return configCompletionSource(catalog)(new CompletionContext(state, doc.length, true));
  };
  it('completes section names, option names with type/default/doc, and pins', () => {
    expect(complete('[stepp')?.options.map((o) => o.label)).toContain('stepper_');
    const opt = complete('[printer]\nkinematics: cartesian\nsquare')?.options.find((o) => o.label === 'square_corner_velocity');
    expect(opt?.detail).toContain('default 5');
    expect(opt?.info).toMatch(/corner/);
    expect(complete('[printer]\nkinematics: cartesian\n')?.options.map((o) => o.label)).not.toContain('kinematics');
    expect(complete('[stepper_x]\nstep_pin: PF')?.options.map((o) => o.label)).toContain('PF0');
    // Extra motors on a rail get their own option list: motor options, no range or homing.
    const extra = complete('[stepper_x1]\n')?.options.map((o) => o.label);
    expect(extra).toContain('rotation_distance');
    expect(extra).not.toContain('position_max');
  });
  it('gives hover docs for an option key', () => {
    const state = EditorState.create({ doc: '[printer]\nmax_velocity: 300' });
    expect(hoverDocAt(state, 12, catalog)?.title).toBe('max_velocity');
  });
  it('outlines sections with their lines', () => {
    expect(sectionOutline('# c\n[mcu]\nserial: x\n\n[printer]\n').map((s) => [s.name, s.line])).toEqual([['mcu', 2], ['printer', 5]]);
  });
});

describe('save diff and tools', () => {
  it('shows changed lines with context', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const after = before.replace('l10', 'L10');
    const hunks = diffHunks(lineDiff(before, after));
    expect(hunks.filter((h) => h && h.kind !== 'same').map((h) => [h!.kind, h!.text])).toEqual([['del', 'l10'], ['add', 'L10']]);
    expect(hunks.length).toBeLessThan(10);
  });
  it('computes rotation_distance three ways and maps Arduino pins', () => {
    expect(rotationDistance.fromStepsPerMm(80, 200, 16)).toBe(40);
    expect(rotationDistance.fromBelt(2, 20)).toBe(40);
    expect(rotationDistance.fromLeadScrew(2, 4)).toBe(8);
    const mega = ARDUINO_BOARDS[0];
    expect(lookupArduinoPin(mega, 'A0')).toMatchObject({ mcuPin: 'PF0', caps: ['ADC'] });
    expect(lookupArduinoPin(mega, 'ar38')?.mcuPin).toBe('PD7');
    expect(lookupArduinoPin(mega, 'D10')?.caps).toContain('PWM');
  });
});

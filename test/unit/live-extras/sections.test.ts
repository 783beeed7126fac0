// [board_pins], [controller_fan], [idle_timeout] and batch-mode heater commands, loaded the way
// the host loads them (MCU in file-output mode with Klipper's atmega2560 dictionary).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchError, runBatch } from '../../../src-main/host/batch';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import type { IdleTimeout } from '../../../src-main/host/objects/idle-timeout';
import { referenceDir, testOutputDir } from '../../support/paths';
import { CARTESIAN, connectMcu, loadText, loadError } from '../objects/load-helpers';

const ALIASES = `
[board_pins arduino]
aliases:
    ar54=PF0, ar55=PF1,
    EXP1_9=<GND>
aliases_more: ar60=PF6
`;

describe('[board_pins]', () => {
  it('resolves aliases in pin options, so the MCU gets its own pin names', async () => {
    const text = `${ALIASES}\n${CARTESIAN.replace('step_pin: PF0', 'step_pin: ar54').replace('dir_pin: PF1', 'dir_pin: ar55').replace('step_pin: PF6', 'step_pin: ar60')}`;
    const p = await connectMcu(loadText(text));
    const lines = p.printer.lookupObject<Mcu>('mcu').configLines();
    expect(lines.find((l) => l.startsWith('config_stepper oid=') && l.includes('step_pin=PF0'))).toContain('dir_pin=PF1');
    expect(lines.some((l) => l.includes('step_pin=PF6'))).toBe(true);
    expect(lines.some((l) => /ar5\d|ar60/.test(l))).toBe(false);
  });

  it('counts an alias and its pin as the same pin', () => {
    const text = `${ALIASES}\n${CARTESIAN.replace('step_pin: PF6', 'step_pin: ar54')}`;
    expect(loadError(text)).toMatch(/pin PF0 used multiple times in config: by \[stepper_x\] step_pin/);
  });

  it('refuses a reserved name (<GND>) with the option line', () => {
    const text = `${ALIASES}\n${CARTESIAN.replace('step_pin: PF0', 'step_pin: EXP1_9')}`;
    expect(loadError(text)).toMatch(/pin EXP1_9 is reserved for <GND> .*printer\.cfg:\d+/);
  });

  it('names a malformed alias', () => {
    expect(loadError(`[board_pins]\naliases: ar54\n${CARTESIAN}`)).toMatch(/Unable to parse alias 'ar54' in section 'board_pins'/);
  });
});

describe('[controller_fan]', () => {
  it('loads with Klipper defaults and checks stepper and heater names', () => {
    expect(() => loadText(`${CARTESIAN}\n[controller_fan driver]\npin: PH6\n`)).not.toThrow();
    // Batch mode reads the options only; live printers check the names (see extras.test.ts).
    expect(loadError(`${CARTESIAN}\n[controller_fan driver]\npin: PH6\nidle_speed: 2\n`)).toMatch(/idle_speed.*maximum of 1/);
    expect(loadError(`${CARTESIAN}\n[controller_fan driver]\npin: PH6\nfan_speeed: 1\n`)).toMatch(
      /Option 'fan_speeed' is not valid in section 'controller_fan driver'/,
    );
  });
});

describe('[idle_timeout]', () => {
  it('exists on every printer with a 600 s default; SET_IDLE_TIMEOUT answers as Klipper does', async () => {
    const p = loadText(CARTESIAN);
    const idle = p.printer.lookupObject<IdleTimeout>('idle_timeout');
    expect(idle.timeoutS).toBe(600);
    expect(idle.getStatus()).toEqual({ state: 'Idle', printing_time: 0 });
    const out: string[] = [];
    p.gcode.onResponse((_k, t) => out.push(t));
    await p.printer.emit('printer:ready');
    p.printer.setState('ready', 'ready');
    await p.gcode.run('SET_IDLE_TIMEOUT TIMEOUT=42.5');
    expect(out).toEqual(['// idle_timeout: Timeout set to 42.50 s']);
    expect(idle.timeoutS).toBe(42.5);
    await expect(p.gcode.run('SET_IDLE_TIMEOUT TIMEOUT=0')).rejects.toThrow(/TIMEOUT/);
  });

  it('reads timeout and gcode from the section and rejects a bad template', () => {
    const p = loadText(`${CARTESIAN}\n[idle_timeout]\ntimeout: 30\ngcode:\n  M84\n`);
    expect(p.printer.lookupObject<IdleTimeout>('idle_timeout').timeoutS).toBe(30);
    expect(loadError(`${CARTESIAN}\n[idle_timeout]\ntimeout: 0\n`)).toMatch(/timeout.*must be above 0/);
    expect(loadError(`${CARTESIAN}\n[idle_timeout]\ngcode:\n  {% if %}\n`)).toMatch(/idle_timeout/);
  });
});

describe('heater commands in batch mode', () => {
  const dir = path.join(testOutputDir, 'live-extras');
  const cfg = path.join(referenceDir, 'bench/bench-cartesian.cfg');
  const dict = path.join(referenceDir, 'klipper-dicts/atmega2560.dict');

  function batch(name: string, gcode: string) {
    fs.mkdirSync(dir, { recursive: true });
    const input = path.join(dir, `${name}.gcode`);
    fs.writeFileSync(input, gcode);
    const out: string[] = [];
    return {
      input,
      run: () =>
        runBatch({
          configPath: cfg,
          inputPath: input,
          outputPath: path.join(dir, `${name}.serial`),
          dictPath: dict,
          onResponse: (t) => out.push(t),
        }),
      out,
    };
  }

  it('sets targets and returns from every wait at once (as Klipper does without a sensor)', async () => {
    const b = batch(
      'heat',
      'SET_KINEMATIC_POSITION X=0 Y=0 Z=0.5\nM140 S60\nM104 S200\nM190 S60\nM109 S200\nTEMPERATURE_WAIT SENSOR=extruder MINIMUM=190\nM105\nG1 X10 E1 F3000\nTURN_OFF_HEATERS\nM105\n',
    );
    const t0 = performance.now();
    const r = await b.run();
    expect(performance.now() - t0).toBeLessThan(20_000); // no wait for a temperature that never comes
    expect(r.lines).toBe(10);
    expect(b.out).toEqual(['ok T0:0.0 /200.0 B:0.0 /60.0', 'ok T0:0.0 /0.0 B:0.0 /0.0']);
    expect(r.steppers.find((s) => s.name === 'stepper_x')!.steps).toBe(800);
  });

  it('rejects a target outside min_temp/max_temp with the file line', async () => {
    const b = batch('too-hot', 'M104 S200\nM109 S900\n');
    await expect(b.run()).rejects.toThrow(BatchError);
    await expect(b.run()).rejects.toThrow(/too-hot\.gcode:2: Requested temperature \(900\.0\) out of range \(0\.0:250\.0\)/);
  });
});

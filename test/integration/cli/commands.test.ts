// The `tether` command table as a user meets it: `tsx src-main/cli.ts`, each command's --help,
// and batch + decode end to end on a small G-code file with Klipper's bench config and the
// atmega2560 dictionary from shared/reference.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../src-main/cli';
import { referenceDir, repoRoot, testOutputDir } from '../../support/paths';

const run = promisify(execFile);
const cli = path.join(repoRoot, 'src-main/cli.ts');
const tether = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot, encoding: 'utf8' }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

const COMMANDS = ['serve', 'batch', 'decode', 'mcu-console', 'flash', 'boards', 'ports'];

describe('tether command table', () => {
  it('lists every command in --help and answers each command --help with its usage', async () => {
    const top = await tether('--help');
    expect(top.code).toBe(0);
    for (const name of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${name}\\s+\\S`, 'm'));
    // One real process per sub-command would cost seconds each on a busy machine; main() is
    // what the process runs, so the sub-commands' help runs through it in this process.
    let out = '';
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (out += a.join(' ') + '\n'));
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    try {
      for (const name of COMMANDS) {
        out = '';
        expect(await main([name, '--help'], pathToFileURL(cli).href), name).toBe(0);
        expect(out.toLowerCase(), name).toContain(`tether ${name}`);
      }
    } finally {
      log.mockRestore();
      write.mockRestore();
    }
    const viaProcess = await tether('boards', '--help');
    expect(viaProcess.stdout).toContain('usage: tether boards');
  }, 60_000);

  it('runs a G-code file through batch and decodes its output with the same dictionary', async () => {
    const dir = path.join(testOutputDir, 'cli-batch');
    mkdirSync(dir, { recursive: true });
    const cfg = path.join(referenceDir, 'bench/bench-cartesian.cfg');
    const dict = path.join(referenceDir, 'klipper-dicts/atmega2560.dict');
    const gcode = path.join(dir, 'square.gcode');
    const serial = path.join(dir, 'square.serial');
    // A 10 mm square from a known position (the bench config enables force_move).
    writeFileSync(gcode, 'SET_KINEMATIC_POSITION X=0 Y=0 Z=0.5\nG90\nG1 X10 Y0 F3000\nG1 X10 Y10\nG1 X0 Y10\nG1 X0 Y0\n');
    const batch = await tether('batch', cfg, '-i', gcode, '-o', serial, '-d', dict, '--stats');
    expect(batch.code, batch.stderr).toBe(0);
    expect(statSync(serial).size).toBeGreaterThan(100);
    // 10 mm at 80 steps/mm (rotation_distance 40, 200 full steps, 16 microsteps) each way.
    expect(batch.stderr).toMatch(/stepper_x \(PF0\): 1600 steps/);
    expect(batch.stderr).toMatch(/stepper_y \(PF6\): 1600 steps/);

    const decoded = await tether('decode', dict, serial, '-o', path.join(dir, 'square.txt'));
    expect(decoded.code, decoded.stderr).toBe(0);
    const lines = readFileSync(path.join(dir, 'square.txt'), 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^allocate_oids count=\d+/);
    expect(lines.some((l) => l.startsWith('config_stepper oid=0 step_pin=PF0'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('queue_step ')).length).toBeGreaterThan(4);
    expect(lines.some((l) => l.startsWith('set_next_step_dir '))).toBe(true);
  }, 60_000);

  it('fails a G-code error with a non-zero exit and the file:line', async () => {
    const dir = path.join(testOutputDir, 'cli-batch');
    mkdirSync(dir, { recursive: true });
    const gcode = path.join(dir, 'bad.gcode');
    writeFileSync(gcode, 'SET_KINEMATIC_POSITION X=0 Y=0 Z=0.5\nG1 X9999 F3000\n');
    const r = await tether(
      'batch',
      path.join(referenceDir, 'bench/bench-cartesian.cfg'),
      '-i',
      gcode,
      '-o',
      path.join(dir, 'bad.serial'),
      '-d',
      path.join(referenceDir, 'klipper-dicts/atmega2560.dict'),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('bad.gcode:2');
    expect(r.stderr).toMatch(/Move out of range/);
  }, 60_000);
});

// The default sim printer: its machine is generated from the config and the host reaches ready
// over the sim's pty.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { startLivePrinter } from './live-printer';

describe('sim printer from printer.cfg', () => {
  it('generates the machine, starts the sim and the host gets ready on its pty', async () => {
    const p = await startLivePrinter('ready');
    try {
      expect(p.host.printer.state).toBe('ready');
      const machine = JSON.parse(readFileSync(p.sim.machinePath, 'utf8'));
      expect(machine.steppers.map((s: { name: string }) => s.name)).toEqual(['stepper_x', 'stepper_y', 'stepper_z', 'extruder']);
      expect(machine.steppers[0].steps_per_mm).toBe(80);
      expect(machine.endstops.map((e: { trigger_position_mm: number }) => e.trigger_position_mm)).toEqual([0, 0, 0.5]);
      expect(machine.heaters.map((h: { name: string }) => h.name)).toEqual(['extruder', 'heater_bed']);
      expect(existsSync(p.sim.ptyPath)).toBe(true);
    } finally {
      await p.stop();
    }
    const cmds = readFileSync(p.sim.tracePath, 'utf8');
    expect(cmds).toContain('"name":"finalize_config"');
  }, 60_000);
});

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
      expect(machine.fans.map((f: { name: string }) => f.name)).toEqual(['fan', 'heater_fan hotend_fan']);
      // Klipper's messages for moves the printer must refuse.
      await expect(p.run('G1 X10 F3000')).rejects.toThrow(/Must home axis first/);
      await p.run('SET_KINEMATIC_POSITION X=100 Y=100 Z=10');
      await expect(p.run('G1 X250 F3000')).rejects.toThrow(/Move out of range: 250\.000 100\.000 10\.000/);
      await expect(p.run('G1 X110 E5 F3000')).rejects.toThrow(/Extrude below minimum temp/);
      await p.run('M106 S128');
      await p.run('M400');
      await new Promise((r) => setTimeout(r, 1500));
      const m105 = await p.run('M105');
      expect(m105).toMatch(/^ok T0:2\d\.\d \/0\.0 B:2\d\.\d \/0\.0$/);
    } finally {
      await p.stop();
    }
    const cmds = readFileSync(p.sim.tracePath, 'utf8');
    expect(cmds).toContain('"name":"finalize_config"');
    // M106 S128: a full-power kick-start, then 128/255 of the 10 ms (500000 tick) PWM cycle,
    // and the sim's fan pin toggles on and off.
    const onTicks = [...cmds.matchAll(/"name":"queue_digital_out","args":\{"oid":\d+,"clock":\d+,"on_ticks":(\d+)\}/g)].map((m) =>
      Number(m[1]),
    );
    expect(onTicks).toContain(500000);
    expect(onTicks.some((t) => Math.abs(t / 500000 - 128 / 255) < 0.01)).toBe(true);
    const fanLevels = [...cmds.matchAll(/"ev":"fan","name":"fan","clock":\d+,"value":([\d.]+)/g)].map((m) => Number(m[1]));
    expect(fanLevels.filter((v) => v === 0).length).toBeGreaterThan(10);
    expect(fanLevels.filter((v) => v === 1).length).toBeGreaterThan(10);
  }, 60_000);
});

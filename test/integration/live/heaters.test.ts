// Heaters on the sim's thermal model, over a real pty in real time.
import { describe, expect, it } from 'vitest';
import { startLivePrinter } from './live-printer';

type Ev = { ev: string; name?: string; temp?: number; reason?: string; clock?: number; pin?: string; value?: number };

describe('live heaters', () => {
  it('M109 S200 reaches and holds 200 C (sim thermal model), M105 reports it', async () => {
    // Half the default hotend block (4 J/K) so the test heats in ~25 s; same physics otherwise.
    // PID gains for that block (an IMC tuning of its 33 s time constant and 333 C/duty gain).
    const p = await startLivePrinter('m109', {
      edit: (c) => c.replace('pid_Kp: 22.2', 'pid_Kp: 10').replace('pid_Ki: 1.08', 'pid_Ki: 0.8').replace('pid_Kd: 114', 'pid_Kd: 8'),
      overrides: { heaters: { extruder: { heat_capacity_j_per_k: 4 } } },
    });
    try {
      const out = await p.run('M109 S200');
      expect(out).toMatch(/T0:\d+\.\d \/200\.0/);
      // Hold for a while, then look at the sim's own temperatures after settling.
      await new Promise((r) => setTimeout(r, 6000));
      const m105 = await p.run('M105');
      const temp = Number(/T0:([\d.]+)/.exec(m105)![1]);
      expect(Math.abs(temp - 200)).toBeLessThan(2);
      const heaterEvents = (p.trace() as Ev[]).filter((e) => e.ev === 'heater' && e.name === 'extruder');
      const last = heaterEvents.slice(-5).map((e) => e.temp!);
      expect(last.length).toBe(5);
      for (const t of last) expect(Math.abs(t - 200)).toBeLessThan(2);
      expect(p.host.printer.state).toBe('ready');
    } finally {
      await p.stop();
    }
  }, 90_000);

  it('a disconnected thermistor shuts down with ADC out of range, shown to the user', async () => {
    // Open circuit: enormous resistance, the ADC reads full scale (= far below min_temp).
    const p = await startLivePrinter('adc-range', {
      overrides: { heaters: { extruder: { thermistor: { beta: 3950, r0_ohm: 1e12, t0_c: 25 } } } },
    });
    const messages: string[] = [];
    p.host.gcode.onResponse((_k, t) => messages.push(t));
    try {
      const deadline = Date.now() + 15_000;
      while (p.host.printer.state !== 'shutdown' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(p.host.printer.stateMessage).toContain('ADC out of range');
      expect(messages.join('\n')).toContain('ADC out of range');
    } finally {
      await p.stop();
    }
    expect((p.trace() as Ev[]).some((e) => e.ev === 'shutdown' && e.reason === 'ADC out of range')).toBe(true);
  }, 60_000);

  it('a heater stuck cold trips verify_heater: "Heater extruder not heating at expected rate"', async () => {
    const p = await startLivePrinter('stuck-cold', {
      edit: (c) => `${c}\n[verify_heater extruder]\ncheck_gain_time: 3\n`,
      overrides: { heaters: { extruder: { power_w: 0 } } },
    });
    const messages: string[] = [];
    p.host.gcode.onResponse((_k, t) => messages.push(t));
    try {
      await p.run('M104 S200');
      const deadline = Date.now() + 20_000;
      while (p.host.printer.state !== 'shutdown' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(p.host.printer.stateMessage).toContain('Heater extruder not heating at expected rate');
      expect(messages.join('\n')).toContain('Heater extruder not heating at expected rate');
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await p.stop();
    }
    // The MCU got emergency_stop: the heater pin ends off.
    expect((p.trace() as Ev[]).some((e) => e.ev === 'shutdown')).toBe(true);
  }, 60_000);
});

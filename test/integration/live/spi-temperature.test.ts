// SPI temperature chips end to end on the sim (one printer start): the extruder on a MAX31865
// PT100 heats with M109, the bed's MAX31855 (software SPI) and two [temperature_sensor]s
// (MAX6675, MAX31856 on the hardware bus) read the sim's temperatures, then the bed's
// thermocouple opens (the sim's fault, switched on by an [output_pin] the test sets) and the
// printer shuts down naming the fault, with
// every heater off.
import { describe, expect, it } from 'vitest';
import { startLivePrinter } from './live-printer';

type Ev = { ev: string; name?: string; temp?: number; duty?: number; clock?: number; reason?: string };

const edit = (c: string) =>
  c
    .replace(
      /sensor_type: EPCOS 100K B57560G104F\nsensor_pin: PK5/,
      'sensor_type: MAX31865\nsensor_pin: PL0\nspi_bus: spi\nrtd_nominal_r: 100\nrtd_reference_r: 430\nrtd_num_of_wires: 2\nrtd_use_50Hz_filter: True',
    )
    .replace(
      /sensor_type: EPCOS 100K B57560G104F\nsensor_pin: PK6/,
      'sensor_type: MAX31855\nsensor_pin: PG0\nspi_software_sclk_pin: PC0\nspi_software_mosi_pin: PC1\nspi_software_miso_pin: PC2',
    )
    // A small block (2 J/K, a quarter of the default hotend's) heats to 100 C in about 10 s;
    // PID gains tuned for it (an offline run of PidControl on the same first-order model).
    .replace('pid_Kp: 22.2', 'pid_Kp: 30')
    .replace('pid_Ki: 1.08', 'pid_Ki: 5')
    .replace('pid_Kd: 114', 'pid_Kd: 10') +
  '\n[temperature_sensor chamber]\nsensor_type: MAX6675\nsensor_pin: PG1\nspi_bus: spi\n' +
  '\n[output_pin sensor_fault]\npin: PH0\n' +
  '\n[temperature_sensor board]\nsensor_type: MAX31856\nsensor_pin: PG2\ntc_type: K\ntc_averaging_count: 4\ntc_use_50Hz_filter: True\n';

describe('live SPI temperature sensors', () => {
  it('MAX31865 extruder heats with M109, MAX31855/MAX6675/MAX31856 read, an open thermocouple shuts down with the heaters off', async () => {
    const p = await startLivePrinter('spi-temperature', {
      edit,
      overrides: {
        heaters: { extruder: { heat_capacity_j_per_k: 2 } },
        spi_sensors: {
          heater_bed: { fault: 'open', fault_pin: 'PH0' },
          'temperature_sensor chamber': { temp_c: 31.5 },
          'temperature_sensor board': { temp_c: -12.25 },
        },
      },
    });
    const messages: string[] = [];
    p.host.gcode.onResponse((_k, t) => messages.push(t));
    try {
      const startMs = Date.now();
      const out = await p.run('M109 S100');
      console.log(`M109 S100 took ${((Date.now() - startMs) / 1000).toFixed(1)} s`);
      expect(out).toMatch(/T0:\d+\.\d \/100\.0/);
      await new Promise((r) => setTimeout(r, 2000));
      const m105 = await p.run('M105');
      const hotend = Number(/T0:([\d.]+)/.exec(m105)![1]);
      expect(Math.abs(hotend - 100)).toBeLessThan(2);
      // The sim's own hotend temperature agrees with what the MAX31865 told the host.
      const simHotend = (p.trace() as Ev[]).filter((e) => e.ev === 'heater' && e.name === 'extruder').slice(-1)[0]!.temp!;
      expect(Math.abs(simHotend - 100)).toBeLessThan(2);
      // The bed's MAX31855 reads the bed's model (at ambient: never heated).
      const bed = Number(/B:([\d.]+)/.exec(m105)![1]);
      expect(Math.abs(bed - 25)).toBeLessThan(1);
      const status = (n: string) => (p.host.printer.lookupObject(n) as { getStatus(): { temperature: number } }).getStatus().temperature;
      expect(status('temperature_sensor chamber')).toBe(31.5); // MAX6675: 0.25 C steps
      expect(status('temperature_sensor board')).toBeCloseTo(-12.25, 2); // MAX31856: 1/128 C
      expect(p.host.printer.state).toBe('ready');

      await p.run('SET_PIN PIN=sensor_fault VALUE=1');
      const faultMs = Date.now();
      const deadline = Date.now() + 15_000;
      while (p.host.printer.state !== 'shutdown' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      console.log(`shutdown ${((Date.now() - faultMs) / 1000).toFixed(2)} s after SET_PIN`);
      expect(p.host.printer.stateMessage).toMatch(
        /MAX31855 temperature sensor of \[heater_bed\] reports a fault: thermocouple open circuit/,
      );
      expect(messages.join('\n')).toContain('thermocouple open circuit');
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await p.stop();
    }
    // The MCU shut down and the heaters are off from then on: every extruder heater event the
    // sim traced after its shutdown (one a second) shows duty 0, and there is at least one.
    const ev = p.trace() as Ev[];
    const shutdownAt = ev.findIndex((e) => e.ev === 'shutdown');
    expect(shutdownAt).toBeGreaterThanOrEqual(0);
    const after = ev.slice(shutdownAt).filter((e) => e.ev === 'heater' && e.name === 'extruder');
    expect(after.length).toBeGreaterThan(0);
    for (const e of after) expect(e.duty).toBe(0);
  }, 90_000);
});

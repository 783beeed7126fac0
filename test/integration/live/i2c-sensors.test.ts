// I2C environment sensors on the sim: BME280, BMP280, SHT3X, LM75, MCP9808, AHT10, AHT20 and an
// HTU21D on software I2C pins, read by the host over the MCU's i2c_transfer (the sim answers in each
// chip's format, calibration and CRCs included);
// then, after RESTART with a sensor at an address nobody answers, the printer shuts down naming
// the section, the chip and the address. One sim start.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startLivePrinter } from './live-printer';

type Status = { getStatus(): Record<string, number> };

const SENSORS = `
[bme280]

[temperature_sensor chamber]
sensor_type: BME280
i2c_address: 119
bme280_report_time: 0.5

[temperature_sensor enclosure]
sensor_type: SHT3X

[temperature_sensor electronics]
sensor_type: LM75
lm75_report_time: 0.5
min_temp: 0
max_temp: 80

[temperature_sensor air]
sensor_type: AHT20
aht10_report_time: 5

[temperature_sensor outside]
sensor_type: HTU21D
i2c_software_scl_pin: PC4
i2c_software_sda_pin: PC5
htu21d_resolution: TEMP14_HUM12

[temperature_sensor frame]
sensor_type: BMP280

[temperature_sensor psu]
sensor_type: MCP9808

[temperature_sensor spool]
sensor_type: AHT10
i2c_address: 57
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('live I2C sensors', () => {
  it('BME280, BMP280, SHT3X, LM75, MCP9808, AHT10, AHT20 and HTU21D (software I2C) readings equal the sim values within each chip resolution; a chip at a wrong address shuts down naming it', async () => {
    const p = await startLivePrinter('i2c-sensors', {
      edit: (c) => `${c}\n${SENSORS}`,
      overrides: {
        i2c_sensors: {
          'temperature_sensor chamber': { temperature_c: 31.7, humidity_pct: 55.3, pressure_hpa: 987.65 },
          'temperature_sensor enclosure': { temperature_c: 22.4, humidity_pct: 63.2 },
          'temperature_sensor electronics': { temperature_c: 41.25 },
          'temperature_sensor air': { temperature_c: 18.6, humidity_pct: 47.5 },
          'temperature_sensor outside': { temperature_c: 12.34, humidity_pct: 81.2 },
          'temperature_sensor frame': { temperature_c: -5.5, pressure_hpa: 1020.5 },
          'temperature_sensor psu': { temperature_c: -3.0625 },
          'temperature_sensor spool': { temperature_c: 28.1, humidity_pct: 22.2 },
        },
      },
    });
    try {
      const host = p.host;
      const status = (name: string) => host.printer.lookupObject<Status>(name).getStatus();
      // Each sensor reads once at ready, then every report time (SHT3X: 1 s).
      await waitFor(
        () =>
          [
            'bme280 chamber',
            'sht3x enclosure',
            'lm75 electronics',
            'aht10 air',
            'htu21d outside',
            'bme280 frame',
            'mcp9808 psu',
            'aht10 spool',
          ].every((n) => status(n).temperature !== 0),
        'first readings',
        10_000,
      );
      const bme = status('bme280 chamber');
      const sht = status('sht3x enclosure');
      const lm75 = status('lm75 electronics');
      console.log(`bme280 ${JSON.stringify(bme)}; sht3x ${JSON.stringify(sht)}; lm75 ${JSON.stringify(lm75)}`);
      // BME280: 0.01 C, 1/1024 %RH and 1/256 Pa steps (status rounds to 0.01).
      expect(Math.abs(bme.temperature! - 31.7)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(bme.humidity! - 55.3)).toBeLessThanOrEqual(0.011);
      expect(Math.abs(bme.pressure! - 987.65)).toBeLessThanOrEqual(0.011);
      // SHT3X: 175/65535 C and 100/65535 %RH steps.
      expect(Math.abs(sht.temperature! - 22.4)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(sht.humidity! - 63.2)).toBeLessThanOrEqual(0.01);
      // LM75(A): 0.125 C steps, 41.25 is one exactly.
      expect(lm75.temperature).toBe(41.25);
      expect(lm75.humidity).toBeUndefined();
      // AHT20 (with its CRC): 200/2^20 C and 100/2^20 %RH steps. HTU21D on software I2C pins at
      // 14/12 bits: 175.72/2^14 C and 125/2^12 %RH steps.
      const aht = status('aht10 air');
      const htu = status('htu21d outside');
      console.log(`aht20 ${JSON.stringify(aht)}; htu21d ${JSON.stringify(htu)}`);
      expect(Math.abs(aht.temperature! - 18.6)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(aht.humidity! - 47.5)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(htu.temperature! - 12.34)).toBeLessThanOrEqual(175.72 / 16384 + 0.005);
      expect(Math.abs(htu.humidity! - 81.2)).toBeLessThanOrEqual(125 / 4096 + 0.005);
      // A BMP280 (chip id 0x58) has no humidity; an MCP9808 reads 1/16 C; an AHT10 has no CRC.
      const bmp = status('bme280 frame');
      const mcp = status('mcp9808 psu');
      const aht10 = status('aht10 spool');
      console.log(`bmp280 ${JSON.stringify(bmp)}; mcp9808 ${JSON.stringify(mcp)}; aht10 ${JSON.stringify(aht10)}`);
      expect(bmp).toEqual({ temperature: -5.5, pressure: 1020.5 });
      expect(mcp).toEqual({ temperature: -3.06 });
      expect(Math.abs(aht10.temperature! - 28.1)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(aht10.humidity! - 22.2)).toBeLessThanOrEqual(0.01);
      // The [temperature_sensor] objects and M105 sources show the same readings.
      expect(status('temperature_sensor electronics').temperature).toBe(41.25);
      expect(Math.abs(status('temperature_sensor chamber').temperature! - 31.7)).toBeLessThanOrEqual(0.01);
      const heaters = host.printer.lookupObject<{ getStatus(): { available_sensors: string[] } }>('heaters').getStatus();
      expect(heaters.available_sensors).toEqual(expect.arrayContaining(['temperature_sensor chamber', 'temperature_sensor enclosure']));
      // Each hardware-bus chip was set up at its address: as configured (0x77, 0x39) or the chip's default.
      const buses = p.trace().filter((e) => e.ev === 'cmd' && e.name === 'i2c_set_bus') as unknown as { args: { address: number } }[];
      expect(buses.map((e) => e.args.address).sort((a, b) => a - b)).toEqual([0x18, 0x38, 0x39, 0x44, 0x48, 0x76, 0x77]);
      expect(host.printer.state).toBe('ready');

      // The LM75 is said to be at 0x4f, where the sim has nobody: START_NACK, named.
      writeFileSync(
        p.configPath,
        readFileSync(p.configPath, 'utf8').replace('lm75_report_time: 0.5', 'lm75_report_time: 0.5\ni2c_address: 79'),
      );
      const before = host.printer;
      await p.run('RESTART');
      await waitFor(() => host.printer !== before && host.printer.state === 'shutdown', 'the shutdown', 15_000);
      console.log(`wrong address: ${host.printer.stateMessage}`);
      expect(host.printer.stateMessage).toMatch(/\[temperature_sensor electronics\] LM75 at I2C address 0x4f \(79\) does not answer/);
    } finally {
      await p.stop();
    }
  }, 60_000);
});

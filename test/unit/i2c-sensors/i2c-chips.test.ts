// The I2C sensors' conversions and CRCs against the datasheets' worked examples (hand-checked in
// the comments), and the sensor's checks: chip id, CRC, no answer, min_temp/max_temp.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { Printer } from '../../../src-main/host/printer';
import { decodeAht } from '../../../src-main/host/objects/i2c-aht';
import {
  bme280HumidityPct,
  bme280PressurePa,
  bme280Temperature,
  decodeBme280,
  parseBme280Trim,
  type Bme280Trim,
} from '../../../src-main/host/objects/i2c-bme280';
import { htu21dHumidityPct, htu21dTemperatureC, htu21dWord } from '../../../src-main/host/objects/i2c-htu21d';
import { decodeLm75 } from '../../../src-main/host/objects/i2c-lm75';
import { decodeMcp9808 } from '../../../src-main/host/objects/i2c-mcp9808';
import { crc8, I2cChipError, type I2cBus } from '../../../src-main/host/objects/i2c-sensor';
import { i2cSensorOf } from '../../../src-main/host/objects/i2c-sensor-setup';
import { decodeSht3x } from '../../../src-main/host/objects/i2c-sht3x';

// The BMP280 datasheet's compensation example (section 3.12): its trimming values, with the
// humidity ones of a typical BME280 (H1 75, H2 362, H3 0, H4 313, H5 50, H6 30).
const TRIM: Bme280Trim = {
  t1: 27504,
  t2: 26435,
  t3: -1000,
  p: [36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000],
  h1: 75,
  h2: 362,
  h3: 0,
  h4: 313,
  h5: 50,
  h6: 30,
};

describe('BME280 / BMP280', () => {
  it('temperature: the datasheet example adc_T 519888 is 25.08 C with t_fine 128422', () => {
    // var1 = ((64986 - 55008) * 26435) >> 11 = 128793; var2 = ((4989^2 >> 12) * -1000) >> 14 = -371.
    const t = bme280Temperature(519888, TRIM);
    expect(t.tFine).toBe(128422n);
    expect(t.centiC).toBe(2508);
  });

  it('pressure: the datasheet example adc_P 415148 at t_fine 128422 is 100653.27 Pa (64-bit integer result within 1/32 Pa)', () => {
    // The datasheet gives 100653.27 Pa from its floating-point formula; the integer one is Q24.8 Pa.
    const pa = bme280PressurePa(415148, 128422n, TRIM);
    expect(Number.isInteger(pa * 256)).toBe(true);
    expect(Math.abs(pa - 100653.27)).toBeLessThan(1 / 32);
  });

  it('humidity: the integer formula agrees with the datasheet floating-point formula and stays in 0..100', () => {
    const tFine = 128422;
    const float = (adcH: number) => {
      let h = tFine - 76800;
      h =
        (adcH - (TRIM.h4 * 64 + (TRIM.h5 / 16384) * h)) *
        ((TRIM.h2 / 65536) * (1 + (TRIM.h6 / 67108864) * h * (1 + (TRIM.h3 / 67108864) * h)));
      h = h * (1 - (TRIM.h1 * h) / 524288);
      return Math.min(100, Math.max(0, h));
    };
    for (const adcH of [20000, 26000, 30000, 36000, 42000]) {
      const rh = bme280HumidityPct(adcH, BigInt(tFine), TRIM);
      expect(Math.abs(rh - float(adcH)), `adc_H ${adcH}`).toBeLessThan(0.01);
    }
    expect(bme280HumidityPct(0, BigInt(tFine), TRIM)).toBe(0);
    expect(bme280HumidityPct(65535, BigInt(tFine), TRIM)).toBe(100);
  });

  it('parses the trimming registers (little-endian, H4/H5 sharing 0xE5) and decodes a burst', () => {
    const tp = new Uint8Array(26);
    const dv = new DataView(tp.buffer);
    dv.setUint16(0, TRIM.t1, true);
    dv.setInt16(2, TRIM.t2, true);
    dv.setInt16(4, TRIM.t3, true);
    dv.setUint16(6, TRIM.p[0]!, true);
    for (let i = 1; i < 9; i++) dv.setInt16(6 + 2 * i, TRIM.p[i]!, true);
    tp[25] = 75;
    // E1..E7: H2 = 362 (0x016a), H3 = 0, H4 = 313 = 0x139 -> E4 0x13, E5 low 0x9; H5 = 50 = 0x032 -> E5 high 0x2, E6 0x03; H6 = 30.
    const h = [0x6a, 0x01, 0x00, 0x13, 0x29, 0x03, 30];
    expect(parseBme280Trim(tp, h)).toEqual(TRIM);
    // adc_P 415148 = 0x655AC, adc_T 519888 = 0x7EED0, adc_H 30000 = 0x7530.
    const r = decodeBme280([0x65, 0x5a, 0xc0, 0x7e, 0xed, 0x00, 0x75, 0x30], TRIM, true);
    expect(r.temperatureC).toBe(25.08);
    expect(Math.abs(r.pressureHpa! - 1006.5327)).toBeLessThan(0.001);
    expect(r.humidityPct).toBeGreaterThan(0);
    expect(decodeBme280([0x65, 0x5a, 0xc0, 0x7e, 0xed, 0x00], TRIM, false).humidityPct).toBeUndefined();
  });
});

describe('CRC-8 (polynomial 0x31)', () => {
  it('Sensirion (init 0xFF): the SHT3x datasheet example 0xBEEF -> 0x92', () => {
    expect(crc8([0xbe, 0xef], 0xff)).toBe(0x92);
  });
  it('HTU21D (init 0x00): the datasheet examples 0xDC -> 0x79, 0x683A -> 0x7C, 0x4E85 -> 0x6B', () => {
    expect(crc8([0xdc], 0)).toBe(0x79);
    expect(crc8([0x68, 0x3a], 0)).toBe(0x7c);
    expect(crc8([0x4e, 0x85], 0)).toBe(0x6b);
  });
});

describe('SHT3X', () => {
  it('T = -45 + 175 S/65535, RH = 100 S/65535, each word checked by its CRC', () => {
    // 0x6666 = 26214 = 0.4 * 65535: 25.0 C; 0x8000: 50.0008 %RH.
    const t = [0x66, 0x66, crc8([0x66, 0x66], 0xff)];
    const rh = [0x80, 0x00, crc8([0x80, 0x00], 0xff)];
    const r = decodeSht3x([...t, ...rh]);
    expect(r.temperatureC).toBeCloseTo(25, 9);
    expect(r.humidityPct).toBeCloseTo((100 * 32768) / 65535, 9);
    expect(() => decodeSht3x([0x66, 0x66, t[2]! ^ 1, ...rh])).toThrow(/bad CRC on its temperature/);
    expect(() => decodeSht3x([...t, 0x80, 0x00, 0x00])).toThrow(I2cChipError);
  });
});

describe('AHT10 / AHT20', () => {
  // Status 0x1C (idle, calibrated); humidity 0x80000 = 2^19 -> 50 %; temperature 0x60000 -> 0.375 * 200 - 50 = 25 C.
  const frame = [0x1c, 0x80, 0x00, 0x06, 0x00, 0x00];
  it('RH = S/2^20, T = 200 S/2^20 - 50 from the shared nibble layout', () => {
    const r = decodeAht(frame, false);
    expect(r.humidityPct).toBe(50);
    expect(r.temperatureC).toBe(25);
  });
  it('AHT20: the CRC over the first six bytes is checked', () => {
    const crc = crc8(frame, 0xff);
    expect(decodeAht([...frame, crc], true).temperatureC).toBe(25);
    expect(() => decodeAht([...frame, crc ^ 0x10], true)).toThrow(/bad CRC/);
  });
});

describe('HTU21D / SI70xx / SHT21', () => {
  it('the datasheet examples: 0x683A is 24.7 C, 0x4E85 is 32.3 %RH (status bits cleared)', () => {
    // 0x6838 = 26680: -46.85 + 175.72 * 26680 / 65536 = 24.6864; 0x4E84 = 20100: -6 + 125 * 20100 / 65536 = 32.338.
    const t = htu21dWord([0x68, 0x3a, 0x7c], 'temperature');
    const h = htu21dWord([0x4e, 0x85, 0x6b], 'humidity');
    expect(t).toBe(0x6838);
    expect(htu21dTemperatureC(t)).toBeCloseTo(24.686, 3);
    expect(htu21dHumidityPct(h)).toBeCloseTo(32.338, 3);
    expect(() => htu21dWord([0x68, 0x3a, 0x7d], 'temperature')).toThrow(/bad CRC on its temperature \(0x7d instead of 0x7c\)/);
  });
});

describe('LM75 and MCP9808', () => {
  it('LM75A datasheet table: +125, +25, -0.125, -25, -55 C', () => {
    expect(decodeLm75([0x7d, 0x00])).toBe(125);
    expect(decodeLm75([0x19, 0x00])).toBe(25);
    expect(decodeLm75([0xff, 0xe0])).toBe(-0.125);
    expect(decodeLm75([0xe7, 0x00])).toBe(-25);
    expect(decodeLm75([0xc9, 0x00])).toBe(-55);
  });
  it('MCP9808: 0x0194 is 25.25 C, the alert flags ignored; 0x1FF0 is -1 C', () => {
    expect(decodeMcp9808([0x01, 0x94])).toBe(25.25);
    expect(decodeMcp9808([0xe1, 0x94])).toBe(25.25);
    expect(decodeMcp9808([0x1f, 0xf0])).toBe(-1);
  });
});

/** A register-file chip on a bus for the sensor's checks (LM75 layout, or a fixed chip id). */
function fakeBus(answer: (write: readonly number[], readLen: number) => number[] | 'nack'): I2cBus {
  return {
    async transfer(write, readLen) {
      const r = answer(write, readLen);
      if (r === 'nack') throw new I2cChipError('does not answer (I2C START_NACK): check its wiring, power and i2c_address');
      return Uint8Array.from(r);
    },
    delayMs: () => Promise.resolve(),
  };
}

function sensorOn(type: string, extra: string, bus: I2cBus, minC = 0, maxC = 60) {
  const printer = new Printer();
  const reasons: string[] = [];
  printer.on('printer:shutdown', (r) => void reasons.push(r));
  const section = new PrinterConfig(
    parseConfigText(`[temperature_sensor box]\nsensor_type: ${type}\n${extra}`, '/virtual/printer.cfg'),
  ).get('temperature_sensor box');
  const sensor = i2cSensorOf(printer, section, type, minC, maxC, () => 1.5, bus);
  const readings: number[] = [];
  sensor.setCallback((_t, c) => readings.push(c));
  return { printer, sensor, reasons, readings };
}

describe('the sensor on its bus', () => {
  it('reports readings; out of min_temp/max_temp shuts down naming the section, chip and address', async () => {
    let temp = [0x19, 0x00]; // 25 C
    const s = sensorOn(
      'LM75',
      'i2c_address: 73',
      fakeBus((w) => (w[0] === 0 && w.length === 1 ? temp : [])),
    );
    await s.sensor.sample();
    expect(s.readings).toEqual([25]);
    expect(s.printer.lookupObject<{ getStatus(): unknown }>('lm75 box').getStatus()).toEqual({ temperature: 25 });
    temp = [0x4b, 0x00]; // 75 C
    await s.sensor.sample();
    expect(s.reasons).toEqual([
      '[temperature_sensor box] LM75 at I2C address 0x49 (73): temperature 75.0 above maximum temperature of 60.0',
    ]);
  });

  it('a chip that does not answer, or is not a BME280, fails at start with the section, chip and address', async () => {
    const none = sensorOn(
      'BME280',
      '',
      fakeBus(() => 'nack'),
    );
    none.sensor.startSampling();
    await new Promise((r) => setTimeout(r, 10));
    expect(none.reasons[0]).toBe(
      '[temperature_sensor box] BME280 at I2C address 0x76 (118) does not answer (I2C START_NACK): check its wiring, power and i2c_address',
    );
    const bmp180 = sensorOn(
      'BME280',
      'i2c_address: 119',
      fakeBus((w) => (w[0] === 0xd0 ? [0x55] : [])),
    );
    bmp180.sensor.startSampling();
    await new Promise((r) => setTimeout(r, 10));
    expect(bmp180.reasons[0]).toMatch(
      /^\[temperature_sensor box\] BME280 at I2C address 0x77 \(119\) answered chip id 0x55 \(a BMP180, not supported yet\)/,
    );
  });

  it('an SHT3X whose status CRC is wrong fails at start', async () => {
    const s = sensorOn(
      'SHT3X',
      '',
      fakeBus((w, n) => (n === 3 ? [0, 0, 0] : [])),
    );
    s.sensor.startSampling();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.reasons[0]).toMatch(
      /^\[temperature_sensor box\] SHT3X at I2C address 0x44 \(68\) gave a bad CRC on its status \(0x0 instead of 0x81\)/,
    );
  });
});

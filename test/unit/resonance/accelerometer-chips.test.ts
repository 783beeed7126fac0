import { describe, expect, it } from 'vitest';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import {
  ADXL345_FORMAT,
  LIS2DW_FORMAT,
  LIS3DH_FORMAT,
  MPU_FORMAT,
  countsToAccel,
  parseAxesMap,
} from '../../../src-main/host/objects/adxl345-samples';
import { CARTESIAN, connectMcu, loadError, loadText } from '../objects/load-helpers';

// Sample decoding per chip from hand-worked register bytes, and the [lis2dw]/[lis3dh]/[mpu9250]/
// [icm20948] sections: option errors, and the config commands they produce, encoded against
// Klipper's own atmega2560 dictionary (so the formats are the ones Klipper's MCU takes).
const identity = parseAxesMap('x, y, z');
const mmS2 = (fmt: typeof LIS2DW_FORMAT, bytes: number[]) =>
  fmt.decode(Uint8Array.from(bytes)).map((s) => countsToAccel(s, identity, fmt.mmS2PerCount));

describe('accelerometer sample formats', () => {
  it('LIS2DW: little-endian words, 14-bit counts of 1.952 mg at +-16 g', () => {
    // 1 g = 512 counts (0.999 g) -> left-justified 512 * 4 = 0x0800 -> bytes 00 08;
    // -512 counts -> 0xf800 -> 00 f8; 12 counts -> 0x0030 -> 30 00.
    expect(LIS2DW_FORMAT.decode(Uint8Array.of(0x00, 0x08, 0x00, 0xf8, 0x30, 0x00))).toEqual([{ x: 2048, y: -2048, z: 48 }]);
    const [[x, y, z]] = mmS2(LIS2DW_FORMAT, [0x00, 0x08, 0x00, 0xf8, 0x30, 0x00]) as [[number, number, number]];
    expect(x).toBeCloseTo(512 * 1.952e-3 * 9806.65, 6); // 9801.0 mm/s^2
    expect(x).toBeCloseTo(9801.0, 0);
    expect(y).toBeCloseTo(-9801.0, 0);
    expect(z).toBeCloseTo(12 * 1.952e-3 * 9806.65, 6); // 229.7 mm/s^2
  });

  it('LIS3DH: little-endian words, 12-bit counts of 12 mg at +-16 g (high resolution)', () => {
    // 83 counts (0.996 g) -> 83 * 16 = 0x0530 -> bytes 30 05.
    const [x] = mmS2(LIS3DH_FORMAT, [0x30, 0x05, 0, 0, 0, 0])[0]!;
    expect(x).toBeCloseTo(83 * 12e-3 * 9806.65, 6); // 9767.4 mm/s^2
    expect(x).toBeCloseTo(9767.4, 0);
  });

  it('MPU-9250 / ICM-20948: big-endian words, 2048 counts per g at +-16 g', () => {
    // x = 0x0800 = 1 g, y = 0xf800 = -1 g, z = 0xffff = -1 count.
    expect(MPU_FORMAT.decode(Uint8Array.of(0x08, 0x00, 0xf8, 0x00, 0xff, 0xff))).toEqual([{ x: 2048, y: -2048, z: -1 }]);
    const [[x, y, z]] = mmS2(MPU_FORMAT, [0x08, 0x00, 0xf8, 0x00, 0xff, 0xff]) as [[number, number, number]];
    expect(x).toBeCloseTo(9806.65, 6);
    expect(y).toBeCloseTo(-9806.65, 6);
    expect(z).toBeCloseTo(-9806.65 / 2048, 6);
  });

  it('messages carry whole samples: 10 for the ADXL345, 8 for the others; a torn payload is an error', () => {
    expect([ADXL345_FORMAT, LIS2DW_FORMAT, MPU_FORMAT].map((f) => f.samplesPerMessage * f.bytesPerSample)).toEqual([50, 48, 48]);
    expect(MPU_FORMAT.decode(new Uint8Array(48))).toHaveLength(8);
    expect(() => LIS2DW_FORMAT.decode(new Uint8Array(7))).toThrow(/not whole 6-byte samples/);
    expect(() => MPU_FORMAT.decode(new Uint8Array(5))).toThrow(/mpu9250.*not whole 6-byte samples/);
  });
});

describe('[lis2dw] [lis3dh] [mpu9250] [icm20948] sections', () => {
  it('produce Klipper-format config commands on SPI and I2C', async () => {
    const p = await connectMcu(
      loadText(
        `${CARTESIAN}\n[lis2dw]\ncs_pin: PB0\n[lis3dh bed]\ni2c_bus: twi\n[mpu9250]\ni2c_address: 105\nrate: 1000\n[icm20948 toolhead]\naxes_map: -y, x, z\n`,
      ),
    );
    const lines = p.printer.lookupObject<Mcu>('mcu').configLines();
    const spi = lines.find((l) => l.startsWith('config_spi '))!.match(/oid=(\d+)/)![1];
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^config_lis2dw oid=\\d+ bus_oid=${spi} bus_oid_type=spi lis_chip_type=LIS2DW$`)),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^config_lis2dw oid=\d+ bus_oid=\d+ bus_oid_type=i2c lis_chip_type=LIS3DH$/));
    expect(lines).toContainEqual(expect.stringMatching(/^i2c_set_bus oid=\d+ i2c_bus=twi rate=400000 address=25$/));
    expect(lines).toContainEqual(expect.stringMatching(/^i2c_set_bus oid=\d+ i2c_bus=twi rate=400000 address=105$/));
    expect(lines).toContainEqual(expect.stringMatching(/^config_mpu9250 oid=\d+ i2c_oid=\d+$/));
    expect(lines).toContainEqual(expect.stringMatching(/^config_icm20948 oid=\d+ i2c_oid=\d+$/));
  });

  it('reject bad options with the section and option named', () => {
    expect(loadError(`${CARTESIAN}\n[lis2dw]\ncs_pin: PB0\nrate: 3200\n`)).toMatch(
      /Invalid rate parameter: 3200 \(choose one of 1600, 800.*printer\.cfg:\d+/,
    );
    expect(loadError(`${CARTESIAN}\n[lis3dh]\nrate: 1600\n`)).toMatch(/choose one of 1344, 400/);
    expect(loadError(`${CARTESIAN}\n[mpu9250]\naxes_map: x, x, z\n`)).toMatch(/Invalid axes_map/);
    expect(loadError(`${CARTESIAN}\n[lis2dw]\ncs_pin: PB0\ni2c_address: 24\n`)).toMatch(/both cs_pin \(SPI\) and i2c_address \(I2C\)/);
    expect(loadError(`${CARTESIAN}\n[lis2dw]\nspi_software_sclk_pin: PB1\n`)).toMatch(/on SPI needs cs_pin/);
    expect(loadError(`${CARTESIAN}\n[icm20948]\ni2c_address: 200\n`)).toMatch(/i2c_address/);
    expect(loadError(`${CARTESIAN}\n[mpu9250]\ni2c_mcu: toolboard\n`)).toMatch(/Unknown i2c_mcu 'toolboard' in section 'mpu9250'/);
    expect(loadError(`${CARTESIAN}\n[mpu9250]\n[icm20948 mpu9250]\n`)).toMatch(/name 'mpu9250' is already used/);
  });
});

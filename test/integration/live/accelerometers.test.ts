// More accelerometer chips on the sim, one printer start: an LIS2DW12 on SPI and an MPU-9250
// on I2C (the sim's chip models of boards/sim/accel.c, generated from the sections), both
// reading gravity on Z at rest; SHAPER_CALIBRATE through the LIS2DW finds the sim's X
// resonance; the MPU's recording runs at its 4 kHz; two chips that are not what their
// section says fail with the section and the id read.
// Under load: sample times come from the MCU's clock (sensor_bulk_status), the sim keeps
// samples through a stalled process, so the figures do not depend on how busy the machine is;
// only the waits do (generous timeouts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivePrinter, type LivePrinter } from './live-printer';

const ACCELS = `
[lis2dw]
cs_pin: PC3

[mpu9250]
i2c_address: 104

[mpu9250 slow]
i2c_address: 106

[icm20948 wrong]
i2c_address: 105

[force_move]
enable_force_move: True

[resonance_tester]
accel_chip: lis2dw
probe_points: 100, 100, 20
`;

function values(out: string): [number, number, number] {
  const m = /accelerometer values \(x, y, z\): (-?[\d.]+), (-?[\d.]+), (-?[\d.]+)/.exec(out);
  expect(m, out).not.toBeNull();
  return m!.slice(1).map(Number) as [number, number, number];
}

describe('LIS2DW and MPU-9250 on the sim', () => {
  let p: LivePrinter;
  beforeAll(async () => {
    p = await startLivePrinter('accelerometers', {
      edit: (cfg) => cfg + ACCELS,
      overrides: {
        accelerometers: {
          lis2dw: { resonance_hz_x: 48, resonance_hz_y: 39, damping: 0.1 },
          'mpu9250 slow': { chip: 'mpu6050' }, // WHO_AM_I 0x68: at most 1 kHz
          'icm20948 wrong': { chip: 'mpu9250' }, // not an ICM-20948 at all
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('ACCELEROMETER_QUERY reads gravity on Z and nothing on X/Y from each chip', async () => {
    const lis = values(await p.run('ACCELEROMETER_QUERY CHIP=lis2dw'));
    const mpu = values(await p.run('ACCELEROMETER_QUERY CHIP=mpu9250'));
    console.log(`accelerometers live: lis2dw ${lis.join(', ')}; mpu9250 ${mpu.join(', ')}`);
    // LIS2DW at +-16 g: 19.1 mm/s^2 a count (1 g reads 512 counts = 9801.0); MPU: 4.8 (2048 = 1 g).
    expect(Math.abs(lis[2] - 9806.65)).toBeLessThan(20);
    expect(Math.abs(mpu[2] - 9806.65)).toBeLessThan(5);
    for (const v of [lis[0], lis[1], mpu[0], mpu[1]]) expect(Math.abs(v)).toBeLessThan(20);
  });

  it('ACCELEROMETER_MEASURE on the MPU-9250 records at its 4000 Hz by the MCU clock', async () => {
    await p.run('ACCELEROMETER_MEASURE CHIP=mpu9250 NAME=still');
    await new Promise((r) => setTimeout(r, 500));
    const out = await p.run('ACCELEROMETER_MEASURE CHIP=mpu9250 NAME=still');
    const file = path.join(p.dir, 'mpu9250-still.csv');
    expect(out).toContain(file);
    const rows = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    const spanS = rows[rows.length - 1]![0]! - rows[0]![0]!;
    const rateHz = (rows.length - 1) / spanS;
    console.log(`accelerometers live: mpu9250 ${rows.length} samples over ${spanS.toFixed(3)} s = ${rateHz.toFixed(1)} Hz`);
    expect(rows.length).toBeGreaterThan(1500); // >= 0.5 s of MCU time at 4 kHz
    expect(rateHz).toBeGreaterThan(4000 * 0.98);
    expect(rateHz).toBeLessThan(4000 * 1.02);
    expect(rows.every((r) => Math.abs(r[3]! - 9806.65) < 5)).toBe(true);
  });

  it('a chip other than its section says fails with the section and the id read', async () => {
    await expect(p.run('ACCELEROMETER_QUERY CHIP=wrong')).rejects.toThrow(
      /Invalid icm20948 id \(got 0x00, expected 0xea\) from chip 'wrong' in section \[icm20948 wrong\]/,
    );
    await expect(p.run('ACCELEROMETER_QUERY CHIP=slow')).rejects.toThrow(/\[mpu9250 slow\].*MPU-6050 \(id 0x68\).*set rate: 1000/);
  });

  it('SHAPER_CALIBRATE AXIS=X with accel_chip lis2dw recommends a shaper near the sim 48 Hz resonance', async () => {
    // As the ADXL345 test: the spectrum's peak is the model's spring-mass (X 48 Hz, damping
    // 0.1); at 1600 Hz Welch bins are 1.56 Hz too, so +-3 Hz is two bins. A 30..66 Hz sweep at
    // 5 Hz/s (7 s of shaking) keeps the test short, as does declaring the position instead of homing.
    await p.run('SET_KINEMATIC_POSITION X=100 Y=100 Z=20');
    const t0 = Date.now();
    const out = await p.run('SHAPER_CALIBRATE AXIS=X FREQ_START=30 FREQ_END=66 HZ_PER_SEC=5');
    console.log(`accelerometers live: SHAPER_CALIBRATE took ${Date.now() - t0} ms\n${out}`);
    const m = /Recommended shaper_type_x = (\w+), shaper_freq_x = ([\d.]+) Hz/.exec(out);
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m![2]) - 48)).toBeLessThan(3);
  }, 90_000);
});

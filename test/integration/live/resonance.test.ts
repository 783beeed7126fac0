// Accelerometer and resonance measurement on the sim, one printer start: the sim's ADXL345 model
// (generated from [adxl345]) reads gravity on Z at rest and the toolhead's acceleration on X/Y
// through a damped spring-mass at resonance_hz_x / resonance_hz_y.
// Under load: sample times come from the MCU's clock (sensor_bulk_status), not from when the host
// received them, and the sim keeps samples through a stalled process, so the figures below do
// not depend on how busy the machine is; only the waits do (generous timeouts).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivePrinter, type LivePrinter } from './live-printer';

const ACCEL = `
[adxl345]
cs_pin: PC3
axes_map: x, y, z

[resonance_tester]
accel_chip: adxl345
probe_points: 100, 100, 20
`;

describe('ADXL345 and resonances on the sim', () => {
  let p: LivePrinter;
  beforeAll(async () => {
    p = await startLivePrinter('resonance', {
      edit: (cfg) => cfg + ACCEL,
      overrides: { accelerometers: { adxl345: { resonance_hz_x: 48, resonance_hz_y: 39, damping: 0.1 } } },
    });
  }, 60_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('ACCELEROMETER_QUERY answers with gravity on Z (9806.65 mm/s^2) and nothing on X/Y at rest', async () => {
    const out = await p.run('ACCELEROMETER_QUERY');
    console.log(`resonance live: ${out}`);
    const m = /accelerometer values \(x, y, z\): (-?[\d.]+), (-?[\d.]+), (-?[\d.]+)/.exec(out);
    expect(m).not.toBeNull();
    const [x, y, z] = m!.slice(1).map(Number);
    // One count is 38.3 mm/s^2: the model rounds gravity to 256 counts exactly.
    expect(z).toBeCloseTo(9806.65, 0);
    expect(Math.abs(x!)).toBeLessThan(40);
    expect(Math.abs(y!)).toBeLessThan(40);
  });

  it('ACCELEROMETER_MEASURE records a CSV next to printer.cfg, its times at the 3200 Hz rate', async () => {
    await p.run('ACCELEROMETER_MEASURE NAME=still');
    await new Promise((r) => setTimeout(r, 500));
    const out = await p.run('ACCELEROMETER_MEASURE NAME=still');
    const file = path.join(p.dir, 'adxl345-still.csv');
    expect(out).toContain(file);
    expect(existsSync(file)).toBe(true);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('#time,accel_x,accel_y,accel_z');
    const rows = lines.slice(1).map((l) => l.split(',').map(Number));
    const spanS = rows[rows.length - 1]![0]! - rows[0]![0]!;
    const rateHz = (rows.length - 1) / spanS;
    console.log(
      `resonance live: ${rows.length} samples over ${spanS.toFixed(3)} s = ${rateHz.toFixed(1)} Hz; files ${readdirSync(p.dir).join(' ')}`,
    );
    // At least 0.5 s of MCU time passed (the host waited 500 ms); the rate is the fitted clock's.
    expect(rows.length).toBeGreaterThan(1000);
    expect(rateHz).toBeGreaterThan(3200 * 0.98);
    expect(rateHz).toBeLessThan(3200 * 1.02);
    expect(rows.every((r) => Math.abs(r[3]! - 9806.65) < 40)).toBe(true);
  });

  it('SHAPER_CALIBRATE AXIS=X recommends a shaper near the sim 48 Hz resonance and offers it to SAVE_CONFIG', async () => {
    // A 20..80 Hz sweep at 4 Hz/s (15 s of shaking) keeps the test short; the spectrum's peak is
    // the model's spring-mass (X 48 Hz, damping 0.1). Sample times are MCU clock times, so load
    // only delays the moves, never the spectrum: +-3 Hz is two Welch bins (1.56 Hz each).
    await p.run('G28');
    const t0 = Date.now();
    const out = await p.run('SHAPER_CALIBRATE AXIS=X FREQ_START=20 FREQ_END=80 HZ_PER_SEC=4');
    console.log(`resonance live: SHAPER_CALIBRATE took ${Date.now() - t0} ms\n${out}`);
    const m = /Recommended shaper_type_x = (\w+), shaper_freq_x = ([\d.]+) Hz/.exec(out);
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m![2]) - 48)).toBeLessThan(3);
    expect(out).toContain('SAVE_CONFIG');
  }, 90_000);
});

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, testOutputDir } from '../support/paths';
import { SimLink, pinNumber, startSim, stopSim, type Dictionary } from './sim-link';
import { LIS2DW_FORMAT, LIS3DH_FORMAT, MPU_FORMAT, type SampleFormat } from '../../src-main/host/objects/adxl345-samples';

// The firmware's lis2dw.c and mpu9250.c against the sim's chip models (boards/sim/accel.c): an
// LIS2DW12 on SPI, an LIS3DH, an MPU-9250 and an ICM-20948 on I2C. Registers are set with
// spi_send / i2c_transfer as a host does (values from the datasheets), then query_<chip>
// streams the FIFO in sensor_bulk_data messages, decoded with the host's decoders. The machine
// stands still, so every chip reads gravity on Z and nothing on X/Y.
const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const outDir = path.join(testOutputDir, 'firmware');
const machinePath = path.join(outDir, 'accelerometers-machine.json');
const FREQ = 50_000_000;

const machine = {
  steppers: [
    { name: 'stepper_x', step_pin: 'PF0', dir_pin: 'PF1', steps_per_mm: 80 },
    { name: 'stepper_y', step_pin: 'PF6', dir_pin: 'PF7', steps_per_mm: 80 },
  ],
  accelerometers: [
    { name: 'lis2dw', chip: 'lis2dw', cs_pin: 'PC4', spi_bus: 'spi1' },
    { name: 'lis3dh', chip: 'lis3dh', i2c_address: 0x18 },
    { name: 'mpu9250', chip: 'mpu9250', i2c_address: 0x68 },
    { name: 'icm20948', chip: 'icm20948', i2c_address: 0x69 },
  ],
};

// oids: 0 spi, 1 lis2dw; 2 i2c, 3 lis3dh; 4 i2c, 5 mpu9250; 6 i2c, 7 icm20948; 8 i2c at an empty address.
interface Chip {
  name: string;
  oid: number;
  query: string;
  format: SampleFormat;
  rateHz: number;
  /** Counts of 1 g as the decoded words hold them. */
  gravityCounts: number;
  /** Register writes (reg, value) before polling starts, and the one that starts sampling. */
  setup: [number, number][];
  start: [number, number];
  stop: [number, number];
}
const CHIPS: Chip[] = [
  {
    name: 'lis2dw',
    oid: 1,
    query: 'lis2dw',
    format: LIS2DW_FORMAT,
    rateHz: 1600,
    gravityCounts: 512 * 4,
    setup: [
      [0x20, 0x00],
      [0x21, 0x04],
      [0x25, 0x30],
      [0x2e, 0x00],
      [0x2e, 0xc0],
    ],
    start: [0x20, 0x94],
    stop: [0x20, 0x00],
  },
  {
    name: 'lis3dh',
    oid: 3,
    query: 'lis2dw',
    format: LIS3DH_FORMAT,
    rateHz: 1344,
    gravityCounts: 83 * 16,
    setup: [
      [0x20, 0x07],
      [0x23, 0x38],
      [0x24, 0x40],
      [0x2e, 0x00],
      [0x2e, 0x80],
    ],
    start: [0x20, 0x97],
    stop: [0x20, 0x07],
  },
  {
    name: 'mpu9250',
    oid: 5,
    query: 'mpu9250',
    format: MPU_FORMAT,
    rateHz: 4000,
    gravityCounts: 2048,
    setup: [
      [0x6b, 0x00],
      [0x6c, 0x07],
      [0x6a, 0x04],
      [0x1c, 0x18],
      [0x1d, 0x08],
      [0x19, 0x00],
      [0x23, 0x08],
    ],
    start: [0x6a, 0x44],
    stop: [0x6a, 0x00],
  },
  {
    // Bank 2 (REG_BANK_SEL 0x20): rate divider 0 with the filter on = 1125 Hz, +-16 g.
    name: 'icm20948',
    oid: 7,
    query: 'icm20948',
    format: MPU_FORMAT,
    rateHz: 1125,
    gravityCounts: 2048,
    setup: [
      [0x06, 0x01],
      [0x07, 0x07],
      [0x03, 0x00],
      [0x69, 0x00],
      [0x67, 0x10],
      [0x7f, 0x20],
      [0x10, 0],
      [0x11, 0],
      [0x14, 0x07],
      [0x7f, 0x00],
      [0x68, 0x1f],
      [0x68, 0x00],
    ],
    start: [0x03, 0x40],
    stop: [0x03, 0x00],
  },
];

describe('LIS2DW/LIS3DH and MPU-9250/ICM-20948 on the sim (lis2dw.c, mpu9250.c)', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  let link: SimLink;
  let dict: Dictionary;

  async function readReg(chip: string, reg: number): Promise<number> {
    if (chip === 'lis2dw') {
      const r = await link.query('spi_transfer', { oid: 0, data: Buffer.from([reg | 0x80, 0]) }, 'spi_transfer_response');
      return (r.params.response as Buffer)[1]!;
    }
    const oid = CHIPS.find((c) => c.name === chip)!.oid - 1;
    const r = await link.query('i2c_transfer', { oid, write: Buffer.from([reg]), read_len: 1 }, 'i2c_response');
    expect(r.params.i2c_bus_status).toBe(0);
    return (r.params.response as Buffer)[0]!;
  }
  async function writeReg(chip: Chip, reg: number, value: number): Promise<void> {
    if (chip.name === 'lis2dw') {
      link.send('spi_send', { oid: 0, data: Buffer.from([reg, value]) });
      return;
    }
    const r = await link.query('i2c_transfer', { oid: chip.oid - 1, write: Buffer.from([reg, value]), read_len: 0 }, 'i2c_response');
    expect(r.params.i2c_bus_status).toBe(0);
  }

  /**
   * A status whose FIFO level is below the chip's capacity, so its count is exact: a sim
   * stalled by a loaded host makes a backlog that the level caps (FIFO full) until the polls
   * drain it, a few ms later.
   */
  async function exactStatus(chip: Chip) {
    for (let i = 0; ; i++) {
      const s = await link.query(`query_${chip.query}_status`, { oid: chip.oid }, 'sensor_bulk_status');
      if ((s.params.buffered as number) < chip.format.fifoBytes || i >= 50) return s;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(machinePath, JSON.stringify(machine, null, 1));
    sim = await startSim(simPath, ['--machine', machinePath]);
    link = await SimLink.open(sim.pty);
    ({ dict } = await link.identify());
    link.send('allocate_oids', { count: 9 });
    link.sendBlock([
      ...link.encode('config_spi', { oid: 0, pin: pinNumber(dict, 'PC4'), cs_active_high: 0 }),
      ...link.encode('spi_set_bus', {
        oid: 0,
        spi_bus: (dict.enumerations.spi_bus as Record<string, number>).spi1,
        mode: 3,
        rate: 5_000_000,
      }),
      ...link.encode('config_lis2dw', { oid: 1, bus_oid: 0, bus_oid_type: 0, lis_chip_type: 0 }),
    ]);
    for (const [oid, address] of [
      [2, 0x18],
      [4, 0x68],
      [6, 0x69],
      [8, 0x33],
    ]) {
      link.send('config_i2c', { oid });
      link.send('i2c_set_bus', { oid, i2c_bus: 0, rate: 400_000, address });
    }
    link.send('config_lis2dw', { oid: 3, bus_oid: 2, bus_oid_type: 1, lis_chip_type: 1 });
    link.send('config_mpu9250', { oid: 5, i2c_oid: 4 });
    link.send('config_icm20948', { oid: 7, i2c_oid: 6 });
    link.send('finalize_config', { crc: 1 });
    expect((await link.query('get_config', {}, 'config')).params.is_config).toBe(1);
  });

  afterAll(async () => {
    await link?.close();
    if (sim) await stopSim(sim.proc);
  });

  it('each chip answers its WHO_AM_I; an address nobody has is a START_NACK, not a shutdown', async () => {
    expect(await readReg('lis2dw', 0x0f)).toBe(0x44);
    expect(await readReg('lis3dh', 0x0f)).toBe(0x33);
    expect(await readReg('mpu9250', 0x75)).toBe(0x71);
    expect(await readReg('icm20948', 0x00)).toBe(0xea);
    const r = await link.query('i2c_transfer', { oid: 8, write: Buffer.from([0x75]), read_len: 1 }, 'i2c_response');
    expect(r.params.i2c_bus_status).toBe((dict.enumerations.i2c_bus_status as Record<string, number>).START_NACK);
    expect((await link.query('get_config', {}, 'config')).params.is_shutdown).toBe(0);
  });

  for (const chip of CHIPS)
    it(`${chip.name}: streams ${chip.rateHz} Hz samples in sequence, gravity on Z, still on X/Y`, async () => {
      for (const [reg, v] of chip.setup) await writeReg(chip, reg, v);
      const first = link.received.length;
      // Poll every 8 samples (a quarter of a 32-entry FIFO).
      link.send(`query_${chip.query}`, { oid: chip.oid, rest_ticks: Math.round((FREQ * 8) / chip.rateHz) });
      await writeReg(chip, ...chip.start);
      const s1 = await exactStatus(chip);
      await new Promise((r) => setTimeout(r, 600));
      const s2 = await exactStatus(chip);
      link.send(`query_${chip.query}`, { oid: chip.oid, rest_ticks: 0 });
      await writeReg(chip, ...chip.stop);
      await link.query('get_clock', {}, 'clock');
      const bulk = link.received.slice(first).filter((m) => m.name === 'sensor_bulk_data' && m.params.oid === chip.oid);
      // Sequence numbers count messages from 0 without gaps; every message but the last is full (8 samples).
      expect(bulk.map((m) => m.params.sequence)).toEqual(bulk.map((_, i) => i));
      expect(bulk.slice(0, -1).every((m) => (m.params.data as Buffer).length === 48)).toBe(true);
      const samples = bulk.flatMap((m) => chip.format.decode(m.params.data as Buffer));
      // The rate from the status clocks (messages sent + buffered bytes over MCU time).
      const count = (s: typeof s2) => ((s.params.next_sequence as number) * 48 + (s.params.buffered as number)) / 6;
      const elapsedS = (((s2.params.clock as number) - (s1.params.clock as number)) >>> 0) / FREQ;
      const rateHz = (count(s2) - count(s1)) / elapsedS;
      console.log(
        `${chip.name}: ${samples.length} samples, ${rateHz.toFixed(0)} Hz over ${elapsedS.toFixed(2)} s, overflows ${s2.params.possible_overflows}`,
      );
      expect(s1.params.buffered as number, 'status 1 taken with the FIFO full').toBeLessThan(chip.format.fifoBytes);
      expect(s2.params.buffered as number, 'status 2 taken with the FIFO full').toBeLessThan(chip.format.fifoBytes);
      expect(elapsedS).toBeGreaterThan(0.5);
      expect(rateHz).toBeGreaterThan(chip.rateHz * 0.97);
      expect(rateHz).toBeLessThan(chip.rateHz * 1.03);
      expect(samples.length).toBeGreaterThan(chip.rateHz * 0.5);
      for (const s of samples) expect(s).toEqual({ x: 0, y: 0, z: chip.gravityCounts });
    });
});

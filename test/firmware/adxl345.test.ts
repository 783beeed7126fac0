import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, testOutputDir } from '../support/paths';
import { SimLink, pinNumber, startSim, stopSim, type Dictionary } from './sim-link';
import { ADXL345_MM_S2_PER_COUNT, decodeAdxl345Counts } from '../../src-main/host/objects/adxl345-samples';

// The firmware's adxl345.c against the sim's ADXL345 model (boards/sim/accel.c) over real SPI
// edges: registers configured with spi_send as a host does, then query_adxl345 streams the FIFO
// in sensor_bulk_data messages, decoded with the host's decoder. The machine stands still, so
// the model reads gravity on Z and nothing on X/Y.
const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const outDir = path.join(testOutputDir, 'firmware');
const machinePath = path.join(outDir, 'adxl345-machine.json');
const FREQ = 50_000_000;

const machine = {
  steppers: [
    { name: 'stepper_x', step_pin: 'PF0', dir_pin: 'PF1', steps_per_mm: 80 },
    { name: 'stepper_y', step_pin: 'PF6', dir_pin: 'PF7', steps_per_mm: 80 },
  ],
  accelerometers: [
    { name: 'adxl345', cs_pin: 'PC4', spi_bus: 'spi1', resonance_hz_x: 48, resonance_hz_y: 39, damping: 0.1 },
    { name: 'adxl345 sw', cs_pin: 'PE4', sclk_pin: 'PE1', mosi_pin: 'PE2', miso_pin: 'PE3' },
  ],
};

describe('ADXL345 on the sim (adxl345.c over spicmds)', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  let link: SimLink;
  let dict: Dictionary;

  async function spiTransfer(oid: number, bytes: number[]): Promise<number[]> {
    const r = await link.query('spi_transfer', { oid, data: Buffer.from(bytes) }, 'spi_transfer_response');
    expect(r.params.oid).toBe(oid);
    return [...(r.params.response as Buffer)];
  }
  /** Chip setup as a host does: 3200 Hz, full resolution +-16 g, FIFO in stream mode. */
  function setupChip(spiOid: number) {
    for (const [reg, val] of [
      [0x2d, 0x00],
      [0x31, 0x0b],
      [0x38, 0x00],
      [0x2c, 0x0f],
      [0x38, 0x80],
    ])
      link.send('spi_send', { oid: spiOid, data: Buffer.from([reg, val]) });
  }

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(machinePath, JSON.stringify(machine, null, 1));
    sim = await startSim(simPath, ['--machine', machinePath]);
    link = await SimLink.open(sim.pty);
    ({ dict } = await link.identify());
    const pin = (n: string) => pinNumber(dict, n);
    link.send('allocate_oids', { count: 4 });
    link.sendBlock([
      ...link.encode('config_spi', { oid: 0, pin: pin('PC4'), cs_active_high: 0 }),
      ...link.encode('spi_set_bus', {
        oid: 0,
        spi_bus: (dict.enumerations.spi_bus as Record<string, number>).spi1,
        mode: 3,
        rate: 5_000_000,
      }),
      ...link.encode('config_adxl345', { oid: 1, spi_oid: 0 }),
    ]);
    link.sendBlock([
      ...link.encode('config_spi', { oid: 2, pin: pin('PE4'), cs_active_high: 0 }),
      ...link.encode('spi_set_sw_bus', {
        oid: 2,
        miso_pin: pin('PE3'),
        mosi_pin: pin('PE2'),
        sclk_pin: pin('PE1'),
        mode: 3,
        pulse_ticks: 10,
      }),
      ...link.encode('config_adxl345', { oid: 3, spi_oid: 2 }),
    ]);
    link.send('finalize_config', { crc: 1 });
    expect((await link.query('get_config', {}, 'config')).params.is_config).toBe(1);
  });

  afterAll(async () => {
    await link?.close();
    if (sim) await stopSim(sim.proc);
  });

  it('answers DEVID 0xE5 on both the hardware and the software bus', async () => {
    expect(await spiTransfer(0, [0x80, 0x00])).toEqual([expect.any(Number), 0xe5]);
    expect((await spiTransfer(2, [0x80, 0x00]))[1]).toBe(0xe5);
    // A write reads back (BW_RATE), so the model really decodes addresses and data.
    link.send('spi_send', { oid: 2, data: Buffer.from([0x2c, 0x0d]) });
    expect((await spiTransfer(2, [0xac, 0x00]))[1]).toBe(0x0d);
  });

  it('streams 3200 Hz samples in sequence: gravity on Z, still on X/Y', async () => {
    setupChip(0);
    const first = link.received.length;
    const restTicks = Math.round(FREQ / 800); // poll the 32-entry FIFO 4x per 40 samples
    link.send('query_adxl345', { oid: 1, rest_ticks: restTicks });
    link.send('spi_send', { oid: 0, data: Buffer.from([0x2d, 0x08]) }); // measure: polling already runs
    const s1 = await link.query('query_adxl345_status', { oid: 1 }, 'sensor_bulk_status');
    await new Promise((r) => setTimeout(r, 1000));
    const s2 = await link.query('query_adxl345_status', { oid: 1 }, 'sensor_bulk_status');
    link.send('query_adxl345', { oid: 1, rest_ticks: 0 });
    await link.query('get_clock', {}, 'clock');
    const bulk = link.received.slice(first).filter((m) => m.name === 'sensor_bulk_data' && m.params.oid === 1);
    // Sequence numbers count messages from 0 without gaps; every message but the last is full.
    expect(bulk.map((m) => m.params.sequence)).toEqual(bulk.map((_, i) => i));
    expect(bulk.slice(0, -1).every((m) => (m.params.data as Buffer).length === 50)).toBe(true);
    const samples = bulk.flatMap((m) => decodeAdxl345Counts(m.params.data as Buffer));
    // Sample rate from the status clocks: samples up to s2 (messages sent + buffered bytes)
    // over the MCU time between the two reports. MCU clocks, so host load does not matter.
    const count = (s: typeof s2) => ((s.params.next_sequence as number) * 50 + (s.params.buffered as number)) / 5;
    const elapsedS = (((s2.params.clock as number) - (s1.params.clock as number)) >>> 0) / FREQ;
    const rateHz = (count(s2) - count(s1)) / elapsedS;
    console.log(
      `adxl345: ${samples.length} samples, ${rateHz.toFixed(0)} Hz over ${elapsedS.toFixed(2)} s, overflows ${s2.params.possible_overflows}`,
    );
    expect(elapsedS).toBeGreaterThan(0.5);
    expect(rateHz).toBeGreaterThan(3200 * 0.97);
    expect(rateHz).toBeLessThan(3200 * 1.03);
    // A full FIFO at a poll counts as a possible overflow: the sim misses polls only when its
    // process is stalled for > 10 ms (a loaded machine); its model keeps those samples, so the
    // rate above holds under load and the count is only bounded by the ~800 polls made.
    expect(s2.params.possible_overflows).toBeLessThan(400);
    expect(samples.length).toBeGreaterThan(1000);
    for (const s of samples) {
      expect((s.z * ADXL345_MM_S2_PER_COUNT) / 1000).toBeCloseTo(9.81, 1);
      expect(Math.abs(s.x)).toBeLessThanOrEqual(1);
      expect(Math.abs(s.y)).toBeLessThanOrEqual(1);
    }
  });
});

// The firmware's thermocouple.c against the sim's chip models (boards/sim/spi_temp.c) over real
// SPI edges: the command and response formats are Klipper's (its dictionaries), each chip's
// reading decodes (with the host's own conversions) to the temperature the sim was given, the
// register chips convert only after the host's configuration writes, and the MCU shuts down
// by itself ("Thermocouple reader fault") after max_invalid_count out-of-range or faulty reads.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceDir, repoRoot, testOutputDir } from '../support/paths';
import { SimLink, pinNumber, startSim, stopSim, type Dictionary, type Message } from './sim-link';
import { configWrites, rawLimits, tempFromValue, type SpiChipSettings } from '../../src-main/host/objects/spi-temperature-chips';

const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const outDir = path.join(testOutputDir, 'firmware');
const machinePath = path.join(outDir, 'spi-temperature-machine.json');
const FREQ = 50_000_000;
const REST_TICKS = FREQ / 20; // a read every 50 ms

const chips = [
  { oid: 0, kind: 'max6675', type: 'MAX6675', cs: 'PG0', temp_c: 31.5 },
  { oid: 2, kind: 'max31855', type: 'MAX31855', cs: 'PG1', temp_c: -12.25 },
  { oid: 4, kind: 'max31856', type: 'MAX31856', cs: 'PG2', temp_c: 250.5 },
  { oid: 6, kind: 'max31865', type: 'MAX31865', cs: 'PG3', temp_c: 100 },
] as const;
const machine = {
  steppers: [],
  spi_sensors: chips.map((c) => ({
    name: c.type,
    kind: c.kind,
    cs_pin: c.cs,
    spi_bus: 'spi',
    temp_c: c.temp_c,
    // The MAX31855 opens while PH0 is high.
    ...(c.kind === 'max31855' ? { fault: 'open', fault_pin: 'PH0' } : {}),
  })),
};

function settings(type: SpiChipSettings['chip']): SpiChipSettings {
  return {
    chip: type,
    tcType: 'K',
    tcUse50Hz: true,
    tcAveragingCount: 4,
    rtdNominalOhm: 100,
    rtdReferenceOhm: 430,
    rtdWires: 2,
    rtdUse50Hz: true,
  };
}

describe('SPI temperature chips on the sim (thermocouple.c over spicmds)', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  let link: SimLink;
  let dict: Dictionary;

  const results = (oid: number, from = 0): Message[] =>
    link.received.slice(from).filter((m) => m.name === 'thermocouple_result' && m.params.oid === oid);
  async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  async function query(oid: number, limits: { minValue: number; maxValue: number }): Promise<void> {
    const clock = (await link.query('get_clock', {}, 'clock')).params.clock as number;
    link.send('query_thermocouple', {
      oid: oid + 1,
      clock: (clock + FREQ / 10) >>> 0,
      rest_ticks: REST_TICKS,
      min_value: limits.minValue >>> 0,
      max_value: limits.maxValue >>> 0,
      max_invalid_count: 3,
    });
  }
  const shutdownReason = (m: Message | undefined) =>
    Object.entries(dict.enumerations.static_string_id as Record<string, number>).find(([, v]) => v === m?.params.static_string_id)?.[0];

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(machinePath, JSON.stringify(machine, null, 1));
    sim = await startSim(simPath, ['--machine', machinePath]);
    link = await SimLink.open(sim.pty);
    ({ dict } = await link.identify());
    link.send('allocate_oids', { count: 9 });
    const types = dict.enumerations.thermocouple_type as Record<string, number>;
    for (const c of chips) {
      link.sendBlock([
        ...link.encode('config_spi', { oid: c.oid, pin: pinNumber(dict, c.cs), cs_active_high: 0 }),
        ...link.encode('spi_set_bus', {
          oid: c.oid,
          spi_bus: (dict.enumerations.spi_bus as Record<string, number>).spi,
          mode: 1,
          rate: 4_000_000,
        }),
        ...link.encode('config_thermocouple', { oid: c.oid + 1, spi_oid: c.oid, thermocouple_type: types[c.type]! }),
      ]);
    }
    link.send('config_digital_out', { oid: 8, pin: pinNumber(dict, 'PH0'), value: 0, default_value: 0, max_duration: 0 });
    link.send('finalize_config', { crc: 1 });
    expect((await link.query('get_config', {}, 'config')).params.is_config).toBe(1);
  });

  afterAll(async () => {
    await link?.close();
    if (sim) await stopSim(sim.proc);
  });

  it("declares Klipper's formats and chip types", () => {
    const klipper = JSON.parse(readFileSync(path.join(referenceDir, 'klipper-dicts/atmega2560.dict'), 'utf8'));
    for (const f of [
      'config_thermocouple oid=%c spi_oid=%c thermocouple_type=%c',
      'query_thermocouple oid=%c clock=%u rest_ticks=%u min_value=%u max_value=%u max_invalid_count=%c',
    ]) {
      expect(klipper.commands[f], f).toBeDefined();
      expect((dict.commands as Record<string, number>)[f], f).toBeDefined();
    }
    const result = 'thermocouple_result oid=%c next_clock=%u value=%u fault=%c';
    expect(klipper.responses[result]).toBeDefined();
    expect((dict.responses as Record<string, number>)[result]).toBeDefined();
    expect(dict.enumerations.thermocouple_type).toEqual(klipper.enumerations.thermocouple_type);
  });

  it('each chip reads the temperature it was given, every rest_ticks; register chips only once configured', async () => {
    // Before the configuration writes a MAX31865 has not converted: it reads 0.
    const before = link.received.length;
    await query(6, { minValue: -1, maxValue: 0x7fff });
    await waitFor(() => results(7, before).length >= 1, 'an unconfigured MAX31865 result');
    link.send('query_thermocouple', { oid: 7, clock: 0, rest_ticks: 0, min_value: 0, max_value: 0, max_invalid_count: 3 });
    expect(results(7, before)[0]!.params.value).toBe(0);

    for (const c of chips)
      for (const bytes of configWrites(settings(c.type))) link.send('spi_send', { oid: c.oid, data: Buffer.from(bytes) });
    const from = link.received.length;
    for (const c of chips) await query(c.oid, rawLimits(settings(c.type), -100, 400));
    await waitFor(() => chips.every((c) => results(c.oid + 1, from).length >= 4), 'four results of each chip');
    for (const c of chips) {
      const rs = results(c.oid + 1, from);
      for (const r of rs) {
        expect(r.params.fault, c.type).toBe(0);
        const t = tempFromValue(settings(c.type), r.params.value as number);
        // Thermocouple chips give exact steps (0.25 C, 1/128 C); the RTD is within one ADC code.
        expect(Math.abs(t - c.temp_c), `${c.type} read ${t}`).toBeLessThan(c.kind === 'max31865' ? 0.05 : 1e-9);
      }
      const clocks = rs.map((r) => r.params.next_clock as number);
      for (let i = 1; i < clocks.length; i++) expect((clocks[i]! - clocks[i - 1]!) >>> 0).toBe(REST_TICKS);
    }
  });

  it('an open thermocouple: the fault bits in every report, a shutdown after max_invalid_count of them', async () => {
    const from = link.received.length;
    link.send('set_digital_out', { pin: pinNumber(dict, 'PH0'), value: 1 }); // opens the MAX31855
    await waitFor(() => link.received.slice(from).some((m) => m.name === 'shutdown'), 'the shutdown');
    const shutdown = link.received.slice(from).find((m) => m.name === 'shutdown');
    expect(shutdownReason(shutdown)).toBe('Thermocouple reader fault');
    const faulty = results(3, from).filter((r) => r.params.fault !== 0);
    expect(faulty.length).toBe(3);
    for (const r of faulty) {
      expect(r.params.fault).toBe(0x01); // OC
      expect((r.params.value as number) & 0x10001).toBe(0x10001); // the frame's fault flag and OC bit
    }
  });

  it('a reading outside [min_value, max_value] shuts down too, after max_invalid_count reads', async () => {
    link.send('clear_shutdown');
    const from = link.received.length;
    // The MAX6675 reads 31.5 C: a max_temp of 30 C is exceeded on every read.
    await query(0, rawLimits(settings('MAX6675'), 0, 30));
    await waitFor(() => link.received.slice(from).some((m) => m.name === 'shutdown'), 'the shutdown');
    expect(shutdownReason(link.received.slice(from).find((m) => m.name === 'shutdown'))).toBe('Thermocouple reader fault');
    const rs = results(1, from);
    expect(rs.length).toBe(3);
    for (const r of rs) expect(r.params.fault).toBe(0);
  });
});

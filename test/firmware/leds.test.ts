// The firmware's LED commands on the sim, over its pty: neopixel_update writes bytes into the
// chain's buffer, neopixel_send shifts them out (the sim's WS2812 chain model takes them by its
// colour orders) and answers neopixel_result; an APA102 (dotstar) chain is clocked in by
// software SPI (config_spi_without_cs, spi_set_sw_bus, spi_send) and decoded from the pin
// edges; an update past the buffer shuts the MCU down with Klipper's reason. One sim start; the
// trace is read after the sim stopped (its writer flushed), so nothing races the writer.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, testOutputDir } from '../support/paths';
import { SimLink, pinNumber, startSim, stopSim, type Dictionary } from './sim-link';

const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const outDir = path.join(testOutputDir, 'firmware');
const machinePath = path.join(outDir, 'leds-machine.json');
const tracePath = path.join(outDir, 'leds.trace.jsonl');
const FREQ = 50_000_000;

// LED 1 GRB, LED 2 RGB, LED 3 GRBW: 10 bytes. A 2-LED dotstar on PC4 (data) / PC5 (clock).
const machine = {
  leds: [
    { name: 'neopixel strip', kind: 'neopixel', pin: 'PB7', chain_count: 3, color_order: ['GRB', 'RGB', 'GRBW'] },
    { name: 'dotstar bar', kind: 'dotstar', data_pin: 'PC4', clock_pin: 'PC5', chain_count: 2 },
  ],
};

interface LedEvent {
  ev: 'led';
  name?: string;
  pin?: string;
  clock: number;
  colors?: number[][];
  bytes?: string;
}

describe('LED chains on the sim', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  let link: SimLink;
  let dict: Dictionary;
  const results: number[] = [];
  let trace: Record<string, unknown>[] = [];

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(machinePath, JSON.stringify(machine, null, 1));
    sim = await startSim(simPath, ['--machine', machinePath, '--trace', tracePath]);
    link = await SimLink.open(sim.pty);
    ({ dict } = await link.identify());
    link.send('allocate_oids', { count: 3 });
    const neopixel = (oid: number, pin: string, size: number) =>
      link.encode('config_neopixel', {
        oid,
        pin: pinNumber(dict, pin),
        data_size: size,
        bit_max_ticks: 4e-6 * FREQ,
        reset_min_ticks: 50e-6 * FREQ,
      });
    link.sendBlock([...neopixel(0, 'PB7', 10), ...neopixel(1, 'PD2', 3)]);
    link.sendBlock([
      ...link.encode('config_spi_without_cs', { oid: 2 }),
      ...link.encode('spi_set_sw_bus', {
        oid: 2,
        miso_pin: pinNumber(dict, 'PC4'),
        mosi_pin: pinNumber(dict, 'PC4'),
        sclk_pin: pinNumber(dict, 'PC5'),
        mode: 0,
        pulse_ticks: 50,
      }),
    ]);
    link.send('finalize_config', { crc: 11 });
    expect((await link.query('get_config', {}, 'config')).params.is_config).toBe(1);

    // Neopixel: the 10 bytes in two updates, then a send.
    const strip = [0x10, 0x20, 0x30, 0x41, 0x42, 0x43, 0x50, 0x60, 0x70, 0x80];
    link.send('neopixel_update', { oid: 0, pos: 0, data: Buffer.from(strip.slice(0, 4)) });
    link.send('neopixel_update', { oid: 0, pos: 4, data: Buffer.from(strip.slice(4)) });
    results.push(Number((await link.query('neopixel_send', { oid: 0 }, 'neopixel_result')).params.success));
    // Change only LED 2's blue byte (pos 5) and send again: the rest of the buffer is kept.
    link.send('neopixel_update', { oid: 0, pos: 5, data: Buffer.from([0x99]) });
    results.push(Number((await link.query('neopixel_send', { oid: 0 }, 'neopixel_result')).params.success));
    // A chain the machine does not model: its bytes are traced by pin.
    link.send('neopixel_update', { oid: 1, pos: 0, data: Buffer.from([1, 2, 3]) });
    results.push(Number((await link.query('neopixel_send', { oid: 1 }, 'neopixel_result')).params.success));
    // Dotstar: start frame, two LED frames (brightness 31, blue, green, red), end frame.
    const frames = [0, 0, 0, 0, 0xff, 0x03, 0x02, 0x01, 0xe8, 0xcc, 0xbb, 0xaa, 0xff, 0xff, 0xff, 0xff];
    link.send('spi_send', { oid: 2, data: Buffer.from(frames) });
    // Past the 10-byte buffer: Klipper's "Invalid neopixel update command" shutdown.
    link.send('neopixel_update', { oid: 0, pos: 8, data: Buffer.from([1, 2, 3]) });
    await link.query('get_config', {}, 'config');
    await stopSim(sim.proc);
    trace = readFileSync(tracePath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  });

  afterAll(async () => {
    await link?.close();
    if (sim) await stopSim(sim.proc);
  });

  const leds = (name: string) => trace.filter((e) => e.ev === 'led' && e.name === name) as unknown as LedEvent[];

  it('answers every neopixel_send with success', () => {
    expect(results).toEqual([1, 1, 1]);
  });

  it('the WS2812 model takes each LED’s bytes in its colour order', () => {
    const sends = leds('neopixel strip');
    expect(sends.length).toBe(2);
    // GRB 10 20 30 -> R 0x20 G 0x10 B 0x30; RGB 41 42 43; GRBW 50 60 70 80 -> R 60 G 50 B 70 W 80.
    expect(sends[0].colors).toEqual([
      [0x20, 0x10, 0x30, 0],
      [0x41, 0x42, 0x43, 0],
      [0x60, 0x50, 0x70, 0x80],
    ]);
    expect(sends[1].colors).toEqual([
      [0x20, 0x10, 0x30, 0],
      [0x41, 0x42, 0x99, 0],
      [0x60, 0x50, 0x70, 0x80],
    ]);
  });

  it('traces the bytes of a chain the machine does not describe', () => {
    const raw = trace.filter((e) => e.ev === 'led' && e.pin === 'PD2') as unknown as LedEvent[];
    expect(raw.map((e) => e.bytes)).toEqual(['010203']);
  });

  it('the APA102 model decodes the SPI frames from the pin edges', () => {
    const bar = leds('dotstar bar');
    expect(bar.length).toBe(1);
    expect(bar[0].colors).toEqual([
      [0x01, 0x02, 0x03, 0],
      [0xaa, 0xbb, 0xcc, 0],
    ]);
  });

  it('an update past the buffer shuts down with Klipper’s reason', () => {
    const shutdowns = trace.filter((e) => e.ev === 'shutdown').map((e) => e.reason);
    expect(shutdowns).toEqual(['Invalid neopixel update command']);
    const cmds = trace.filter((e) => e.ev === 'cmd' && String(e.name).startsWith('neopixel_update'));
    expect(cmds.length).toBeGreaterThanOrEqual(3);
  });
});

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, testOutputDir } from '../support/paths';
import { SimLink, pinNumber, startSim, stopSim, type Dictionary } from './sim-link';
import { crc8, datagram, packBits, request, serialBits, stripSerialBits } from './tmc-wire';

// Trinamic drivers through the firmware's tmcuart and SPI commands, end to end: the sim's
// tmcuart bit-bangs the datagram on a pin, the sim's TMC2209 model decodes it from the edge
// times, and its reply is sampled back by the firmware; SPI likewise on SCLK/MOSI/MISO edges.
// The datagrams are built here from the datasheet (CRC8, start/stop bits as Klipper's host adds
// them), independently of the host's tmc objects.
const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const outDir = path.join(testOutputDir, 'firmware');
const machinePath = path.join(outDir, 'tmc-machine.json');
const tracePath = path.join(outDir, 'tmc.trace.jsonl');
const FREQ = 50_000_000;
const BIT_TICKS = FREQ / 40000; // Klipper's default TMC UART baud
type TraceEvent = { ev: string; [k: string]: unknown };

const machine = {
  drivers: [
    { name: 'stepper_x', kind: 'tmc2209', uart_pin: 'PC11', uart_address: 0 },
    { name: 'stepper_y', kind: 'tmc2209', uart_pin: 'PC11', uart_address: 1 },
    { name: 'stepper_z', kind: 'tmc2208', uart_pin: 'PD2', tx_pin: 'PD3' },
    { name: 'extruder', kind: 'tmc5160', cs_pin: 'PC4', spi_bus: 'spi1' },
    { name: 'stepper_a', kind: 'tmc2130', cs_pin: 'PE4', sclk_pin: 'PE1', mosi_pin: 'PE2', miso_pin: 'PE3' },
  ],
};

const readRequest = (addr: number, reg: number) => datagram([0xf5, addr, reg]);
/** A write access; crcFlip damages its CRC. */
const writeRequest = (addr: number, reg: number, value: number, crcFlip = 0) => {
  const d = [0xf5, addr, reg | 0x80, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  return crcFlip ? packBits(serialBits([...d, crc8(d) ^ crcFlip])) : datagram(d);
};

const GCONF = 0x00, IFCNT = 0x02, IOIN = 0x06, CHOPCONF = 0x6c, IHOLD_IRUN = 0x10;

describe('Trinamic drivers on the sim (tmcuart, spi)', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  let link: SimLink;
  let dict: Dictionary;

  /** Read a register through tmcuart_send (read=10 bytes); null when nobody answered. */
  async function uartRead(oid: number, addr: number, reg: number): Promise<number | null> {
    const r = await request(link, 'tmcuart_send', { oid, write: readRequest(addr, reg), read: 10 }, 'tmcuart_response');
    expect(r.params.oid).toBe(oid);
    const raw = r.params.read as Buffer;
    if (raw.length === 0) return null;
    const b = stripSerialBits(raw);
    expect(b.slice(0, 3)).toEqual([0x05, 0xff, reg]);
    expect(b[7]).toBe(crc8(b.slice(0, 7)));
    return ((b[3] << 24) | (b[4] << 16) | (b[5] << 8) | b[6]) >>> 0;
  }
  /** A write answers with an empty tmcuart_response once the datagram is on the wire. */
  async function uartWrite(oid: number, write: Buffer): Promise<void> {
    const r = await request(link, 'tmcuart_send', { oid, write, read: 0 }, 'tmcuart_response');
    expect((r.params.read as Buffer).length).toBe(0);
  }
  async function spiTransfer(oid: number, bytes: number[]): Promise<number[]> {
    const r = await request(link, 'spi_transfer', { oid, data: Buffer.from(bytes) }, 'spi_transfer_response');
    return [...(r.params.response as Buffer)];
  }
  /** SPI read: the reply carries the register the previous datagram addressed. */
  async function spiRead(oid: number, reg: number): Promise<{ status: number; value: number }> {
    link.send('spi_send', { oid, data: Buffer.from([reg, 0, 0, 0, 0]) });
    const r = await spiTransfer(oid, [reg, 0, 0, 0, 0]);
    return { status: r[0], value: ((r[1] << 24) | (r[2] << 16) | (r[3] << 8) | r[4]) >>> 0 };
  }
  /** Trace events matching `pick`, once there (the sim flushes its trace every 100 ms). */
  async function traced(pick: (e: TraceEvent) => boolean, atLeast = 1): Promise<TraceEvent[]> {
    for (let i = 0; ; i++) {
      const found = readFileSync(tracePath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceEvent).filter(pick);
      if (found.length >= atLeast || i >= 50) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(machinePath, JSON.stringify(machine, null, 1));
    sim = await startSim(simPath, ['--machine', machinePath, '--trace', tracePath]);
    link = await SimLink.open(sim.pty);
    ({ dict } = await link.identify());
    const pin = (n: string) => pinNumber(dict, n);
    link.send('allocate_oids', { count: 4 });
    link.sendBlock([
      ...link.encode('config_tmcuart', { oid: 0, rx_pin: pin('PC11'), pull_up: 0, tx_pin: pin('PC11'), bit_time: BIT_TICKS }),
      ...link.encode('config_tmcuart', { oid: 1, rx_pin: pin('PD2'), pull_up: 1, tx_pin: pin('PD3'), bit_time: BIT_TICKS }),
    ]);
    link.sendBlock([
      ...link.encode('config_spi', { oid: 2, pin: pin('PC4'), cs_active_high: 0 }),
      ...link.encode('spi_set_bus', { oid: 2, spi_bus: (dict.enumerations.spi_bus as Record<string, number>).spi1, mode: 3, rate: 4_000_000 }),
      ...link.encode('config_spi', { oid: 3, pin: pin('PE4'), cs_active_high: 0 }),
      ...link.encode('spi_set_sw_bus', { oid: 3, miso_pin: pin('PE3'), mosi_pin: pin('PE2'), sclk_pin: pin('PE1'), mode: 3, pulse_ticks: 25 }),
    ]);
    link.send('finalize_config', { crc: 1 });
    expect((await link.query('get_config', {}, 'config')).params.is_config).toBe(1);
  });

  afterAll(async () => {
    await link?.close();
    if (sim) await stopSim(sim.proc);
  });

  it('TMC2209: IOIN carries version 0x21; a written CHOPCONF reads back and IFCNT counts the write', async () => {
    const ioin = await uartRead(0, 0, IOIN);
    expect(ioin! >>> 24).toBe(0x21);
    const before = (await uartRead(0, 0, IFCNT))!;
    await uartWrite(0, writeRequest(0, CHOPCONF, 0x14030053));
    expect(await uartRead(0, 0, CHOPCONF)).toBe(0x14030053);
    expect(await uartRead(0, 0, IFCNT)).toBe((before + 1) & 0xff);
    // A write-only register counts too but reads as 0, as on the chip.
    await uartWrite(0, writeRequest(0, IHOLD_IRUN, 0x00081f10));
    expect(await uartRead(0, 0, IHOLD_IRUN)).toBe(0);
    expect(await uartRead(0, 0, IFCNT)).toBe((before + 2) & 0xff);
    const writes = await traced((e) => e.ev === 'tmc' && e.name === 'stepper_x', 2);
    expect(writes.map((e) => [e.reg_name, e.value])).toEqual([['CHOPCONF', 0x14030053], ['IHOLD_IRUN', 0x00081f10]]);
    // The model measured the bit time from the sync nibble's edges: the firmware's timer-driven
    // edges are at exact nominal clocks on the sim, so this holds however loaded the machine is.
    expect(writes[0].bit_ticks).toBe(BIT_TICKS);
  });

  it('a datagram with a bad CRC is ignored: IFCNT and the register stay as they were', async () => {
    const count = (await uartRead(0, 0, IFCNT))!;
    const gconf = (await uartRead(0, 0, GCONF))!;
    await uartWrite(0, writeRequest(0, GCONF, gconf ^ 0x4, 0x5a));
    expect(await uartRead(0, 0, IFCNT)).toBe(count);
    expect(await uartRead(0, 0, GCONF)).toBe(gconf);
    expect(await traced((e) => e.ev === 'tmc_error' && e.why === 'bad crc')).toHaveLength(1);
  });

  it('two drivers on one UART line answer only to their own address; an absent address gives an empty read', async () => {
    const x0 = (await uartRead(0, 0, IFCNT))!;
    const y0 = (await uartRead(0, 1, IFCNT))!;
    await uartWrite(0, writeRequest(1, GCONF, 0x1c4));
    await uartWrite(0, writeRequest(0, GCONF, 0x0c0));
    await uartWrite(0, writeRequest(1, CHOPCONF, 0x10000055));
    expect(await uartRead(0, 1, GCONF)).toBe(0x1c4);
    expect(await uartRead(0, 0, GCONF)).toBe(0x0c0);
    expect(await uartRead(0, 1, IFCNT)).toBe((y0 + 2) & 0xff);
    expect(await uartRead(0, 0, IFCNT)).toBe((x0 + 1) & 0xff);
    expect(await uartRead(0, 2, IFCNT)).toBeNull();
  });

  it('separate rx and tx pins (TMC2208 with tx_pin)', async () => {
    expect((await uartRead(1, 0, IOIN))! >>> 24).toBe(0x20);
    await uartWrite(1, writeRequest(0, GCONF, 0x1c0));
    expect(await uartRead(1, 0, GCONF)).toBe(0x1c0);
  });

  it('TMC5160 on a hardware SPI bus: 40-bit datagrams, status byte, CHOPCONF written then read back', async () => {
    const ioin = await spiRead(2, 0x04);
    expect(ioin.value >>> 24).toBe(0x30);
    expect(ioin.status & 0x01).toBe(1); // reset flag (GSTAT.reset) after power-on
    expect(ioin.status & 0x08).toBe(8); // standstill
    await spiTransfer(2, [0x80 | CHOPCONF, 0x13, 0x41, 0x01, 0x53]);
    expect((await spiRead(2, CHOPCONF)).value).toBe(0x13410153);
    await spiTransfer(2, [0x81, 0, 0, 0, 1]); // GSTAT: write 1 to clear the reset flag
    expect((await spiRead(2, 0x01)).status & 0x01).toBe(0);
    expect(await traced((e) => e.ev === 'tmc' && e.name === 'extruder' && e.reg_name === 'CHOPCONF')).toMatchObject([{ value: 0x13410153 }]);
  });

  it('TMC2130 on software SPI (spi_set_sw_bus, mode 3)', async () => {
    expect((await spiRead(3, 0x04)).value >>> 24).toBe(0x11);
    await spiTransfer(3, [0x80, 0, 0, 0, 0x04]);
    expect((await spiRead(3, 0x00)).value).toBe(0x04);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockReceiver } from '../../src-main/host/mcu/codec';
import { testOutputDir } from '../support/paths';
import { toolsPresent } from '../support/tools';
import { avrDictionary, buildAvr, encodeScript, printerBin } from '../tools/simavr-printer/harness';
import { crc8, packBits, serialBits } from './tmc-wire';

// tmcuart on the AVR (atmega2560 at 16 MHz in simavr): the bits the firmware bit-bangs on the
// pin, read back from simavr's pin edge log, are the host's bit stream at bit_time spacing. simavr
// is cycle-exact and runs unpaced, so the measured jitter is the firmware's own (timer interrupt
// latency) and does not depend on how loaded the test machine is. No TMC model runs on simavr:
// the read request gets no answer and must end in an empty tmcuart_response after the timeout.
const BIT_TICKS = Math.round(16_000_000 / 9000); // the host's AVR baud (9000)

interface Run {
  responses: { name: string; params: Record<string, unknown> }[];
  edges: { cycle: number; level: number }[];
}

/** One unpaced simavr run of a command script; the edges of one pin and the decoded responses. */
function runAvr(name: string, lines: string[], seconds: number, edgePin = 'PC0'): Run {
  const img = buildAvr('atmega2560', 16000000);
  const dict = avrDictionary(img);
  const dir = path.join(testOutputDir, 'avr', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'script.bin'), encodeScript(dict, lines));
  const files = { uart: path.join(dir, 'uart.bin'), edges: path.join(dir, 'edges.txt'), report: path.join(dir, 'report.json') };
  const run = spawnSync(
    printerBin,
    ['--mcu', 'atmega2560', '--freq', '16000000', '--elf', path.join(img.dir, 'tether.elf'), '--speed', '0',
      '--script', path.join(dir, 'script.bin'), '--uart-out', files.uart, '--report', files.report,
      '--edges', files.edges, '--cycles', String(Math.round(16_000_000 * seconds))],
    { timeout: 120_000, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`simavr-printer failed (${run.status ?? run.signal}): ${run.stderr}`);
  const responses: Run['responses'] = [];
  new BlockReceiver((block) => {
    for (const m of dict.decodeMessages(block, 2, block.length - 3, 'responses')) responses.push({ name: m.format.name, params: m.params });
  }).push(readFileSync(files.uart));
  const edges = readFileSync(files.edges, 'utf8').trim().split('\n')
    .map((l) => l.split(' '))
    .filter(([, pin]) => pin === edgePin)
    .map(([cycle, , level]) => ({ cycle: Number(cycle), level: Number(level) }));
  return { responses, edges };
}

const config = ['allocate_oids count=1', `config_tmcuart oid=0 rx_pin=PC0 pull_up=1 tx_pin=PC0 bit_time=${BIT_TICKS}`, 'finalize_config crc=0'];

describe.skipIf(!toolsPresent('avr-gcc', 'cc'))('tmcuart on the AVR (simavr)', () => {
  it('atmega2560: a write datagram leaves the pin at bit_time per bit, then an empty tmcuart_response', () => {
    const write = [0xf5, 0x00, 0x80 | 0x6c, 0x10, 0x00, 0x00, 0x53];
    const writeBits = serialBits([...write, crc8(write)]);
    const { responses, edges } = runAvr('tmcuart-write', [...config, `tmcuart_send oid=0 write=${packBits(writeBits).toString('hex')} read=0`], 0.05);
    expect(responses.filter((m) => m.name === 'shutdown')).toEqual([]);
    expect(responses.filter((m) => m.name === 'tmcuart_response').map((m) => (m.params.read as Uint8Array).length)).toEqual([0]);

    const first = edges.findIndex((e) => e.level === 0);
    expect(first).toBeGreaterThanOrEqual(0);
    const t0 = edges[first].cycle;
    const levelAt = (c: number) => {
      let v = 1;
      for (const e of edges) if (e.cycle <= c) v = e.level;
      return v;
    };
    // Every bit, sampled in its middle from the pin's edge log, is the host's bit.
    expect(writeBits.map((_, k) => levelAt(t0 + (k + 0.5) * BIT_TICKS))).toEqual(writeBits);
    // Each edge sits on the bit grid (the first edge's time + n bits) up to interrupt latency. A
    // receiver resynchronises on every start bit and samples mid-bit, so the spread of the offsets
    // must stay well under half a bit; a quarter is the limit here.
    const dataEdges = edges.slice(first).filter((e) => e.cycle < t0 + writeBits.length * BIT_TICKS);
    const offsets = dataEdges.map((e) => e.cycle - t0 - Math.round((e.cycle - t0) / BIT_TICKS) * BIT_TICKS);
    const spread = Math.max(...offsets) - Math.min(...offsets);
    console.log(`tmcuart on atmega2560: ${dataEdges.length} edges, offsets from the bit grid ${Math.min(...offsets)}..${Math.max(...offsets)} cycles (bit = ${BIT_TICKS})`);
    expect(spread).toBeLessThan(BIT_TICKS / 4);
  });

  it('atmega2560: a read nobody answers ends in an empty tmcuart_response after the timeout, the line left to its pull-up', () => {
    const read = [0xf5, 0x00, 0x06];
    const { responses, edges } = runAvr('tmcuart-timeout', [...config, `tmcuart_send oid=0 write=${packBits(serialBits([...read, crc8(read)])).toString('hex')} read=10`], 0.05);
    expect(responses.filter((m) => m.name === 'shutdown')).toEqual([]);
    expect(responses.filter((m) => m.name === 'tmcuart_response').map((m) => m.params)).toEqual([{ oid: 0, read: new Uint8Array(0) }]);
    expect(edges.at(-1)?.level).toBe(1);
  });

  it('atmega2560: spi_transfer on the hardware SPI bus answers with as many bytes, chip select low only meanwhile', () => {
    // No SPI slave is simulated: this checks the peripheral is driven to completion (no hang on
    // SPIF) and the chip select framing, not the bytes read.
    const { responses, edges } = runAvr('spi-hw', [
      'allocate_oids count=1',
      'config_spi oid=0 pin=PA0 cs_active_high=0',
      'spi_set_bus oid=0 spi_bus=spi mode=3 rate=4000000',
      'finalize_config crc=0',
      'spi_transfer oid=0 data=ec10000053',
    ], 0.02, 'PA0');
    expect(responses.filter((m) => m.name === 'shutdown')).toEqual([]);
    const r = responses.filter((m) => m.name === 'spi_transfer_response');
    expect(r.map((m) => (m.params.response as Uint8Array).length)).toEqual([5]);
    // PA0: configured high (inactive), low for the transfer, high again.
    expect(edges.map((e) => e.level)).toEqual([1, 0, 1]);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockReceiver } from '../../src-main/host/mcu/codec';
import { testOutputDir } from '../support/paths';
import { toolsPresent } from '../support/tools';
import { avrDictionary, buildAvr, encodeScript, printerBin } from '../tools/simavr-printer/harness';

// The display commands on a real AVR image (atmega2560 at 16 MHz in simavr, cycle-exact and
// unpaced, so the figures do not depend on the test machine's load): the ST7920 and HD44780
// waveforms from simavr's pin edge log, decoded here independently of the sim's models, carry
// the bytes sent, with the chips' timing: ST7920 clock high/low >= 200 ns, bytes at least
// cmd_delay apart; HD44780 E high >= 450 ns, bytes at least delay_ticks apart. And i2c_transfer
// on the TWI with no device wired answers START_NACK instead of hanging.
const FREQ = 16_000_000;
const ST = { cs: 'PH1', sclk: 'PA1', sid: 'PH0' };
const HD = { rs: 'PC0', e: 'PC1', d4: 'PC2', d5: 'PC3', d6: 'PC4', d7: 'PC5' };
const ST_CMD_DELAY = Math.round(0.00002 * FREQ);
const ST_SYNC_DELAY = Math.round(0.000045 * FREQ);
const HD_DELAY = Math.round(0.00004 * FREQ);
const hex = (s: string | number[]) => Buffer.from(s as string).toString('hex');

type Edge = { cycle: number; pin: string; level: number };

function runAvr(name: string, lines: string[], seconds: number) {
  const img = buildAvr('atmega2560', FREQ);
  const dict = avrDictionary(img);
  const dir = path.join(testOutputDir, 'avr', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'script.bin'), encodeScript(dict, lines));
  const files = { uart: path.join(dir, 'uart.bin'), edges: path.join(dir, 'edges.txt'), report: path.join(dir, 'report.json') };
  const run = spawnSync(
    printerBin,
    [
      '--mcu',
      'atmega2560',
      '--freq',
      String(FREQ),
      '--elf',
      path.join(img.dir, 'tether.elf'),
      '--speed',
      '0',
      '--script',
      path.join(dir, 'script.bin'),
      '--uart-out',
      files.uart,
      '--report',
      files.report,
      '--edges',
      files.edges,
      '--cycles',
      String(Math.round(FREQ * seconds)),
    ],
    { timeout: 120_000, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`simavr-printer failed (${run.status ?? run.signal}): ${run.stderr}`);
  const responses: { name: string; params: Record<string, unknown> }[] = [];
  new BlockReceiver((block) => {
    for (const m of dict.decodeMessages(block, 2, block.length - 3, 'responses')) responses.push({ name: m.format.name, params: m.params });
  }).push(readFileSync(files.uart));
  const edges: Edge[] = readFileSync(files.edges, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' '))
    .map(([cycle, pin, level]) => ({ cycle: Number(cycle), pin, level: Number(level) }));
  return { responses, edges };
}

/** Replays the edges, keeping every pin's level; calls f after each edge. */
function replay(edges: Edge[], f: (e: Edge, level: (pin: string) => number, was: number) => void): void {
  const levels = new Map<string, number>();
  for (const e of edges) {
    const was = levels.get(e.pin) ?? 0;
    levels.set(e.pin, e.level);
    f(e, (p) => levels.get(p) ?? 0, was);
  }
}

describe.skipIf(!toolsPresent('avr-gcc', 'cc'))('display commands on the AVR (simavr)', () => {
  const config = [
    'allocate_oids count=3',
    `config_st7920 oid=0 cs_pin=${ST.cs} sclk_pin=${ST.sclk} sid_pin=${ST.sid} sync_delay_ticks=${ST_SYNC_DELAY} cmd_delay_ticks=${ST_CMD_DELAY}`,
    `config_hd44780 oid=1 rs_pin=${HD.rs} e_pin=${HD.e} d4_pin=${HD.d4} d5_pin=${HD.d5} d6_pin=${HD.d6} d7_pin=${HD.d7} delay_ticks=${HD_DELAY}`,
    'config_i2c oid=2',
    'i2c_set_bus oid=2 i2c_bus=0 rate=100000 address=60',
    'finalize_config crc=0',
  ];
  const stCmds = [0x30, 0x0c, 0x80];
  const stData = 'Tether AVR';
  const hdCmds = [0x33, 0x32, 0x28, 0x0c, 0x80];
  const hdData = 'Hello 2560';

  it("atmega2560: ST7920 and HD44780 waveforms carry the bytes with the chips' timing; TWI without a device: START_NACK", () => {
    const { responses, edges } = runAvr(
      'display',
      [
        ...config,
        `st7920_send_cmds oid=0 cmds=${hex(stCmds)}`,
        `st7920_send_data oid=0 data=${hex(stData)}`,
        `hd44780_send_cmds oid=1 cmds=${hex(hdCmds)}`,
        `hd44780_send_data oid=1 data=${hex(hdData)}`,
        'i2c_transfer oid=2 write=00af read_len=1',
      ],
      0.1,
    );
    expect(responses.filter((m) => m.name === 'shutdown')).toEqual([]);
    const i2c = responses.filter((m) => m.name === 'i2c_response');
    expect(i2c.map((m) => m.params.i2c_bus_status)).toEqual([3]); // START_NACK

    // ST7920: bits on rising SCLK while CS is high; a sync byte (11111, RW, RS, 0) then nibble pairs.
    const st: { rs: number; byte: number; startCycle: number; endCycle: number }[] = [];
    let bits: number[] = [];
    let rs = 0;
    let firstCycle = 0;
    let minHigh = Infinity;
    let minLow = Infinity;
    let lastEdge = -1;
    replay(
      edges.filter((e) => Object.values(ST).includes(e.pin)),
      (e, level, was) => {
        if (e.pin !== ST.sclk || e.level === was) return;
        if (lastEdge >= 0 && e.cycle - lastEdge < FREQ / 1000) {
          if (e.level) minLow = Math.min(minLow, e.cycle - lastEdge);
          else minHigh = Math.min(minHigh, e.cycle - lastEdge);
        }
        lastEdge = e.cycle;
        if (!e.level || !level(ST.cs)) return;
        if (bits.length === 0) firstCycle = e.cycle;
        bits.push(level(ST.sid));
        if (bits.length === 8 && bits.slice(0, 5).every((b) => b === 1)) {
          rs = bits[6];
          bits = [];
        } else if (bits.length === 16) {
          const hi = parseInt(bits.slice(0, 4).join(''), 2);
          const lo = parseInt(bits.slice(8, 12).join(''), 2);
          expect(bits.slice(4, 8).concat(bits.slice(12))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
          st.push({ rs, byte: (hi << 4) | lo, startCycle: firstCycle, endCycle: e.cycle });
          bits = [];
        }
      },
    );
    expect(st.filter((b) => b.rs === 0).map((b) => b.byte)).toEqual(stCmds);
    expect(Buffer.from(st.filter((b) => b.rs === 1).map((b) => b.byte)).toString()).toBe(stData);
    const stGaps = st.slice(1).map((b, i) => b.startCycle - st[i].endCycle);
    console.log(
      `ST7920 on atmega2560: SCLK high >= ${minHigh} cycles, low >= ${minLow}, byte gaps >= ${Math.min(...stGaps)} cycles (cmd_delay ${ST_CMD_DELAY})`,
    );
    expect(minHigh).toBeGreaterThanOrEqual(Math.ceil(200e-9 * FREQ));
    expect(minLow).toBeGreaterThanOrEqual(Math.ceil(200e-9 * FREQ));
    expect(Math.min(...stGaps)).toBeGreaterThanOrEqual(ST_CMD_DELAY);

    // HD44780: a nibble per falling E (D4-D7), two per byte (the chip is put in 4-bit mode by
    // the 0x33 0x32 sequence, which this decoder takes as nibble pairs like everything else).
    const hd: { rs: number; byte: number; cycle: number }[] = [];
    let pending: number | null = null;
    let eRise = 0;
    let minE = Infinity;
    replay(
      edges.filter((e) => Object.values(HD).includes(e.pin)),
      (e, level, was) => {
        if (e.pin !== HD.e || e.level === was) return;
        if (e.level) {
          eRise = e.cycle;
          return;
        }
        minE = Math.min(minE, e.cycle - eRise);
        const nibble = level(HD.d4) | (level(HD.d5) << 1) | (level(HD.d6) << 2) | (level(HD.d7) << 3);
        if (pending === null) pending = nibble;
        else {
          hd.push({ rs: level(HD.rs), byte: (pending << 4) | nibble, cycle: e.cycle });
          pending = null;
        }
      },
    );
    expect(hd.filter((b) => b.rs === 0).map((b) => b.byte)).toEqual(hdCmds);
    expect(Buffer.from(hd.filter((b) => b.rs === 1).map((b) => b.byte)).toString()).toBe(hdData);
    const hdGaps = hd.slice(1).map((b, i) => b.cycle - hd[i].cycle);
    console.log(`HD44780 on atmega2560: E high >= ${minE} cycles, bytes >= ${Math.min(...hdGaps)} cycles apart (delay ${HD_DELAY})`);
    expect(minE).toBeGreaterThanOrEqual(Math.ceil(450e-9 * FREQ));
    expect(Math.min(...hdGaps)).toBeGreaterThanOrEqual(HD_DELAY);
  }, 180_000);
});

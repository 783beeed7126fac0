// Display commands of the firmware on the sim, through the wire protocol in Klipper's formats:
// what st7920_send_*, hd44780_send_* (bit-banged on pins), i2c_transfer (an SSD1306 at 0x3c)
// and spi_send with an A0 pin (a UC1701) carry must come out of the sim's pin-level controller
// models as the text and pixels a user would see (`lcd` trace events). One sim start for all
// four displays. Every wait is for the expected trace content (the sim writes `lcd` events at
// most every 100 ms and flushes its trace then), so a loaded machine only makes it slower.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, testOutputDir } from '../support/paths';
import { SimLink, pinNumber, startSim, stopSim, type Dictionary, type Message } from './sim-link';

const simPath = path.join(repoRoot, 'firmware/build/sim/tether-sim');
const outDir = path.join(testOutputDir, 'firmware');
const machinePath = path.join(outDir, 'display-machine.json');
const tracePath = path.join(outDir, 'display.trace.jsonl');
const FREQ = 50_000_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PINS = {
  st: { cs: 'PH1', sclk: 'PA1', sid: 'PH0' },
  hd: { rs: 'PC0', e: 'PC1', d4: 'PC2', d5: 'PC3', d6: 'PC4', d7: 'PC5' },
  uc: { cs: 'PD0', a0: 'PD1', sclk: 'PD2', mosi: 'PD3', miso: 'PD4' },
};
const machine = {
  displays: [
    { name: 'st', kind: 'st7920', cs_pin: PINS.st.cs, sclk_pin: PINS.st.sclk, sid_pin: PINS.st.sid },
    {
      name: 'hd',
      kind: 'hd44780',
      rs_pin: PINS.hd.rs,
      e_pin: PINS.hd.e,
      d4_pin: PINS.hd.d4,
      d5_pin: PINS.hd.d5,
      d6_pin: PINS.hd.d6,
      d7_pin: PINS.hd.d7,
    },
    { name: 'oled', kind: 'ssd1306', i2c_address: 0x3c },
    { name: 'soft', kind: 'sh1106', i2c_address: 0x3c, scl_pin: 'PE2', sda_pin: 'PE3', x_offset: 2 },
    { name: 'uc', kind: 'uc1701', cs_pin: PINS.uc.cs, a0_pin: PINS.uc.a0, sclk_pin: PINS.uc.sclk, mosi_pin: PINS.uc.mosi },
  ],
};

interface LcdEvent {
  ev: 'lcd';
  name: string;
  kind: string;
  clock: number;
  on: boolean;
  graphics?: boolean;
  text?: string[];
  bitmap?: string[];
}

function readTrace(): Record<string, unknown>[] {
  let text = '';
  try {
    text = readFileSync(tracePath, 'utf8');
  } catch {
    return [];
  }
  // The last line may be half written while the sim flushes: only complete lines count.
  return text
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
function lastLcd(name: string): LcdEvent | undefined {
  return readTrace()
    .filter((e): e is LcdEvent & Record<string, unknown> => e.ev === 'lcd' && e.name === name)
    .at(-1);
}
// A 128-pixel row of the bitmap with the given bytes from its left edge, zeros after.
const row = (...bytes: number[]): string => Buffer.from([...bytes, ...new Array<number>(16 - bytes.length).fill(0)]).toString('hex');

describe('display commands on the sim', () => {
  let sim: Awaited<ReturnType<typeof startSim>>;
  let link: SimLink;
  let dict: Dictionary;
  async function waitFor<T>(what: string, f: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = f();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }
  // The latest `lcd` event of a display once it satisfies ok(); its last state otherwise.
  async function lcdWhere(name: string, ok: (e: LcdEvent) => boolean): Promise<LcdEvent> {
    try {
      return await waitFor(`${name} contents`, () => {
        const e = lastLcd(name);
        return e && ok(e) ? e : undefined;
      });
    } catch {
      return lastLcd(name) ?? ({ name, text: [], bitmap: [] } as unknown as LcdEvent);
    }
  }
  const i2cResponses = (): Message[] => link.received.filter((m) => m.name === 'i2c_response');
  async function i2c(oid: number, write: number[], readLen = 0): Promise<Message> {
    const before = i2cResponses().length;
    link.send('i2c_transfer', { oid, write: Buffer.from(write), read_len: readLen });
    return waitFor(`i2c_response ${oid}`, () => i2cResponses()[before]);
  }
  const pin = (name: string) => pinNumber(dict, name);

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(machinePath, JSON.stringify(machine, null, 1));
    sim = await startSim(simPath, ['--machine', machinePath, '--trace', tracePath]);
    link = await SimLink.open(sim.pty);
    ({ dict } = await link.identify());
    link.send('allocate_oids', { count: 8 });
    // The host's delays: ST7920 20 us per byte, 45 us after a sync; HD44780 40 us per byte.
    link.send('config_st7920', {
      oid: 0,
      cs_pin: pin(PINS.st.cs),
      sclk_pin: pin(PINS.st.sclk),
      sid_pin: pin(PINS.st.sid),
      sync_delay_ticks: 0.000045 * FREQ,
      cmd_delay_ticks: 0.00002 * FREQ,
    });
    link.send('config_hd44780', {
      oid: 1,
      rs_pin: pin(PINS.hd.rs),
      e_pin: pin(PINS.hd.e),
      d4_pin: pin(PINS.hd.d4),
      d5_pin: pin(PINS.hd.d5),
      d6_pin: pin(PINS.hd.d6),
      d7_pin: pin(PINS.hd.d7),
      delay_ticks: 0.00004 * FREQ,
    });
    link.sendBlock([
      ...link.encode('config_i2c', { oid: 2 }),
      ...link.encode('i2c_set_bus', { oid: 2, i2c_bus: dict.enumerations.i2c_bus.twi as number, rate: 400000, address: 0x3c }),
      ...link.encode('config_i2c', { oid: 3 }),
      ...link.encode('i2c_set_bus', { oid: 3, i2c_bus: dict.enumerations.i2c_bus.twi as number, rate: 400000, address: 0x3d }),
    ]);
    link.sendBlock([
      ...link.encode('config_spi', { oid: 4, pin: pin(PINS.uc.cs), cs_active_high: 0 }),
      ...link.encode('spi_set_sw_bus', {
        oid: 4,
        miso_pin: pin(PINS.uc.miso),
        mosi_pin: pin(PINS.uc.mosi),
        sclk_pin: pin(PINS.uc.sclk),
        mode: 0,
        pulse_ticks: 50,
      }),
      ...link.encode('config_digital_out', { oid: 5, pin: pin(PINS.uc.a0), value: 0, default_value: 0, max_duration: 0 }),
    ]);
    // Software I2C on two pins where no device is wired: every transfer must end in START_NACK.
    link.sendBlock([
      ...link.encode('config_i2c', { oid: 6 }),
      ...link.encode('i2c_set_sw_bus', { oid: 6, scl_pin: pin('PE0'), sda_pin: pin('PE1'), pulse_ticks: 100, address: 0x3c }),
    ]);
    // ... and an SH1106 on software I2C pins PE2/PE3 (the sim's pin-level bus).
    link.sendBlock([
      ...link.encode('config_i2c', { oid: 7 }),
      ...link.encode('i2c_set_sw_bus', { oid: 7, scl_pin: pin('PE2'), sda_pin: pin('PE3'), pulse_ticks: 50, address: 0x3c }),
    ]);
    link.send('finalize_config', { crc: 9 });
    expect((await link.query('get_config', {}, 'config')).params.is_config).toBe(1);
  });

  afterAll(async () => {
    await link?.close();
    if (sim) await stopSim(sim.proc);
  });

  it('the dictionary carries Klipper formats and enumerations for displays and I2C', () => {
    for (const fmt of [
      'config_st7920 oid=%c cs_pin=%u sclk_pin=%u sid_pin=%u sync_delay_ticks=%u cmd_delay_ticks=%u',
      'st7920_send_cmds oid=%c cmds=%*s',
      'st7920_send_data oid=%c data=%*s',
      'config_hd44780 oid=%c rs_pin=%u e_pin=%u d4_pin=%u d5_pin=%u d6_pin=%u d7_pin=%u delay_ticks=%u',
      'hd44780_send_cmds oid=%c cmds=%*s',
      'hd44780_send_data oid=%c data=%*s',
      'config_i2c oid=%c',
      'i2c_set_bus oid=%c i2c_bus=%u rate=%u address=%u',
      'i2c_set_sw_bus oid=%c scl_pin=%u sda_pin=%u pulse_ticks=%u address=%u',
      'i2c_transfer oid=%c write=%*s read_len=%u',
    ])
      expect(dict.commands, fmt).toHaveProperty([fmt]);
    expect(dict.responses).toHaveProperty(['i2c_response oid=%c i2c_bus_status=%c response=%*s']);
    expect(dict.enumerations.i2c_bus_status).toEqual({ SUCCESS: 0, NACK: 1, BUS_TIMEOUT: 2, START_NACK: 3, START_READ_NACK: 4 });
  });

  it('ST7920: text written to DDRAM and pixels written to GDRAM appear in the sim', async () => {
    const text0 = 'Tether ST7920 ok';
    link.send('st7920_send_cmds', { oid: 0, cmds: Buffer.from([0x30, 0x0c, 0x01]) }); // basic set, display on, clear
    await sleep(20); // clear takes 1.6 ms on the chip: the host waits too
    link.send('st7920_send_cmds', { oid: 0, cmds: Buffer.from([0x80]) });
    link.send('st7920_send_data', { oid: 0, data: Buffer.from(text0) });
    link.send('st7920_send_cmds', { oid: 0, cmds: Buffer.from([0x88]) }); // DDRAM word 8: the third row
    link.send('st7920_send_data', { oid: 0, data: Buffer.from('row 3') });
    // Extended set, graphics on (G only counts while RE is already 1), GDRAM (y=5, x=0), then
    // (y=3, x=8): the right half of GDRAM is the display's lower half (row 35).
    link.send('st7920_send_cmds', { oid: 0, cmds: Buffer.from([0x34, 0x36, 0x85, 0x80]) });
    link.send('st7920_send_data', { oid: 0, data: Buffer.from([0xaa, 0x55, 0xff, 0x01]) });
    link.send('st7920_send_cmds', { oid: 0, cmds: Buffer.from([0x83, 0x88]) });
    link.send('st7920_send_data', { oid: 0, data: Buffer.from([0x80, 0x01]) });
    const e = await lcdWhere('st', (x) => x.bitmap?.[35] === row(0x80, 0x01));
    expect(e.kind).toBe('st7920');
    expect(e.text).toEqual([text0, ' '.repeat(16), 'row 3' + ' '.repeat(11), ' '.repeat(16)]);
    expect(e.on).toBe(true);
    expect(e.graphics).toBe(true);
    expect(e.bitmap).toHaveLength(64);
    expect(e.bitmap![5]).toBe(row(0xaa, 0x55, 0xff, 0x01));
    expect(e.bitmap![35]).toBe(row(0x80, 0x01));
    expect(e.bitmap!.filter((r) => r !== row()).length).toBe(2);
  });

  it('HD44780: the 4-bit power-on sequence and four lines of text', async () => {
    // Klipper's host sequence: 0x33, 0x33, 0x32 bring the chip from 8-bit into 4-bit mode.
    for (const cmds of [[0x33], [0x33], [0x32], [0x28, 0x28, 0x02], [0x06, 0x0c]]) {
      link.send('hd44780_send_cmds', { oid: 1, cmds: Buffer.from(cmds) });
      await sleep(5);
    }
    const lines = ['Tether HD44780 line1', 'second line', 'third: 200/210', 'fourth'];
    for (const [i, addr] of [0x00, 0x40, 0x14, 0x54].entries()) {
      link.send('hd44780_send_cmds', { oid: 1, cmds: Buffer.from([0x80 | addr]) });
      link.send('hd44780_send_data', { oid: 1, data: Buffer.from(lines[i]) });
    }
    // A custom glyph in CGRAM slot 1, shown in line 4's last column.
    link.send('hd44780_send_cmds', { oid: 1, cmds: Buffer.from([0x48]) });
    link.send('hd44780_send_data', { oid: 1, data: Buffer.from([0x04, 0x0e, 0x1f, 0x00, 0x1f, 0x0e, 0x04, 0x00]) });
    link.send('hd44780_send_cmds', { oid: 1, cmds: Buffer.from([0x80 | 0x67]) });
    link.send('hd44780_send_data', { oid: 1, data: Buffer.from([0x01]) });
    const want = lines.map((l) => l.padEnd(20));
    want[3] = want[3].slice(0, 19) + '\u0001';
    const e = await lcdWhere('hd', (x) => JSON.stringify(x.text) === JSON.stringify(want));
    expect(e.text).toEqual(want);
    expect(e.on).toBe(true);
    expect((e as unknown as { cgram: string }).cgram.slice(16, 32)).toBe('040e1f001f0e0400');
  });

  it('SSD1306 on I2C at 0x3c: commands and page data; no device at 0x3d answers START_NACK', async () => {
    const init = await i2c(2, [0x00, 0xae, 0xd5, 0x80, 0xa8, 0x3f, 0x20, 0x02, 0xa1, 0xc8, 0x8d, 0x14, 0xaf]);
    expect(init.params.i2c_bus_status).toBe(0);
    expect((await i2c(2, [0x00, 0xb2, 0x03, 0x10])).params.i2c_bus_status).toBe(0); // page 2, column 3
    expect((await i2c(2, [0x40, 0x01, 0x02, 0x04, 0x80])).params.i2c_bus_status).toBe(0);
    const status = await i2c(2, [], 1); // the status byte: bit 6 = display off
    expect([...(status.params.response as Buffer)]).toEqual([0x00]);
    const missing = await i2c(3, [0x00, 0xaf], 2);
    expect(missing.params.i2c_bus_status).toBe(dict.enumerations.i2c_bus_status.START_NACK);
    expect((missing.params.response as Buffer).length).toBe(0);
    // Page 2 is rows 16-23; bit n of a column byte is row 16+n. Column 3 lights row 16, 4 row 17,
    // 5 row 18, 6 row 23.
    const e = await lcdWhere('oled', (x) => x.bitmap?.[23] === row(0x02));
    expect(e.on).toBe(true);
    expect(e.bitmap![16]).toBe(row(0x10));
    expect(e.bitmap![17]).toBe(row(0x08));
    expect(e.bitmap![18]).toBe(row(0x04));
    expect(e.bitmap![23]).toBe(row(0x02));
    expect(e.bitmap!.filter((r) => r !== row()).length).toBe(4);
  });

  it('software I2C: a start condition on the pins, and no device there answers START_NACK', async () => {
    const r = await i2c(6, [0x00, 0xaf], 1);
    expect(r.params.i2c_bus_status).toBe(dict.enumerations.i2c_bus_status.START_NACK);
    // The start: SDA pulled low while SCL is released (high), then SCL pulled low. Released
    // lines are inputs (no pin event): the first two pulls seen must be SDA, then SCL.
    const pulls = await waitFor('the bus pulls in the trace', () => {
      const p = readTrace().filter((e) => e.ev === 'pin' && (e.pin === 'PE0' || e.pin === 'PE1') && e.value === 0);
      return p.length >= 2 ? p : undefined;
    });
    expect(pulls.slice(0, 2).map((e) => e.pin)).toEqual(['PE1', 'PE0']);
  });

  it('software I2C to an SH1106 at pin level: ACKs, a read of its status byte, page data', async () => {
    expect((await i2c(7, [0x00, 0xae, 0xa1, 0xc8])).params.i2c_bus_status).toBe(0); // display off
    const off = await i2c(7, [], 1);
    expect(off.params.i2c_bus_status).toBe(0);
    expect([...(off.params.response as Buffer)]).toEqual([0x40]); // bit 6: display off
    expect((await i2c(7, [0x00, 0xaf, 0xb7, 0x02, 0x10])).params.i2c_bus_status).toBe(0); // on; page 7, RAM column 2
    expect((await i2c(7, [0x40, 0x81, 0x3c])).params.i2c_bus_status).toBe(0);
    const on = await i2c(7, [0x00], 2); // a write then a repeated start and a 2-byte read
    expect([...(on.params.response as Buffer)]).toEqual([0x00, 0x00]);
    // x_offset 2: RAM column 2 is the first pixel column. 0x81 = rows 56 and 63, 0x3c rows 58-61.
    const e = await lcdWhere('soft', (x) => x.bitmap?.[63] === row(0x80));
    expect(e.kind).toBe('sh1106');
    expect(e.on).toBe(true);
    expect(e.bitmap!.slice(56)).toEqual([row(0x80), row(), row(0x40), row(0x40), row(0x40), row(0x40), row(), row(0x80)]);
    expect(e.bitmap!.filter((r) => r !== row()).length).toBe(6);
  });

  it('UC1701 on SPI with an A0 pin: commands with A0 low, pixels with A0 high', async () => {
    link.send('update_digital_out', { oid: 5, value: 0 });
    link.send('spi_send', { oid: 4, data: Buffer.from([0xe2, 0x2f, 0x81, 0x20, 0xaf, 0xb7, 0x10, 0x00]) }); // page 7, column 0
    link.send('update_digital_out', { oid: 5, value: 1 });
    link.send('spi_send', { oid: 4, data: Buffer.from([0xff, 0x81]) });
    const e = await lcdWhere('uc', (x) => x.bitmap?.[63] === row(0xc0));
    expect(e.kind).toBe('uc1701');
    expect(e.on).toBe(true);
    expect(e.bitmap![56]).toBe(row(0xc0)); // column 0 all of page 7, column 1 its top and bottom rows
    for (let y = 57; y < 63; y++) expect(e.bitmap![y]).toBe(row(0x80));
    expect(e.bitmap![63]).toBe(row(0xc0));
  });

  it('display bus lines are traced as lcd events, not pin events', () => {
    const quiet = new Set([
      ...Object.values(PINS.st),
      ...Object.values(PINS.hd),
      PINS.uc.sclk,
      PINS.uc.mosi,
      PINS.uc.cs,
      PINS.uc.a0,
      'PE2',
      'PE3',
    ]);
    const pinEvents = readTrace().filter((e) => e.ev === 'pin' && quiet.has(e.pin as string));
    expect(pinEvents).toEqual([]);
  });
});

describe('display section of the machine file', () => {
  it('an unknown display kind is an error naming the file and line', () => {
    mkdirSync(outDir, { recursive: true });
    const bad = path.join(outDir, 'display-bad-machine.json');
    writeFileSync(bad, '{\n "displays": [\n  { "name": "d", "kind": "st7921", "cs_pin": "PA1" }\n ]\n}\n');
    const r = spawnSync(simPath, ['--machine', bad], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}:3: unknown display kind "st7921"`);
  });
});

// [display] on a batch-mode printer (atmega2560 dictionary): the MCU config each lcd_type writes
// (Klipper's message formats, every line encoded against the dictionary by connect()), the
// status screen rendered from our templates, [display_data]/[display_glyph] sections,
// SET_DISPLAY_GROUP, option errors, and the menu driven by keys as the encoder and buttons
// would. No reference Klipper output under shared/reference has a display (the one decoded
// run, zigzag-10k, has none), so formats are checked against the dictionary and Klipper's
// documented timings instead.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import type { PrinterDisplay } from '../../../src-main/host/objects/display';
import { BLOCK, DEGREE } from '../../../src-main/host/objects/lcd-driver';
import type { AdcButtonPin } from '../../../src-main/host/objects/display-adc-buttons';
import { CARTESIAN, loadText, type LoadedPrinter } from '../objects/load-helpers';
import { referenceDir } from '../../support/paths';

const HD44780 = `
[display]
lcd_type: hd44780
rs_pin: PH1
e_pin: PH0
d4_pin: PA1
d5_pin: PA3
d6_pin: PA5
d7_pin: PA7
line_length: 16
encoder_pins: ^PC6, ^PC4
click_pin: ^!PC2
kill_pin: ^!PG0
`;

const TYPES: Record<string, string> = {
  st7920: 'lcd_type: st7920\ncs_pin: PH1\nsclk_pin: PH0\nsid_pin: PA1\n',
  emulated_st7920:
    'lcd_type: emulated_st7920\nen_pin: PH1\nspi_software_sclk_pin: PH0\nspi_software_mosi_pin: PA1\nspi_software_miso_pin: PA3\n',
  hd44780: 'lcd_type: hd44780\nrs_pin: PH1\ne_pin: PH0\nd4_pin: PA1\nd5_pin: PA3\nd6_pin: PA5\nd7_pin: PA7\n',
  hd44780_spi:
    'lcd_type: hd44780_spi\nlatch_pin: PH1\nspi_software_sclk_pin: PH0\nspi_software_mosi_pin: PA1\nspi_software_miso_pin: PA3\n',
  aip31068_spi:
    'lcd_type: aip31068_spi\nlatch_pin: PH1\nspi_software_sclk_pin: PH0\nspi_software_mosi_pin: PA1\nspi_software_miso_pin: PA3\n',
  uc1701: 'lcd_type: uc1701\ncs_pin: PH1\na0_pin: PH0\nrst_pin: PA1\ncontrast: 30\n',
  ssd1306: 'lcd_type: ssd1306\nreset_pin: PH1\nvcomh: 32\ninvert: True\n',
  sh1106: 'lcd_type: sh1106\ni2c_software_scl_pin: PL0\ni2c_software_sda_pin: PL2\nx_offset: 2\n',
};

async function connected(text: string): Promise<{ p: LoadedPrinter; lines: { line: string; init: boolean }[] }> {
  const p = loadText(CARTESIAN + text);
  const mcu = p.printer.lookupObject<Mcu>('mcu');
  const lines: { line: string; init: boolean }[] = [];
  const add = mcu.addConfigCmd.bind(mcu);
  vi.spyOn(mcu, 'addConfigCmd').mockImplementation((line, opts = {}) => {
    lines.push({ line, init: !!opts.isInit });
    add(line, opts);
  });
  await mcu.connect(); // encodes every config line against the dictionary: a bad format throws
  return { p, lines };
}

const withoutOids = (l: string) => l.replace(/oid=\d+/g, 'oid=*');

describe('MCU config per lcd_type (Klipper formats, 16 MHz atmega2560)', () => {
  it('st7920: config_st7920 with 45 us sync and 20 us command delays, init commands', async () => {
    const { lines } = await connected(`[display]\n${TYPES.st7920}`);
    const mine = lines.filter((l) => /st7920/.test(l.line)).map((l) => withoutOids(l.line));
    expect(mine[0]).toBe('config_st7920 oid=* cs_pin=PH1 sclk_pin=PH0 sid_pin=PA1 sync_delay_ticks=720 cmd_delay_ticks=320');
    expect(mine[1]).toBe('st7920_send_cmds oid=* cmds=30300c063436');
  });

  it('emulated_st7920: software SPI, each instruction framed as sync byte + two nibbles', async () => {
    const { lines } = await connected(`[display]\n${TYPES.emulated_st7920}`);
    const mine = lines.filter((l) => /spi/.test(l.line)).map((l) => withoutOids(l.line));
    expect(mine[0]).toBe('config_spi oid=* pin=PH1 cs_active_high=0');
    expect(mine[1]).toBe('spi_set_sw_bus oid=* miso_pin=PA3 mosi_pin=PA1 sclk_pin=PH0 mode=0 pulse_ticks=80');
    // 0x30 -> f8 30 00, 0x0c -> 00 c0 ...
    expect(mine[2]).toBe('spi_send oid=* data=f83000300000c0006030403060');
  });

  it('hd44780: config_hd44780 with 40 us delay; 8->4 bit switch then set-up', async () => {
    const { lines } = await connected(`[display]\n${TYPES.hd44780}`);
    const mine = lines.filter((l) => /hd44780/.test(l.line)).map((l) => withoutOids(l.line));
    expect(mine).toEqual([
      'config_hd44780 oid=* rs_pin=PH1 e_pin=PH0 d4_pin=PA1 d5_pin=PA3 d6_pin=PA5 d7_pin=PA7 delay_ticks=640',
      'hd44780_send_cmds oid=* cmds=33322808060c',
    ]);
    expect(lines.find((l) => l.line.startsWith('hd44780_send_cmds'))!.init).toBe(true);
  });

  it('hd44780_spi and aip31068_spi: software SPI on the latch pin', async () => {
    for (const t of ['hd44780_spi', 'aip31068_spi']) {
      const { lines } = await connected(`[display]\n${TYPES[t]}`);
      const mine = lines.filter((l) => /spi/.test(l.line)).map((l) => withoutOids(l.line));
      expect(mine.slice(0, 2), t).toEqual([
        'config_spi oid=* pin=PH1 cs_active_high=0',
        'spi_set_sw_bus oid=* miso_pin=PA3 mosi_pin=PA1 sclk_pin=PH0 mode=0 pulse_ticks=80',
      ]);
      expect(mine[2], t).toMatch(/^spi_send oid=\* data=[0-9a-f]+$/);
    }
  });

  it('uc1701: hardware SPI bus, A0 as a digital out, reset released, contrast in the init', async () => {
    const { lines } = await connected(`[display]\n${TYPES.uc1701}`);
    const mine = lines.map((l) => withoutOids(l.line)).filter((l) => /PH1|PH0|PA1|spi|update_digital_out/.test(l));
    expect(mine).toEqual([
      'config_spi oid=* pin=PH1 cs_active_high=0',
      'spi_set_bus oid=* spi_bus=spi mode=0 rate=10000000',
      // rst_pin held low in the config, released by an init command; then A0 (low = command).
      'config_digital_out oid=* pin=PA1 value=0 default_value=0 max_duration=0',
      'update_digital_out oid=* value=1',
      'config_digital_out oid=* pin=PH0 value=0 default_value=0 max_duration=0',
      'update_digital_out oid=* value=0',
      `spi_send oid=* data=e22fa0c8a227811e40a6a4af`,
    ]);
  });

  it('ssd1306 / sh1106 on I2C: address 60, i2c_transfer (this dictionary has no i2c_write) with control byte 0x00', async () => {
    const { lines } = await connected(`[display]\n${TYPES.ssd1306}`);
    const mine = lines.map((l) => withoutOids(l.line)).filter((l) => /i2c/.test(l));
    expect(mine[0]).toBe('config_i2c oid=*');
    expect(mine[1]).toBe('i2c_set_bus oid=* i2c_bus=twi rate=100000 address=60');
    expect(mine[2]).toBe('i2c_transfer oid=* write=00aed580a83fd300408d142002a1c8da1281efd9f1db20a4a7af read_len=0');
    const sh = await connected(`[display]\n${TYPES.sh1106}`);
    const shLines = sh.lines.map((l) => withoutOids(l.line)).filter((l) => /i2c/.test(l));
    expect(shLines[1]).toBe('i2c_set_sw_bus oid=* scl_pin=PL0 sda_pin=PL2 pulse_ticks=80 address=60');
  });

  it('encoder and buttons join one config_buttons group', async () => {
    const { lines } = await connected(HD44780);
    const b = lines.filter((l) => /^buttons_add/.test(l.line)).map((l) => withoutOids(l.line));
    expect(b).toEqual([
      'buttons_add oid=* pos=0 pin=PC6 pull_up=1',
      'buttons_add oid=* pos=1 pin=PC4 pull_up=1',
      'buttons_add oid=* pos=2 pin=PC2 pull_up=1',
      'buttons_add oid=* pos=3 pin=PG0 pull_up=1',
    ]);
  });
});

describe('options', () => {
  it('rejects what Klipper rejects, naming the option and line', () => {
    expect(() => loadText(CARTESIAN + '[display]\nlcd_type: st7920\ncs_pin: PH1\nsclk_pin: PH0\n')).toThrow(/sid_pin/);
    expect(() => loadText(CARTESIAN + `[display]\n${TYPES.st7920}rs_pin: PA5\n`)).toThrow(
      /Option 'rs_pin' is not valid in section 'display'/,
    );
    expect(() => loadText(CARTESIAN + `[display]\n${TYPES.st7920}encoder_steps_per_detent: 3\n`)).toThrow(/must be 2 or 4/);
    expect(() => loadText(CARTESIAN + `[display]\n${TYPES.hd44780}line_length: 12\n`)).toThrow(/must be 16 or 20/);
    expect(() => loadText(CARTESIAN + `[display]\n${TYPES.st7920.replace('PA1', 'PF0')}`)).toThrow(/pin PF0 used multiple times/);
    expect(() => loadText(CARTESIAN + `[display]\n${TYPES.st7920}display_group: nope\n`)).toThrow(/Unknown display_data group 'nope'/);
    expect(() => loadText(CARTESIAN + `[display]\n${TYPES.st7920}[display_glyph x]\ndata: ..**\n`)).toThrow(/16 lines of 16/);
  });
});

function display(p: LoadedPrinter, name = 'display'): PrinterDisplay {
  return p.printer.lookupObject<PrinterDisplay>(name);
}

describe('status screen', () => {
  it('shows temperatures, fan, speed, progress and the M117 message', async () => {
    const { p } = await connected(
      HD44780 +
        '[heater_bed]\nheater_pin: PH5\nsensor_type: EPCOS 100K B57560G104F\nsensor_pin: PK6\ncontrol: watermark\nmin_temp: 0\nmax_temp: 130\n',
    );
    const d = display(p);
    await p.gcode.run('M104 S210');
    await p.gcode.run('M140 S60');
    await p.gcode.run('M220 S150');
    await p.gcode.run('M73 P45');
    d.draw();
    const rows = d.driver.textRows();
    expect(rows[0]).toBe(`N  0/210${DEGREE}          `.slice(0, 16));
    expect(rows[1]).toBe(`B  0/60 ${DEGREE} S150%    `.slice(0, 16));
    expect(rows[2]).toBe(`${BLOCK.repeat(4)}------  45%  `.slice(0, 16));
    expect(rows[3]).toBe('T0:00 Standby   ');
    await p.gcode.run('M117 hello');
    d.draw();
    expect(d.driver.textRows()[3]).toBe('hello           ');
    expect(d.getStatus()).toMatchObject({ group: '_default_16x4', menu_open: false });
  });

  it('[display_data] adds to a group, ~glyph~ draws a glyph, SET_DISPLAY_GROUP switches', async () => {
    const glyph = '\n' + Array.from({ length: 16 }, () => '  ' + '*'.repeat(16)).join('\n');
    const { p } = await connected(
      HD44780.replace('lcd_type: hd44780', 'lcd_type: hd44780') +
        `[display_glyph box]\nhd44780_slot: 1\nhd44780_data:\n${Array.from({ length: 8 }, () => '  *...*').join('\n')}\ndata:${glyph}\n` +
        '[display_data mine hi]\nposition: 1, 2\ntext: Hi ~box~ {printer.gcode_move.speed_factor * 100}\n',
    );
    const d = display(p);
    await p.gcode.run('SET_DISPLAY_GROUP GROUP=mine');
    d.draw();
    // speed_factor is a whole 1 here, so the template prints 100 (no float part).
    expect(d.driver.textRows()).toEqual(['', '  Hi * 100', '', ''].map((r) => r.padEnd(16)));
    await expect(p.gcode.run('SET_DISPLAY_GROUP GROUP=none')).rejects.toThrow(/Unknown display_data group 'none'/);
    await expect(p.gcode.run('SET_DISPLAY_GROUP DISPLAY=x GROUP=mine')).rejects.toThrow(/Unknown display 'x'/);
  });

  it('a second display [display my_second] has its own group and no menu', async () => {
    const second = `[display my_second]\n${TYPES.sh1106}`;
    const { p } = await connected(HD44780 + second);
    await p.gcode.run('SET_DISPLAY_GROUP DISPLAY=my_second GROUP=_default_20x4');
    expect(display(p, 'display my_second').group).toBe('_default_20x4');
    expect(display(p).group).toBe('_default_16x4');
  });
});

describe('ADC buttons (analog_range_*_pin)', () => {
  const ADC = `[display]\n${TYPES.st7920}up_pin: PK1\nanalog_range_up_pin: 9000, 13000\ndown_pin: PK1\nanalog_range_down_pin: 800, 1300\nclick_pin: PK1\nanalog_range_click_pin: 2000, 2500\n`;

  it('share one analog input; a resistance held 25 ms presses its button', async () => {
    const { p, lines } = await connected(ADC);
    const mine = lines.map((l) => withoutOids(l.line)).filter((l) => /analog_in/.test(l) && !/PK5/.test(l));
    // One sampler for the three buttons: 6 samples 1 ms apart every 15 ms, no range check.
    expect(mine.filter((l) => l.startsWith('config_analog_in'))).toEqual(['config_analog_in oid=* pin=PK1']);
    expect(mine.filter((l) => l.includes('sample_count=6'))).toEqual([
      'query_analog_in oid=* clock=16000000 sample_ticks=16000 sample_count=6 rest_ticks=240000 bytes_per_report=2 min_value=0 max_value=65535 range_check_count=0',
    ]);
    const sampler = p.printer.lookupObject<Map<string, AdcButtonPin>>('adc_button_pins').get('mcu:PK1')!;
    expect(sampler.buttons).toHaveLength(3);
    sampler.setAdcMax(1023);
    // The ADC sum of a 2.2 kOhm button against the 4.7 kOhm pull-up reads back as 2.2 kOhm.
    const sum = Math.round((2200 / (2200 + 4700)) * 6 * 1023);
    expect(sampler.resistanceOhm(sum)).toBeCloseTo(2200, -1);
    const d = display(p);
    sampler.reading(2200, 1.0);
    sampler.reading(2200, 1.015); // held 15 ms: still bouncing
    expect(d.menuOpen).toBe(false);
    sampler.reading(2200, 1.03); // held 30 ms: click
    expect(d.menuOpen).toBe(true);
    sampler.reading(Infinity, 1.045);
    sampler.reading(Infinity, 1.075); // released
    sampler.reading(1000, 1.09);
    sampler.reading(1000, 1.12); // down
    d.draw();
    expect(d.driver.textRows()[2].startsWith('>Info')).toBe(true);
    expect(() => loadText(CARTESIAN + ADC.replace('800, 1300', '1300, 800'))).toThrow(/low < high/);
  });
});

describe('menu through keys', () => {
  it('click opens the root; encoder moves; click runs commands and edits inputs; back leaves', async () => {
    const { p } = await connected(
      HD44780 + '[menu __main __control __hello]\ntype: command\nname: Say hello\ngcode: M117 hi from menu\nindex: 0\n',
    );
    const d = display(p);
    const ran: string[] = [];
    const run = p.gcode.run.bind(p.gcode);
    vi.spyOn(p.gcode, 'run').mockImplementation((s: string) => (ran.push(s), run(s)));
    d.key('down'); // no menu open: ignored
    expect(d.menuOpen).toBe(false);
    d.key('click');
    expect(d.menuOpen).toBe(true);
    d.draw();
    expect(d.driver.textRows().map((r) => r.trimEnd())).toEqual(['Main', '>..', ' Info>', ' Temperature>']);
    // .. Info Temperature Control: three down, click.
    for (const k of ['down', 'down', 'down', 'click'] as const) d.key(k);
    d.draw();
    expect(d.driver.textRows()[0].trimEnd()).toBe('Control');
    // The user's item with index 0 comes first, after '..'.
    d.key('down');
    d.draw();
    expect(d.driver.textRows()[2].trimEnd()).toBe('>Say hello');
    d.key('click');
    await p.gcode.run('M400');
    expect(ran).toContain('M117 hi from menu');
    // Back to Main, into Temperature, edit the nozzle target: +3 steps of 5 -> M104 S15.
    d.key('back');
    // Main's cursor is still on Control: up to Temperature, in, down to Nozzle, edit, three clockwise detents.
    for (const k of ['up', 'click', 'down', 'click'] as const) d.key(k);
    for (let i = 0; i < 3; i++) d.turn(1, false);
    d.draw();
    expect(d.driver.textRows().some((r) => r.startsWith('*Nozzle:  15'))).toBe(true);
    d.key('click');
    await p.gcode.run('M400');
    expect(ran).toContain('M104 S15');
    // back, back: the status screen again.
    d.key('back');
    d.key('back');
    expect(d.menuOpen).toBe(false);
  });

  it('menu_timeout closes the menu; kill runs M112', async () => {
    const { p } = await connected(HD44780.replace('kill_pin', 'menu_timeout: 1\nkill_pin'));
    const d = display(p);
    const now = vi.spyOn(performance, 'now');
    now.mockReturnValue(1000);
    d.key('click');
    expect(d.menuOpen).toBe(true);
    now.mockReturnValue(2500);
    d.draw();
    expect(d.menuOpen).toBe(false);
    now.mockRestore();
    const ran: string[] = [];
    vi.spyOn(p.gcode, 'run').mockImplementation(async (s: string) => void ran.push(s));
    d.key('kill');
    expect(ran).toEqual(['M112']);
  });
});

describe("Klipper's sample-lcd.cfg blocks on a RAMPS board (EXP1/EXP2 aliases)", () => {
  it('every display block loads and its MCU config encodes against the atmega2560 dictionary', async () => {
    const dir = path.join(referenceDir, 'klipper-configs');
    const ramps = readFileSync(path.join(dir, 'generic-ramps.cfg'), 'utf8');
    // Blocks: each [display] section with the sections after it, up to the next [display].
    const blocks = readFileSync(path.join(dir, 'sample-lcd.cfg'), 'utf8')
      .split(/^(?=\[display\])/m)
      .slice(1);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const types: string[] = [];
    for (const block of blocks) {
      const p = loadText(ramps + '\n' + block);
      const lines: string[] = [];
      const mcu = p.printer.lookupObject<Mcu>('mcu');
      const add = mcu.addConfigCmd.bind(mcu);
      vi.spyOn(mcu, 'addConfigCmd').mockImplementation((line, opts = {}) => (lines.push(line), add(line, opts)));
      await mcu.connect();
      const type = /lcd_type: (\w+)/.exec(block)![1];
      types.push(type);
      const first = { st7920: 'config_st7920', hd44780: 'config_hd44780', uc1701: 'config_spi' }[type as 'st7920'];
      expect(
        lines.some((l) => l.startsWith(first)),
        `${type} block:\n${block}`,
      ).toBe(true);
      expect(lines.filter((l) => l.startsWith('buttons_add')).length, type).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(types)).toEqual(new Set(['st7920', 'hd44780', 'uc1701']));
  });
});

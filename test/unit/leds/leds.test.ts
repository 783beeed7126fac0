// [led], [neopixel] and [dotstar] on a batch-mode printer: options and Klipper's errors (naming
// file:line or the G-code line), the MCU config they write (Klipper's formats), the neopixel
// frame layout for colour orders (per LED too), the changed-byte runs sent as neopixel_update,
// the dotstar SPI frame, and SET_LED's rules (INDEX range, TRANSMIT=0, unchanged colours).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceDir } from '../../support/paths';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import { dotstarFrame } from '../../../src-main/host/objects/dotstar';
import { LedHelper, type LedColor } from '../../../src-main/host/objects/led';
import { parseTemplateColor } from '../../../src-main/host/objects/led-template';
import { pca9533Ls0, pca9632Registers } from '../../../src-main/host/objects/led-pca';
import { changedRuns, neopixelByteMap, packNeopixelFrame } from '../../../src-main/host/objects/neopixel';
import { CARTESIAN, connectMcu, loadFile, loadText, type LoadedPrinter } from '../objects/load-helpers';

const STRIP = `
[neopixel strip]
pin: PB7
chain_count: 3
color_order: GRB, RGB, GRBW
initial_BLUE: 0.5
`;
const fail = (why: string) => new Error(why);
const colorData = (p: LoadedPrinter, name: string) => p.printer.lookupObject<LedHelper>(name).getStatus().color_data as number[][];

describe('neopixel frame layout', () => {
  it('maps each byte to its LED and channel by color_order', () => {
    expect(neopixelByteMap(['GRB'], 2, fail)).toEqual([
      { led: 0, channel: 1 },
      { led: 0, channel: 0 },
      { led: 0, channel: 2 },
      { led: 1, channel: 1 },
      { led: 1, channel: 0 },
      { led: 1, channel: 2 },
    ]);
    const mixed = neopixelByteMap(['RGB', 'GRBW'], 2, fail);
    expect(mixed.map((b) => `${b.led}${'RGBW'[b.channel]}`).join(' ')).toBe('0R 0G 0B 1G 1R 1B 1W');
  });

  it('packs 0..1 colours into rounded bytes in that order', () => {
    const map = neopixelByteMap(['GRB', 'RGBW'], 2, fail);
    const colors: LedColor[] = [
      [1, 0.5, 0.1, 0.9], // white is not in GRB: not sent
      [0.2, 0, 1, 0.502],
    ];
    expect([...packNeopixelFrame(map, colors)]).toEqual([128, 255, 26, 51, 0, 255, 128]);
  });

  it("refuses bad orders and lengths with Klipper's messages", () => {
    expect(() => neopixelByteMap(['GRB', 'RGB'], 3, fail)).toThrow(/color_order does not match chain_count/);
    for (const bad of ['GRBB', 'RGX', 'RG', 'WRGBW'])
      expect(() => neopixelByteMap([bad], 1, fail), bad).toThrow(`Invalid color_order '${bad}'`);
    expect(() => neopixelByteMap(['GRB'], 166, fail)).not.toThrow(); // 498 bytes
    expect(() => neopixelByteMap(['GRBW'], 126, fail)).toThrow(/neopixel chain too long \(504 bytes, at most 500\)/);
  });

  it('sends only runs of changed bytes, merging close ones, at most 32 bytes a message', () => {
    const before = new Uint8Array(80);
    const after = before.slice();
    after[3] = 1;
    after[8] = 1; // 4 unchanged bytes between: merged into one run
    after[20] = 1; // 11 unchanged: a run of its own
    expect(changedRuns(before, after)).toEqual([
      [3, 6],
      [20, 1],
    ]);
    const all = before.map(() => 7);
    expect(changedRuns(before, all)).toEqual([
      [0, 32],
      [32, 32],
      [64, 16],
    ]);
    expect(changedRuns(all, all)).toEqual([]);
  });
});

describe('dotstar frame', () => {
  it('is a zero start frame, 0xff + blue, green, red per LED, then an end frame of ones', () => {
    expect([
      ...dotstarFrame([
        [1, 0, 0.5, 1],
        [0, 0.2, 0, 0],
      ]),
    ]).toEqual([0, 0, 0, 0, 0xff, 128, 0, 255, 0xff, 0, 51, 0, 0xff, 0xff, 0xff, 0xff]);
    // Long chains need one more end bit per two LEDs: 100 LEDs -> 7 bytes of ones.
    const long = dotstarFrame(Array.from({ length: 100 }, (): LedColor => [0, 0, 0, 0]));
    expect(long.length).toBe(4 + 400 + 7);
    expect([...long.subarray(404)]).toEqual(Array(7).fill(0xff));
  });
});

describe('LED sections', () => {
  it('load with their initial colours and configure the MCU in Klipper’s formats', async () => {
    const p = await connectMcu(
      loadText(`${CARTESIAN}${STRIP}
[dotstar bar]
data_pin: PC4
clock_pin: PC5
chain_count: 2
initial_GREEN: 1

[led case]
red_pin: PG1
white_pin: !PG2
initial_WHITE: 0.3

[led lamp]
blue_pin: PE3
hardware_pwm: True
cycle_time: 0.002
initial_BLUE: 0.5
`),
    );
    expect(colorData(p, 'neopixel strip')).toEqual(Array(3).fill([0, 0, 0.5, 0]));
    expect(colorData(p, 'dotstar bar')).toEqual(Array(2).fill([0, 1, 0, 0]));
    expect(colorData(p, 'led case')).toEqual([[0, 0, 0, 0.3]]);
    const lines = p.printer.lookupObject<Mcu>('mcu').configLines();
    const has = (re: RegExp) =>
      expect(
        lines.some((l) => re.test(l)),
        `${re} in\n${lines.join('\n')}`,
      ).toBe(true);
    // 16 MHz: 4 us = 64 ticks, 50 us = 800 ticks; 3 + 3 + 4 bytes.
    has(/^config_neopixel oid=\d+ pin=PB7 data_size=10 bit_max_ticks=64 reset_min_ticks=800$/);
    has(/^config_spi_without_cs oid=\d+$/);
    // 500 kHz software SPI: 16 ticks per clock level; MISO on the data pin as Klipper does.
    has(/^spi_set_sw_bus oid=\d+ miso_pin=PC4 mosi_pin=PC4 sclk_pin=PC5 mode=0 pulse_ticks=16$/);
    // Soft PWM: 10 ms cycle = 160000 ticks; the inverted white pin starts low-active (0.3 < 0.5: off = high).
    has(/^config_digital_out oid=\d+ pin=PG1 value=0 default_value=0 max_duration=0$/);
    has(/^config_digital_out oid=\d+ pin=PG2 value=1 default_value=1 max_duration=0$/);
    has(/^set_digital_out_pwm_cycle oid=\d+ cycle_ticks=160000$/);
    // Hardware PWM: 2 ms = 32000 ticks, 0.5 of PWM_MAX 255.
    has(/^config_pwm_out oid=\d+ pin=PE3 cycle_ticks=32000 value=128 default_value=0 max_duration=0$/);
  });

  it("refuses bad sections naming file and line, with Klipper's messages", () => {
    expect(() => loadText(`${CARTESIAN}[led x]\ncycle_time: 0.01\n`)).toThrow(
      /No LED pin definitions found in 'led x'.*printer\.cfg:\d+|printer\.cfg:\d+.*No LED pin/s,
    );
    expect(() => loadText(`${CARTESIAN}[neopixel n]\npin: PB7\nchain_count: 2\ncolor_order: GRB, RGB, RGB\n`)).toThrow(
      /color_order does not match chain_count/,
    );
    expect(() => loadText(`${CARTESIAN}[neopixel n]\npin: PB7\ncolor_order: GRBX\n`)).toThrow(/Invalid color_order 'GRBX'/);
    expect(() => loadText(`${CARTESIAN}[neopixel n]\npin: PB7\ninitial_RED: 1.5\n`)).toThrow(/initial_red|initial_RED/);
    expect(() => loadText(`${CARTESIAN}[neopixel n]\npin: PB7\nchain_count: 0\n`)).toThrow(/chain_count/);
    expect(() => loadText(`${CARTESIAN}[neopixel n]\npin: !PB7\n`)).toThrow(/PB7/);
    expect(() => loadText(`${CARTESIAN}[dotstar d]\ndata_pin: PC4\nclock_pin: tool:PC5\n`)).toThrow(/Dotstar pins must be on same mcu/);
    // Two sections may not share a pin, and SET_LED names must be unique across LED types.
    expect(() => loadText(`${CARTESIAN}[neopixel a]\npin: PB7\n[dotstar b]\ndata_pin: PB7\nclock_pin: PC5\n`)).toThrow(/PB7/);
    expect(() => loadText(`${CARTESIAN}[neopixel a]\npin: PB7\n[led a]\nred_pin: PG1\n`)).toThrow(/LED name 'a' is used by another/);
  });
});

describe('SET_LED', () => {
  it('sets all LEDs, or one by INDEX, and reports color_data', async () => {
    const p = await connectMcu(loadText(CARTESIAN + STRIP));
    await p.gcode.run('SET_LED LED=strip RED=1 GREEN=0.5');
    expect(colorData(p, 'neopixel strip')).toEqual(Array(3).fill([1, 0.5, 0, 0]));
    await p.gcode.run('SET_LED LED=strip INDEX=2 WHITE=0.25 SYNC=0');
    expect(colorData(p, 'neopixel strip')).toEqual([
      [1, 0.5, 0, 0],
      [0, 0, 0, 0.25],
      [1, 0.5, 0, 0],
    ]);
  });

  it('errors name the command line', async () => {
    const p = loadText(CARTESIAN + STRIP);
    await expect(p.gcode.run('SET_LED LED=strip INDEX=4 RED=1')).rejects.toThrow(
      "INDEX must have maximum of 3 in 'SET_LED LED=strip INDEX=4 RED=1'",
    );
    await expect(p.gcode.run('SET_LED LED=strip INDEX=0')).rejects.toThrow("INDEX must have minimum of 1 in 'SET_LED LED=strip INDEX=0'");
    await expect(p.gcode.run('SET_LED LED=strip RED=1.2')).rejects.toThrow("RED must have maximum of 1 in 'SET_LED LED=strip RED=1.2'");
    await expect(p.gcode.run('SET_LED LED=strip GREEN=x')).rejects.toThrow(
      "Unable to parse GREEN='x' as a number in 'SET_LED LED=strip GREEN=x'",
    );
    await expect(p.gcode.run('SET_LED RED=1')).rejects.toThrow("Missing parameter LED in 'SET_LED RED=1'");
    await expect(p.gcode.run('SET_LED LED=lamp RED=1')).rejects.toThrow(
      "The value 'lamp' is not valid for LED (LEDs: strip) in 'SET_LED LED=lamp RED=1'",
    );
    expect(colorData(p, 'neopixel strip')).toEqual(Array(3).fill([0, 0, 0.5, 0])); // nothing changed
  });
});

describe('the LED helper', () => {
  it('transmits only changes, and TRANSMIT=0 changes wait for the next transmit', () => {
    const sent: { colors: LedColor[]; at: number | null }[] = [];
    const h = new LedHelper('x', 2, [0, 0, 0, 0], (colors, at) => sent.push({ colors: colors.map((c) => [...c] as LedColor), at }));
    h.setColor(1, [1, 0, 0, 0]);
    h.setColor(null, [0, 0, 0, 0]); // LED 2 was already off; LED 1 goes back
    h.transmit(2.5);
    expect(sent).toEqual([
      {
        colors: [
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ],
        at: 2.5,
      },
    ]);
    h.transmit(3); // nothing changed since
    h.setColor(2, [0, 0, 0, 0]);
    h.transmit(4); // the same colour: nothing to send
    expect(sent.length).toBe(1);
    h.setColor(2, [0, 0, 1, 0]);
    h.transmit(null);
    expect(sent[1]).toEqual({
      colors: [
        [0, 0, 0, 0],
        [0, 0, 1, 0],
      ],
      at: null,
    });
  });
});

describe('SET_LED_TEMPLATE', () => {
  const TEMPLATE = `
[display_template glow]
param_level: 0.5
text: {param_level}, 0, {1 - param_level}, {printer['neopixel strip'].color_data|length / 10}
`;

  it('renders a display_template into the LEDs, with PARAM_ overrides and INDEX', async () => {
    const p = await connectMcu(loadText(CARTESIAN + STRIP + TEMPLATE));
    await p.gcode.run('SET_LED_TEMPLATE LED=strip TEMPLATE=glow');
    // Rendered at once (then every 0.5 s): 3 LEDs in color_data -> white 0.3.
    expect(colorData(p, 'neopixel strip')).toEqual(Array(3).fill([0.5, 0, 0.5, 0.3]));
    await p.gcode.run('SET_LED_TEMPLATE LED=strip TEMPLATE=glow INDEX=2 PARAM_LEVEL=0.25');
    expect(colorData(p, 'neopixel strip')[1]).toEqual([0.25, 0, 0.75, 0.3]);
    // Removed: the colour stays until something else sets it.
    await p.gcode.run('SET_LED_TEMPLATE LED=strip TEMPLATE=');
    await p.gcode.run('SET_LED LED=strip INDEX=1 RED=1');
    expect(colorData(p, 'neopixel strip')[0]).toEqual([1, 0, 0, 0]);
  });

  it("refuses unknown templates and parameters with Klipper's messages", async () => {
    const p = loadText(CARTESIAN + STRIP + TEMPLATE);
    await expect(p.gcode.run('SET_LED_TEMPLATE LED=strip TEMPLATE=nope')).rejects.toThrow(
      "Unknown display_template 'nope' in 'SET_LED_TEMPLATE LED=strip TEMPLATE=nope'",
    );
    await expect(p.gcode.run('SET_LED_TEMPLATE LED=strip TEMPLATE=glow PARAM_SPEED=1')).rejects.toThrow(
      'Invalid display_template parameter: param_speed',
    );
    await expect(p.gcode.run('SET_LED_TEMPLATE LED=strip TEMPLATE=glow PARAM_LEVEL=abc')).rejects.toThrow(
      "Unable to parse 'abc' as a literal",
    );
    await expect(p.gcode.run('SET_LED_TEMPLATE LED=strip TEMPLATE=glow INDEX=9')).rejects.toThrow('INDEX must have maximum of 3');
    await expect(p.gcode.run('SET_LED_TEMPLATE LED=x TEMPLATE=glow')).rejects.toThrow("The value 'x' is not valid for LED");
  });

  it("parses a template's text as Klipper does", () => {
    expect(parseTemplateColor('1, 0.5')).toEqual([1, 0.5, 0, 0]);
    expect(parseTemplateColor(' 2 ,-1, 0.25, 0.75')).toEqual([1, 0, 0.25, 0.75]);
    expect(parseTemplateColor('red')).toEqual([0, 0, 0, 0]);
    expect(parseTemplateColor('')).toEqual([0, 0, 0, 0]);
  });
});

describe("Klipper's sample configs", () => {
  it('every [led]/[neopixel]/[dotstar]/[pca9533] section of the corpus loads (other unsupported sections set aside)', () => {
    const dir = path.join(referenceDir, 'klipper-configs');
    const found: string[] = [];
    let fullyLoading = 0;
    for (const f of fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.cfg'))
      .sort()) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const sections = [...text.matchAll(/^\[((?:led|neopixel|dotstar|pca9533|pca9632) [^\]]+)\]/gm)].map((m) => m[1]);
      if (!sections.length || !/^\[printer\]/m.test(text)) continue; // sample-lcd.cfg is a snippet
      const p = loadFile(path.join(dir, f), 'skip');
      for (const s of sections) {
        const status = p.printer.lookupObject<LedHelper>(s).getStatus().color_data as number[][];
        expect(status.length, `${f} [${s}]`).toBeGreaterThan(0);
        found.push(`${f} [${s}]`);
      }
      try {
        loadFile(path.join(dir, f));
        fullyLoading++;
      } catch {
        // stops at another unsupported section
      }
    }
    console.log(
      `LED sections in the corpus: ${found.length} loaded; ${fullyLoading} of their configs load completely\n${found.join('\n')}`,
    );
    expect(found.length).toBeGreaterThanOrEqual(9); // the 3 toolboard samples with LEDs are snippets (no [printer])
    expect(fullyLoading).toBeGreaterThanOrEqual(5);
  });
});

describe('PCA9533 / PCA9632', () => {
  it('PCA9533 quantises each channel to off, 1/3, 2/3, on in LS0', () => {
    expect(pca9533Ls0([1, 1, 1, 1])).toBe(0b01010101);
    expect(pca9533Ls0([0, 0.3, 0.6, 0.1])).toBe((0 << 0) | (2 << 2) | (3 << 4) | (0 << 6));
    expect(pca9533Ls0([0.25, 0, 0, 0.75])).toBe((2 << 0) | (1 << 6));
  });

  it('PCA9632 writes PWM per output in color_order and switches lit outputs to PWM', () => {
    expect(pca9632Registers([1, 0.5, 0, 0], [0, 1, 2, 3])).toEqual({ pwm: [255, 128, 0, 0], ledout: 0b1010 });
    // color_order GRBW: output 0 is green.
    expect(pca9632Registers([1, 0.5, 0, 0.2], [1, 0, 2, 3])).toEqual({ pwm: [128, 255, 0, 51], ledout: 0b10001010 });
  });

  it('load with Klipper’s I2C defaults (address 98, the first bus) and refuse a bad color_order', async () => {
    const p = await connectMcu(
      loadText(`${CARTESIAN}[pca9533 strip]\ninitial_RED: 1\n[pca9632 lamp]\ni2c_address: 99\ncolor_order: GRBW\n`),
    );
    const lines = p.printer.lookupObject<Mcu>('mcu').configLines();
    expect(lines.filter((l) => /^i2c_set_bus oid=\d+ i2c_bus=twi rate=100000 address=(98|99)$/.test(l)).length, lines.join('\n')).toBe(2);
    expect(colorData(p, 'pca9533 strip')).toEqual([[1, 0, 0, 0]]);
    await p.gcode.run('SET_LED LED=lamp BLUE=0.5');
    expect(colorData(p, 'pca9632 lamp')).toEqual([[0, 0, 0.5, 0]]);
    expect(() => loadText(`${CARTESIAN}[pca9632 x]\ncolor_order: RGB\n`)).toThrow(/Invalid color_order 'RGB'/);
    expect(() => loadText(`${CARTESIAN}[pca9533 x]\ni2c_software_scl_pin: PC1\n`)).toThrow(
      /needs both i2c_software_scl_pin and i2c_software_sda_pin/,
    );
  });
});

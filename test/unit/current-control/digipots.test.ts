// The current-control chips of stock boards ([ad5206], [dac084S085], [mcp4451], [mcp4018],
// [mcp4728]) in batch mode against the atmega2560 dictionary: the MCU config they write (bus
// set-up in Klipper's formats) and the init writes, whose bytes are worked out here by hand from
// each datasheet's word layout (value / scale x full-scale code, rounded); SET_DIGIPOT; and the
// option errors, naming file:line.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { digipotCode } from '../../../src-main/host/objects/digipot';
import { referenceDir } from '../../support/paths';
import { atmegaDict, CARTESIAN, loadFile, loadText } from '../objects/load-helpers';
import { runBatch, type DecodedMsg } from '../tmc/batch-output';

const batch = (extra: string, gcode: string[] = []) =>
  runBatch(new PrinterConfig(parseConfigText(`${CARTESIAN}${extra}`, '/virtual/printer.cfg')), atmegaDict, gcode);
const pinNumber = (name: string) => atmegaDict.enumerations.get('pin')!.byName.get(name);
const busNumber = (kind: string, name: string) => atmegaDict.enumerations.get(kind)!.byName.get(name);
/** The messages addressed to one oid, as "name data" lines (byte strings in hex). */
function ofOid(msgs: DecodedMsg[], oid: number): string[] {
  return msgs
    .filter((m) => m.params.oid === oid)
    .map(
      (m) =>
        `${m.name} ${Object.entries(m.params)
          .filter(([k]) => k !== 'oid')
          .map(([k, v]) => `${k}=${v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v}`)
          .join(' ')}`,
    );
}
function oidOf(msgs: DecodedMsg[], name: string, match: (m: DecodedMsg) => boolean): number {
  const m = msgs.find((x) => x.name === name && match(x));
  if (!m) throw new Error(`no ${name} in the output`);
  return m.params.oid as number;
}

describe('digipot codes', () => {
  it('map 0..scale to 0..full scale, rounded to the nearest step', () => {
    expect(digipotCode(1.34, 2.08, 255)).toBe(164); // 164.28
    expect(digipotCode(1.0, 2.08, 255)).toBe(123); // 122.60
    expect(digipotCode(2.08, 2.08, 255)).toBe(255);
    expect(digipotCode(0, 2.08, 255)).toBe(0);
    expect(digipotCode(0.5, 0.773, 127)).toBe(82); // 82.15
    expect(digipotCode(0.5, 1, 4095)).toBe(2048); // 2047.5 rounds up
  });
});

describe('[ad5206] (RAMBo)', () => {
  it('sets up SPI on enable_pin (mode 0, 25 MHz) and writes each set channel once, at init', async () => {
    const { msgs } = await batch(`
[ad5206 stepper_digipot]
enable_pin: PL7
scale: 2.08
channel_1: 1.34
channel_2: 1.0
channel_4: 1.1
channel_5: 1.1
channel_6: 1.1
`);
    const oid = oidOf(msgs, 'config_spi', (m) => m.params.pin === pinNumber('PL7'));
    // address byte = channel - 1, then the code: 1.34/2.08*255 = 164 (a4), 1.0 -> 123 (7b), 1.1 -> 135 (87).
    expect(ofOid(msgs, oid)).toEqual([
      `config_spi pin=${pinNumber('PL7')} cs_active_high=0`,
      `spi_set_bus spi_bus=${busNumber('spi_bus', 'spi')} mode=0 rate=25000000`,
      'spi_send data=00a4',
      'spi_send data=017b',
      'spi_send data=0387',
      'spi_send data=0487',
      'spi_send data=0587',
    ]);
  });

  it('refuses a channel above scale, a bad bus and half a software bus, naming file:line', () => {
    expect(() => loadText(`${CARTESIAN}[ad5206 pot]\nenable_pin: PL7\nscale: 2.08\nchannel_3: 2.1\n`)).toThrow(
      /Option 'channel_3' in section 'ad5206 pot' must have maximum of 2.08.*printer\.cfg:\d+/s,
    );
    expect(() => loadText(`${CARTESIAN}[ad5206 pot]\nenable_pin: PL7\nchannel_3: -1\n`)).toThrow(/channel_3.*minimum of 0/);
    expect(() => loadText(`${CARTESIAN}[ad5206 pot]\nchannel_3: 0.5\n`)).toThrow(
      /Option 'enable_pin' in section 'ad5206 pot' must be specified/,
    );
    expect(() => loadText(`${CARTESIAN}[ad5206 pot]\nenable_pin: PL7\nspi_software_sclk_pin: PA1\n`)).toThrow(
      /needs all three of spi_software_sclk_pin.*printer\.cfg:\d+/s,
    );
  });

  it('names a bus the MCU does not have', async () => {
    await expect(batch(`[ad5206 pot]\nenable_pin: PL7\nspi_bus: spi0\nchannel_1: 0.5\n`)).rejects.toThrow(
      /spi_bus 'spi0' is not a bus of MCU 'mcu' \(buses: spi\)/,
    );
  });
});

describe('[dac084S085] (Alligator)', () => {
  it('sets up SPI mode 1 at 10 MHz and writes "write and update" words', async () => {
    const { msgs } = await batch(`
[dac084S085 stepper_digipot]
enable_pin: PL6
scale: 2.50
channel_A: 1.5
channel_D: 1.0
`);
    const oid = oidOf(msgs, 'config_spi', (m) => m.params.pin === pinNumber('PL6'));
    // A: 1.5/2.5*255 = 153 (0x99): 00 01 10011001 0000 = 0x1990; D: 102 (0x66): 11 01 01100110 0000 = 0xd660.
    expect(ofOid(msgs, oid)).toEqual([
      `config_spi pin=${pinNumber('PL6')} cs_active_high=0`,
      `spi_set_bus spi_bus=${busNumber('spi_bus', 'spi')} mode=1 rate=10000000`,
      'spi_send data=1990',
      'spi_send data=d660',
    ]);
  });

  it('drives software SPI pins when given all three', async () => {
    const { msgs } = await batch(`
[dac084S085 pot]
enable_pin: PL6
spi_software_sclk_pin: PA1
spi_software_mosi_pin: PA5
spi_software_miso_pin: PA3
spi_speed: 1000000
channel_b: 1
`);
    const oid = oidOf(msgs, 'config_spi', (m) => m.params.pin === pinNumber('PL6'));
    // 16 MHz / 1 MHz / 2 = 8 ticks a level; B at full scale: 01 01 11111111 0000 = 0x5ff0.
    expect(ofOid(msgs, oid).slice(1)).toEqual([
      `spi_set_sw_bus miso_pin=${pinNumber('PA3')} mosi_pin=${pinNumber('PA5')} sclk_pin=${pinNumber('PA1')} mode=1 pulse_ticks=8`,
      'spi_send data=5ff0',
    ]);
  });
});

describe('[mcp4451] (Smoothieboard)', () => {
  it('connects every terminal, then writes each set wiper to its volatile register', async () => {
    const { msgs } = await batch(`
[mcp4451 stepper_digipot1]
i2c_address: 44
scale: 2.25
wiper_0: 1.0
wiper_1: 1.0
wiper_2: 2.25
wiper_3: 0
`);
    const oid = oidOf(msgs, 'i2c_set_bus', (m) => m.params.address === 44);
    // Command byte = address << 4 | write (00) | D9..8; TCON0 is 0x04, TCON1 0x0a; wipers at 0, 1, 6, 7.
    // 1.0/2.25*255 = 113 (0x71).
    expect(ofOid(msgs, oid)).toEqual([
      'config_i2c ',
      `i2c_set_bus i2c_bus=${busNumber('i2c_bus', 'twi')} rate=100000 address=44`,
      'i2c_transfer write=40ff read_len=0',
      'i2c_transfer write=a0ff read_len=0',
      'i2c_transfer write=0071 read_len=0',
      'i2c_transfer write=1071 read_len=0',
      'i2c_transfer write=60ff read_len=0',
      'i2c_transfer write=7000 read_len=0',
    ]);
  });

  it('requires i2c_address and refuses a wiper above scale', () => {
    expect(() => loadText(`${CARTESIAN}[mcp4451 pot]\nwiper_0: 0.5\n`)).toThrow(
      /Option 'i2c_address' in section 'mcp4451 pot' must be specified/,
    );
    expect(() => loadText(`${CARTESIAN}[mcp4451 pot]\ni2c_address: 44\nscale: 2\nwiper_2: 2.5\n`)).toThrow(
      /wiper_2.*must have maximum of 2.*printer\.cfg:\d+/s,
    );
  });
});

describe('[mcp4018] (Mightyboard)', () => {
  const POTS = `
[mcp4018 x_axis_pot]
i2c_software_scl_pin: PJ5
i2c_software_sda_pin: PF3
wiper: 0.50
scale: 0.773

[mcp4018 y_axis_pot]
i2c_software_scl_pin: PJ5
i2c_software_sda_pin: PF5
wiper: 0.50
scale: 0.773
`;

  it('sets up software I2C (shared clock line) and writes the wiper byte; SET_DIGIPOT writes a new one', async () => {
    const { msgs, responses } = await batch(POTS, [
      'SET_DIGIPOT DIGIPOT=x_axis_pot WIPER=0.773',
      'SET_DIGIPOT DIGIPOT=x_axis_pot WIPER=0.1',
    ]);
    const x = oidOf(msgs, 'i2c_set_sw_bus', (m) => m.params.sda_pin === pinNumber('PF3'));
    const y = oidOf(msgs, 'i2c_set_sw_bus', (m) => m.params.sda_pin === pinNumber('PF5'));
    // 16 MHz / 100 kHz / 2 = 80 ticks a level; address 47 (0x2f); 0.5/0.773*127 = 82 (0x52),
    // full scale 127 (0x7f), 0.1/0.773*127 = 16 (0x10).
    expect(ofOid(msgs, x)).toEqual([
      'config_i2c ',
      `i2c_set_sw_bus scl_pin=${pinNumber('PJ5')} sda_pin=${pinNumber('PF3')} pulse_ticks=80 address=47`,
      'i2c_transfer write=52 read_len=0',
      'i2c_transfer write=7f read_len=0',
      'i2c_transfer write=10 read_len=0',
    ]);
    expect(ofOid(msgs, y).slice(2)).toEqual(['i2c_transfer write=52 read_len=0']);
    expect(responses.join('\n')).toMatch(/New value for DIGIPOT = x_axis_pot, wiper = 0.10/);
  });

  it('refuses unknown digipots, values above scale and a missing wiper', async () => {
    await expect(batch(POTS, ['SET_DIGIPOT DIGIPOT=z_axis_pot WIPER=0.1'])).rejects.toThrow(
      /Unknown digipot 'z_axis_pot' \(digipots: x_axis_pot, y_axis_pot\)/,
    );
    await expect(batch(POTS, ['SET_DIGIPOT DIGIPOT=x_axis_pot WIPER=0.9'])).rejects.toThrow(/WIPER.*0.773/);
    expect(() => loadText(`${CARTESIAN}[mcp4018 p]\ni2c_software_scl_pin: PJ5\ni2c_software_sda_pin: PF3\n`)).toThrow(
      /Option 'wiper' in section 'mcp4018 p' must be specified/,
    );
    expect(() => loadText(`${CARTESIAN}[mcp4018 p]\ni2c_software_scl_pin: PJ5\nwiper: 0.1\n`)).toThrow(
      /needs both i2c_software_scl_pin and i2c_software_sda_pin.*printer\.cfg:\d+/s,
    );
  });
});

describe('[mcp4728]', () => {
  it('writes each set channel with the multi-write command (12-bit code, VDD reference, gain 1)', async () => {
    const { msgs } = await batch(`
[mcp4728 dac]
channel_b: 0.5
channel_d: 2
scale: 2
`);
    const oid = oidOf(msgs, 'i2c_set_bus', (m) => m.params.address === 96);
    // B: 0.5/2*4095 = 1024 (0x400) -> 42 04 00; D: 4095 (0xfff) -> 46 0f ff.
    expect(ofOid(msgs, oid).slice(2)).toEqual(['i2c_transfer write=420400 read_len=0', 'i2c_transfer write=460fff read_len=0']);
  });
});

describe("Klipper's sample configs", () => {
  it('load with every current-control section they have', () => {
    const dir = path.join(referenceDir, 'klipper-configs');
    const re = /^\[(ad5206|dac084S085|mcp4451|mcp4018|mcp4728) /m;
    const users = fs.readdirSync(dir).filter((f) => f.endsWith('.cfg') && re.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    const failed: string[] = [];
    let complete = 0;
    for (const f of users) {
      try {
        // Other sections we do not support yet (one has [endstop_phase]) are set aside; ours are read.
        loadFile(path.join(dir, f), 'skip');
        loadFile(path.join(dir, f));
        complete++;
      } catch (e) {
        if (!/not supported yet/.test((e as Error).message)) failed.push(`${f}: ${(e as Error).message}`);
      }
    }
    console.log(`current-control chips in the corpus: ${users.length} configs use them, ${complete} load completely`);
    // 7 ad5206, 4 mcp4451/mcp4018, 2 dac084S085 (sample-macros.cfg only mentions mcp4018 in comments).
    expect(users.length).toBe(13);
    expect(complete).toBe(12); // printer-makergear-m2-2012.cfg also has [endstop_phase]
    expect(failed).toEqual([]);
  });
});

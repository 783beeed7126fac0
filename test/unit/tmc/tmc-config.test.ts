// [tmcXXXX] option checks (errors name the section, option and line) and the SPI drivers' batch
// output: a TMC5160 daisy chain on one chip select, values worked out from the datasheet.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { atmegaDict, CARTESIAN, loadText } from '../objects/load-helpers';
import { runBatch, type DecodedMsg } from './batch-output';

const UART_X = `
[tmc2209 stepper_x]
uart_pin: PK1
run_current: 0.8
`;

function withSections(extra: string, edit: (cfg: string) => string = (c) => c): string {
  return edit(CARTESIAN) + extra;
}

describe('[tmc2209] options', () => {
  it('loads and registers the driver object under its section name', () => {
    const p = loadText(withSections(UART_X));
    const st = p.printer.lookupObject<{ getStatus(): Record<string, unknown> }>('tmc2209 stepper_x').getStatus();
    expect(st).toMatchObject({ drv_status: null, temperature: null });
    expect(st.run_current).toBeCloseTo(0.795, 3); // CS 25 at vsense=1 (tmc-current.test)
    expect(st.hold_current).toBeCloseTo(0.795, 3); // hold follows run when not set
  });

  it('run_current is required and limited to the driver maximum', () => {
    expect(() => loadText(withSections('[tmc2209 stepper_x]\nuart_pin: PK1\n'))).toThrow(
      /Option 'run_current' in section 'tmc2209 stepper_x' must be specified/,
    );
    expect(() => loadText(withSections('[tmc2209 stepper_x]\nuart_pin: PK1\nrun_current: 2.5\n'))).toThrow(/run_current.*2/);
  });

  it('microsteps must be a power of two the driver can set', () => {
    const cfg = withSections(UART_X, (c) =>
      c.replace('microsteps: 16\nrotation_distance: 40\nendstop_pin: ^PE5', 'microsteps: 12\nrotation_distance: 40\nendstop_pin: ^PE5'),
    );
    expect(() => loadText(cfg)).toThrow(/microsteps 12 of \[stepper_x\].*power of two/);
  });

  it('driver_XXX values are range-checked by field width', () => {
    expect(() => loadText(withSections(UART_X + 'driver_TOFF: 16\n'))).toThrow(/driver_TOFF/);
    const p = loadText(withSections(UART_X + 'driver_TOFF: 5\ndriver_SGTHRS: 120\ndriver_PWM_AUTOSCALE: False\n'));
    const d = p.printer.lookupObject<{ fields: { getField(n: string): number } }>('tmc2209 stepper_x');
    expect([d.fields.getField('toff'), d.fields.getField('sgthrs'), d.fields.getField('pwm_autoscale')]).toEqual([5, 120, 0]);
  });

  it('an unknown option is still an error (Klipper documents no driver_IRUN)', () => {
    expect(() => loadText(withSections(UART_X + 'driver_IRUN: 3\n'))).toThrow(/driver_irun.*not valid/i);
  });

  it('a driver for a stepper that does not exist is named', () => {
    expect(() => loadText(withSections(UART_X.replace('stepper_x', 'stepper_q')))).toThrow(/stepper_q/);
  });

  it('drivers share a UART line by address; a pin used for something else is caught', () => {
    const shared = UART_X + '\n[tmc2209 stepper_y]\nuart_pin: PK1\nuart_address: 1\nrun_current: 0.8\n';
    expect(() => loadText(withSections(shared))).not.toThrow();
    expect(() => loadText(withSections(UART_X.replace('PK1', 'PF0')))).toThrow(/pin PF0 used multiple times/);
  });

  it('SPI: chain_position and chain_length go together', () => {
    const spi = '[tmc5160 stepper_x]\ncs_pin: PG0\nrun_current: 1.0\nchain_position: 1\n';
    expect(() => loadText(withSections(spi))).toThrow(/chain_position and chain_length go together/);
  });
});

describe('TMC5160 daisy chain in batch mode', () => {
  const CHAIN = `
[tmc5160 stepper_x]
cs_pin: PG0
chain_position: 1
chain_length: 2
run_current: 1.0
stealthchop_threshold: 0

[tmc5160 stepper_y]
cs_pin: PG0
chain_position: 2
chain_length: 2
run_current: 1.0
hold_current: 0.5
`;

  const batch = (gcodeLines: string[] = []) =>
    runBatch(new PrinterConfig(parseConfigText(withSections(CHAIN), '/virtual/printer.cfg')), atmegaDict, gcodeLines);

  /** register -> values written, for one chain position (slot (2 - pos) * 5 of each 10-byte transfer). */
  function writesAt(msgs: DecodedMsg[], pos: number): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const m of msgs.filter((x) => x.name === 'spi_send')) {
      const data = m.params.data as Uint8Array;
      expect(data.length).toBe(10);
      const o = (2 - pos) * 5;
      if (!(data[o] & 0x80)) continue; // the other driver's slot: a harmless read of register 0
      const reg = data[o] & 0x7f;
      out.set(reg, [...(out.get(reg) ?? []), ((data[o + 1] << 24) | (data[o + 2] << 16) | (data[o + 3] << 8) | data[o + 4]) >>> 0]);
    }
    return out;
  }

  it('one config_spi + spi_set_bus (mode 3, 4 MHz, the MCU bus 0) for the chain', async () => {
    const { msgs } = await batch();
    expect(msgs.filter((m) => m.name === 'config_spi')).toHaveLength(1);
    const bus = msgs.filter((m) => m.name === 'spi_set_bus');
    expect(bus).toHaveLength(1);
    expect(bus[0].params).toMatchObject({ spi_bus: 0, mode: 3, rate: 4000000 });
  });

  it('each position gets its own registers', async () => {
    const { msgs } = await batch();
    const x = writesAt(msgs, 1);
    const y = writesAt(msgs, 2);
    // GLOBALSCALER 0x0b: 1.0 A on 0.075 ohm -> 84 (tmc-current.test). IHOLD_IRUN 0x10: IRUN 31,
    // IHOLD 31 (x) / 15 (y, 0.5 A), iholddelay 6: 0x00061f1f and 0x00061f0f.
    expect(x.get(0x0b)).toEqual([84]);
    expect(x.get(0x10)).toEqual([0x00061f1f]);
    expect(y.get(0x10)).toEqual([0x00061f0f]);
    // CHOPCONF 0x6c: toff 3 + hstrt 5<<4 + hend 2<<7 + tbl 2<<15 + tpfd 4<<20 + mres 4<<24
    //   + intpol 1<<28 + dedge 1<<29 = 0x34410153.
    expect(x.get(0x6c)).toEqual([0x34410153]);
    // GCONF 0x00: multistep_filt (bit 3) = 0x8; no stealthChop (en_pwm_mode bit 2 clear).
    expect(x.get(0x00)).toEqual([0x8]);
    // PWMCONF 0x70: ofs 30 + grad 0 + freq 0 + autoscale 1<<18 + autograd 1<<19 + reg 4<<24 + lim 12<<28 = 0xc40c001e.
    expect(y.get(0x70)).toEqual([0xc40c001e]);
    // DRV_CONF 0x0a: bbmclks 4<<8 = 0x400.
    expect(x.get(0x0a)).toEqual([0x400]);
  });

  it('DUMP_TMC in batch mode lists the values as written', async () => {
    const { responses } = await batch(['DUMP_TMC STEPPER=stepper_x']);
    const text = responses.join('\n');
    expect(text).toMatch(/CHOPCONF: +34410153 toff=3 hstrt=5 hend=2 tbl=2 tpfd=4 mres=4\(16usteps\) intpol=1 dedge=1/);
    expect(text).toMatch(/GLOBALSCALER: +00000054 globalscaler=84/);
  });
});

describe('software SPI', () => {
  const SW = (cs: string) =>
    `\n[tmc2130 ${cs === 'PC3' ? 'stepper_x' : 'stepper_y'}]\ncs_pin: ${cs}\nspi_software_sclk_pin: PC5\nspi_software_mosi_pin: PC6\nspi_software_miso_pin: PC7\nrun_current: 0.6\n`;

  it('drivers with their own chip selects share the software SPI lines; half a clock period per pulse', async () => {
    const cfg = new PrinterConfig(parseConfigText(withSections(SW('PC3') + SW('PC4')), '/virtual/printer.cfg'));
    const { msgs } = await runBatch(cfg, atmegaDict);
    const buses = msgs.filter((m) => m.name === 'spi_set_sw_bus');
    expect(buses).toHaveLength(2);
    const pins = atmegaDict.enumerations.get('pin')!.byName;
    // 16 MHz / 4 MHz / 2 = 2 ticks per half period.
    expect(buses[0].params).toMatchObject({
      sclk_pin: pins.get('PC5'),
      mosi_pin: pins.get('PC6'),
      miso_pin: pins.get('PC7'),
      mode: 3,
      pulse_ticks: 2,
    });
  });

  it('the three software pins go together', () => {
    expect(() => loadText(withSections(SW('PC3').replace('spi_software_miso_pin: PC7\n', '')))).toThrow(/go together/);
  });
});

describe('TMC2240 (SPI or UART)', () => {
  it('over SPI: DRV_CONF current_range and GLOBALSCALER from rref; over UART: a tmcuart line', async () => {
    const spi = '\n[tmc2240 stepper_x]\ncs_pin: PC3\nrun_current: 1.0\n';
    const uart = '\n[tmc2240 stepper_y]\nuart_pin: PC4\nrun_current: 0.5\n';
    const { msgs, printer } = await runBatch(
      new PrinterConfig(parseConfigText(withSections(spi + uart), '/virtual/printer.cfg')),
      atmegaDict,
    );
    const spiWrites = new Map<number, number>();
    for (const m of msgs.filter((x) => x.name === 'spi_send')) {
      const d = m.params.data as Uint8Array;
      spiWrites.set(d[0] & 0x7f, ((d[1] << 24) | (d[2] << 16) | (d[3] << 8) | d[4]) >>> 0);
    }
    // 1.0 A at rref 12 kohm: range 1, GLOBALSCALER 182 (tmc-current.test); DRV_CONF 0x0a = current_range 1.
    expect(spiWrites.get(0x0a)).toBe(1);
    expect(spiWrites.get(0x0b)).toBe(182);
    // IHOLD_IRUN: IRUN/IHOLD 31, iholddelay 6 << 16, irundelay 4 << 24 = 0x04061f1f.
    expect(spiWrites.get(0x10)).toBe(0x04061f1f);
    expect(msgs.filter((m) => m.name === 'config_tmcuart')).toHaveLength(1);
    expect(msgs.filter((m) => m.name === 'tmcuart_send').length).toBeGreaterThan(5);
    const st = printer.lookupObject<{ getStatus(): Record<string, unknown> }>('tmc2240 stepper_y').getStatus();
    // 0.5 A: range 0, GS 185, CS = round(32*256*0.5*1.41421/(185*0.97917)) - 1 = round(31.98) - 1 = 31;
    // back: 185/256 * 0.97917 / 1.41421 = 0.5003 A.
    expect(st.run_current).toBeCloseTo(0.5, 3);
  });

  it('needs uart_pin or cs_pin', () => {
    expect(() => loadText(withSections('\n[tmc2240 stepper_x]\nrun_current: 1.0\n'))).toThrow(/cs_pin/);
  });
});

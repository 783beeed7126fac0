// [tmc2660]: 20-bit SPI datagrams (register in bits 19..17), current by SGCSCONF.cs and
// DRVCONF.vsense, Klipper's options. Register values hand-worked from the TMC2660 datasheet.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { spi20Datagram, spi20Response } from '../../../src-main/host/mcu/tmc-spi';
import { atmegaDict, CARTESIAN, loadError, loadText } from '../objects/load-helpers';
import { runBatch, type DecodedMsg } from './batch-output';

const X_2660 = `
[tmc2660 stepper_x]
cs_pin: PC3
run_current: 1.6
sense_resistor: 0.051
`;

/** The 20-bit datagrams written, by register bits 19..17 (DRVCTRL 0, CHOPCONF 4, ... DRVCONF 7). */
function writes(msgs: DecodedMsg[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const m of msgs.filter((x) => x.name === 'spi_send')) {
    const d = m.params.data as Uint8Array;
    expect(d.length).toBe(3);
    const v = ((d[0] << 16) | (d[1] << 8) | d[2]) & 0xfffff;
    out.set(v >> 17, [...(out.get(v >> 17) ?? []), v]);
  }
  return out;
}

const batch = (extra: string, gcodeLines: string[] = []) =>
  runBatch(new PrinterConfig(parseConfigText(CARTESIAN + extra, '/virtual/printer.cfg')), atmegaDict, gcodeLines);

describe('[tmc2660] registers', () => {
  it('writes the five registers at init with the datasheet values', async () => {
    const { msgs, printer } = await batch(X_2660);
    const w = writes(msgs);
    // DRVCONF: TS2G 3 (bits 8..9), VSENSE 1 (bit 6): 0xe0340. 1.6 A on 0.051 ohm at 0.165 V:
    // 32 * 1.6 * 1.41421 * 0.051 / 0.165 = 22.38 -> CS 21: SGCSCONF 0xc0015. SMARTEN all 0.
    // CHOPCONF TBL 2 (bit 15), HEND 3 (bits 7..10), HSTRT 3 (bits 4..6), TOFF 4: 0x901b4.
    expect(w.get(7)).toEqual([0xe0340]);
    expect(w.get(6)).toEqual([0xc0015]);
    expect(w.get(5)).toEqual([0xa0000]);
    expect(w.get(4)).toEqual([0x901b4]);
    // DRVCTRL: MRES 4 (16 microsteps), INTPOL (bit 9), DEDGE (bit 8) when the MCU steps on both edges.
    const dedge = printer.lookupObject<{ fields: { getField(f: string): number } }>('tmc2660 stepper_x').fields.getField('dedge');
    expect(w.get(0)).toEqual([0x00204 | (dedge << 8)]);
    // Written in this order: current and read-back first, CHOPCONF (TOFF enables the driver) last.
    const order = msgs.filter((m) => m.name === 'spi_send').map((m) => (m.params.data as Uint8Array)[0] >> 1);
    expect(order).toEqual([7, 6, 5, 0, 4]);
  });

  it('above the VSENSE range the low-sensitivity range is used (run_current 2.4 A)', async () => {
    const { msgs, printer } = await batch(X_2660.replace('1.6', '2.4'));
    // VSENSE 1 tops out at CS 31: 0.165 / 0.051 / 1.41421 = 2.29 A < 2.4 A; VSENSE 0 (0.31 V):
    // 32 * 2.4 * 1.41421 * 0.051 / 0.31 = 17.87 -> CS 17 (2.418 A, closer): DRVCONF 0xe0300, SGCSCONF 0xc0011.
    const w = writes(msgs);
    expect(w.get(7)).toEqual([0xe0300]);
    expect(w.get(6)).toEqual([0xc0011]);
    const st = printer.lookupObject<{ getStatus(): Record<string, unknown> }>('tmc2660 stepper_x').getStatus();
    expect(st.run_current).toBeCloseTo(2.418, 3);
    expect(st.hold_current).toBeNull();
  });

  it('SET_TMC_CURRENT and SET_TMC_FIELD write the register that holds the value', async () => {
    const { msgs, responses } = await batch(X_2660, [
      'SET_TMC_CURRENT STEPPER=stepper_x CURRENT=1.0',
      'SET_TMC_FIELD STEPPER=stepper_x FIELD=toff VALUE=5',
      'SET_TMC_FIELD STEPPER=stepper_x FIELD=sgt VALUE=-5',
      'SET_TMC_CURRENT STEPPER=stepper_x',
    ]);
    const w = writes(msgs);
    // 1.0 A: 13.99 -> CS 13; SGT -5 is 0x7b in 7 bits (bits 8..14): 0xc7b0d.
    expect(w.get(6)).toEqual([0xc0015, 0xc000d, 0xc7b0d]);
    expect(w.get(4)).toEqual([0x901b4, 0x901b5]);
    expect(responses.join('\n')).toMatch(/Run Current: 1\.00A$/m);
  });

  it('DUMP_TMC FIELD= shows one field with its register (held values in batch mode)', async () => {
    const { responses } = await batch(X_2660, ['DUMP_TMC STEPPER=stepper_x FIELD=cs', 'DUMP_TMC STEPPER=stepper_x FIELD=HEND']);
    expect(responses.join('\n')).toContain('cs=21 (SGCSCONF: 00000015 cs=21)');
    expect(responses.join('\n')).toContain('hend=3 (CHOPCONF: 000101b4 toff=4 hstrt=3 hend=3 tbl=2)');
    await expect(batch(X_2660, ['DUMP_TMC STEPPER=stepper_x FIELD=irun'])).rejects.toThrow(/Unknown field name 'irun'/);
  });

  it('a datagram is 3 bytes, the response the first 20 bits back', () => {
    expect([...spi20Datagram(0xe0340)]).toEqual([0x0e, 0x03, 0x40]);
    // Response 0x83480 (SG_RESULT upper 16, SE 13, STST) shifted out first, 4 more bits after it.
    expect(spi20Response([0x83, 0x48, 0x0f])).toBe(0x83480);
    expect(spi20Response([0x83, 0x48])).toBeNull();
  });
});

describe('[tmc2660] options', () => {
  it('sense_resistor is required and run_current limited to 2.4 A', () => {
    expect(loadError(CARTESIAN + '[tmc2660 stepper_x]\ncs_pin: PC3\nrun_current: 1.0\n')).toMatch(
      /Option 'sense_resistor' in section 'tmc2660 stepper_x' must be specified/,
    );
    expect(loadError(CARTESIAN + X_2660.replace('1.6', '2.5'))).toMatch(/run_current/);
  });

  it("options of other drivers are not the TMC2660's (Klipper has no hold_current or chain for it)", () => {
    expect(loadError(CARTESIAN + X_2660 + 'hold_current: 0.5\n')).toMatch(/hold_current.*not valid/i);
    expect(loadError(CARTESIAN + X_2660 + 'chain_position: 1\n')).toMatch(/chain_position.*not valid/i);
    expect(loadError(CARTESIAN + X_2660 + 'stealthchop_threshold: 10\n')).toMatch(/stealthchop_threshold.*not valid/i);
  });

  it('idle_current_percent is 0..100 and driver_SGT a signed 7-bit value', () => {
    expect(loadError(CARTESIAN + X_2660 + 'idle_current_percent: 101\n')).toMatch(/idle_current_percent/);
    expect(loadError(CARTESIAN + X_2660 + 'driver_SGT: 64\n')).toMatch(/driver_SGT/);
    const p = loadText(CARTESIAN + X_2660 + 'driver_SGT: -64\ndriver_TS2G: 1\n');
    const f = p.printer.lookupObject<{ fields: { getField(f: string): number } }>('tmc2660 stepper_x').fields;
    expect([f.getField('sgt'), f.getField('ts2g')]).toEqual([-64, 1]);
  });
});

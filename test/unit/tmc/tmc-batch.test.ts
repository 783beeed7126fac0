// Batch (file output) mode with Klipper's sample config for the SKR mini E3 v2 (four TMC2209 on
// one UART line, addresses 0-3): the MCU config and the register writes, decoded from the bytes
// written, compared with values worked out by hand from the datasheet (comments show the sums).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { fromSerialBits, tmcCrc8 } from '../../../src-main/host/mcu/tmc-uart';
import type { TmcDriver } from '../../../src-main/host/objects/tmc';
import { referenceDir } from '../../support/paths';
import { runBatch, type DecodedMsg } from './batch-output';

const dict = loadDictionaryFile(path.join(referenceDir, 'klipper-dicts/stm32f103.dict'));
const cfgFile = path.join(referenceDir, 'klipper-configs/generic-bigtreetech-skr-mini-e3-v2.0.cfg');

type Msg = DecodedMsg;

const runSample = (gcodeLines: string[] = []) => runBatch(new PrinterConfig(readConfigFile(cfgFile)), dict, gcodeLines);

/** The register writes of tmcuart_send messages, by node address: [register, value][]. */
function uartWrites(msgs: Msg[]): Map<number, [number, number][]> {
  const out = new Map<number, [number, number][]>();
  for (const m of msgs.filter((x) => x.name === 'tmcuart_send')) {
    expect(m.params.read).toBe(0);
    const d = fromSerialBits(m.params.write as Uint8Array, 8)!;
    expect(d, 'serial framing').not.toBeNull();
    expect(d[7], 'CRC8').toBe(tmcCrc8(d, 7));
    expect(d[0] & 0x0f).toBe(0x05);
    expect(d[2] & 0x80, 'write bit').toBe(0x80);
    const list = out.get(d[1]) ?? [];
    list.push([d[2] & 0x7f, ((d[3] << 24) | (d[4] << 16) | (d[5] << 8) | d[6]) >>> 0]);
    out.set(d[1], list);
  }
  return out;
}

describe('TMC2209 in batch mode (Klipper sample: SKR mini E3 v2)', () => {
  it('one config_tmcuart for the shared line, bit time 72 MHz / 40 kbaud', async () => {
    const { msgs } = await runSample();
    const cfg = msgs.filter((m) => m.name === 'config_tmcuart');
    expect(cfg).toHaveLength(1);
    const pins = dict.enumerations.get('pin')!.byName;
    expect(cfg[0].params).toMatchObject({ rx_pin: pins.get('PC11'), tx_pin: pins.get('PC10'), pull_up: 0, bit_time: 1800 });
    // The drivers ask for step-on-both-edges (dedge=1 below) and this MCU can: invert_step -1.
    // step_pulse_duration unset: 100 ns behind a TMC driver (Klipper's default), 7 ticks at 72 MHz, not 2 us.
    for (const s of msgs.filter((m) => m.name === 'config_stepper')) {
      expect((s.params.invert_step as number) | 0).toBe(-1);
      expect(s.params.step_pulse_ticks).toBe(7);
    }
  });

  it('writes every init register of each driver with the datasheet values', async () => {
    const writes = uartWrites((await runSample()).msgs);
    expect([...writes.keys()].sort()).toEqual([0, 1, 2, 3]);
    // GCONF 0x00: pdn_disable (bit 6) + mstep_reg_select (7) + multistep_filt (8), stealthChop on
    //   (en_spreadcycle bit 2 clear) = 0x40 + 0x80 + 0x100 = 0x1c0.
    // SLAVECONF 0x03: senddelay 2 in bits 8-11 = 0x200.
    // IHOLD_IRUN 0x10: 0.58 A -> CS 18 (see tmc-current.test) run and hold, iholddelay 8:
    //   0x12 | 0x12 << 8 | 8 << 16 = 0x00081212; extruder 0.65 A: 32*1.41421*0.65*0.13/0.18 =
    //   21.24 -> CS 20 = 0x14 -> 0x00081414.
    // TPOWERDOWN 0x11: 20 = 0x14.
    // TPWMTHRS 0x13: 12 MHz * (rotation_distance/3200 * 16/256 mm) / 999999 mm/s:
    //   X/Y 40 mm: 9375/999999 = 0.009 -> 0 (stealthChop at every speed, what 999999 is for);
    //   Z 8 mm: 1875/999999 -> 0; E 33.5 mm: 7851.6/999999 -> 0.
    // TCOOLTHRS 0x14, SGTHRS 0x40, COOLCONF 0x42: 0.
    // CHOPCONF 0x6c: toff 3 + hstrt 5<<4 + tbl 2<<15 + vsense 1<<17 + mres 4<<24 + intpol 1<<28
    //   + dedge 1<<29 = 0x34030053.
    // PWMCONF 0x70: ofs 36 + grad 14<<8 + freq 1<<16 + autoscale 1<<18 + autograd 1<<19 + reg 8<<24
    //   + lim 12<<28 = 0xc80d0e24.
    const expected = (irun: number, tpwmthrs: number): [number, number][] => [
      [0x00, 0x1c0],
      [0x03, 0x200],
      [0x10, 0x00080000 | (irun << 8) | irun],
      [0x11, 0x14],
      [0x13, tpwmthrs],
      [0x14, 0],
      [0x40, 0],
      [0x42, 0],
      [0x6c, 0x34030053],
      [0x70, 0xc80d0e24],
    ];
    expect(writes.get(0)).toEqual(expected(18, 0)); // stepper_x
    expect(writes.get(2)).toEqual(expected(18, 0)); // stepper_y
    expect(writes.get(1)).toEqual(expected(18, 0)); // stepper_z
    expect(writes.get(3)).toEqual(expected(20, 0)); // extruder
  });

  it('SET_TMC_CURRENT and SET_TMC_FIELD write the changed register; status follows', async () => {
    const { msgs, printer } = await runSample([
      'SET_TMC_CURRENT STEPPER=stepper_x CURRENT=0.8 HOLDCURRENT=0.4',
      'SET_TMC_FIELD STEPPER=stepper_y FIELD=toff VALUE=4',
      'SET_TMC_FIELD STEPPER=stepper_z FIELD=tpwmthrs VELOCITY=100',
    ]);
    const writes = uartWrites(msgs);
    // 0.8 A -> CS 25 (0x19), 0.4 A -> CS 12 (0x0c): 0x0008190c; the init write came first.
    expect(
      writes
        .get(0)!
        .filter(([r]) => r === 0x10)
        .map(([, v]) => v),
    ).toEqual([0x00081212, 0x0008190c]);
    // toff 3 -> 4 in CHOPCONF.
    expect(
      writes
        .get(2)!
        .filter(([r]) => r === 0x6c)
        .map(([, v]) => v),
    ).toEqual([0x34030053, 0x34030054]);
    // Z: 12 MHz * 8/3200*16/256 mm / 100 mm/s = 1875/100 = 18.75 -> 19.
    expect(
      writes
        .get(1)!
        .filter(([r]) => r === 0x13)
        .map(([, v]) => v),
    ).toEqual([0, 19]);
    const st = printer.lookupObject<TmcDriver>('tmc2209 stepper_x').getStatus();
    expect(st.run_current).toBeCloseTo(0.795, 3);
    // 13/32 * 0.18/0.13 / 1.41421 = 0.3977 A.
    expect(st.hold_current).toBeCloseTo(0.398, 3);
  });
});

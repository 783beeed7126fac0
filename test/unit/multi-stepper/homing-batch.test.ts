// G28 Z with two Z motors in batch mode: which trsync halts which motor (the MCU commands).
// The live behaviour against the sim is in test/integration/live/multi-stepper.test.ts.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { GCodeDispatcher } from '../../../src-main/host/gcode/dispatcher';
import { decodeStream } from '../../../src-main/host/mcu/decode';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import type { Toolhead } from '../../../src-main/host/motion/index';
import { loadPrinterObjects } from '../../../src-main/host/objects/registry';
import { Printer } from '../../../src-main/host/printer';
import { atmegaDict, CARTESIAN } from '../objects/load-helpers';

const Z1 = `
[stepper_z1]
step_pin: PC1
dir_pin: PC3
microsteps: 16
rotation_distance: 8
`;

/** Homes Z in batch mode and returns the decoded MCU messages. */
async function homeZ(cfgText: string): Promise<{ lines: string[]; th: Toolhead }> {
  const chunks: Buffer[] = [];
  const output = new Writable({
    write: (c: Buffer, _e, cb) => {
      chunks.push(Buffer.from(c));
      cb();
    },
  });
  const printer = new Printer();
  const gcode = new GCodeDispatcher();
  printer.addObject('gcode', gcode);
  const config = new PrinterConfig(parseConfigText(cfgText, '/virtual/printer.cfg'));
  loadPrinterObjects({ printer, gcode, config, mcuFileOutput: { dictionary: atmegaDict, output } });
  const mcu = printer.lookupObject<Mcu>('mcu');
  await mcu.connect();
  await gcode.run('G28 Z');
  await mcu.flush();
  const lines: string[] = [];
  decodeStream(atmegaDict, Buffer.concat(chunks), (l) => lines.push(l));
  return { lines, th: printer.lookupObject<Toolhead>('toolhead') };
}

const num = (line: string, key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(line)![1]);
const stepperOid = (lines: string[], stepPin: string) =>
  num(
    lines.find((l) => l.startsWith('config_stepper') && l.includes(`step_pin=${stepPin} `))!,
    'oid',
  );
/** The stepper oids each endstop's trsync halts, by endstop pin. */
function haltedBy(lines: string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const cfg of lines.filter((l) => l.startsWith('config_endstop'))) {
    const home = lines.find((l) => l.startsWith('endstop_home') && num(l, 'oid') === num(cfg, 'oid') && !l.includes('sample_count=0'));
    if (!home) continue;
    const trsync = num(home, 'trsync_oid');
    const pin = /pin=(\w+)/.exec(cfg)![1]!;
    out[pin] = [
      ...new Set(lines.filter((l) => l.startsWith('stepper_stop_on_trigger') && num(l, 'trsync_oid') === trsync).map((l) => num(l, 'oid'))),
    ];
  }
  return out;
}

describe('G28 Z with extra Z motors (batch mode)', () => {
  it("without its own endstop_pin stepper_z1 is halted by stepper_z's switch", async () => {
    const { lines, th } = await homeZ(CARTESIAN + Z1);
    const [z, z1] = [stepperOid(lines, 'PL3'), stepperOid(lines, 'PC1')];
    expect(haltedBy(lines)).toEqual({ PD3: [z, z1] });
    expect(th.getStatus().homed_axes).toBe('z');
  });

  it('with its own endstop_pin each motor is halted by its own switch, both armed for every approach', async () => {
    const { lines, th } = await homeZ(CARTESIAN + Z1 + 'endstop_pin: ^PD2\n');
    const [z, z1] = [stepperOid(lines, 'PL3'), stepperOid(lines, 'PC1')];
    expect(haltedBy(lines)).toEqual({ PD3: [z], PD2: [z1] });
    // Two approaches, each arming both switches.
    const armed = lines.filter((l) => l.startsWith('endstop_home') && !l.includes('sample_count=0'));
    expect(armed).toHaveLength(4);
    expect(lines.find((l) => l.startsWith('config_endstop') && l.includes('pin=PD2'))).toMatch(/pull_up=1/);
    expect(th.getPosition()[2]).toBe(0.5);
  });
});

// [homing_heaters]: which moves turn which heaters off, the targets coming back, and unknown
// names named with their line. (Homing calls homingMoveBegin/End around every homing and
// probing move: objects/homing.ts.)
import { describe, expect, it } from 'vitest';
import type { HomingHeaters } from '../../../src-main/host/objects/homing-heaters';
import { CARTESIAN, loadText } from '../objects/load-helpers';

const BED = `
[heater_bed]
heater_pin: PH5
sensor_type: EPCOS 100K B57560G104F
sensor_pin: PK6
control: watermark
min_temp: 0
max_temp: 130
`;

type Targets = { heaters: Map<string, { targetC: number }> };

async function setup(section: string) {
  const p = loadText(`${CARTESIAN}\n${BED}\n${section}`);
  await p.gcode.run('SET_HEATER_TEMPERATURE HEATER=extruder TARGET=200\nSET_HEATER_TEMPERATURE HEATER=heater_bed TARGET=60');
  const hh = p.printer.lookupObject<HomingHeaters>('homing_heaters');
  const targets = () => [...p.printer.lookupObject<Targets>('heaters').heaters.values()].map((h) => h.targetC);
  return { p, hh, targets };
}

describe('[homing_heaters]', () => {
  it('by default every homing move turns every heater off, and the end restores the targets', async () => {
    const { hh, targets } = await setup('[homing_heaters]\n');
    hh.homingMoveBegin(['stepper_x']);
    expect(targets()).toEqual([0, 0]);
    hh.homingMoveEnd();
    expect(targets()).toEqual([200, 60]);
  });

  it('steppers/heaters limit it to moves of those steppers and to those heaters', async () => {
    const { hh, targets } = await setup('[homing_heaters]\nsteppers: stepper_z\nheaters: extruder\n');
    hh.homingMoveBegin(['stepper_x']);
    expect(targets()).toEqual([200, 60]);
    hh.homingMoveEnd();
    hh.homingMoveBegin(['stepper_z']);
    expect(targets()).toEqual([0, 60]);
    hh.homingMoveEnd();
    expect(targets()).toEqual([200, 60]);
  });

  it('names unknown heaters and steppers with the line once the printer connects', async () => {
    const bad = await setup('[homing_heaters]\nheaters: extruder, chamber\n');
    await expect(bad.p.printer.emit('printer:connect')).rejects.toThrow(
      /One or more of these heaters are unknown: chamber \(heaters: extruder, heater_bed\).*printer\.cfg:\d+/,
    );
    const badStepper = await setup('[homing_heaters]\nsteppers: stepper_q\n');
    await expect(badStepper.p.printer.emit('printer:connect')).rejects.toThrow(/One or more of these steppers are unknown: stepper_q/);
  });
});

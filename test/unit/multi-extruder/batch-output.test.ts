// A dual-extruder config in batch (file output) mode: the bytes written for the MCU, decoded.
// Each motor's queue_step counts and set_next_step_dir levels show which motor moved, by how
// many steps and which way, after ACTIVATE_EXTRUDER, SYNC_EXTRUDER_MOTION and a negative
// SET_EXTRUDER_ROTATION_DISTANCE.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import type { PrinterExtruder } from '../../../src-main/host/objects/extruder';
import type { ExtruderStepper } from '../../../src-main/host/objects/extruder-stepper';
import { atmegaDict } from '../objects/load-helpers';
import { runBatch, type DecodedMsg } from '../tmc/batch-output';
import { DUAL } from './dual-config';

/** Steps sent to one stepper oid and the dir levels it was given, in order. */
function motorOutput(msgs: DecodedMsg[], oid: number): { steps: number; dirs: number[] } {
  let steps = 0;
  const dirs: number[] = [];
  for (const m of msgs) {
    if (m.params.oid !== oid) continue;
    if (m.name === 'queue_step') steps += m.params.count as number;
    if (m.name === 'set_next_step_dir') dirs.push(m.params.dir as number);
  }
  return { steps, dirs };
}

const step = (rotationDistanceMm: number) => rotationDistanceMm / 3200;

describe('dual-extruder batch output', () => {
  it('sends each motor its own steps and direction levels', async () => {
    const config = new PrinterConfig(parseConfigText(DUAL, '/virtual/printer.cfg'));
    const { msgs, printer, responses } = await runBatch(config, atmegaDict, [
      'M104 T1 S200',
      'G1 E5 F600', // extruder + belted (synced to extruder)
      'ACTIVATE_EXTRUDER EXTRUDER=extruder1',
      'G1 E3 F600', // extruder1 alone: 3 mm
      'SYNC_EXTRUDER_MOTION EXTRUDER=belted MOTION_QUEUE=extruder1',
      'SET_EXTRUDER_ROTATION_DISTANCE EXTRUDER=extruder1 DISTANCE=-22.4',
      'G1 E6 F600', // extruder1 inverted and belted: 3 mm more
      'M400',
    ]);
    const oid = (name: string) =>
      name === 'belted'
        ? printer.lookupObject<ExtruderStepper>('extruder_stepper belted').stepper.oid
        : printer.lookupObject<PrinterExtruder>(name).stepper!.oid;
    // Every stepper is configured once, the extra motor too (step pins differ).
    expect(msgs.filter((m) => m.name === 'config_stepper').map((m) => m.params.oid)).toEqual(
      expect.arrayContaining([oid('extruder'), oid('extruder1'), oid('belted')]),
    );
    const e0 = motorOutput(msgs, oid('extruder'));
    const e1 = motorOutput(msgs, oid('extruder1'));
    const belted = motorOutput(msgs, oid('belted'));
    // [extruder]: 5 mm forward, dir_pin PA6 plain -> level 1.
    expect(e0).toEqual({ steps: Math.round(5 / step(33.5)), dirs: [1] });
    // belted (!PG0): 5 mm with extruder, then 3 mm with extruder1; forward = level 0.
    expect(belted.dirs).toEqual([0]);
    expect(Math.abs(belted.steps - 8 / step(33.5))).toBeLessThanOrEqual(1);
    // extruder1 (PC3 plain): 3 mm at level 1, then -22.4 inverts it: 3 mm at level 0.
    expect(e1.dirs).toEqual([1, 0]);
    expect(Math.abs(e1.steps - 6 / step(22.4))).toBeLessThanOrEqual(1);
    expect(responses).toContain('// Activating extruder extruder1');
    expect(responses).toContain("// Extruder 'extruder1' rotation distance set to -22.400000");
  });
});

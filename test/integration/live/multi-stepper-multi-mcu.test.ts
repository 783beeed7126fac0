// stepper_z1 on a second MCU: its motor is on the toolboard (with Z's switch there), stepper_z
// on the main MCU. One G28 Z halts both: z1 by the toolboard's own trsync, stepper_z through the
// host's trigger relay to the main MCU. Checked against both sims' traces.
import { describe, expect, it } from 'vitest';
import type { Toolhead } from '../../../src-main/host/motion/index';
import { TRSYNC_MULTI_MCU_TIMEOUT_S } from '../../../src-main/host/mcu/trsync';
import { parsePosition } from './live-printer';
import { startMultiMcuPrinter } from './multi-mcu-printer';

interface StepperPos {
  name: string;
  pos: number;
  mm: number;
}
type Ev = {
  ev: string;
  name?: string;
  clock?: number;
  triggered?: boolean;
  why?: string;
  steppers?: (StepperPos & { last_step_clock?: number })[];
};

const Z1_ON_TOOLBOARD = `
[stepper_z1]
step_pin: toolboard:PC1
dir_pin: toolboard:PC3
enable_pin: !toolboard:PC7
microsteps: 16
rotation_distance: 8
`;
const Z_STEP_MM = 8 / 3200;
const Z_ENDSTOP_MM = 0.5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an extra Z motor on another MCU (two sims)', () => {
  it('G28 Z halts stepper_z (main MCU, relayed) and stepper_z1 (toolboard, local) at the toolboard switch', async () => {
    const p = await startMultiMcuPrinter('multi-stepper-multi-mcu', {
      edit: (cfg) => cfg.replace('position_endstop: 0.5', 'position_endstop: 0.5\nhoming_retract_dist: 2') + Z1_ON_TOOLBOARD,
      overrides: { steppers: { stepper_z: { position_mm: 3 }, stepper_z1: { position_mm: 3 } } },
    });
    let position: Record<string, Record<string, number>>;
    try {
      await p.run('G28 Z');
      expect(p.host.printer.lookupObject<Toolhead>('toolhead').getStatus().homed_axes).toBe('z');
      position = parsePosition(await p.run('GET_POSITION'));
      await sleep(1200); // each sim flushes its trace at least once a second
    } finally {
      await p.stop();
    }
    const main = p.trace('mcu') as Ev[];
    const tool = p.trace('mcu toolboard') as Ev[];
    const haltOf = (trace: Ev[], name: string) => {
      const start = (trace.find((e) => e.ev === 'start') as unknown as { steppers: StepperPos[] }).steppers.find((s) => s.name === name)!;
      const halt = trace
        .filter((e) => e.ev === 'positions' && e.why === 'stepper_get_position')
        .at(-1)!
        .steppers!.find((s) => s.name === name)!;
      return { mm: halt.mm, steps: halt.pos - start.pos, lastStepClock: halt.last_step_clock! };
    };
    const z = haltOf(main, 'stepper_z');
    const z1 = haltOf(tool, 'stepper_z1');
    const trigger = tool.filter((e) => e.ev === 'endstop' && e.name === 'z_endstop' && e.triggered).at(-1)!;
    const z1AfterTriggerUs = (((z1.lastStepClock - trigger.clock!) | 0) / 50e6) * 1e6;
    console.log(
      `multi-MCU extra stepper: stepper_z halted at ${z.mm} mm (main, relayed), stepper_z1 at ${z1.mm} mm (toolboard, local); ` +
        `z1's last step ${z1AfterTriggerUs.toFixed(0)} us after the switch read triggered`,
    );
    // Both approaches ended by the switch (the sim reads it from the main sim's positions).
    expect(tool.filter((e) => e.ev === 'endstop' && e.name === 'z_endstop' && e.triggered)).toHaveLength(2);
    // stepper_z1 shares the toolboard's trsync: halted on the toolboard's own clock right at the
    // trigger, whatever the load (the sim runs timers at their nominal clocks): its last step at
    // most one step interval (1 ms at 2.5 mm/s) before the read that saw the switch, and no later
    // than the 4 confirming samples (4 x 15 us) after it.
    expect(z1AfterTriggerUs).toBeGreaterThanOrEqual(-1000);
    expect(z1AfterTriggerUs).toBeLessThanOrEqual(100);
    // stepper_z stops when the host relayed the trigger to the main MCU: past the switch by that
    // latency at 2.5 mm/s (a few ms when quiet, logged above). The guarantee is the multi-MCU
    // trsync timeout: a later relay would have ended homing with a communication timeout.
    // The two motors end apart by the relay latencies of the two approaches (Klipper's behaviour
    // too: a shared switch does not square motors on different MCUs); that is logged, not checked.
    const RELAY_STEPS = Math.ceil((TRSYNC_MULTI_MCU_TIMEOUT_S * 2.5) / Z_STEP_MM) + 1;
    expect(Z_ENDSTOP_MM - z.mm).toBeGreaterThanOrEqual(-Z_STEP_MM - 1e-9);
    expect(Z_ENDSTOP_MM - z.mm).toBeLessThanOrEqual(RELAY_STEPS * Z_STEP_MM + 1e-9);
    // GET_POSITION's MCU counts are each MCU's own (exact).
    expect(position!.mcu!.stepper_z).toBe(z.steps);
    expect(position!.mcu!.stepper_z1).toBe(z1.steps);
  }, 60_000);
});

// Motion panel logic: the view of toolhead/gcode_move, jog gating with its reason, jog limits,
// and the G-code of each control (jog restores the user's G-code state; factors and fans clamp).
import { describe, expect, it } from 'vitest';
import {
  factorScript,
  fanScript,
  fansOf,
  homeScript,
  jogBlockReason,
  jogInRange,
  jogScript,
  motionView,
} from '../../../src-renderer/features/motion/model';
import { useMotion } from '../../../src-renderer/features/motion/store';

const status = {
  toolhead: { position: [10, 20, 5, 1.5], homed_axes: 'xy', axis_minimum: [0, 0, 0.5, 0], axis_maximum: [200, 200, 200, 0] },
  gcode_move: { speed_factor: 1.25, extrude_factor: 0.95 },
  print_stats: { state: 'standby' },
};

describe('motion view', () => {
  it('reads position, homed axes, limits and factors (as percent)', () => {
    expect(motionView(status)).toEqual({
      position: [10, 20, 5, 1.5],
      homedAxes: 'xy',
      axisMin: [0, 0, 0.5, 0],
      axisMax: [200, 200, 200, 0],
      speedFactorPct: 125,
      flowFactorPct: 95,
      printState: 'standby',
    });
    expect(motionView({})).toMatchObject({ position: null, homedAxes: '', speedFactorPct: null });
  });
});

describe('jog gating', () => {
  const view = motionView(status);
  it('offers jog only on homed axes of a ready, idle printer, and says why not', () => {
    expect(jogBlockReason('x', 'ready', view)).toBeNull();
    expect(jogBlockReason('z', 'ready', view)).toBe('notHomed');
    expect(jogBlockReason('x', 'shutdown', view)).toBe('notReady');
    expect(jogBlockReason('x', undefined, view)).toBe('notReady');
    expect(jogBlockReason('x', 'ready', { ...view, printState: 'printing' })).toBe('printing');
    expect(jogBlockReason('x', 'ready', { ...view, printState: 'paused' })).toBe('printing');
  });
  it('refuses a step that would leave the axis limits', () => {
    expect(jogInRange('x', 10, view)).toBe(true);
    expect(jogInRange('x', -10, view)).toBe(true);
    expect(jogInRange('x', -10.1, view)).toBe(false);
    expect(jogInRange('z', -4.5, view)).toBe(true);
    expect(jogInRange('z', -5, view)).toBe(false);
    expect(jogInRange('y', 100, { ...view, position: null })).toBe(false);
  });
});

describe('G-code of the controls', () => {
  it('jogs relative and restores the G-code state after', () => {
    expect(jogScript('x', 10)).toBe('SAVE_GCODE_STATE NAME=tether_jog\nG91\nG1 X10 F6000\nRESTORE_GCODE_STATE NAME=tether_jog');
    expect(jogScript('z', -0.1)).toContain('G1 Z-0.1 F600');
    expect(jogScript('y', 0.1 + 0.2)).toContain('G1 Y0.3 ');
  });
  it('homes all or the named axes', () => {
    expect(homeScript()).toBe('G28');
    expect(homeScript(['x'])).toBe('G28 X');
    expect(homeScript(['x', 'y'])).toBe('G28 X Y');
  });
  it('sets speed/flow factors within 10..300 %', () => {
    expect(factorScript('speed', 150)).toBe('M220 S150');
    expect(factorScript('flow', 97.6)).toBe('M221 S98');
    expect(factorScript('speed', 5000)).toBe('M220 S300');
    expect(factorScript('flow', 0)).toBe('M221 S10');
  });
  it('sets the part fan with M106 S0..255, off with M107', () => {
    expect(fanScript(100)).toBe('M106 S255');
    expect(fanScript(50)).toBe('M106 S128');
    expect(fanScript(0)).toBe('M107');
    expect(fanScript(140)).toBe('M106 S255');
  });
  it('lists fans; only the part fan is set from the UI', () => {
    expect(fansOf({ fan: { speed: 0.5 }, 'heater_fan hotend_fan': { speed: 1 }, toolhead: {}, 'fan_generic aux': {} })).toEqual([
      { name: 'fan', speed: 0.5, settable: true },
      { name: 'heater_fan hotend_fan', speed: 1, settable: false },
      { name: 'fan_generic aux', speed: 0, settable: false },
    ]);
  });
});

describe('motion store', () => {
  it('remembers the chosen jog step', () => {
    useMotion.getState().setJogStep(0.1);
    expect(useMotion.getState().jogStepMm).toBe(0.1);
  });
});

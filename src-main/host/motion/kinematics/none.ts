// kinematics: none — a toolhead without motion steppers (e.g. an extruder-only test rig).

import type { Kinematics } from './kinematics.js';

export class NoneKinematics implements Kinematics {
  readonly name = 'none';
  readonly steppers = [];
  attach(): void {}
  checkMove(): void {}
  setPosition(): void {}
  clearHomingState(): void {}
  readonly homedAxes = '';
  railPositions(): number[] {
    return [];
  }
  cartesianPosition(): [number, number, number] {
    return [0, 0, 0];
  }
  calcPosition(): [number, number, number] {
    return [0, 0, 0];
  }
  axisMinimum(): [number, number, number] {
    return [0, 0, 0];
  }
  axisMaximum(): [number, number, number] {
    return [0, 0, 0];
  }
}

// Hybrid CoreXY / CoreXZ (the "Markforged" frames, common on IDEX machines): one motor moves the
// toolhead carriage along X on a belt that also runs with the gantry, the other moves the gantry
// alone. As in Klipper: hybrid_corexy's stepper_x = x - y, stepper_y = y, stepper_z = z; hybrid_corexz's
// stepper_x = x - z, stepper_y = y, stepper_z = z. Limits, homing (per axis, like cartesian) and
// max_z_velocity are LinearKinematics'; homing Y (hybrid_corexy) or Z (hybrid_corexz) moves
// stepper_x too, so that endstop halts stepper_x as well (the caller couples them).

import { LinearKinematics, type LinearKinematicsOptions } from './linear.js';

export class HybridCoreXYKinematics extends LinearKinematics {
  /** The axis whose homing also moves stepper_x. */
  static readonly coupledAxis = 'y';
  constructor(o: LinearKinematicsOptions) {
    super(
      'hybrid_corexy',
      [
        [1, -1, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      o,
    );
  }
}

export class HybridCoreXZKinematics extends LinearKinematics {
  static readonly coupledAxis = 'z';
  constructor(o: LinearKinematicsOptions) {
    super(
      'hybrid_corexz',
      [
        [1, 0, -1],
        [0, 1, 0],
        [0, 0, 1],
      ],
      o,
    );
  }
}

// What the toolhead needs from a kinematics, and the rail description printer objects pass in.

import type { Move } from '../move.js';
import type { MotionStepper } from '../stepper.js';
import type { TrapQ } from '../trapq.js';

export type AxisName = 'x' | 'y' | 'z';

/** One [stepper_?] rail: its steppers (stepper_z, stepper_z1, ...) and travel limits. */
export interface RailConfig {
  axis: AxisName;
  steppers: MotionStepper[];
  positionMinMm: number;
  positionMaxMm: number;
}

export interface Kinematics {
  readonly name: string;
  /** Every stepper the kinematics drives, in rail order. */
  readonly steppers: readonly MotionStepper[];
  /** Bind the steppers to the toolhead's trapq (the toolhead calls this once). */
  attach(trapq: TrapQ): void;
  /** Throw MoveError (Klipper's text) or lower the move's speed/accel. */
  checkMove(move: Move): void;
  /** The toolhead is now at pos; axes named in homingAxes ('xyz' subset) count as homed. */
  setPosition(pos: ArrayLike<number>, homingAxes: string): void;
  /** Forget homing (motors off): moves are refused until homed again. */
  clearHomingState(axes: string): void;
  /** 'xyz' subset, in order. */
  readonly homedAxes: string;
  /** Rail positions (mm, one per rail) of a cartesian position: the inverse kinematics. */
  railPositions(x: number, y: number, z: number): number[];
  /** Cartesian position of rail positions: the forward kinematics. */
  cartesianPosition(railPositionsMm: ArrayLike<number>): [number, number, number];
  /** Cartesian position of the steppers' last steps (GET_POSITION "stepper"/"kinematic"). */
  calcPosition(): [number, number, number];
  axisMinimum(): [number, number, number];
  axisMaximum(): [number, number, number];
  /** Speed limits that depend on the toolhead's max_velocity / max_accel (delta). */
  setToolheadLimits?(maxVelocityMmS: number, maxAccelMmS2: number): void;
}

// Public API of the motion core (see README.md in this folder).
export { parseGearRatio, stepDistanceMm, GeometryError, type StepGeometry } from './geometry.js';
export { TrapQ } from './trapq.js';
export { Move, MoveError, type MovePlannerLimits, type ExtruderJunction } from './move.js';
export { LookaheadQueue, LOOKAHEAD_FLUSH_TIME_S } from './lookahead.js';
export { StepCompressor, StepCompressError, FAR_STEP_TICKS } from './step-compress.js';
export { CountingStepSink, RecordingStepSink, type StepSink } from './step-sink.js';
export { MotionStepper, MAX_STEP_ERROR_S, type MotionStepperOptions } from './stepper.js';
export { ExtruderMotion, type ExtruderMotionOptions } from './extruder.js';
export { Toolhead, BUFFER_TIME_START_S, BUFFER_TIME_HIGH_S, type ToolheadOptions, type VelocityLimits } from './toolhead.js';
export type { Kinematics, RailConfig, AxisName } from './kinematics/kinematics.js';
export {
  LinearKinematics,
  CartesianKinematics,
  CoreXYKinematics,
  CoreXZKinematics,
  type LinearKinematicsOptions,
} from './kinematics/linear.js';
export { DeltaKinematics, type DeltaKinematicsOptions, type DeltaTower } from './kinematics/delta.js';
export { NoneKinematics } from './kinematics/none.js';
export type { RailFunction } from './rail-function.js';
export { PressureAdvanceRail } from './pressure-advance.js';
export {
  ShapedLinearRail,
  shaperPulses,
  centredPulses,
  residualVibration,
  isShaping,
  NO_SHAPING,
  SHAPER_TYPES,
  EI_VIBRATION_TOLERANCE,
  type ShaperPulses,
  type ShaperType,
} from './input-shaper.js';

// Stepper geometry: how far one (micro)step moves the rail, from the printer.cfg options
// rotation_distance, microsteps, full_steps_per_rotation and gear_ratio.

export class GeometryError extends Error {
  override name = 'GeometryError';
}

/**
 * gear_ratio is a list of "input:output" pairs such as "80:20, 16:48"; the stepper turns
 * input/output times per output turn, so the ratios multiply. Empty text means 1.
 */
export function parseGearRatio(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return 1;
  let ratio = 1;
  for (const pair of trimmed.split(',')) {
    const parts = pair.split(':');
    const a = parts.length === 2 ? Number(parts[0]!.trim()) : NaN;
    const b = parts.length === 2 ? Number(parts[1]!.trim()) : NaN;
    if (!(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) {
      throw new GeometryError(
        `Invalid gear_ratio '${text}': write pairs of positive numbers like '80:20, 16:48'`,
      );
    }
    ratio *= a / b;
  }
  return ratio;
}

export interface StepGeometry {
  rotationDistanceMm: number;
  microsteps: number;
  fullStepsPerRotation?: number; // default 200
  gearRatio?: number; // default 1 (product of parseGearRatio)
}

/** Distance in mm the rail moves per microstep. */
export function stepDistanceMm(g: StepGeometry): number {
  const full = g.fullStepsPerRotation ?? 200;
  const gear = g.gearRatio ?? 1;
  if (!(g.rotationDistanceMm > 0)) throw new GeometryError('rotation_distance must be above 0');
  if (!(g.microsteps > 0) || !Number.isInteger(g.microsteps)) {
    throw new GeometryError('microsteps must be a positive whole number');
  }
  if (!(full > 0) || !Number.isInteger(full) || full % 4 !== 0) {
    throw new GeometryError('full_steps_per_rotation must be a positive multiple of 4');
  }
  return g.rotationDistanceMm / (full * g.microsteps * gear);
}

// What a Z probe ([probe], later [bltouch]) offers the tools that probe the bed ([bed_mesh],
// [screws_tilt_adjust], ...): its offsets from the nozzle and one probe at the current X/Y.
// The probe registers itself as the printer object PROBE_OBJECT; the tools look it up.
import type { GCodeCommand } from '../gcode/command';

export const PROBE_OBJECT = 'probe';

export interface ZProbe {
  /** [probe] x_offset, y_offset: where the probe sits relative to the nozzle (mm). */
  readonly xOffsetMm: number;
  readonly yOffsetMm: number;
  /** [probe] z_offset: the nozzle's height above the bed when the probe triggers (mm). */
  readonly zOffsetMm: number;
  /**
   * Probes straight down at the toolhead's current X/Y with the [probe] sample settings, which
   * `cmd` may override as PROBE does (SAMPLES=, SAMPLE_RETRACT_DIST=, PROBE_SPEED=,
   * LIFT_SPEED=, SAMPLES_RESULT=, SAMPLES_TOLERANCE=, SAMPLES_TOLERANCE_RETRIES=). Resolves to
   * the toolhead position [x, y, z] where it triggered (z before z_offset is applied, as PROBE
   * reports it). Rejects with Klipper's messages ("No trigger on probe after full movement",
   * "Probe samples exceed samples_tolerance", "Must home before probe").
   */
  runProbe(cmd: GCodeCommand | null): Promise<[number, number, number]>;
}

// Probing a list of points with the Z probe, as [bed_mesh] and [screws_tilt_adjust] do: up to
// horizontal_move_z, across at `speed`, probe (the [probe] sample settings, overridable by the
// command), and up again at the end. Moves go to the toolhead directly, past any mesh transform.
import type { GCodeCommand } from '../gcode/command';
import type { Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import type { GCodeMove } from './gcode-move';
import { PROBE_OBJECT, type ZProbe } from './probe-api';

export interface ProbeTravel {
  speedMmS: number;
  horizontalMoveZMm: number;
}

/** The [probe] object, or an error naming the command that needs it. */
export function requireProbe(printer: Printer, cmd: GCodeCommand, travel: ProbeTravel): ZProbe {
  const probe = printer.lookupObjectOrNull<ZProbe>(PROBE_OBJECT);
  if (!probe) throw cmd.error(`${cmd.command} needs a Z probe: add a [probe] section (manual probing is not supported yet)`);
  if (travel.horizontalMoveZMm < probe.zOffsetMm) throw cmd.error("horizontal_move_z can't be less than probe's z_offset");
  return probe;
}

/**
 * Probes each toolhead position `at` in turn and returns the bed's Z there (trigger height minus
 * the probe's z_offset). gcode_move takes the toolhead's position afterwards, also on failure.
 */
export async function probeToolheadPositions(
  printer: Printer,
  probe: ZProbe,
  points: readonly (readonly [number, number])[],
  travel: ProbeTravel,
  cmd: GCodeCommand,
): Promise<number[]> {
  const th = printer.lookupObject<Toolhead>('toolhead');
  const lift = () => {
    const pos = th.getPosition().slice();
    if (pos[2] === travel.horizontalMoveZMm) return;
    pos[2] = travel.horizontalMoveZMm;
    // The kinematics hold Z to max_z_velocity.
    th.move(pos, travel.speedMmS);
  };
  const out: number[] = [];
  try {
    for (const [x, y] of points) {
      lift();
      const pos = th.getPosition().slice();
      pos[0] = x;
      pos[1] = y;
      th.move(pos, travel.speedMmS);
      const hit = await probe.runProbe(cmd);
      out.push(hit[2] - probe.zOffsetMm);
    }
    lift();
  } finally {
    printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
  }
  return out;
}

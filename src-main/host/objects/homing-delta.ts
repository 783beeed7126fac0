// G28 on a linear delta, as Klipper homes one: the three towers move up together until each
// carriage stops at its own endstop (a tower whose endstop fired is halted by the MCU while the
// others go on). The home position is where every carriage sits at its endstop: computed from
// each tower's position_endstop, arm_length, angle and delta_radius (x = y = 0 when the towers
// agree). Homing "X" or "Z" alone homes all three, as Klipper does.
import type { DeltaKinematics, Toolhead } from '../motion/index';

/**
 * Where G28 pretends the toolhead starts (far below the home position, so the move is long
 * enough to reach the endstops from anywhere) and where the move ends (the home position).
 */
export function deltaHomingMove(th: Toolhead): { forcePos: number[]; homePos: number[] } {
  const kin = th.kinematics as DeltaKinematics;
  const e = th.getPosition()[3] ?? 0;
  const homePos = [...kin.homePosition, e];
  const forcePos = homePos.slice();
  // Klipper's start: 1.5 x the lowest a carriage can be above the bed at the edge of the print
  // area, below z = 0; the move up to the endstops is then longer than any tower's travel.
  forcePos[2] = -1.5 * Math.sqrt(Math.max(...kin.arm2) - kin.maxXY2);
  return { forcePos, homePos };
}

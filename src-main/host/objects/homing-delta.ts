// G28 on machines that do not home axis by axis:
//  - linear delta: the three towers move up together until each carriage stops at its own
//    endstop (a tower whose endstop fired is halted by the MCU while the others go on). The home
//    position is where every carriage sits at its endstop: computed from each tower's
//    position_endstop, arm_length, angle and delta_radius (x = y = 0 when the towers agree).
//    Homing "X" or "Z" alone homes all three, as Klipper does.
//  - deltesian: X or Z homes the left and right towers together the same way; Y homes like a
//    cartesian rail.
//  - polar: X or Y homes the arm along the bed's +X (y = 0; the bed itself is never homed: its
//    angle now is +X), from its position_min outwards (never through the centre); Z as usual.
//  - winch: no switches; G28 declares the toolhead at 0, 0, 0 (Klipper does the same).
import type { DeltaKinematics, Toolhead } from '../motion/index';
import type { DeltesianKinematics } from '../motion/kinematics/deltesian';
import type { HomingRail } from './endstop';

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

type HomeRails = (rails: HomingRail[], forcePos: number[], homePos: number[], axes: string) => Promise<void>;

/**
 * Homes `axes` (0 = X, 1 = Y, 2 = Z) on a delta, deltesian, polar or winch machine and returns
 * the axes now homed; null for kinematics homed axis by axis (homing.ts does those).
 */
export async function homeKinematics(
  th: Toolhead,
  axes: number[],
  rails: HomingRail[],
  homeRails: HomeRails,
  homeRail: (rail: HomingRail) => Promise<void>,
): Promise<number[] | null> {
  const name = th.kinematics.name;
  const e = th.getPosition()[3] ?? 0;
  if (name === 'delta') {
    const { forcePos, homePos } = deltaHomingMove(th);
    await homeRails(rails, forcePos, homePos, 'xyz');
    return [0, 1, 2];
  }
  if (name === 'winch') {
    th.setPosition([0, 0, 0, e], 'xyz');
    return [0, 1, 2];
  }
  if (name === 'deltesian') {
    const kin = th.kinematics as DeltesianKinematics;
    const homed: number[] = [];
    if (axes.includes(0) || axes.includes(2)) {
      const [hx, hz] = kin.homeXZ;
      const homePos = [hx, th.getPosition()[1]!, hz, e];
      const forcePos = homePos.slice();
      // As a delta: start 1.5 x the longest vertical arm reach below z = 0.
      forcePos[2] = -1.5 * Math.sqrt(Math.max(...[0, 1].map((i) => kin.arm2[i]! - kin.towerX[i]! ** 2)));
      await homeRails(rails.slice(0, 2), forcePos, homePos, 'xz');
      homed.push(0, 2);
    }
    if (axes.includes(1)) {
      await homeRail(rails[2]!);
      homed.push(1);
    }
    return homed.sort();
  }
  if (name === 'polar') {
    const homed: number[] = [];
    if (axes.includes(0) || axes.includes(1)) {
      const arm = rails[0]!;
      const s = arm.settings;
      const z = th.getPosition()[2]!;
      const homePos = [s.position_endstop!, 0, z, e];
      // From the other end of the arm's travel (Klipper's), not 1.5 x beyond it: that would pass
      // through the centre and spin the bed half a turn.
      const forcePos = [s.homing_positive_dir ? s.positionMinMm : s.positionMaxMm, 0, z, e];
      await homeRails([arm], forcePos, homePos, 'xy');
      homed.push(0, 1);
    }
    if (axes.includes(2)) {
      await homeRail(rails[1]!);
      homed.push(2);
    }
    return homed;
  }
  return null;
}

// [safe_z_home]: G28 homes X and Y first and moves the head to home_xy_position before homing Z,
// so a Z endstop or probe under the nozzle is over the bed; optionally lifts Z first.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher, RegisteredCommand } from '../gcode/dispatcher';
import type { Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { manualMove } from './gcode-move';
import { g28Command } from './homing';
import { SAFE_Z_HOME_OPTIONS } from './homing-options';

export class SafeZHome {
  private readonly o;
  private readonly prevG28: RegisteredCommand;

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    this.o = section.read(SAFE_Z_HOME_OPTIONS);
    if (printer.lookupObjectOrNull('homing_override')) {
      throw section.error('home_xy_position', 'homing_override and safe_z_homing cannot be used simultaneously');
    }
    const prev = gcode.lookup('G28');
    if (!prev) throw section.error('home_xy_position', '[safe_z_home] needs G28 (a [printer] section with homing)');
    this.prevG28 = prev;
    gcode.replace('G28', (c) => this.cmdG28(c), { help: prev.help, params: prev.params });
  }

  private toolhead(): Toolhead {
    return this.printer.lookupObject<Toolhead>('toolhead');
  }

  private async cmdG28(cmd: GCodeCommand): Promise<void> {
    const th = this.toolhead();
    const { z_hop: zHop, z_hop_speed: zHopSpeed } = this.o;
    if (zHop !== 0) {
      const pos = th.getPosition().slice();
      if (!th.kinematics.homedAxes.includes('z')) {
        // Z position unknown: call it 0, lift, and forget it again.
        pos[2] = 0;
        th.setPosition(pos, 'z');
        manualMove(this.printer, [null, null, zHop], zHopSpeed);
        th.kinematics.clearHomingState('z');
      } else if (pos[2]! < zHop) {
        manualMove(this.printer, [null, null, zHop], zHopSpeed);
      }
    }
    let [needX, needY, needZ] = ['X', 'Y', 'Z'].map((a) => cmd.has(a));
    if (!needX && !needY && !needZ) needX = needY = needZ = true;
    const xy = `${needX ? 'X' : ''}${needY ? 'Y' : ''}`;
    if (xy) await this.prevG28.handler(g28Command(xy));
    if (!needZ) return;
    const homed = th.kinematics.homedAxes;
    if (!homed.includes('x') || !homed.includes('y')) throw cmd.error('Must home X and Y axes first');
    const prevPos = th.getPosition().slice();
    const [hx, hy] = this.o.home_xy_position;
    manualMove(this.printer, [hx!, hy!], this.o.speed);
    await this.prevG28.handler(g28Command('Z'));
    if (zHop && th.getPosition()[2]! < zHop) manualMove(this.printer, [null, null, zHop], zHopSpeed);
    if (this.o.move_to_previous) manualMove(this.printer, [prevPos[0]!, prevPos[1]!], this.o.speed);
  }
}

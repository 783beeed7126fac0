// [homing_override]: G28 runs the user's template instead; a G28 inside that template does the
// real homing. set_position_* declares axes homed at a position before the template runs (for
// printers that must move an axis before they can home it).
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher, RegisteredCommand } from '../gcode/dispatcher';
import type { Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { TemplateError } from '../template';
import type { GCodeMove } from './gcode-move';
import { MacroTemplate } from './gcode-macro';
import { HOMING_OVERRIDE_OPTIONS } from './homing-options';

export class HomingOverride {
  private readonly axes: string;
  private readonly startPos: (number | undefined)[];
  private readonly template: MacroTemplate;
  private readonly prevG28: RegisteredCommand;
  private inScript = false;

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    const o = section.read(HOMING_OVERRIDE_OPTIONS);
    this.axes = o.axes.toUpperCase();
    const bad = [...this.axes].find((a) => !'XYZ'.includes(a));
    if (bad) throw section.error('axes', `Invalid axis '${bad}' in option 'axes' of section 'homing_override': use X, Y and/or Z`);
    this.startPos = [o.set_position_x, o.set_position_y, o.set_position_z];
    try {
      this.template = new MacroTemplate(printer, gcode, 'homing_override:gcode', o.gcode);
    } catch (e) {
      if (e instanceof TemplateError) throw section.error('gcode', e.message);
      throw e;
    }
    const prev = gcode.lookup('G28');
    if (!prev) throw section.error('gcode', '[homing_override] needs G28 (a [printer] section with homing)');
    this.prevG28 = prev;
    gcode.replace('G28', (c) => this.cmdG28(c), { help: prev.help, params: prev.params });
  }

  private async cmdG28(cmd: GCodeCommand): Promise<void> {
    // G28 from inside the template: the real homing.
    if (this.inScript) return this.prevG28.handler(cmd);
    const given = [...'XYZ'].filter((a) => cmd.has(a));
    const override = given.length === 0 || given.some((a) => this.axes.includes(a));
    if (!override) return this.prevG28.handler(cmd);
    const th = this.printer.lookupObject<Toolhead>('toolhead');
    const pos = th.getPosition().slice();
    let homingAxes = '';
    this.startPos.forEach((v, i) => {
      if (v === undefined) return;
      pos[i] = v;
      homingAxes += 'xyz'[i];
    });
    th.setPosition(pos, homingAxes);
    this.printer.lookupObject<GCodeMove>('gcode_move').resetFromToolhead();
    this.inScript = true;
    try {
      await this.template.run({ params: { ...cmd.params }, rawparams: cmd.rawParams });
    } finally {
      this.inScript = false;
    }
  }
}

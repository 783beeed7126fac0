// QUERY_ENDSTOPS / M119: each endstop read once the queued moves are done, printed as Klipper
// does ("x:open y:open z:TRIGGERED"); the `query_endstops` status keeps the last answer.
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Toolhead } from '../motion/index';
import type { PrinterObject } from '../printer';
import type { HomingRail } from './endstop';
import type { McuEndstop } from '../mcu/endstop';

export class QueryEndstops implements PrinterObject {
  private lastQuery: [string, number][] = [];
  /** Switches outside the rails ([manual_stepper] endstop_pin), listed after them. */
  private readonly others: { name: string; endstop: McuEndstop }[] = [];

  constructor(
    private readonly gcode: GCodeDispatcher,
    private readonly toolhead: Toolhead,
    private readonly rails: HomingRail[],
  ) {
    const help = { help: 'Report on the status of each endstop' };
    gcode.register('QUERY_ENDSTOPS', () => this.cmdQueryEndstops(), help);
    gcode.register('M119', () => this.cmdQueryEndstops(), help);
  }

  addEndstop(name: string, endstop: McuEndstop): void {
    this.others.push({ name, endstop });
  }

  /** Reads every MCU endstop after the moves queued so far: [name, triggered]. */
  async query(): Promise<[string, boolean][]> {
    const printTimeS = this.toolhead.getLastMoveTime();
    const out: [string, boolean][] = [];
    for (const r of this.rails) {
      if (r.endstop) out.push([r.name, await r.endstop.queryTriggered(printTimeS)]);
      // An extra stepper's own switch ([stepper_z1] endstop_pin) is listed by its name, 'z1'.
      for (const e of r.extraEndstops) out.push([e.name, await e.endstop.queryTriggered(printTimeS)]);
    }
    for (const o of this.others) out.push([o.name, await o.endstop.queryTriggered(printTimeS)]);
    this.lastQuery = out.map(([n, t]) => [n, t ? 1 : 0]);
    return out;
  }

  private async cmdQueryEndstops(): Promise<void> {
    const state = await this.query();
    this.gcode.respondRaw(state.map(([n, t]) => `${n}:${t ? 'TRIGGERED' : 'open'}`).join(' '));
  }

  getStatus(): Record<string, unknown> {
    return { last_query: Object.fromEntries(this.lastQuery) };
  }
}

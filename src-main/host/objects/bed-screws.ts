// [bed_screws]: the manual bed-levelling walk (BED_SCREWS_ADJUST). The nozzle goes to each screw
// at probe_height; the user checks the gap (paper test), turns the screw and answers ACCEPT (no
// change needed), ADJUSTED (turned it noticeably) or ABORT. The walk ends once every screw in a
// row was accepted without adjusting; then the optional fine-adjust positions get the same walk.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { manualMove } from './gcode-move';
import { BED_SCREWS_OPTIONS, readScrews, type BedScrew } from './bed-screws-options';

type Stage = 'adjust' | 'fine';

export class BedScrews {
  private readonly o;
  readonly screws: BedScrew[];
  private readonly fine: BedScrew[];
  private stage: Stage | null = null;
  private current = 0;
  /** Screws accepted in a row since the last ADJUSTED. */
  private acceptedInRow = 0;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    this.o = section.read(BED_SCREWS_OPTIONS);
    const screws = readScrews(section, { fine: true });
    this.screws = screws.map((s) => s.screw);
    // Fine adjustment needs a position for every screw, or none.
    const fine = screws.filter((s) => s.fine);
    if (fine.length && fine.length !== screws.length) {
      const missing = screws.find((s) => !s.fine)!;
      throw section.error(
        `screw${missing.index}`,
        `bed_screws: screw${missing.index}_fine_adjust is missing: give every screw a fine_adjust position or none`,
      );
    }
    this.fine = fine.map((s) => ({ name: s.screw.name, x: s.fine![0], y: s.fine![1] }));
    gcode.register('BED_SCREWS_ADJUST', (c) => this.cmdAdjust(c), { help: 'Tool to help adjust bed leveling screws' });
  }

  private list(): BedScrew[] {
    return this.stage === 'fine' ? this.fine : this.screws;
  }

  /** Up, over, down to the screw; then wait for the user's answer. */
  private goToScrew(stage: Stage, index: number): void {
    const { horizontal_move_z: hz, probe_height: ph, speed, probe_speed: lift } = this.o;
    this.stage = stage;
    this.current = index;
    const s = this.list()[index]!;
    manualMove(this.printer, [null, null, hz], lift);
    manualMove(this.printer, [s.x, s.y, hz], speed);
    manualMove(this.printer, [s.x, s.y, ph], lift);
    this.gcode.respondInfo(`Adjust ${s.name}. Then run ACCEPT, ADJUSTED, or ABORT\nUse ADJUSTED if a significant screw adjustment is made`);
    this.setAnswerCommands(true);
  }

  /** ACCEPT/ADJUSTED/ABORT exist only while the walk waits for an answer (as in Klipper). */
  private readonly answers: [string, () => void, string][] = [
    ['ACCEPT', () => this.cmdAccept(false), 'Accept bed screw position'],
    ['ADJUSTED', () => this.cmdAccept(true), 'Accept bed screw position after notable adjustment'],
    ['ABORT', () => this.cmdAbort(), 'Abort bed screws tool'],
  ];

  private setAnswerCommands(on: boolean): void {
    for (const [name, fn, help] of this.answers) {
      const cur = this.gcode.lookup(name);
      // Another tool's ACCEPT (manual probe) is left alone.
      if (cur && cur.handler === fn) this.gcode.unregister(name);
      if (on) this.gcode.register(name, fn, { help });
    }
  }

  private cmdAdjust(cmd: GCodeCommand): void {
    if (this.stage !== null) throw cmd.error('Already in bed_screws helper; use ABORT to exit');
    this.acceptedInRow = 0;
    manualMove(this.printer, [null, null, this.o.horizontal_move_z], this.o.speed);
    this.goToScrew('adjust', 0);
  }

  private cmdAccept(adjusted: boolean): void {
    this.setAnswerCommands(false);
    const list = this.list();
    this.acceptedInRow = adjusted ? 0 : this.acceptedInRow + 1;
    if (this.acceptedInRow < list.length) {
      // Round again until every screw passes without a turn.
      this.goToScrew(this.stage!, (this.current + 1) % list.length);
      return;
    }
    if (this.stage === 'adjust' && this.fine.length) {
      this.acceptedInRow = 0;
      this.goToScrew('fine', 0);
      return;
    }
    this.stage = null;
    manualMove(this.printer, [null, null, this.o.horizontal_move_z], this.o.probe_speed);
    this.gcode.respondInfo('Bed screws tool completed successfully');
  }

  private cmdAbort(): void {
    this.setAnswerCommands(false);
    this.stage = null;
  }

  getStatus(): Record<string, unknown> {
    return {
      is_active: this.stage !== null,
      state: this.stage,
      current_screw: this.stage === null ? 0 : this.current,
      accepted_screws: this.acceptedInRow,
    };
  }
}

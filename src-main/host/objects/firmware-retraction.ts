// [firmware_retraction]: G10 retracts the filament and G11 pushes it back, with lengths and
// speeds from printer.cfg that SET_RETRACTION changes at run time (so a slicer's "firmware
// retraction" setting can be tuned without re-slicing). A second G10 before a G11 does nothing,
// as in Klipper. The moves are relative E moves inside a saved G-code state, so the print's
// absolute/relative modes and feed rate are untouched.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { PrinterObject } from '../printer';
import { FIRMWARE_RETRACTION_OPTIONS } from './firmware-retraction-options';

export interface RetractionSettings {
  retractLengthMm: number;
  retractSpeedMmS: number;
  unretractExtraLengthMm: number;
  unretractSpeedMmS: number;
}

/** The G-code G10 (retract) or G11 (unretract) runs. */
export function retractionScript(s: RetractionSettings, retract: boolean): string[] {
  const e = retract ? -s.retractLengthMm : s.retractLengthMm + s.unretractExtraLengthMm;
  const f = (retract ? s.retractSpeedMmS : s.unretractSpeedMmS) * 60;
  return ['SAVE_GCODE_STATE NAME=_retract_state', 'G91', `G1 E${e.toFixed(5)} F${f.toFixed(3)}`, 'RESTORE_GCODE_STATE NAME=_retract_state'];
}

export class FirmwareRetraction implements PrinterObject {
  settings: RetractionSettings;
  isRetracted = false;

  constructor(
    private readonly gcode: GCodeDispatcher,
    section: ConfigSection,
  ) {
    const o = section.read(FIRMWARE_RETRACTION_OPTIONS);
    this.settings = {
      retractLengthMm: o.retract_length,
      retractSpeedMmS: o.retract_speed,
      unretractExtraLengthMm: o.unretract_extra_length,
      unretractSpeedMmS: o.unretract_speed,
    };
    // gcode_move answers G10/G11 with "needs [firmware_retraction]" until this section takes them.
    gcode.replace('G10', () => this.cmdG10(), { help: 'Retract the filament (firmware retraction)' });
    gcode.replace('G11', () => this.cmdG11(), { help: 'Unretract the filament (firmware retraction)' });
    gcode.register('SET_RETRACTION', (c) => this.cmdSetRetraction(c), {
      help: 'Set firmware retraction parameters',
      params: { RETRACT_LENGTH: 'mm', RETRACT_SPEED: 'mm/s', UNRETRACT_EXTRA_LENGTH: 'mm', UNRETRACT_SPEED: 'mm/s' },
    });
    gcode.register('GET_RETRACTION', () => this.cmdGetRetraction(), { help: 'Report firmware retraction parameters' });
  }

  private async cmdG10(): Promise<void> {
    if (this.isRetracted || this.settings.retractLengthMm === 0) return;
    await this.gcode.runLines(retractionScript(this.settings, true));
    this.isRetracted = true;
  }

  private async cmdG11(): Promise<void> {
    if (!this.isRetracted) return;
    await this.gcode.runLines(retractionScript(this.settings, false));
    this.isRetracted = false;
  }

  private cmdSetRetraction(c: GCodeCommand): void {
    const s = this.settings;
    this.settings = {
      retractLengthMm: c.getFloat('RETRACT_LENGTH', s.retractLengthMm, { minval: 0 }),
      retractSpeedMmS: c.getFloat('RETRACT_SPEED', s.retractSpeedMmS, { minval: 1 }),
      unretractExtraLengthMm: c.getFloat('UNRETRACT_EXTRA_LENGTH', s.unretractExtraLengthMm, { minval: 0 }),
      unretractSpeedMmS: c.getFloat('UNRETRACT_SPEED', s.unretractSpeedMmS, { minval: 1 }),
    };
  }

  private cmdGetRetraction(): void {
    const s = this.settings;
    this.gcode.respondInfo(
      `RETRACT_LENGTH=${s.retractLengthMm.toFixed(5)} RETRACT_SPEED=${s.retractSpeedMmS.toFixed(5)} ` +
        `UNRETRACT_EXTRA_LENGTH=${s.unretractExtraLengthMm.toFixed(5)} UNRETRACT_SPEED=${s.unretractSpeedMmS.toFixed(5)}`,
    );
  }

  getStatus(): Record<string, unknown> {
    const s = this.settings;
    return {
      retract_length: s.retractLengthMm,
      retract_speed: s.retractSpeedMmS,
      unretract_extra_length: s.unretractExtraLengthMm,
      unretract_speed: s.unretractSpeedMmS,
    };
  }
}

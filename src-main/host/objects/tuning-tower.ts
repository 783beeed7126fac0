// TUNING_TOWER (built in, as in Klipper; no config section): while a test print is printed,
// runs COMMAND PARAMETER=<value> whenever an extruding move reaches a new Z height, with the
// value growing with Z, so one tower shows a setting's effect at each height:
//   value = START + FACTOR * z   (BAND=b: z taken at the middle of its b mm band)
//   value = START + STEP_DELTA * floor(z / STEP_HEIGHT)
// SKIP=s: below Z s the value is START, above it z counts from s. An extruding move more than
// 2 mm below the last tuned height (the next print starting) ends the test.
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import type { GCodeMove, MoveTransform } from './gcode-move';

/** An extruding move this far (mm) below the last tuned height ends the test. */
const CANCEL_Z_DELTA_MM = 2.0;

export interface TuningTowerSettings {
  command: string;
  parameter: string;
  start: number;
  skipMm: number;
  /** FACTOR mode (with BAND, 0 = none) or STEP_DELTA/STEP_HEIGHT mode. */
  factor: number;
  bandMm: number;
  stepDelta: number;
  stepHeightMm: number;
}

/** The tuned value at G-code height zMm. */
export function tuningTowerValue(s: TuningTowerSettings, zMm: number): number {
  if (zMm < s.skipMm) return s.start;
  const z = zMm - s.skipMm;
  if (s.stepHeightMm > 0) return s.start + s.stepDelta * Math.floor(z / s.stepHeightMm);
  const zBand = s.bandMm > 0 ? (Math.floor(z / s.bandMm) + 0.5) * s.bandMm : z;
  return s.start + s.factor * zBand;
}

export class TuningTower implements MoveTransform {
  settings: TuningTowerSettings | null = null;
  private next: MoveTransform | null = null;
  private lastPos = [0, 0, 0, 0];
  private lastZ = 0;
  private lastValue = NaN;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
  ) {
    gcode.register('TUNING_TOWER', (c) => this.cmdTuningTower(c), {
      help: 'Tool to adjust a parameter at each Z height',
      params: {
        COMMAND: 'command to run (e.g. SET_VELOCITY_LIMIT)',
        PARAMETER: 'its parameter (e.g. ACCEL)',
        START: 'value at Z 0',
        FACTOR: 'value change per mm of Z',
        BAND: 'mm of Z with one value (FACTOR mode)',
        STEP_DELTA: 'value change per step',
        STEP_HEIGHT: 'mm of Z per step',
        SKIP: 'mm of Z printed at START first',
      },
    });
  }

  private cmdTuningTower(c: GCodeCommand): void {
    const command = c.get('COMMAND').toUpperCase();
    const parameter = c.get('PARAMETER');
    if (!/^[A-Z_][A-Z0-9_]*$/.test(command) || !this.gcode.lookup(command)) throw c.error(`Unknown command: "${command}"`);
    if (!parameter || /[\s=]/.test(parameter)) throw c.error(`Invalid PARAMETER '${parameter}': give the parameter name, e.g. ACCEL`);
    const start = c.getFloat('START', 0);
    const factor = c.getFloat('FACTOR', 0);
    const stepDelta = c.getFloat('STEP_DELTA', 0);
    const stepHeightMm = c.getFloat('STEP_HEIGHT', 0, { minval: 0 });
    const bandMm = c.getFloat('BAND', 0, { minval: 0 });
    const skipMm = c.getFloat('SKIP', 0, { minval: 0 });
    const stepMode = c.has('STEP_DELTA') || c.has('STEP_HEIGHT');
    if (stepMode && c.has('FACTOR')) throw c.error('Cannot specify both FACTOR and STEP_DELTA/STEP_HEIGHT');
    if (stepMode && (stepDelta === 0 || stepHeightMm <= 0))
      throw c.error('STEP_DELTA and STEP_HEIGHT must both be given (STEP_HEIGHT above 0)');
    if (c.has('BAND') && stepMode) throw c.error('BAND goes with FACTOR, not with STEP_DELTA/STEP_HEIGHT');
    this.settings = { command, parameter, start, skipMm, factor, bandMm, stepDelta, stepHeightMm: stepMode ? stepHeightMm : 0 };
    this.install();
    const gm = this.printer.lookupObject<GCodeMove>('gcode_move');
    this.lastPos = gm.lastPosition.slice();
    this.lastZ = this.lastPos[2]!;
    this.lastValue = NaN;
    this.gcode.respondInfo(
      stepMode
        ? `Starting tuning test (start=${start.toFixed(6)} step_delta=${stepDelta.toFixed(6)} step_height=${stepHeightMm.toFixed(6)})`
        : `Starting tuning test (start=${start.toFixed(6)} factor=${factor.toFixed(6)})`,
    );
  }

  /** Ours stays in the move path once installed (passing moves on untouched while no test runs). */
  private install(): void {
    if (this.next) return;
    this.next = this.printer.lookupObject<GCodeMove>('gcode_move').setMoveTransform(this, true);
  }

  endTest(): void {
    this.settings = null;
  }

  getPosition(): number[] {
    return this.next!.getPosition();
  }

  move(pos: number[], speedMmS: number): void {
    const s = this.settings;
    if (s && pos[3]! > this.lastPos[3]! && pos[2] !== this.lastZ && pos.slice(0, 3).some((v, i) => v !== this.lastPos[i])) {
      const z = pos[2]!;
      if (z < this.lastZ - CANCEL_Z_DELTA_MM) {
        this.endTest();
        this.gcode.respondInfo('Ending tuning test mode');
      } else {
        const value = tuningTowerValue(s, z);
        if (value !== this.lastValue) {
          this.lastValue = value;
          this.runCommand(`${s.command} ${s.parameter}=${value.toFixed(9)}`);
        }
        this.lastZ = z;
      }
    }
    this.lastPos = pos.slice();
    this.next!.move(pos, speedMmS);
  }

  /** Runs the tuned command before the move (a synchronous handler takes effect at once). */
  private runCommand(line: string): void {
    this.gcode.runLines([line]).catch((e: unknown) => this.gcode.respondError(`TUNING_TOWER: ${(e as Error).message}`));
  }
}

// The manual Z probe helper (Klipper's [manual_probe] behaviour, used by PROBE_CALIBRATE): the
// user lowers the nozzle with TESTZ until a sheet of paper just drags, then ACCEPTs (or ABORTs).
// TESTZ, ACCEPT and ABORT exist only while a helper runs.
import { GCodeError, type GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import type { GCodeMove } from './gcode-move';

/** TESTZ always ends a move going down: from at least this far above (mm), against backlash. */
const Z_APPROACH_FROM_ABOVE_MM = 0.5;
/** '+'/'++' with nothing tried above yet: up this far (mm). */
const Z_UP_UNTRIED_MM = 1;

const running = new WeakMap<Printer, ManualProbe>();

export type ManualProbeFinalize = (kinematicPos: number[] | null) => void;

export class ManualProbe {
  /** Heights tried so far (mm): TESTZ Z=+/- bisects between them. */
  private readonly tried: number[] = [];

  private constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    private readonly speedMmS: number,
    private readonly finalize: ManualProbeFinalize,
  ) {}

  /** Starts the helper at the toolhead's current position; `finalize` gets the accepted position or null. */
  static start(printer: Printer, gcode: GCodeDispatcher, speedMmS: number, finalize: ManualProbeFinalize): ManualProbe {
    if (running.has(printer)) throw new GCodeError('Already in a manual Z probe. Use ABORT to abort it.');
    const mp = new ManualProbe(printer, gcode, speedMmS, finalize);
    running.set(printer, mp);
    gcode.register('TESTZ', (c) => mp.cmdTestZ(c), {
      help: 'Move the nozzle during a manual Z probe',
      params: { Z: 'mm to move (negative: down), or + - (halfway to the nearest tried height) ++ -- (to it)' },
    });
    gcode.register('ACCEPT', () => mp.end(true), { help: 'Accept the current Z position of the manual probe' });
    gcode.register('ABORT', () => mp.end(false), { help: 'Abort the manual Z probe' });
    const stop = () => {
      if (running.get(printer) === mp) mp.unregister();
    };
    printer.on('printer:shutdown', stop);
    printer.on('printer:disconnect', stop);
    gcode.respondInfo('Starting manual Z probe. Use TESTZ to adjust position.\nFinish with ACCEPT or ABORT command.');
    mp.report();
    return mp;
  }

  static isActive(printer: Printer): boolean {
    return running.has(printer);
  }

  private toolhead(): Toolhead {
    return this.printer.lookupObject<Toolhead>('toolhead');
  }

  private cmdTestZ(cmd: GCodeCommand): void {
    const z = this.toolhead().getPosition()[2]!;
    const req = cmd.get('Z').trim();
    let target: number;
    if (/^(\+\+?|--?)$/.test(req)) {
      const up = req[0] === '+';
      const near = this.nearestTried(z, up);
      if (near === null) {
        if (!up) throw cmd.error('No lower height tried yet: move down by a distance (TESTZ Z=-0.1)');
        target = z + Z_UP_UNTRIED_MM;
      } else target = req.length === 2 ? near : (z + near) / 2;
    } else target = z + cmd.getFloat('Z');
    if (!this.tried.some((t) => Math.abs(t - z) < 1e-9)) this.tried.push(z);
    this.moveZ(target);
    this.report();
  }

  /** The nearest height tried above (up) or below the nozzle, or null. */
  private nearestTried(z: number, up: boolean): number | null {
    const side = this.tried.filter((t) => (up ? t > z + 1e-9 : t < z - 1e-9));
    if (!side.length) return null;
    return up ? Math.min(...side) : Math.max(...side);
  }

  private moveZ(zMm: number): void {
    const th = this.toolhead();
    const pos = th.getPosition().slice();
    if (pos[2]! < zMm + Z_APPROACH_FROM_ABOVE_MM) {
      pos[2] = zMm + Z_APPROACH_FROM_ABOVE_MM;
      th.move(pos, this.speedMmS);
    }
    pos[2] = zMm;
    th.move(pos, this.speedMmS);
    this.printer.lookupObjectOrNull<GCodeMove>('gcode_move')?.resetFromToolhead();
  }

  private report(): void {
    const z = this.toolhead().getPosition()[2]!;
    const lower = this.nearestTried(z, false);
    const upper = this.nearestTried(z, true);
    const f = (v: number | null) => (v === null ? '??????' : v.toFixed(3));
    this.gcode.respondInfo(`Z position: ${f(lower)} --> ${z.toFixed(3)} <-- ${f(upper)}`);
  }

  getStatus(): Record<string, unknown> {
    const z = this.toolhead().getPosition()[2]!;
    return { is_active: true, z_position: z, z_position_lower: this.nearestTried(z, false), z_position_upper: this.nearestTried(z, true) };
  }

  private unregister(): void {
    running.delete(this.printer);
    for (const name of ['TESTZ', 'ACCEPT', 'ABORT']) this.gcode.unregister(name);
  }

  private end(accept: boolean): void {
    this.unregister();
    if (!accept) {
      this.gcode.respondInfo('Manual probe aborted');
      this.finalize(null);
      return;
    }
    this.finalize(this.toolhead().getPosition().slice(0, 3));
  }
}

const MANUAL_PROBE_SPEED_MMS = 5;
const SAVE_CONFIG_NOTE = 'The SAVE_CONFIG command will update the printer config file\nwith the above and restart the printer.';

/** The stepper_z rail's endstop (null: Z homes on a probe, or no stepper_z). */
interface ZRailView {
  rails: Map<string, { position_endstop?: number; endstop_pin: { chip: string } }>;
}

/**
 * 'manual_probe' (Klipper loads it always; a [manual_probe] section is accepted): MANUAL_PROBE,
 * Z_ENDSTOP_CALIBRATE and Z_OFFSET_APPLY_ENDSTOP over the TESTZ/ACCEPT helper above.
 */
export class ManualProbeCommands {
  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
  ) {
    const speed = { SPEED: 'mm/s of the Z moves (default 5)' };
    gcode.register('MANUAL_PROBE', (c) => this.cmdManualProbe(c), { help: 'Start manual probe helper script', params: speed });
    gcode.register('Z_ENDSTOP_CALIBRATE', (c) => this.cmdZEndstopCalibrate(c), { help: 'Calibrate a Z endstop', params: speed });
    gcode.register('Z_OFFSET_APPLY_ENDSTOP', (c) => this.cmdZOffsetApplyEndstop(c), {
      help: 'Adjust the z endstop_position by the current G-code Z offset',
    });
  }

  private cmdManualProbe(c: GCodeCommand): void {
    const speed = c.getFloat('SPEED', MANUAL_PROBE_SPEED_MMS, { above: 0 });
    ManualProbe.start(this.printer, this.gcode, speed, (pos) => {
      if (pos) this.gcode.respondInfo(`Manual probe accepted: Z is ${pos[2]!.toFixed(3)}`);
    });
  }

  /** stepper_z's position_endstop, or an error saying why there is none to calibrate. */
  private zEndstopMm(c: GCodeCommand): number {
    const rail = this.printer.lookupObjectOrNull<ZRailView>('printer_toolhead')?.rails.get('stepper_z');
    const mcuChip = rail && this.printer.lookupObjectOrNull(rail.endstop_pin.chip === 'mcu' ? 'mcu' : `mcu ${rail.endstop_pin.chip}`);
    if (!rail || rail.position_endstop === undefined || !mcuChip)
      throw c.error(
        `stepper_z has no position_endstop of its own (Z homes on a probe, or the kinematics has no stepper_z): use PROBE_CALIBRATE / Z_OFFSET_APPLY_PROBE`,
      );
    return rail.position_endstop;
  }

  private offerEndstop(mm: number): void {
    const text = mm.toFixed(3);
    this.gcode.respondInfo(`stepper_z: position_endstop: ${text}\n${SAVE_CONFIG_NOTE}`);
    this.printer
      .lookupObjectOrNull<{ set(section: string, option: string, value: string): void }>('configfile')
      ?.set('stepper_z', 'position_endstop', text);
  }

  private cmdZEndstopCalibrate(c: GCodeCommand): void {
    const endstopMm = this.zEndstopMm(c);
    const speed = c.getFloat('SPEED', MANUAL_PROBE_SPEED_MMS, { above: 0 });
    // The nozzle touching the bed at toolhead Z=z means the endstop sits z lower than configured.
    ManualProbe.start(this.printer, this.gcode, speed, (pos) => {
      if (pos) this.offerEndstop(endstopMm - pos[2]!);
    });
  }

  private cmdZOffsetApplyEndstop(c: GCodeCommand): void {
    const endstopMm = this.zEndstopMm(c);
    const offset = this.printer.lookupObject<GCodeMove>('gcode_move').homingPosition[2]!;
    if (offset === 0) {
      this.gcode.respondInfo('Nothing to do: Z Offset is 0');
      return;
    }
    this.offerEndstop(endstopMm - offset);
  }

  getStatus(): Record<string, unknown> {
    const mp = running.get(this.printer);
    return mp ? mp.getStatus() : { is_active: false, z_position: null, z_position_lower: null, z_position_upper: null };
  }
}

// [z_thermal_adjust]: moves Z with the temperature of the frame (a sensor on the gantry), as
// the frame grows when the enclosure warms: adjust = temp_coeff * (T - T_ref), T smoothed over
// smooth_time, T_ref taken when Z is homed (or set by SET_Z_THERMAL_ADJUST REF_TEMP=). Above
// z_adjust_off_above the last adjustment is held; it never exceeds max_z_adjustment. It is a
// G-code move transform (installed at connect, outside [bed_mesh] and skew, as Klipper does).
import type { ConfigSection, PrinterConfig } from '../config/section';
import type { OptionValues } from '../config/options';
import { Z_THERMAL_ADJUST_OPTIONS } from './z-thermal-adjust-options';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';
import { TEMPERATURE_SENSOR_OPTIONS } from './fan-options';
import type { GCodeMove, MoveTransform } from './gcode-move';
import { heatersOf } from './heaters';

type Options = OptionValues<typeof Z_THERMAL_ADJUST_OPTIONS>;

/** The adjustment (mm) for a smoothed temperature against the reference, clamped. */
export function zThermalAdjustMm(o: Pick<Options, 'max_z_adjustment'>, tempCoeff: number, tempC: number, refC: number): number {
  const raw = tempCoeff * (tempC - refC);
  return Math.max(-o.max_z_adjustment, Math.min(o.max_z_adjustment, raw));
}

interface ToolheadView {
  getStatus(eventtimeS: number): Record<string, unknown>;
}

export class ZThermalAdjust implements PrinterObject, MoveTransform {
  private readonly o: Options;
  tempCoeff: number;
  enabled = true;
  /** Reference temperature (C); null until Z is homed or REF_TEMP= is given. */
  refC: number | null = null;
  private refFromUser = false;
  smoothedC = 0;
  private lastReadS = 0;
  private minC = Infinity;
  private maxC = -Infinity;
  /** The adjustment in the toolhead's position now (mm). */
  zAdjustMm = 0;
  private zWasHomed = false;
  private next: MoveTransform | null = null;

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    config: PrinterConfig,
    section: ConfigSection,
    live: boolean,
  ) {
    this.o = section.read(Z_THERMAL_ADJUST_OPTIONS);
    this.tempCoeff = this.o.temp_coeff;
    if (live) {
      const heaters = heatersOf(printer, gcode, config);
      const so = section.read(TEMPERATURE_SENSOR_OPTIONS);
      const sensor = heaters.setupSensor(section, so);
      sensor.setCallback((t, c) => this.onTemperature(t, c));
      const readings = { smoothedC: () => this.smoothedC, hasReading: () => this.lastReadS > 0 };
      heaters.sensors.push({
        name: section.name,
        sensor,
        get currentC() {
          return readings.smoothedC();
        },
        get hasReading() {
          return readings.hasReading();
        },
        ...(so.gcode_id !== undefined ? { gcodeId: so.gcode_id } : {}),
      });
    } else section.read(TEMPERATURE_SENSOR_OPTIONS);
    // After every section is loaded: [bed_mesh] and skew install theirs first.
    printer.on('printer:connect', () => this.install());
    gcode.register('SET_Z_THERMAL_ADJUST', (c) => this.cmdSet(c), {
      help: 'Set or report the Z thermal adjustment',
      params: { ENABLE: '1 on, 0 off', TEMP_COEFF: 'mm/C', REF_TEMP: 'reference temperature (C)' },
    });
  }

  /** Puts the adjustment between G-code moves and the next stage (once). */
  install(): void {
    this.next ??= this.printer.lookupObject<GCodeMove>('gcode_move').setMoveTransform(this, true);
  }

  /** A sensor reading: smoothed over smooth_time like a heater's. */
  onTemperature(readTimeS: number, tempC: number): void {
    if (this.lastReadS === 0) this.smoothedC = tempC;
    else this.smoothedC += (tempC - this.smoothedC) * Math.min(1, (readTimeS - this.lastReadS) / this.o.smooth_time);
    this.lastReadS = readTimeS;
    this.minC = Math.min(this.minC, tempC);
    this.maxC = Math.max(this.maxC, tempC);
  }

  /** Z newly homed: the frame's temperature now is the reference (unless the user set one). */
  private checkHomed(): void {
    const axes = String(this.printer.lookupObjectOrNull<ToolheadView>('toolhead')?.getStatus(0).homed_axes ?? '');
    const homed = axes.includes('z');
    if (homed && !this.zWasHomed && !this.refFromUser) {
      this.refC = this.smoothedC;
      // The toolhead's Z after homing carries no adjustment.
      this.zAdjustMm = 0;
    }
    this.zWasHomed = homed;
  }

  private adjustFor(zMm: number): number {
    if (!this.enabled || this.refC === null) return 0;
    if (zMm > this.o.z_adjust_off_above) return this.zAdjustMm;
    return zThermalAdjustMm(this.o, this.tempCoeff, this.smoothedC, this.refC);
  }

  getPosition(): number[] {
    this.checkHomed();
    const pos = this.stage().getPosition().slice();
    pos[2]! -= this.zAdjustMm;
    return pos;
  }

  move(pos: number[], speedMmS: number): void {
    this.checkHomed();
    this.zAdjustMm = this.adjustFor(pos[2]!);
    const out = pos.slice();
    out[2]! += this.zAdjustMm;
    this.stage().move(out, speedMmS);
  }

  private stage(): MoveTransform {
    if (!this.next) throw new Error('z_thermal_adjust used before the printer connected');
    return this.next;
  }

  private cmdSet(c: GCodeCommand): void {
    const enable = c.params.ENABLE !== undefined ? c.getInt('ENABLE', 1, { minval: 0, maxval: 1 }) === 1 : this.enabled;
    const coeff = c.params.TEMP_COEFF !== undefined ? c.getFloat('TEMP_COEFF', 0, { minval: -1, maxval: 1 }) : this.tempCoeff;
    const ref = c.params.REF_TEMP !== undefined ? c.getFloat('REF_TEMP', 0, { minval: -273.15 }) : null;
    this.enabled = enable;
    this.tempCoeff = coeff;
    if (ref !== null) {
      this.refC = ref;
      this.refFromUser = true;
    }
    const refText = this.refC === null ? 'not set (home Z or give REF_TEMP=)' : `${this.refC.toFixed(2)} C`;
    this.gcode.respondInfo(
      `z_thermal_adjust: ${this.enabled ? 'enabled' : 'disabled'}\n` +
        `temp_coeff: ${this.tempCoeff} mm/C\nreference temperature: ${refText}\n` +
        `frame temperature: ${this.smoothedC.toFixed(2)} C\ncurrent Z adjustment: ${this.zAdjustMm.toFixed(6)} mm\n` +
        '(applied from the next move)',
    );
  }

  getStatus(): Record<string, unknown> {
    const round2 = (x: number) => Math.round(x * 100) / 100;
    const read = this.lastReadS > 0;
    return {
      temperature: round2(this.smoothedC),
      measured_min_temp: read ? round2(this.minC) : 0,
      measured_max_temp: read ? round2(this.maxC) : 0,
      current_z_adjust: this.zAdjustMm,
      z_adjust_ref_temperature: this.refC ?? 0,
      enabled: this.enabled,
    };
  }
}

// PID_CALIBRATE HEATER=x TARGET=t: the relay method. The heater is switched fully on below the
// target and off above it; from the temperature swing and its period the ultimate gain and
// period follow, and Ziegler-Nichols turns them into pid_Kp/pid_Ki/pid_Kd. The result is printed
// and kept as a pending SAVE_CONFIG change (applied once SAVE_CONFIG exists; see README).
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer } from '../printer';
import { PID_PARAM_BASE, type HeaterControl } from './heater';
import type { PrinterHeaters } from './heaters';

const RELAY_DELTA_C = 5;
/** Swings above the target before the result is taken (the first ones are not yet steady). */
const HIGHS_NEEDED = 5;

/** The relay: full power until the target, off until target - 5 C; records each swing's extremes. */
export class RelayControl implements HeaterControl {
  heating = true;
  readonly highs: number[] = [];
  readonly lows: number[] = [];
  readonly switchTimesS: number[] = [];
  private high = -Infinity;
  private low = Infinity;
  constructor(
    private readonly maxPower: number,
    private readonly targetC: number,
  ) {}
  update(readTimeS: number, tempC: number): number {
    if (this.heating) {
      this.low = Math.min(this.low, tempC);
      if (tempC >= this.targetC) {
        this.heating = false;
        if (this.switchTimesS.length) this.lows.push(this.low);
        this.high = tempC;
        this.switchTimesS.push(readTimeS);
      }
    } else {
      this.high = Math.max(this.high, tempC);
      if (tempC <= this.targetC - RELAY_DELTA_C) {
        this.heating = true;
        this.highs.push(this.high);
        this.low = tempC;
        this.switchTimesS.push(readTimeS);
      }
    }
    return this.heating ? this.maxPower : 0;
  }
  busy(): boolean {
    return this.highs.length < HIGHS_NEEDED || this.lows.length < HIGHS_NEEDED - 1;
  }

  /** Ziegler-Nichols from the last swings, in printer.cfg's scale (x255). */
  result(): { kp: number; ki: number; kd: number } {
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const amplitudeC = (avg(this.highs.slice(-3)) - avg(this.lows.slice(-3))) / 2;
    const t = this.switchTimesS;
    const periods: number[] = [];
    for (let i = Math.max(2, t.length - 6); i < t.length; i++) periods.push(t[i] - t[i - 2]);
    const periodS = avg(periods);
    const ku = (4 * (this.maxPower / 2)) / (Math.PI * Math.max(amplitudeC, 0.1));
    const kp = 0.6 * ku;
    const ti = 0.5 * periodS;
    const td = 0.125 * periodS;
    return { kp: kp * PID_PARAM_BASE, ki: (kp / ti) * PID_PARAM_BASE, kd: kp * td * PID_PARAM_BASE };
  }
}

export class PidCalibrate {
  /** Results waiting for SAVE_CONFIG: section -> option -> value. */
  readonly pendingSave = new Map<string, Record<string, string>>();

  constructor(
    private readonly printer: Printer,
    private readonly gcode: GCodeDispatcher,
    private readonly heaters: PrinterHeaters,
  ) {
    gcode.register('PID_CALIBRATE', (c) => this.cmd(c), {
      help: 'Run PID calibration test',
      params: { HEATER: 'heater name', TARGET: 'temperature (C)' },
    });
  }

  private async cmd(c: GCodeCommand): Promise<void> {
    const heater = this.heaters.lookupHeater(c.get('HEATER'), c);
    const target = c.getFloat('TARGET');
    if (target < heater.cfg.minTempC || target > heater.cfg.maxTempC)
      throw c.error(`Requested temperature (${target.toFixed(1)}) out of range`);
    const relay = new RelayControl(heater.cfg.maxPower, target);
    heater.controlOverride = relay;
    heater.targetC = target;
    try {
      await this.heaters.waitFor(() => !relay.busy());
    } finally {
      heater.controlOverride = null;
      heater.targetC = 0;
    }
    const r = relay.result();
    const kp = r.kp.toFixed(3);
    const ki = r.ki.toFixed(3);
    const kd = r.kd.toFixed(3);
    this.gcode.respondInfo(
      `PID parameters: pid_Kp=${kp} pid_Ki=${ki} pid_Kd=${kd}\n` +
        'The SAVE_CONFIG command will update the printer config file with these parameters and restart the printer.',
    );
    this.pendingSave.set(heater.name, { control: 'pid', pid_Kp: kp, pid_Ki: ki, pid_Kd: kd });
    // Offered to SAVE_CONFIG ('configfile'), which writes them into printer.cfg.
    const configfile = this.printer.lookupObjectOrNull<{ set?(section: string, option: string, value: string): void }>('configfile');
    for (const [k, v] of Object.entries({ control: 'pid', pid_Kp: kp, pid_Ki: ki, pid_Kd: kd })) configfile?.set?.(heater.name, k, v);
    void this.printer;
  }
}

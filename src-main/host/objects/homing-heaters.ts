// [homing_heaters]: heaters off during homing and probing moves (a heater's PWM can disturb
// a sensitive endstop or probe), then back to their targets. `steppers` limits it to moves of
// those steppers; `heaters` to those heaters (default: every move, every heater).
import type { ConfigSection } from '../config/section';
import { ConfigError } from '../config/errors';
import type { Printer } from '../printer';
import type { Heater } from './heater';
import type { HomingMoveWatcher } from './homing';
import { HOMING_HEATERS_OPTIONS } from './homing-heaters-options';

/** What this needs of the printer's heaters ('heaters' object; batch mode keeps only targets). */
interface HeatersView {
  heaters: Map<string, Pick<Heater, 'targetC'> & Partial<Pick<Heater, 'setTarget'>>>;
}

export class HomingHeaters implements HomingMoveWatcher {
  private readonly stepperList: string[] | undefined;
  private readonly heaterList: string[] | undefined;
  /** Targets saved at the start of the current move, by heater name. */
  private readonly saved = new Map<string, number>();

  constructor(
    private readonly printer: Printer,
    section: ConfigSection,
    stepperNames: () => string[],
  ) {
    const o = section.read(HOMING_HEATERS_OPTIONS);
    this.stepperList = o.steppers;
    this.heaterList = o.heaters;
    // Names are checked once every section has loaded (heaters and steppers come from other sections).
    printer.on('printer:connect', () => {
      const heaters = [...(this.heaters()?.heaters.keys() ?? [])];
      const badHeaters = (o.heaters ?? []).filter((h) => !heaters.includes(h));
      if (badHeaters.length) {
        throw new ConfigError(
          `One or more of these heaters are unknown: ${badHeaters.join(', ')} (heaters: ${heaters.join(', ') || 'none'})`,
          section.placeOf('heaters'),
        );
      }
      const steppers = stepperNames();
      const badSteppers = (o.steppers ?? []).filter((s) => !steppers.includes(s));
      if (badSteppers.length) {
        throw new ConfigError(
          `One or more of these steppers are unknown: ${badSteppers.join(', ')} (steppers: ${steppers.join(', ')})`,
          section.placeOf('steppers'),
        );
      }
    });
  }

  private heaters(): HeatersView | null {
    return this.printer.lookupObjectOrNull<HeatersView>('heaters');
  }

  /** True when a move of these steppers should turn the heaters off. */
  eligible(stepperNames: string[]): boolean {
    return !this.stepperList || stepperNames.some((s) => this.stepperList!.includes(s));
  }

  homingMoveBegin(stepperNames: string[]): void {
    if (!this.eligible(stepperNames)) return;
    const all = this.heaters()?.heaters;
    if (!all) return;
    for (const name of this.heaterList ?? [...all.keys()]) {
      const h = all.get(name);
      if (!h || this.saved.has(name)) continue;
      this.saved.set(name, h.targetC);
      setTarget(h, 0);
    }
  }

  homingMoveEnd(): void {
    const all = this.heaters()?.heaters;
    for (const [name, target] of this.saved) {
      const h = all?.get(name);
      // A shutdown in the meantime keeps the heater off (the heater refuses targets then anyway).
      if (h && this.printer.state !== 'shutdown') setTarget(h, target);
    }
    this.saved.clear();
  }
}

function setTarget(h: Pick<Heater, 'targetC'> & Partial<Pick<Heater, 'setTarget'>>, tempC: number): void {
  if (h.setTarget) h.setTarget(tempC);
  else h.targetC = tempC;
}

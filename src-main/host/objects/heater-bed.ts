// [heater_bed]: its heater options are read, checked and stored so printer.cfg files load; the
// heater task turns them into a working heater (until then there is no bed heating).
import type { ConfigSection } from '../config/section';
import type { Printer } from '../printer';
import { loadHeaterSettings, type HeaterSettings } from './extruder';

export class HeaterBed {
  readonly heater: HeaterSettings;
  constructor(printer: Printer, section: ConfigSection) {
    this.heater = loadHeaterSettings(printer, section);
  }
}

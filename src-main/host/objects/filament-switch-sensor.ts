// [filament_switch_sensor NAME]: a switch on an MCU input that reads "filament present" while
// filament passes it (buttons.ts watches the pin), feeding a RunoutHelper (pause / runout_gcode
// / insert_gcode). QUERY_FILAMENT_SENSOR and SET_FILAMENT_SENSOR pick a sensor with SENSOR=.
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';
import { TemplateError } from '../template';
import { buttonsOf, debounceButton } from './buttons';
import { FILAMENT_SWITCH_SENSOR_OPTIONS } from './filament-switch-sensor-options';
import { RunoutHelper } from './filament-switch-sensor-runout';
import { MacroTemplate } from './gcode-macro';
import { PAUSE_RESUME_OPTIONS } from './macro-options';
import { PauseResume } from './pause-resume';

export class FilamentSwitchSensor implements PrinterObject {
  readonly runout: RunoutHelper;

  constructor(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection) {
    const o = section.read(FILAMENT_SWITCH_SENSOR_OPTIONS);
    const name = section.suffix;
    this.runout = loadRunoutHelper(printer, gcode, section, o);
    buttonsOf(printer).registerButton(
      section,
      'switch_pin',
      o.switch_pin,
      debounceButton(o.debounce_delay, (_t, present) => this.runout.noteFilamentPresent(present)),
    );
    filamentSensorsOf(printer, gcode).set(name, this);
  }

  getStatus(): Record<string, unknown> {
    return this.runout.getStatus();
  }
}

/** The runout options both filament sensors share (pause_on_runout, runout/insert_gcode, delays). */
export interface RunoutSectionOptions {
  pause_on_runout: boolean;
  runout_gcode?: string;
  insert_gcode?: string;
  pause_delay: number;
  event_delay: number;
}

/** A sensor's RunoutHelper from its section (templates checked; adds [pause_resume] when pausing needs it). */
export function loadRunoutHelper(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection, o: RunoutSectionOptions): RunoutHelper {
  const template = (option: 'runout_gcode' | 'insert_gcode', text: string) => {
    try {
      return new MacroTemplate(printer, gcode, `${section.name}:${option}`, text);
    } catch (e) {
      if (e instanceof TemplateError) throw section.error(option, e.message);
      throw e;
    }
  };
  // Pausing needs PAUSE: a config without [pause_resume] gets one with its defaults (as Klipper).
  if (o.pause_on_runout && !printer.lookupObjectOrNull('pause_resume')) {
    printer.addObject('pause_resume', new PauseResume(printer, gcode, PAUSE_RESUME_OPTIONS.recover_velocity.default));
  }
  return new RunoutHelper(printer, gcode, section.suffix, {
    pauseOnRunout: o.pause_on_runout,
    runoutGcode: o.pause_on_runout || o.runout_gcode !== undefined ? template('runout_gcode', o.runout_gcode ?? '') : null,
    insertGcode: o.insert_gcode !== undefined ? template('insert_gcode', o.insert_gcode) : null,
    pauseDelayS: o.pause_delay,
    eventDelayS: o.event_delay,
  });
}

/** What the shared commands need of a sensor: switch and motion sensors both have a RunoutHelper. */
export interface FilamentSensor {
  readonly runout: RunoutHelper;
}

/**
 * Sensors by name (switch and motion sensors), with QUERY_FILAMENT_SENSOR / SET_FILAMENT_SENSOR
 * registered once for all.
 */
export function filamentSensorsOf(printer: Printer, gcode: GCodeDispatcher): Map<string, FilamentSensor> {
  let sensors = printer.lookupObjectOrNull<Map<string, FilamentSensor>>('filament_switch_sensors');
  if (sensors) return sensors;
  const all = new Map<string, FilamentSensor>();
  sensors = all;
  printer.addObject('filament_switch_sensors', all);
  const pick = (c: GCodeCommand): FilamentSensor => {
    const name = c.get('SENSOR');
    const s = all.get(name);
    if (!s) throw c.error(`Unknown filament sensor '${name}' (sensors: ${[...all.keys()].join(', ')})`);
    return s;
  };
  gcode.register(
    'QUERY_FILAMENT_SENSOR',
    (c) => {
      const s = pick(c);
      gcode.respondInfo(`Filament Sensor ${s.runout.name}: ${s.runout.filamentPresent ? 'filament detected' : 'filament not detected'}`);
    },
    { help: 'Query the status of the Filament Sensor', params: { SENSOR: 'filament sensor name' } },
  );
  gcode.register(
    'SET_FILAMENT_SENSOR',
    (c) => {
      const s = pick(c);
      s.runout.enabled = c.getInt('ENABLE', 1, { minval: 0, maxval: 1 }) === 1;
    },
    {
      help: 'Sets the filament sensor on/off',
      params: { SENSOR: 'filament sensor name', ENABLE: '1 = react to runout/insert, 0 = ignore' },
    },
  );
  return sensors;
}

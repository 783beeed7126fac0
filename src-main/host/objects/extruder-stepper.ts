// A motor that moves filament (Klipper's extruder stepper): the stepper of an [extruder] or
// [extruderN], or an [extruder_stepper NAME]. Each follows one extruder's motion queue (or none),
// keeps its own rotation distance and pressure advance settings, and answers
// SYNC_EXTRUDER_MOTION and SET_EXTRUDER_ROTATION_DISTANCE by its short name (EXTRUDER=extruder1,
// EXTRUDER=my_extra).
import { ConfigError } from '../config/errors';
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { ExtruderMotion, type Toolhead } from '../motion/index';
import type { Printer } from '../printer';
import { EXTRUDER_STEPPER_OPTIONS } from './extruder-stepper-options';
import { loadStepper, type PrinterStepper } from './stepper';
import { STEPPER_MOTOR_OPTIONS } from './stepper-options';

/** What this module needs of a PrinterExtruder (extruder.ts imports this module). */
export interface ExtruderLike {
  readonly name: string;
  readonly motion: ExtruderMotion;
  readonly extruderStepper: ExtruderStepper | null;
}

/** The [extruder] / [extruderN] object called `name`, or null. */
export function lookupExtruder(printer: Printer, name: string): ExtruderLike | null {
  if (!/^extruder\d*$/.test(name)) return null;
  const obj = printer.lookupObjectOrNull<Partial<ExtruderLike>>(name);
  return obj?.motion instanceof ExtruderMotion ? (obj as ExtruderLike) : null;
}

/** Every extruder stepper by its short name: the extruders' own, then [extruder_stepper NAME]s. */
export function allExtruderSteppers(printer: Printer): ExtruderStepper[] {
  const out: ExtruderStepper[] = [];
  for (const [name] of printer.lookupObjects('extruder')) {
    const own = lookupExtruder(printer, name)?.extruderStepper;
    if (own) out.push(own);
  }
  for (const [, s] of printer.lookupObjects<unknown>('extruder_stepper ')) if (s instanceof ExtruderStepper) out.push(s);
  return out;
}

/** EXTRUDER=<name> of SYNC_EXTRUDER_MOTION, SET_EXTRUDER_ROTATION_DISTANCE (and SET_PRESSURE_ADVANCE). */
export function lookupExtruderStepper(printer: Printer, name: string): ExtruderStepper | null {
  return allExtruderSteppers(printer).find((s) => s.name === name) ?? null;
}

export class ExtruderStepper {
  /** The extruder whose queue moves this stepper (status motion_queue); null: none. */
  motionQueue: string | null = null;
  /** Pressure advance of this stepper (s) and its smoothing window (s): per stepper, as in Klipper. */
  pressureAdvance: number;
  smoothTimeS: number;
  /** Motor steps per rotation (full steps x microsteps x gear ratio): rotation distance <-> step distance. */
  private readonly stepsPerRotation: number;
  /** The dir_pin's "!" in printer.cfg: a negative rotation distance inverts relative to it. */
  private readonly configInvertDir: boolean;

  constructor(
    private readonly printer: Printer,
    /** Short name: 'extruder', 'extruder1', or NAME of [extruder_stepper NAME]. */
    readonly name: string,
    readonly stepper: PrinterStepper,
    rotationDistanceMm: number,
    pressureAdvance: { pressure_advance: number; pressure_advance_smooth_time: number },
  ) {
    this.stepsPerRotation = rotationDistanceMm / stepper.motion.stepDistMm;
    this.configInvertDir = stepper.motion.invertDir;
    this.pressureAdvance = pressureAdvance.pressure_advance;
    this.smoothTimeS = pressureAdvance.pressure_advance_smooth_time;
    registerExtruderStepperCommands(printer);
  }

  /** The rotation distance now (negative while inverted against printer.cfg's dir_pin). */
  get rotationDistanceMm(): number {
    const m = this.stepper.motion;
    const rd = m.stepDistMm * this.stepsPerRotation;
    return m.invertDir !== this.configInvertDir ? -rd : rd;
  }

  /** A new rotation distance from the next planned move on; negative inverts the motor. */
  setRotationDistance(distanceMm: number): void {
    if (distanceMm === 0 || !Number.isFinite(distanceMm)) throw new Error('Rotation distance can not be zero');
    this.toolhead().flushStepGeneration();
    const invert = distanceMm < 0 ? !this.configInvertDir : this.configInvertDir;
    this.stepper.motion.setStepDistance(Math.abs(distanceMm) / this.stepsPerRotation, invert);
  }

  /**
   * Follow extruder `extruderName`'s motion from its current position ('' = no extruder: the
   * motor stands still). Planned moves finish with the old queue first (Klipper's sync_to_extruder).
   */
  syncTo(extruderName: string): void {
    const target = extruderName ? lookupExtruder(this.printer, extruderName) : null;
    if (extruderName && !target) throw new Error(`'${extruderName}' is not a valid extruder.`);
    const th = this.toolhead();
    th.flushStepGeneration();
    const prev = this.motionQueue ? lookupExtruder(this.printer, this.motionQueue) : null;
    prev?.motion.detachStepper(this.stepper.motion);
    target?.motion.attachStepper(this.stepper.motion);
    this.motionQueue = target ? target.name : null;
    // The active extruder gained or lost a stepper: the toolhead steps the new set.
    const active = th.getExtruder();
    if (active && (active === prev?.motion || active === target?.motion)) th.setExtruder(active);
  }

  /** Status fields of an extruder stepper (also part of printer.extruder / printer.extruderN). */
  getStatus(): Record<string, unknown> {
    return { pressure_advance: this.pressureAdvance, smooth_time: this.smoothTimeS, motion_queue: this.motionQueue };
  }

  private toolhead(): Toolhead {
    return this.printer.lookupObject<Toolhead>('toolhead');
  }
}

/** [extruder_stepper NAME]: its motor, following the extruder named in `extruder:` (if any). */
export function loadExtruderStepper(printer: Printer, section: ConfigSection): ExtruderStepper {
  const name = section.name.split(' ').slice(1).join(' ');
  if (!name) throw new ConfigError(`Section [${section.name}] needs a name: [extruder_stepper my_extra_stepper]`, section.place);
  const o = section.read(EXTRUDER_STEPPER_OPTIONS);
  const stepper = loadStepper(printer, section);
  const es = new ExtruderStepper(printer, name, stepper, section.read(STEPPER_MOTOR_OPTIONS).rotation_distance, o);
  // Its own pressure advance (Klipper keeps it per stepper): applied by the queue it follows.
  stepper.motion.pressureAdvance = { advanceS: o.pressure_advance, smoothTimeS: o.pressure_advance_smooth_time };
  const target = o.extruder.trim();
  if (target) {
    // Extruders load before extruder steppers (catalog order), so it exists if it is configured.
    if (!lookupExtruder(printer, target)) {
      const known = printer
        .lookupObjects('extruder')
        .map(([n]) => n)
        .filter((n) => lookupExtruder(printer, n));
      throw section.error('extruder', `'${target}' is not a valid extruder (extruders: ${known.join(', ') || 'none'})`);
    }
    es.syncTo(target);
  }
  return es;
}

/** SYNC_EXTRUDER_MOTION, SET_EXTRUDER_ROTATION_DISTANCE (once per printer; they find steppers by name). */
function registerExtruderStepperCommands(printer: Printer): void {
  const gcode = printer.lookupObject<{ dispatcher: GCodeDispatcher }>('gcode_move').dispatcher;
  if (gcode.lookup('SYNC_EXTRUDER_MOTION')) return;
  const find = (c: GCodeCommand): ExtruderStepper => {
    const name = c.get('EXTRUDER');
    const s = lookupExtruderStepper(printer, name) ?? lookupExtruderStepper(printer, name.toLowerCase());
    if (!s) {
      const names = allExtruderSteppers(printer).map((x) => x.name);
      throw c.error(`The value '${name}' is not valid for EXTRUDER (extruder steppers: ${names.join(', ') || 'none'})`);
    }
    return s;
  };
  gcode.register(
    'SYNC_EXTRUDER_MOTION',
    (c) => {
      const s = find(c);
      const queue = c.get('MOTION_QUEUE');
      try {
        s.syncTo(queue);
      } catch (e) {
        throw c.error((e as Error).message);
      }
      gcode.respondInfo(`Extruder '${s.name}' now syncing with '${queue}'`);
    },
    {
      help: 'Set extruder stepper motion queue',
      params: { EXTRUDER: 'extruder stepper (extruder, extruder1, NAME)', MOTION_QUEUE: 'extruder to follow; empty = none' },
    },
  );
  gcode.register(
    'SET_EXTRUDER_ROTATION_DISTANCE',
    (c) => {
      const s = find(c);
      if (c.has('DISTANCE')) {
        const d = c.getFloat('DISTANCE');
        if (d === 0) throw c.error('Rotation distance can not be zero');
        s.setRotationDistance(d);
      }
      gcode.respondInfo(`Extruder '${s.name}' rotation distance set to ${s.rotationDistanceMm.toFixed(6)}`);
    },
    {
      help: 'Set extruder rotation distance',
      params: { EXTRUDER: 'extruder stepper (extruder, extruder1, NAME)', DISTANCE: 'mm per rotation; negative inverts' },
    },
  );
  // Removed from Klipper in 2024 (deprecated since 2022): say what replaces it.
  gcode.register(
    'SET_EXTRUDER_STEP_DISTANCE',
    (c) => {
      throw c.error(
        'SET_EXTRUDER_STEP_DISTANCE was removed (as in Klipper): use SET_EXTRUDER_ROTATION_DISTANCE EXTRUDER=<name> DISTANCE=<mm>',
      );
    },
    { help: 'Removed: use SET_EXTRUDER_ROTATION_DISTANCE' },
  );
}

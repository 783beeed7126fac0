// The endstop of one rail ([stepper_x] endstop_pin) as homing and QUERY_ENDSTOPS see it: the
// MCU endstop, the steppers it stops, and the rail's homing settings.
import type { PinDesc } from '../config/options';
import type { ConfigSection } from '../config/section';
import type { AxisName } from '../motion/index';
import { McuEndstop } from '../mcu/endstop';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';
import { isMcuChip, mcuForPin } from './mcu';
import { mcuObjectName } from './mcu-names';
import { probeVirtualEndstop } from './probe';
import type { PinRegistry } from './pins';
import type { PrinterStepper, RailSettings } from './stepper';

/** An extra stepper's own endstop ([stepper_z1] endstop_pin): it stops only its steppers. */
export interface RailEndstop {
  /** Klipper's short name of the first stepper using it: 'z1'. */
  name: string;
  pin: PinDesc;
  endstop: McuEndstop;
  steppers: PrinterStepper[];
}

export interface HomingRail {
  /** Klipper's short name, used in messages and QUERY_ENDSTOPS: 'x' for [stepper_x]. */
  name: string;
  axis: AxisName;
  axisIndex: 0 | 1 | 2;
  settings: RailSettings;
  /** null: the endstop_pin is not an MCU pin (probe:z_virtual_endstop, a driver's virtual endstop). */
  endstop: McuEndstop | null;
  /** The steppers this endstop stops: the rail's own (extra steppers without an endstop_pin
   * included) first, then any coupled ones (corexy). */
  steppers: PrinterStepper[];
  /** Extra steppers' own endstops; homing moves on until every endstop of the rail fired. */
  extraEndstops: RailEndstop[];
}

export function createHomingRail(printer: Printer, axis: AxisName, stepper: PrinterStepper, settings: RailSettings): HomingRail {
  const pin = settings.endstop_pin;
  let endstop: McuEndstop | null = null;
  if (isMcuChip(printer, pin.chip)) {
    // The endstop's MCU may differ from the stepper's (multi-MCU homing: the host relays).
    endstop = new McuEndstop(printer.lookupObject<Mcu>(mcuObjectName(pin.chip)), pin.pin, pin.invert, pin.pullup);
    endstop.addStepper(stepper.oid, stepper.mcu);
  } else if (pin.chip === 'probe') {
    // probe:z_virtual_endstop: Z homes on the [probe]'s switch, at its z_offset.
    endstop = probeVirtualEndstop(printer, axis, stepper, settings);
  }
  return {
    name: stepper.name.replace(/^stepper_/, ''),
    axis,
    axisIndex: 'xyz'.indexOf(axis) as 0 | 1 | 2,
    settings,
    endstop,
    steppers: [stepper],
    extraEndstops: [],
  };
}

/**
 * [stepper_z1] and friends: without an endstop_pin the motor stops on the rail's endstop; with
 * one it stops on its own switch (a pin another stepper of the rail uses is shared, as in Klipper).
 */
export function addExtraStepper(
  printer: Printer,
  rail: HomingRail,
  stepper: PrinterStepper,
  pin: PinDesc | undefined,
  section: ConfigSection,
): void {
  const samePin = (p: PinDesc) => p.chip === pin!.chip && p.pin === pin!.pin;
  if (!pin || samePin(rail.settings.endstop_pin)) {
    if (pin) checkSharedPin(section, rail.settings.endstop_pin, pin);
    rail.steppers.push(stepper);
    rail.endstop?.addStepper(stepper.oid, stepper.mcu);
    return;
  }
  let own = rail.extraEndstops.find((e) => samePin(e.pin));
  if (own) checkSharedPin(section, own.pin, pin);
  else {
    if (!isMcuChip(printer, pin.chip)) {
      throw section.error('endstop_pin', `endstop_pin '${pin.text}' in section '${section.name}': an extra stepper's own endstop must be an MCU pin`);
    }
    const mcu = mcuForPin(printer, pin, section, 'endstop_pin');
    printer.lookupObject<PinRegistry>('pins').claim(pin, `[${section.name}] endstop_pin`, section.placeOf('endstop_pin'), 'endstop');
    own = { name: stepper.name.replace(/^stepper_/, ''), pin, endstop: new McuEndstop(mcu, pin.pin, pin.invert, pin.pullup), steppers: [] };
    rail.extraEndstops.push(own);
  }
  own.steppers.push(stepper);
  own.endstop.addStepper(stepper.oid, stepper.mcu);
}

/** Steppers sharing one switch must read it the same way (Klipper's rule). */
function checkSharedPin(section: ConfigSection, first: PinDesc, pin: PinDesc): void {
  if (first.invert !== pin.invert || first.pullup !== pin.pullup) {
    throw section.error(
      'endstop_pin',
      `endstop_pin '${pin.text}' in section '${section.name}' is shared with another stepper of the rail and must use the same pullup/invert ('${first.text}')`,
    );
  }
}

/**
 * On corexy/corexz one carriage moves with both motors: each rail's endstop must stop all the
 * other rail's motors (extra ones too, as Klipper does).
 */
export function coupleRails(a: HomingRail, b: HomingRail): void {
  const ownSteppers = (r: HomingRail) => [...r.steppers, ...r.extraEndstops.flatMap((e) => e.steppers)];
  for (const [from, to] of [
    [ownSteppers(a), b],
    [ownSteppers(b), a],
  ] as const) {
    for (const s of from) {
      if (to.steppers.includes(s)) continue;
      to.steppers.push(s);
      to.endstop?.addStepper(s.oid, s.mcu);
    }
  }
}

// The endstop of one rail ([stepper_x] endstop_pin) as homing and QUERY_ENDSTOPS see it: the
// MCU endstop, the steppers it stops, and the rail's homing settings.
import type { AxisName } from '../motion/index';
import { McuEndstop } from '../mcu/endstop';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';
import { isMcuChip } from './mcu';
import { mcuObjectName } from './mcu-names';
import type { PrinterStepper, RailSettings } from './stepper';

export interface HomingRail {
  /** Klipper's short name, used in messages and QUERY_ENDSTOPS: 'x' for [stepper_x]. */
  name: string;
  axis: AxisName;
  axisIndex: 0 | 1 | 2;
  settings: RailSettings;
  /** null: the endstop_pin is not an MCU pin (probe:z_virtual_endstop, a driver's virtual endstop). */
  endstop: McuEndstop | null;
  /** The rail's own steppers first, then any coupled ones the endstop also stops (corexy). */
  steppers: PrinterStepper[];
}

export function createHomingRail(printer: Printer, axis: AxisName, stepper: PrinterStepper, settings: RailSettings): HomingRail {
  const pin = settings.endstop_pin;
  let endstop: McuEndstop | null = null;
  if (isMcuChip(printer, pin.chip)) {
    // The endstop's MCU may differ from the stepper's (multi-MCU homing: the host relays).
    endstop = new McuEndstop(printer.lookupObject<Mcu>(mcuObjectName(pin.chip)), pin.pin, pin.invert, pin.pullup);
    endstop.addStepper(stepper.oid, stepper.mcu);
  }
  return {
    name: stepper.name.replace(/^stepper_/, ''),
    axis,
    axisIndex: 'xyz'.indexOf(axis) as 0 | 1 | 2,
    settings,
    endstop,
    steppers: [stepper],
  };
}

/** On corexy/corexz one carriage moves with both motors: its endstop must stop both. */
export function coupleRails(a: HomingRail, b: HomingRail): void {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    for (const s of from.steppers.slice()) {
      if (to.steppers.includes(s)) continue;
      to.steppers.push(s);
      to.endstop?.addStepper(s.oid, s.mcu);
    }
  }
}

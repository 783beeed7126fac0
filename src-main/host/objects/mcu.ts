// [mcu] and [mcu NAME]: the micro-controllers. The main [mcu] defines print time; each [mcu NAME]
// (a toolboard, a Raspberry Pi) is its own serial link, config and clock, mapped to the main
// MCU's print time. Pins name their MCU as `NAME:PIN` (PinDesc.chip; plain pins are 'mcu').
// In batch mode there is no serial port: the commands go to a file for a given data dictionary
// (like Klipper's batch mode), and only one MCU is supported.
import { ConfigError, formatPlace, type SourcePlace } from '../config/errors';
import type { PinDesc } from '../config/options';
import type { ConfigSection } from '../config/section';
import type { Dictionary } from '../mcu/dictionary';
import { Mcu, McuError } from '../mcu/mcu';
import type { FileOutputTarget } from '../mcu/file-output';
import type { Printer } from '../printer';
import { isKnownUnsupportedSection } from './known-sections';
import { MCU_OPTIONS } from './printer-options';
import { chipNameOf, isMcuObjectName, mcuObjectName } from './mcu-names';

/** Where the MCU's commands go when there is no MCU (batch mode). */
export interface McuFileOutput {
  dictionary: Dictionary;
  output: FileOutputTarget;
}

export interface McuSettings {
  serial: string | undefined;
  baud: number;
  restartMethod: string | undefined;
}

export function loadMcu(section: ConfigSection, fileOutput: McuFileOutput | null): { mcu: Mcu; settings: McuSettings } {
  const o = section.read(MCU_OPTIONS);
  if (o.canbus_uuid !== undefined || o.canbus_interface !== undefined) {
    throw section.error(
      o.canbus_uuid !== undefined ? 'canbus_uuid' : 'canbus_interface',
      'CAN bus MCUs are not supported yet: connect the board over USB or UART and set serial',
    );
  }
  if (fileOutput && section.name !== 'mcu') {
    throw new ConfigError(
      `[${section.name}] (${formatPlace(section.place)}): a second MCU is not supported yet in batch mode (batch mode supports one MCU: one dictionary, one output file); remove the section and its pins to run the file in batch mode`,
      section.place,
    );
  }
  if (o.serial === undefined && !fileOutput)
    throw section.error('serial', `Option 'serial' in section '${section.name}' must be specified`);
  const settings: McuSettings = { serial: o.serial, baud: o.baud, restartMethod: o.restart_method };
  const mcu = fileOutput
    ? new Mcu({ name: chipNameOf(section.name), fileOutput: { dictionary: fileOutput.dictionary, output: fileOutput.output } })
    : new Mcu({ name: chipNameOf(section.name), serialPort: o.serial as string, baud: o.baud });
  return { mcu, settings };
}

/** Builds an [mcu] / [mcu NAME] section's MCU and registers it; secondaries follow the main clock. */
export function addMcuObject(printer: Printer, section: ConfigSection, fileOutput: McuFileOutput | null): Mcu {
  const { mcu } = loadMcu(section, fileOutput);
  if (section.name !== 'mcu') {
    const main = printer.lookupObjectOrNull<Mcu>('mcu');
    if (!main) throw new ConfigError(`[${section.name}] needs the main [mcu] section too`, section.place);
    mcu.setClockReference(main);
  }
  printer.addObject(section.name, mcu);
  return mcu;
}

/** Every MCU of the printer, the main one first. */
export function allMcus(printer: Printer): Mcu[] {
  return printer
    .lookupObjects<unknown>('mcu')
    .filter(([name, obj]) => isMcuObjectName(name) && obj instanceof Mcu)
    .map(([, obj]) => obj as Mcu);
}

/** Whether a pin's chip names one of the printer's MCUs (else: a probe or driver virtual pin). */
export function isMcuChip(printer: Printer, chip: string): boolean {
  return printer.lookupObjectOrNull<unknown>(mcuObjectName(chip)) instanceof Mcu;
}

/**
 * The MCU a pin option names ('toolboard:PA1' -> [mcu toolboard]). An unknown chip is a config
 * error naming the option and the known MCUs. Once that MCU has identified, the pin is checked
 * against ITS dictionary, so a pin of another board fails naming the option, not a bare oid.
 */
export function mcuForPin(printer: Printer, pin: Pick<PinDesc, 'chip' | 'pin'>, section: ConfigSection, option: string): Mcu {
  const mcu = printer.lookupObjectOrNull<unknown>(mcuObjectName(pin.chip));
  if (!(mcu instanceof Mcu)) {
    // Chips such as 'replicape' come from a Klipper section we do not handle yet.
    if (isKnownUnsupportedSection(pin.chip))
      throw section.error(
        option,
        `pin chip '${pin.chip}' in option '${option}' of section '${section.name}' comes from section [${pin.chip}], which is not supported yet`,
      );
    const known = allMcus(printer).map((m) => m.name);
    throw section.error(
      option,
      `Unknown pin chip name '${pin.chip}' in option '${option}' of section '${section.name}' (known MCUs: ${known.join(', ') || 'none'}; add an [mcu ${pin.chip}] section or fix the pin)`,
    );
  }
  const place = section.placeOf(option);
  mcu.registerConfigCallback(() => checkPinInDictionary(mcu, pin.pin, option, section.name, place));
  return mcu;
}

function checkPinInDictionary(mcu: Mcu, pinName: string, option: string, sectionName: string, place: SourcePlace): void {
  const pins = mcu.dictionary.enumerations.get('pin');
  if (!pins || pins.byName.has(pinName)) return;
  const where = ` (${formatPlace(place)})`;
  throw new McuError(
    `pin '${pinName}' in option '${option}' of section '${sectionName}'${where} is not a pin of MCU '${mcu.name}' (not in its data dictionary): check the pin name and which board it is on`,
  );
}

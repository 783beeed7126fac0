// [mcu]: the main micro-controller. In batch mode there is no serial port: the same commands go to
// a file for a given data dictionary (like Klipper's batch mode).
import type { ConfigSection } from '../config/section';
import type { Dictionary } from '../mcu/dictionary';
import { Mcu } from '../mcu/mcu';
import type { FileOutputTarget } from '../mcu/file-output';
import { MCU_OPTIONS } from './printer-options';

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
  if (o.serial === undefined && !fileOutput)
    throw section.error('serial', `Option 'serial' in section '${section.name}' must be specified`);
  const settings: McuSettings = { serial: o.serial, baud: o.baud, restartMethod: o.restart_method };
  const mcu = fileOutput
    ? new Mcu({ name: 'mcu', fileOutput: { dictionary: fileOutput.dictionary, output: fileOutput.output } })
    : new Mcu({ name: 'mcu', serialPort: o.serial as string, baud: o.baud });
  return { mcu, settings };
}

// What every shutdown does, whatever caused it (M112, verify_heater, an MCU error): the MCU gets
// emergency_stop at once (ahead of any queued moves: it has the earliest deadline), so heaters
// and motors stop, and the user sees the reason on the console.
import type { GCodeDispatcher } from '../gcode/dispatcher';
import { allMcus } from './mcu';
import type { Printer } from '../printer';

export class ShutdownHandler {
  constructor(printer: Printer, gcode: GCodeDispatcher) {
    printer.on('printer:shutdown', (reason) => {
      // Every MCU stops: a shutdown of one (or of the host) is a shutdown of the printer.
      for (const mcu of allMcus(printer)) if (!mcu.isFileOutput() && mcu.state === 'ready') mcu.emergencyStop();
      gcode.respondError(
        `${reason}\nOnce the underlying issue is corrected, use the "FIRMWARE_RESTART" command to reset the firmware, reload the config, and restart the host software.\nPrinter is shutdown`,
      );
    });
  }
}

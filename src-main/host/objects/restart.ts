// RESTART, FIRMWARE_RESTART and STATUS: the way back from a shutdown or a config error, so they
// work in every printer state. The host owns the restart itself (a fresh set of printer
// objects from printer.cfg, then the MCU connected again); this module only asks for it and,
// for FIRMWARE_RESTART, resets the MCU first.
import type { PrinterConfig } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';

export type RestartKind = 'restart' | 'firmware_restart';

/** How long a reset command may take to leave the serial queue before the link is closed anyway. */
const RESET_SEND_TIMEOUT_MS = 500;

export function registerRestartCommands(printer: Printer, gcode: GCodeDispatcher, requestRestart: (kind: RestartKind) => void): void {
  gcode.register('RESTART', () => requestRestart('restart'), {
    help: 'Reload config file and restart host software',
    anyState: true,
  });
  gcode.register('FIRMWARE_RESTART', () => requestRestart('firmware_restart'), {
    help: 'Restart firmware, host, and reload config',
    anyState: true,
  });
  gcode.register(
    'STATUS',
    () => {
      // Klipper's wording: OctoPrint plugins and scripts look for "Klipper state: Ready".
      if (printer.state === 'ready') return gcode.respondInfo('Klipper state: Ready');
      throw new Error(`${printer.stateMessage.trimEnd()}\nKlipper state: Not ready`);
    },
    { help: 'Report the printer status', anyState: true },
  );
}

/**
 * Resets the MCU before a FIRMWARE_RESTART reconnects to it. Every restart_method ends up in a
 * reset command here: 'command' asks for it, and for 'arduino'/'cheetah' (a DTR pulse) and
 * 'rpi_usb' (USB power cycle) we have no port control yet, so the firmware's own reset
 * (watchdog on AVR) stands in. Firmware without 'reset' gets emergency_stop + config_reset,
 * which Klipper's firmware accepts only once shut down. Returns what was done, for the log.
 */
export async function resetMcuFirmware(printer: Printer, config: PrinterConfig | null, mcuSection = 'mcu'): Promise<string> {
  const mcu = printer.lookupObjectOrNull<Mcu>(mcuSection);
  if (!mcu || mcu.isFileOutput() || (mcu.state !== 'ready' && mcu.state !== 'shutdown'))
    return `MCU '${mcu?.name ?? mcuSection}' not connected: no reset sent`;
  const method = config?.getOrNull(mcuSection)?.getString('restart_method', 'command') ?? 'command';
  const dict = mcu.dictionary;
  let how: string;
  try {
    if (dict.commandByNameOrNull('reset')) {
      mcu.lookupCommand('reset').send();
      how = 'reset command';
    } else if (dict.commandByNameOrNull('config_reset')) {
      mcu.emergencyStop();
      mcu.lookupCommand('config_reset').send();
      how = 'emergency_stop + config_reset';
    } else {
      return `MCU '${mcu.name}' has no reset command: power-cycle the board if it stays shut down`;
    }
  } catch (e) {
    // A dead link: reconnecting resets a shut-down MCU anyway (see Mcu.configure).
    return `MCU '${mcu.name}' reset not sent (${(e as Error).message})`;
  }
  // The MCU may reset before acknowledging: do not wait for an ack that never comes.
  await Promise.race([mcu.flush().catch(() => undefined), new Promise((r) => setTimeout(r, RESET_SEND_TIMEOUT_MS))]);
  return `MCU '${mcu.name}' reset (${how}${method !== 'command' ? `; restart_method ${method} done by command` : ''})`;
}

// RESTART, FIRMWARE_RESTART and STATUS: the way back from a shutdown or a config error, so they
// work in every printer state. The host owns the restart itself (a fresh set of printer
// objects from printer.cfg, then the MCU connected again); this module only asks for it and,
// for FIRMWARE_RESTART, resets the MCU first.
import type { PrinterConfig } from '../config/section';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Mcu } from '../mcu/mcu';
import type { Printer } from '../printer';
import {
  hasNoModemLines,
  isRaspberryPi,
  powerCycleRpiUsb,
  pulseResetLines,
  resetLineSequence,
  type RestartMethod,
} from '../mcu/serial-reset';

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
 * Resets the MCU before a FIRMWARE_RESTART reconnects to it, by its [mcu] restart_method as
 * Klipper documents it: 'command' sends the firmware's reset command (or emergency_stop +
 * config_reset, which Klipper's firmware accepts once shut down); 'arduino' closes the link and
 * pulses DTR, 'cheetah' pulses DTR with RTS handled for Cheetah boards, 'rpi_usb' power-cycles a
 * Raspberry Pi's USB ports. Without restart_method: 'command' when the firmware has a reset
 * command and talks over USB (no SERIAL_BAUD) or over a pty, else 'arduino'. A method the port
 * or host cannot do (no modem lines on a pty, not a Pi) says so and falls back to the command.
 * Returns what was done, for the console.
 */
export async function resetMcuFirmware(printer: Printer, config: PrinterConfig | null, mcuSection = 'mcu'): Promise<string> {
  const mcu = printer.lookupObjectOrNull<Mcu>(mcuSection);
  if (!mcu || mcu.isFileOutput()) return `MCU '${mcu?.name ?? mcuSection}' not connected: no reset sent`;
  const section = config?.getOrNull(mcuSection) ?? null;
  const serial = section?.has('serial') ? section.getString('serial') : null;
  const linked = mcu.state === 'ready' || mcu.state === 'shutdown';
  const configured = section?.has('restart_method') ? (section.getString('restart_method') as RestartMethod) : null;
  const method = configured ?? defaultRestartMethod(mcu, serial);
  const notes: string[] = [];
  if ((method === 'arduino' || method === 'cheetah') && serial) {
    if (!hasNoModemLines(serial)) {
      await mcu.close(); // the pulse needs the port to itself
      try {
        await pulseResetLines(serial, resetLineSequence(method));
        return `MCU '${mcu.name}' reset (restart_method ${method}: DTR pulse on ${serial})`;
      } catch (e) {
        return `MCU '${mcu.name}' not reset: ${(e as Error).message}`;
      }
    }
    notes.push(
      `${serial} is a pseudo-terminal without DTR/RTS lines, so restart_method ${method} cannot reset it: reset command used instead`,
    );
  } else if (method === 'rpi_usb') {
    if (isRaspberryPi()) {
      await mcu.close();
      try {
        await powerCycleRpiUsb();
        return `MCU '${mcu.name}' reset (restart_method rpi_usb: USB power switched off for 2 s)`;
      } catch (e) {
        return `MCU '${mcu.name}' not reset: ${(e as Error).message}`;
      }
    }
    notes.push('restart_method rpi_usb power-cycles USB only on a Raspberry Pi, and this host is not one: reset command used instead');
  }
  if (!linked) return `MCU '${mcu.name}' not connected: no reset sent${notes.length ? ` (${notes.join('; ')})` : ''}`;
  const how = sendResetCommand(mcu);
  if (how.startsWith('!')) return how.slice(1);
  // The MCU may reset before acknowledging: do not wait for an ack that never comes.
  await Promise.race([mcu.flush().catch(() => undefined), new Promise((r) => setTimeout(r, RESET_SEND_TIMEOUT_MS))]);
  return `MCU '${mcu.name}' reset (${how}${notes.length ? `; ${notes.join('; ')}` : ''})`;
}

/** Klipper's default: the firmware's command over USB (and on a pty, where DTR does nothing), DTR on a UART. */
export function defaultRestartMethod(mcu: Mcu, serial: string | null): RestartMethod {
  if (mcu.state !== 'ready' && mcu.state !== 'shutdown') return serial && !hasNoModemLines(serial) ? 'arduino' : 'command';
  const dict = mcu.dictionary;
  const hasCommand = dict.commandByNameOrNull('reset') !== null || dict.commandByNameOrNull('config_reset') !== null;
  if (hasCommand && (!dict.hasConstant('SERIAL_BAUD') || !serial || hasNoModemLines(serial))) return 'command';
  return 'arduino';
}

/** Sends reset (or emergency_stop + config_reset); returns how, or '!' + why it could not. */
function sendResetCommand(mcu: Mcu): string {
  const dict = mcu.dictionary;
  try {
    if (dict.commandByNameOrNull('reset')) {
      mcu.lookupCommand('reset').send();
      return 'reset command';
    }
    if (dict.commandByNameOrNull('config_reset')) {
      mcu.emergencyStop();
      mcu.lookupCommand('config_reset').send();
      return 'emergency_stop + config_reset';
    }
    return `!MCU '${mcu.name}' has no reset command: power-cycle the board if it stays shut down, or set restart_method: arduino if it resets on DTR`;
  } catch (e) {
    // A dead link: reconnecting resets a shut-down MCU anyway (see Mcu.configure).
    return `!MCU '${mcu.name}' reset not sent (${(e as Error).message})`;
  }
}

// Resetting a board through its serial port's modem lines, for [mcu] restart_method (Klipper's
// documented behaviour): 'arduino' pulses DTR, which an Arduino-style board's auto-reset circuit
// turns into a reset pulse; 'cheetah' is the same with RTS handled for Fysetc Cheetah boards
// (RTS held asserted while DTR pulses, then released, then DTR pulses again, so their bootloader
// circuit ends up disabled); 'rpi_usb' power-cycles the USB ports of a Raspberry Pi.
// The port must not be open elsewhere (close the MCU link first).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { SerialPort } from 'serialport';
import { explainOpenError, resolvesToPseudoPort } from './transport';

export type RestartMethod = 'arduino' | 'cheetah' | 'rpi_usb' | 'command';

/** One state of the modem lines (true = asserted) held for `holdMs`. */
export interface LineStep {
  dtr: boolean;
  rts: boolean;
  holdMs: number;
}

/** Each line state is held this long, as Klipper does (a reset circuit needs a clear pulse). */
const PULSE_MS = 100;
/** The reset pulse is sent at a slow baud rate, so a board still running sees no valid bytes. */
const RESET_BAUD = 2400;

/** The line states that reset a board with this restart_method (empty for 'command'/'rpi_usb'). */
export function resetLineSequence(method: RestartMethod): LineStep[] {
  if (method === 'arduino') {
    return [
      // Opened: wait, then one DTR pulse (assert, release) with RTS left as opened.
      { dtr: false, rts: true, holdMs: PULSE_MS },
      { dtr: true, rts: true, holdMs: PULSE_MS },
      { dtr: false, rts: true, holdMs: PULSE_MS },
    ];
  }
  if (method === 'cheetah') {
    return [
      { dtr: true, rts: true, holdMs: PULSE_MS }, // DTR pulse with RTS asserted ...
      { dtr: false, rts: true, holdMs: PULSE_MS },
      { dtr: false, rts: false, holdMs: PULSE_MS }, // ... RTS released ...
      { dtr: true, rts: false, holdMs: PULSE_MS }, // ... and a second DTR pulse.
      { dtr: false, rts: false, holdMs: PULSE_MS },
    ];
  }
  return [];
}

export class SerialResetError extends Error {
  override name = 'SerialResetError';
}

/** A pty (the sim, socat) has no modem lines: DTR/RTS changes fail there. */
export function hasNoModemLines(path: string): boolean {
  return resolvesToPseudoPort(path);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens `path`, drives DTR/RTS through `steps` and closes it. `onStep` runs after each state
 * is set (tests read the lines back). Rejects with SerialResetError saying what to do.
 */
export async function pulseResetLines(path: string, steps: LineStep[], onStep?: (step: LineStep) => void): Promise<void> {
  // rtscts off: the lines are ours to drive. hupcl off: closing must not drop DTR again.
  const port = new SerialPort({ path, baudRate: RESET_BAUD, autoOpen: false, lock: true, rtscts: false, hupcl: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => (err ? reject(new SerialResetError(explainOpenError(path, err))) : resolve())),
  );
  try {
    for (const step of steps) {
      // Both lines every time: serialport's set() asserts any line left out.
      await new Promise<void>((resolve, reject) =>
        port.set({ dtr: step.dtr, rts: step.rts }, (err) =>
          err
            ? reject(
                new SerialResetError(
                  `Cannot set DTR/RTS on serial port '${path}' (${err.message}): this port has no modem control lines (a pseudo-terminal or a USB adapter without them). Use restart_method: command, or power-cycle the board.`,
                ),
              )
            : resolve(),
        ),
      );
      onStep?.(step);
      await sleep(step.holdMs);
    }
  } finally {
    await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  }
}

/** Raspberry Pi hosts only: their USB power can be switched (device-tree model names the board). */
export function isRaspberryPi(): boolean {
  try {
    return /Raspberry Pi/i.test(fs.readFileSync('/proc/device-tree/model', 'utf8'));
  } catch {
    return false;
  }
}

/** USB power stays off this long so the board really loses power (Klipper: 2 s). */
const USB_OFF_MS = 2000;

/**
 * rpi_usb: switches the Pi's USB port power off and on again with `uhubctl` (the Pi's own
 * hub supports per-hub power switching). Rejects with what to install or do otherwise.
 */
export async function powerCycleRpiUsb(): Promise<void> {
  if (!isRaspberryPi()) throw new SerialResetError('restart_method rpi_usb works only on a Raspberry Pi (this host is not one)');
  const run = (action: 'off' | 'on') =>
    new Promise<void>((resolve, reject) =>
      execFile('uhubctl', ['-a', action], { timeout: 10_000 }, (err, _out, stderr) =>
        err
          ? reject(
              new SerialResetError(
                (err as NodeJS.ErrnoException).code === 'ENOENT'
                  ? "restart_method rpi_usb needs the 'uhubctl' program (sudo apt install uhubctl)"
                  : `uhubctl -a ${action} failed: ${stderr.trim() || err.message}`,
              ),
            )
          : resolve(),
      ),
    );
  await run('off');
  await sleep(USB_OFF_MS);
  await run('on');
}

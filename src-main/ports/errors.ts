import { readdirSync, readlinkSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export type PortProblemCode = 'permission-denied' | 'busy' | 'vanished' | 'no-udevadm' | 'wrong-baud' | 'unknown';

/** A port error explained: what happened and the fix, for the console and the ports page. */
export interface PortProblem {
  code: PortProblemCode;
  path: string;
  message: string;
  fix: string;
  /** For 'busy': the processes holding the port open, when they can be found. */
  holders?: PortHolder[];
}

export interface PortHolder {
  pid: number;
  command: string;
}

/**
 * Explains an error from opening or listing a serial port. `platform` and `procRoot` are
 * parameters so recorded errors from other systems can be classified in tests.
 */
export function classifyPortError(
  err: unknown,
  portPath: string,
  options: { platform?: NodeJS.Platform; procRoot?: string } = {},
): PortProblem {
  const platform = options.platform ?? process.platform;
  const text = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string } | null)?.code ?? '';
  const has = (re: RegExp) => re.test(text) || re.test(code);

  if (has(/udevadm/) && has(/ENOENT|not found|spawn/)) {
    return {
      code: 'no-udevadm',
      path: portPath,
      message: `Listing serial ports needs the udevadm program, which is not installed (${text}).`,
      fix: 'Install udev (Debian/Ubuntu: sudo apt install udev), or add the printer by its device path, e.g. /dev/ttyUSB0 or /dev/serial/by-id/...',
    };
  }
  if (has(/EACCES|Permission denied|Access denied/i)) {
    return {
      code: 'permission-denied',
      path: portPath,
      message: `Permission denied opening ${portPath}.`,
      fix:
        platform === 'linux'
          ? `Add yourself to the group that owns the port and log in again: sudo usermod -aG ${portGroup(portPath)} $USER. Or install a udev rule giving your user access (MODE="0660", GROUP="${portGroup(portPath)}").`
          : platform === 'win32'
            ? 'Another program may hold the port, or the driver denies access: close other serial programs (Cura, Arduino IDE) and try again.'
            : 'Check the device permissions (ls -l) and that no other program has it open.',
    };
  }
  if (has(/EBUSY|Resource busy|Cannot lock port|resource temporarily unavailable|EAGAIN/i)) {
    const holders = platform === 'linux' ? processesUsingPort(portPath, options.procRoot) : [];
    const who = holders.length ? holders.map((h) => `${h.command} (pid ${h.pid})`).join(', ') : 'another program';
    const modemManager = holders.some((h) => /ModemManager/i.test(h.command));
    return {
      code: 'busy',
      path: portPath,
      message: `${portPath} is in use by ${who}.`,
      fix: modemManager
        ? 'ModemManager grabs new serial devices to probe for modems: stop it (sudo systemctl stop ModemManager) or mark the device with ID_MM_DEVICE_IGNORE=1 in a udev rule.'
        : `Close ${who} (another host such as Klipper or OctoPrint, a serial monitor, a slicer) and try again.`,
      holders,
    };
  }
  if (has(/ENOENT|No such file|ENODEV|ENXIO|File not found|cannot find the file/i)) {
    return {
      code: 'vanished',
      path: portPath,
      message: `${portPath} does not exist (any more).`,
      fix: 'The board was unplugged, reset into another mode or renumbered. Plug it in again; Tether finds it again by its USB identity.',
    };
  }
  return {
    code: 'unknown',
    path: portPath,
    message: `Could not use ${portPath}: ${text}`,
    fix: 'Unplug and replug the board, then try again. If it keeps failing, check the cable and the USB port.',
  };
}

/** Linux: the group owning the device (dialout on Debian/Ubuntu, uucp on Arch). */
function portGroup(portPath: string): string {
  try {
    const gid = statSync(portPath).gid;
    const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[2] === String(gid));
    if (line) return line.split(':')[0];
  } catch {
    // the port vanished or the record comes from another machine
  }
  return 'dialout';
}

/** Which processes hold `portPath` open, found through /proc/<pid>/fd links (Linux only). */
export function processesUsingPort(portPath: string, procRoot = '/proc'): PortHolder[] {
  let target = portPath;
  try {
    target = realpathSync(portPath);
  } catch {
    // A recorded path or one that vanished: compare by name.
  }
  const holders: PortHolder[] = [];
  let pids: string[] = [];
  try {
    pids = readdirSync(procRoot).filter((d) => /^\d+$/.test(d));
  } catch {
    return holders;
  }
  for (const pid of pids) {
    const fdDir = path.join(procRoot, pid, 'fd');
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch {
      continue; // another user's process, or it just exited
    }
    const holds = fds.some((fd) => {
      try {
        const link = readlinkSync(path.join(fdDir, fd));
        return link === target || link === portPath;
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    let command = `pid ${pid}`;
    try {
      command = readFileSync(path.join(procRoot, pid, 'comm'), 'utf8').trim();
    } catch {
      // keep the pid
    }
    holders.push({ pid: Number(pid), command });
  }
  return holders;
}

/**
 * Wrong baud shows as garbage: bytes arrive but they are neither text nor protocol frames.
 * `expect` says what should have come: printable text (a bootloader banner, Marlin) or Klipper
 * frames (length byte 5..64, ending in the 0x7E sync byte).
 */
export function looksLikeWrongBaud(received: Uint8Array, expect: 'text' | 'klipper'): boolean {
  if (received.length < 8) return false;
  if (expect === 'text') {
    let printable = 0;
    for (const b of received) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09) printable++;
    return printable / received.length < 0.7;
  }
  // Klipper: walk frames; garbage rarely lines up with a sync byte at the declared length.
  let i = 0;
  let frames = 0;
  while (i < received.length) {
    const len = received[i];
    if (len < 5 || len > 64) return frames === 0;
    if (i + len > received.length) break;
    if (received[i + len - 1] !== 0x7e) return true;
    frames++;
    i += len;
  }
  return frames === 0 && received.length >= 64;
}

export function describeWrongBaud(portPath: string, baudRate: number): PortProblem {
  return {
    code: 'wrong-baud',
    path: portPath,
    message: `Garbage received on ${portPath} at ${baudRate} baud.`,
    fix: 'The board talks at another speed: set the baud in [mcu] to the one the firmware was built with (250000 is common for AVR boards, USB boards ignore it).',
  };
}

// restart_method's serial side: the DTR/RTS sequences (Klipper's documented arduino and cheetah
// resets), driven through serialport on real ports: a UART (/dev/ttyS0, when this machine has
// one we may open: its driver reports the modem lines in /proc/tty/driver/serial, so the test
// reads back what the port really did) and a socat pty (no modem lines: a clear error).
// Whether a board then resets needs hardware and is not proved here.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasNoModemLines,
  isRaspberryPi,
  powerCycleRpiUsb,
  pulseResetLines,
  resetLineSequence,
  type LineStep,
} from '../../../src-main/host/mcu/serial-reset';
import { Mcu } from '../../../src-main/host/mcu/mcu';
import { parseConfigText } from '../../../src-main/host/config/reader';
import { PrinterConfig } from '../../../src-main/host/config/section';
import { resetMcuFirmware } from '../../../src-main/host/objects/restart';
import { Printer } from '../../../src-main/host/printer';
import { testOutputDir } from '../../support/paths';
import { toolsPresent } from '../../support/tools';

/** DTR edges of a sequence: +1 asserted, -1 released (changes only). */
function dtrEdges(steps: LineStep[], initial = false): number[] {
  const out: number[] = [];
  let dtr = initial;
  for (const s of steps) {
    if (s.dtr !== dtr) out.push(s.dtr ? 1 : -1);
    dtr = s.dtr;
  }
  return out;
}

describe('restart_method line sequences', () => {
  it('arduino: one DTR pulse (assert then release), RTS unchanged, each state held 100 ms', () => {
    const seq = resetLineSequence('arduino');
    expect(dtrEdges(seq)).toEqual([1, -1]);
    expect(new Set(seq.map((s) => s.rts)).size).toBe(1);
    expect(seq.every((s) => s.holdMs === 100)).toBe(true);
    expect(seq.at(-1)!.dtr).toBe(false);
  });

  it('cheetah: a DTR pulse with RTS asserted, RTS released, then a second DTR pulse', () => {
    const seq = resetLineSequence('cheetah');
    expect(dtrEdges(seq)).toEqual([1, -1, 1, -1]);
    const firstPulse = seq.findIndex((s) => s.dtr);
    const secondPulse = seq.findIndex((s, i) => i > firstPulse + 1 && s.dtr);
    expect(seq[firstPulse]!.rts).toBe(true);
    expect(seq[secondPulse]!.rts).toBe(false);
    expect(seq.at(-1)).toMatchObject({ dtr: false, rts: false });
  });

  it('command and rpi_usb use no lines', () => {
    expect(resetLineSequence('command')).toEqual([]);
    expect(resetLineSequence('rpi_usb')).toEqual([]);
  });

  it('rpi_usb refuses on a host that is not a Raspberry Pi', async () => {
    if (isRaspberryPi()) return; // a Pi would really switch its USB power off
    await expect(powerCycleRpiUsb()).rejects.toThrow(/works only on a Raspberry Pi/);
  });
});

describe.skipIf(!toolsPresent('socat'))('DTR on a pty', () => {
  let socat: ChildProcess;
  const dir = path.join(testOutputDir, `serial-reset-${process.pid}`);
  const a = path.join(dir, 'host');
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    socat = spawn('socat', [`PTY,link=${a},rawer`, `PTY,link=${a}-b,rawer`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(a); i++) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(() => {
    socat.kill('SIGTERM');
  });

  it('knows a pty has no modem lines, and a pulse there fails saying what to do', async () => {
    expect(hasNoModemLines(a)).toBe(true);
    await expect(pulseResetLines(a, resetLineSequence('arduino'))).rejects.toThrow(
      /Cannot set DTR\/RTS on serial port .* no modem control lines .* restart_method: command/,
    );
    // The port was closed again: it can be opened (with lock) right away.
    await expect(pulseResetLines(a, [])).resolves.toBeUndefined();
  });
});

const UART = '/dev/ttyS0';
const UART_INFO = '/proc/tty/driver/serial';

/** Whether a real 16550-type UART is there for us: openable, with its driver's line report readable. */
function uartAvailable(): boolean {
  try {
    accessSync(UART, constants.R_OK | constants.W_OK);
    return /^0: uart:(?!unknown)/m.test(readFileSync(UART_INFO, 'utf8'));
  } catch {
    return false;
  }
}

/** The modem lines the driver reports for ttyS0 ('RTS|DTR|...'). */
function uartLines(): { dtr: boolean; rts: boolean } {
  const line = /^0: .*$/m.exec(readFileSync(UART_INFO, 'utf8'))![0];
  return { dtr: /\bDTR\b/.test(line), rts: /\bRTS\b/.test(line) };
}

// Not every machine has a UART we may open (CI containers, laptops without root): skipped there.
describe.skipIf(!uartAvailable())('DTR on a real UART (/dev/ttyS0)', () => {
  for (const method of ['arduino', 'cheetah'] as const) {
    it(`${method}: serialport drives DTR and RTS through every state of the sequence`, async () => {
      expect(hasNoModemLines(UART)).toBe(false);
      const seen: { dtr: boolean; rts: boolean }[] = [];
      await pulseResetLines(UART, resetLineSequence(method), () => seen.push(uartLines()));
      expect(seen).toEqual(resetLineSequence(method).map((s) => ({ dtr: s.dtr, rts: s.rts })));
    });
  }

  it('FIRMWARE_RESTART with restart_method arduino pulses DTR on the configured port', async () => {
    const config = new PrinterConfig(parseConfigText(`[mcu]\nserial: ${UART}\nrestart_method: arduino\n`, '/v/printer.cfg'));
    const printer = new Printer();
    // An MCU that never answered (nothing is wired to ttyS0): the DTR reset needs no link.
    printer.addObject('mcu', new Mcu({ name: 'mcu', serialPort: UART }));
    const t0 = Date.now();
    const msg = await resetMcuFirmware(printer, config);
    expect(msg).toBe(`MCU 'mcu' reset (restart_method arduino: DTR pulse on ${UART})`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290); // three 100 ms states
    expect(uartLines().dtr).toBe(false); // released at the end
  });
});

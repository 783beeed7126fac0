// FIRMWARE_RESTART by [mcu] restart_method on the sim. The sim's port is a pty, which has no
// DTR/RTS lines: 'arduino' and 'cheetah' say so and reset with the firmware's command instead;
// 'rpi_usb' on a host that is not a Raspberry Pi says so and does the same; no restart_method
// on a pty is 'command' (Klipper's default for a port whose DTR does nothing). In every case the
// host reconnects and the printer is ready again. (The DTR pulse itself is checked on a real
// UART in test/unit/issue6-leftovers/serial-reset.test.ts; a board's reset needs hardware.)
import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../jobs/print-helpers';
import { startLivePrinter } from './live-printer';

async function firmwareRestart(method: string | null): Promise<{ messages: string[]; resets: number }> {
  const p = await startLivePrinter(`restart-${method ?? 'default'}`, {
    edit: (c) => (method ? c.replace(/^(serial: .*)$/m, `$1\nrestart_method: ${method}`) : c),
  });
  try {
    const host = p.host;
    const first = host.printer;
    const messages: string[] = [];
    host.gcode.onResponse((_k, t) => messages.push(t));
    await p.run('M112').catch(() => undefined);
    await waitFor(() => host.printer.state === 'shutdown', 'shutdown', 5000);
    await p.run('FIRMWARE_RESTART');
    await waitFor(
      () => host.printer !== first && host.printer.state === 'ready',
      'the restarted printer to be ready',
      20_000,
      () => `(state ${host.printer.state}: ${host.printer.stateMessage})`,
    );
    // The new printer works after the reset.
    await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=0\nG1 X5 F600\nM400');
    await sleep(1200); // the sim flushes its trace at least once a second
    return { messages, resets: p.trace().filter((e) => e.ev === 'cmd' && e.name === 'reset').length };
  } finally {
    await p.stop();
  }
}

describe('FIRMWARE_RESTART by restart_method (sim over a pty)', () => {
  it('arduino on a pty: says DTR is not possible, resets by command, reconnects', async () => {
    const r = await firmwareRestart('arduino');
    expect(r.messages.join('\n')).toMatch(
      /MCU 'mcu' reset \(reset command; .* is a pseudo-terminal without DTR\/RTS lines, so restart_method arduino cannot reset it: reset command used instead\)/,
    );
    expect(r.resets).toBe(1);
  }, 60_000);

  it('cheetah on a pty: the same, naming cheetah', async () => {
    const r = await firmwareRestart('cheetah');
    expect(r.messages.join('\n')).toMatch(/restart_method cheetah cannot reset it: reset command used instead/);
    expect(r.resets).toBe(1);
  }, 60_000);

  it('rpi_usb on a host that is not a Raspberry Pi: says so, resets by command', async () => {
    const r = await firmwareRestart('rpi_usb');
    expect(r.messages.join('\n')).toMatch(/restart_method rpi_usb power-cycles USB only on a Raspberry Pi, and this host is not one/);
    expect(r.resets).toBe(1);
  }, 60_000);

  it('no restart_method on a pty: the reset command', async () => {
    const r = await firmwareRestart(null);
    expect(r.messages.join('\n')).toMatch(/MCU 'mcu' reset \(reset command\)/);
    expect(r.resets).toBe(1);
  }, 60_000);
});

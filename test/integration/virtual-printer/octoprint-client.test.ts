// A sender that behaves like OctoPrint (M110 reset, N line numbers with * checksums, M105
// polling, waits for ok, answers Resend:) prints a short file through the virtual printer pty;
// one line is corrupted on the wire and must be resent. Once on a batch-mode host with the port
// made by hand, once on the sim printer whose printer.cfg opens it ([virtual_printer] serial:).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { lineChecksum } from '../../../src-main/host/gcode/parser';
import { Host } from '../../../src-main/host/host';
import type { VirtualPrinterSection } from '../../../src-main/server/virtual-printer/virtual-printer-section';
import { startLivePrinter } from '../live/live-printer';
import { VirtualPrinterPort } from '../../../src-main/server/virtual-printer/virtual-printer';
import { testOutputDir } from '../../support/paths';
import { toolsPresent } from '../../support/tools';
import { atmegaDict, CARTESIAN, discard } from '../../unit/objects/load-helpers';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** The OctoPrint-like dialogue on `ptyPath`; `m105` matches the temperature report. */
async function octoPrintSession(ptyPath: string, position: () => number[], m105: RegExp): Promise<void> {
  const port = new SerialPort({ path: ptyPath, baudRate: 115200 });
  await new Promise<void>((r, j) => port.once('open', () => r()).once('error', j));
  try {
    await dialogue(port);
  } finally {
    await new Promise<void>((r) => port.close(() => r()));
  }

  async function dialogue(port: SerialPort): Promise<void> {
    const received: string[] = [];
    let pending = '';
    const waiters: (() => void)[] = [];
    port.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        received.push(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        waiters.splice(0).forEach((w) => w());
      }
    });
    /** Sends one raw line and waits for its ok; returns the lines received in between. */
    const send = async (raw: string): Promise<string[]> => {
      const from = received.length;
      port.write(raw + '\n');
      const t0 = Date.now();
      while (!received.slice(from).some((l) => l.startsWith('ok'))) {
        if (Date.now() - t0 > 10_000) throw new Error(`no ok for '${raw}': ${received.slice(from).join(' | ')}`);
        await new Promise<void>((r) => waiters.push(r));
      }
      return received.slice(from);
    };
    const withChecksum = (n: number, cmd: string) => {
      const body = `N${n} ${cmd}`;
      return `${body}*${lineChecksum(body)}`;
    };

    expect(await send(withChecksum(0, 'M110 N0'))).toContain('ok');
    const file = ['SET_KINEMATIC_POSITION X=0 Y=0 Z=0', 'G90', 'G1 X10 Y10 F6000', 'G1 X20 Y10', 'G1 X20 Y20', 'M114'];
    let n = 1;
    let resends = 0;
    for (const [i, cmd] of file.entries()) {
      if (i % 2 === 0) expect(await send('M105')).toEqual([expect.stringMatching(m105)]); // OctoPrint's polling
      let line = withChecksum(n, cmd);
      if (i === 3 && resends === 0) line = line.replace('X20', 'X29'); // corrupted on the wire
      const answer = await send(line);
      const resend = answer.find((l) => l.startsWith('Resend:'));
      if (resend) {
        resends++;
        expect(answer.some((l) => l.startsWith('Error:checksum mismatch'))).toBe(true);
        expect(Number(resend.slice(7))).toBe(n);
        await send(withChecksum(n, cmd));
      }
      n++;
    }
    expect(resends).toBe(1);
    // The corrupted X29 never ran: the head is where the real file says.
    expect(position().slice(0, 2)).toEqual([20, 20]);
    // A line number out of order asks for the expected one; an error is reported as Error:.
    const skipped = await send(withChecksum(n + 5, 'G1 X1'));
    expect(skipped).toContain(`Resend: ${n}`);
    const bad = await send(withChecksum(n, 'G1 X9999'));
    expect(bad.some((l) => l.startsWith('!!'))).toBe(true);
    expect(bad.some((l) => l.startsWith('Error:'))).toBe(true);
  }
}

describe.skipIf(!toolsPresent('socat'))('virtual printer pty', () => {
  it('an OctoPrint-like client prints a short file with checksums, M105 polling and a resend', async () => {
    const dir = path.join(testOutputDir, 'virtual-printer', String(process.pid));
    mkdirSync(dir, { recursive: true });
    const cfg = path.join(dir, 'printer.cfg');
    writeFileSync(cfg, CARTESIAN);
    const host = await Host.start({ configPath: cfg, mcuFileOutput: { dictionary: atmegaDict, output: discard() } });
    cleanup.push(() => host.stop());
    const vp = new VirtualPrinterPort(host.gcode, path.join(dir, 'printer'), host.printer);
    await vp.start();
    cleanup.push(() => vp.stop());

    await octoPrintSession(
      vp.path,
      () => host.printer.lookupObject<{ getPosition(): number[] }>('toolhead').getPosition(),
      /^ok T:\d+\.\d \/0\.0$/,
    );
  }, 30_000);

  it('the port named by [virtual_printer] in printer.cfg opens with the sim printer and prints', async () => {
    const dir = path.join(testOutputDir, 'virtual-printer', `cfg-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const ptyPath = path.join(dir, 'printer');
    const p = await startLivePrinter('virtual-printer', { edit: (cfg) => `${cfg}\n[virtual_printer]\nserial: ${ptyPath}\n` });
    try {
      const section = p.host.printer.lookupObject<VirtualPrinterSection>('virtual_printer');
      await section.opened;
      expect(section.getStatus()).toEqual({ serial: ptyPath, is_open: true, error: null });
      // Both heaters report, Marlin style.
      const position = () => p.host.printer.lookupObject<{ getPosition(): number[] }>('toolhead').getPosition();
      await octoPrintSession(ptyPath, position, /^ok T:\d+\.\d \/0\.0 B:\d+\.\d \/0\.0$/);
    } finally {
      await p.stop();
    }
    // The host stopping closed the port: socat removes the link.
    const t0 = Date.now();
    while (existsSync(ptyPath) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(ptyPath)).toBe(false);
  }, 60_000);
});

// The whole host on Tether's AVR firmware on simulated silicon: resources/printers/tether-sim.cfg
// (RAMPS pins on an atmega2560) served by simavr-printer over a pty in real time, with a heater
// model on the hotend. The host starts and heats (M104 + TEMPERATURE_WAIT). Moves from G-code
// are the unfinished part (see the todo below); homing is not in the host yet.
// Thermistors on ADC4/ADC3 (PF4/PF3): port K's ADC channels read full scale in simavr.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Host } from '../../../src-main/host/host';
import { repoRoot, testOutputDir } from '../../support/paths';
import { toolsPresent } from '../../support/tools';
import { buildAvr, printerBin } from '../../tools/simavr-printer/harness';

const procs: ChildProcess[] = [];
afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
});

describe.skipIf(!toolsPresent('avr-gcc', 'cc'))('live host on the AVR firmware in simavr', () => {
  it('starts and heats the hotend (M104 + TEMPERATURE_WAIT)', { timeout: 120_000 }, async () => {
    const img = buildAvr('atmega2560', 16000000);
    const dir = path.join(testOutputDir, 'avr-live');
    mkdirSync(dir, { recursive: true });
    const tty = path.join(dir, 'tty');
    const report = path.join(dir, 'report.json');
    const cfg = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8')
      .replace(/^serial: .*$/m, `serial: ${tty}`)
      .replace('sensor_pin: PK5', 'sensor_pin: PF4\nmin_extrude_temp: 40')
      .replace('sensor_pin: PK6', 'sensor_pin: PF3');
    const configPath = path.join(dir, 'printer.cfg');
    writeFileSync(configPath, cfg);

    const proc = spawn(
      printerBin,
      [
        '--mcu',
        'atmega2560',
        '--freq',
        '16000000',
        '--elf',
        path.join(img.dir, 'tether.elf'),
        '--pty',
        '--link',
        tty,
        '--speed',
        '1',
        '--report',
        report,
        '--heater',
        'PB4:4',
        '--stepper',
        'PF0:PF1',
        '--stepper',
        'PF6:PF7',
        '--stepper',
        'PL3:PL1',
        '--stepper',
        'PA4:PA6',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    procs.push(proc);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('pty: ')) resolve();
      });
      proc.on('exit', (c) => reject(new Error(`simavr-printer exited (${c})`)));
    });

    const host = await Host.start({ configPath });
    await host.started;
    const log: string[] = [];
    const off = host.gcode.onResponse((_k, t) => log.push(t));
    try {
      expect(host.printer.state, host.printer.stateMessage).toBe('ready');
      // M104 + TEMPERATURE_WAIT rather than M109: the host's PID is tuned for a real hotend and
      // settles slowly on this fast test model (M109 waits for +-1 C).
      await host.gcode.run('M104 S50\nTEMPERATURE_WAIT SENSOR=extruder MINIMUM=48');
      log.length = 0;
      await host.gcode.run('M105');
      const temp = Number(/T0:([\d.]+)/.exec(log.join('\n'))![1]);
      expect(temp).toBeGreaterThan(47);
      expect(host.printer.state, host.printer.stateMessage).toBe('ready');
    } finally {
      off();
      await host.stop();
    }
    await new Promise<void>((resolve) => {
      proc.on('exit', () => resolve());
      proc.kill('SIGTERM');
    });
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.rises.PB4).toBeGreaterThan(0); // the heater pin switched
    expect(r.heater_c).toBeGreaterThan(40);
  });

  // UNFINISHED: live G1 moves (after SET_KINEMATIC_POSITION) reach M400 without a step edge on
  // the simulated pins (the same moves step on tether-sim, and queued steps from our MCU link
  // step on this firmware: see avr-host.test.ts). Not yet found whether the host's live motion
  // or the firmware is at fault; homing is not in the host yet.
  it.todo('moves every axis from G-code; counted steps equal distance x steps/mm');
});

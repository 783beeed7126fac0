// Tether's AVR firmware on simulated silicon, driven by our host's MCU link over a real pty:
// simavr-printer runs the atmega2560 image paced to wall-clock time, with UART0 on a pty, the
// thermistor voltages on the ADC inputs and every pin edge counted. The host connects,
// identifies, configures steppers and an analog input, queues steps through its move queue, and
// the executed step edges (counted by the simulator, not the firmware) equal the planned ones.
// simavr 1.6 faults worked around: the firmware idles with `sei; sleep` (interrupts are taken
// two instructions after `sei`), never writes TIFR1 and extends Timer1 without TOV1 (simavr clears
// every Timer1 flag together); the board program feeds received bytes at the wire rate (the
// firmware's UART runs without U2X, which simavr ignores; it drops bytes raised faster).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Mcu } from '../../../src-main/host/mcu/mcu';
import { testOutputDir } from '../../support/paths';
import { toolsPresent } from '../../support/tools';
import { buildAvr, printerBin } from '../../tools/simavr-printer/harness';

const procs: ChildProcess[] = [];
afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
});

async function startPrinter(elf: string, report: string, extra: string[]): Promise<{ proc: ChildProcess; pty: string }> {
  const proc = spawn(
    printerBin,
    ['--mcu', 'atmega2560', '--freq', '16000000', '--elf', elf, '--pty', '--speed', '1', '--report', report, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  procs.push(proc);
  let out = '';
  const pty = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`simavr-printer printed no pty:\n${out}`)), 15_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^pty: (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => reject(new Error(`simavr-printer exited (${code}):\n${out}`)));
  });
  return { proc, pty };
}

describe.skipIf(!toolsPresent('avr-gcc', 'cc'))('AVR firmware on simavr with our MCU link', () => {
  it('connects, identifies, configures and runs queued steps counted on the pins', { timeout: 90_000 }, async () => {
    const img = buildAvr('atmega2560', 16000000);
    const dir = path.join(testOutputDir, 'avr-host');
    mkdirSync(dir, { recursive: true });
    const report = path.join(dir, 'report.json');
    const { proc, pty } = await startPrinter(path.join(img.dir, 'tether.elf'), report, ['--stepper', 'PF0:PF1', '--stepper', 'PF6:PF7']);

    const mcu = new Mcu({ name: 'mcu', serialPort: pty, baud: 250000, connectTimeoutS: 60 });
    const shutdowns: string[] = [];
    mcu.on('shutdown', (r: string) => shutdowns.push(r));
    const x = mcu.createOid();
    const y = mcu.createOid();
    const adc = mcu.createOid();
    mcu.addConfigCmd(`config_stepper oid=${x} step_pin=PF0 dir_pin=PF1 invert_step=0 step_pulse_ticks=0`);
    mcu.addConfigCmd(`config_stepper oid=${y} step_pin=PF6 dir_pin=PF7 invert_step=0 step_pulse_ticks=0`);
    mcu.addConfigCmd(`config_analog_in oid=${adc} pin=PF5`);
    const adcSums: number[] = [];
    mcu.registerResponse(
      (params) => {
        const v = params.values as Uint8Array;
        adcSums.push(v[0] | (v[1] << 8));
      },
      'analog_in_state',
      adc,
    );
    await mcu.connect();
    try {
      expect(mcu.getConstant('MCU')).toBe('atmega2560');
      expect(mcu.clockFreq).toBe(16000000);
      const freq = mcu.clockFreq;
      const now = () => mcu.printTimeToClock(mcu.estimatedPrintTime(mcu.monotonic()));
      mcu
        .lookupCommand(
          'query_analog_in oid=%c clock=%u sample_ticks=%u sample_count=%c rest_ticks=%u bytes_per_report=%c min_value=%hu max_value=%hu range_check_count=%c',
        )
        .send([adc, Math.round(now() + 0.2 * freq) >>> 0, 1600, 8, Math.round(0.3 * freq), 2, 0, 8 * 1023, 4]);

      const start = Math.round(now() + 0.4 * freq);
      const runs: [number, number, number, number][] = [
        [x, 4000, 500, 0], // 4 kHz
        [x, 3000, 400, 3],
        [y, 8000, 300, 0],
        [y, 6000, 200, -5],
      ];
      const resetClock = mcu.lookupCommand('reset_step_clock oid=%c clock=%u');
      const setDir = mcu.lookupCommand('set_next_step_dir oid=%c dir=%c');
      const queueStep = mcu.lookupCommand('queue_step oid=%c interval=%u count=%hu add=%hi');
      const clocks = new Map<number, number>();
      for (const oid of [x, y]) {
        resetClock.send([oid, start >>> 0], { reqClock: start });
        setDir.send([oid, oid === x ? 1 : 0]);
        clocks.set(oid, start);
      }
      for (const [oid, iv, count, add] of runs) {
        const t0 = clocks.get(oid)!;
        queueStep.send([oid, iv, count, add], { reqClock: t0 });
        clocks.set(oid, t0 + iv * count + (add * count * (count - 1)) / 2);
      }
      await mcu.flush();
      const end = Math.max(...clocks.values());
      await new Promise((r) => setTimeout(r, Math.max(0, ((end - now()) / freq) * 1000 + 700)));
      const position = mcu.lookupQueryCommand('stepper_get_position oid=%c', 'stepper_position oid=%c pos=%i');
      expect((await position.send([x])).pos).toBe(900);
      expect(shutdowns).toEqual([]);
      expect(adcSums.length).toBeGreaterThan(0);
      // 100k NTC at 25 C: ~977 per sample, 8 samples.
      expect(adcSums[0]).toBeGreaterThan(8 * 960);
      expect(adcSums[0]).toBeLessThan(8 * 990);
    } finally {
      await mcu.close();
    }
    await new Promise<void>((resolve) => {
      proc.on('exit', () => resolve());
      proc.kill('SIGTERM');
    });
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.rises.PF0).toBe(900); // planned: 500 + 400
    expect(r.rises.PF6).toBe(500); // planned: 300 + 200
    expect(r.positions.PF0).toBe(900);
    expect(r.positions.PF6).toBe(-500);
  });
});

// Tether's STM32 firmware under QEMU (netduinoplus2 = STM32F405, USART1 on a pty) driven by our
// host's MCU link (src-main/host/mcu): it connects, identifies, configures two steppers, runs
// queued steps, and the MCU's own step counts (stepper_get_position, counted in the step path)
// equal the planned ones. QEMU has no GPIO observer, so the steps are counted by the firmware.
// QEMU's STM32F4 model lacks an RCC (no PLL lock: the qemu build skips clock setup), a cycle
// counter and timer compare interrupts, so the board uses SysTick as its clock (see
// firmware/boards/stm32/main.c).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Mcu } from '../../src-main/host/mcu/mcu';
import { repoRoot } from '../support/paths';
import { toolsPresent } from '../support/tools';
import { startQemuStm32, type QemuBoard } from '../tools/qemu/stm32-qemu';

const boards: QemuBoard[] = [];
afterAll(async () => {
  for (const b of boards) await b.stop();
});

describe.skipIf(!toolsPresent('arm-none-eabi-gcc', 'qemu-system-arm'))('STM32 firmware under QEMU', () => {
  it('connects, identifies and runs queued steps on an STM32F405', { timeout: 90_000 }, async () => {
    execFileSync('make', ['-s', '-C', path.join(repoRoot, 'firmware'), 'stm32', 'MCU=qemu-stm32f405'], { stdio: 'pipe' });
    const elf = path.join(repoRoot, 'firmware/build/stm32-qemu-stm32f405-0/tether.elf');
    const board = await startQemuStm32(elf, 'identify-steps');
    boards.push(board);

    const mcu = new Mcu({ name: 'mcu', serialPort: board.pty, baud: 250000, connectTimeoutS: 60 });
    const shutdowns: string[] = [];
    mcu.on('shutdown', (r: string) => shutdowns.push(r));
    const x = mcu.createOid();
    const y = mcu.createOid();
    mcu.addConfigCmd(`config_stepper oid=${x} step_pin=PA5 dir_pin=PA6 invert_step=0 step_pulse_ticks=0`);
    mcu.addConfigCmd(`config_stepper oid=${y} step_pin=PB5 dir_pin=PB6 invert_step=0 step_pulse_ticks=0`);
    const connected = mcu.connect();
    await new Promise((r) => setTimeout(r, 300)); // the host has the pty open: let the chip run
    await board.resume();
    await connected;
    try {
      expect(mcu.getConstant('MCU')).toBe('qemu-stm32f405');
      expect(mcu.clockFreq).toBe(168000000);
      expect(mcu.getStatus().moveCount).toBeGreaterThan(100);

      const freq = mcu.clockFreq;
      const start = Math.round(mcu.printTimeToClock(mcu.estimatedPrintTime(mcu.monotonic()) + 0.3));
      const interval = Math.round(freq / 2000); // 2 kHz
      const runs: [number, number, number, number][] = [
        [x, interval, 400, 0],
        [x, interval, 300, -20],
        [y, interval * 2, 250, 0],
      ];
      const resetClock = mcu.lookupCommand('reset_step_clock oid=%c clock=%u');
      const setDir = mcu.lookupCommand('set_next_step_dir oid=%c dir=%c');
      const queueStep = mcu.lookupCommand('queue_step oid=%c interval=%u count=%hu add=%hi');
      for (const oid of [x, y]) {
        resetClock.send([oid, start >>> 0], { reqClock: start });
        setDir.send([oid, oid === x ? 1 : 0]);
      }
      const clocks = new Map<number, number>([[x, start], [y, start]]);
      for (const [oid, iv, count, add] of runs) {
        const t0 = clocks.get(oid)!;
        queueStep.send([oid, iv, count, add], { reqClock: t0 });
        clocks.set(oid, t0 + iv * count + (add * count * (count - 1)) / 2);
      }
      await mcu.flush();
      const end = Math.max(...clocks.values());
      const waitS = (end - mcu.printTimeToClock(mcu.estimatedPrintTime(mcu.monotonic()))) / freq + 0.5;
      await new Promise((r) => setTimeout(r, Math.max(0, waitS * 1000)));

      const position = mcu.lookupQueryCommand('stepper_get_position oid=%c', 'stepper_position oid=%c pos=%i');
      const px = await position.send([x]);
      const py = await position.send([y]);
      expect(shutdowns).toEqual([]);
      expect(px.pos).toBe(400 + 300);
      expect(py.pos).toBe(-250);
    } finally {
      await mcu.close();
    }
  });
});

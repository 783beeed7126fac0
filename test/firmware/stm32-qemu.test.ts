// Tether's STM32 firmware under QEMU (netduinoplus2 = STM32F405, USART1 on a pty) driven by our
// host's MCU link (src-main/host/mcu): it connects, identifies, configures two steppers and a
// hardware PWM output, runs queued steps and a queued PWM value (read back from TIM2's compare
// register through the QEMU monitor), and the MCU's own step counts (stepper_get_position, counted in the step path)
// equal the planned ones. QEMU has no GPIO observer, so the steps are counted by the firmware.
// The timers run in the SysTick interrupt (the main loop no longer polls them), so these steps
// prove the interrupt dispatch; a stepper with a 5 us step_pulse_ticks proves the split step
// (the pulse ended by the stepper's own timer, two runs) counts right on the QEMU build's clock
// (not its width: QEMU's GPIO is not observable and its CPU is not cycle-timed). A max_duration watchdog shutting down from the timer interrupt
// proves the interrupt's way back to the main loop: the link still answers, and after
// clear_shutdown the timer interrupt steps again (a longjmp out of the interrupt fails this).
// QEMU's STM32F4 model lacks an RCC (the qemu build skips clock setup) and the DWT cycle
// counter, so that build reads TIM5's counter as its clock (firmware/boards/stm32/main.c).
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Mcu, McuCommand } from '../../src-main/host/mcu/mcu';
import { repoRoot } from '../support/paths';
import { toolsPresent } from '../support/tools';
import { startQemuStm32, type QemuBoard } from '../tools/qemu/stm32-qemu';
import { makeFirmware } from '../tools/simavr-printer/harness';

const boards: QemuBoard[] = [];
afterAll(async () => {
  for (const b of boards) await b.stop();
});

describe.skipIf(!toolsPresent('arm-none-eabi-gcc', 'qemu-system-arm'))('STM32 firmware under QEMU', () => {
  it('connects, identifies and runs queued steps on an STM32F405', { timeout: 150_000 }, async () => {
    makeFirmware(['stm32', 'MCU=qemu-stm32f405']);
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
    const z = mcu.createOid(); // 5 us pulses (1000 ticks at 200 MHz): ended by the stepper's own timer
    mcu.addConfigCmd(`config_stepper oid=${z} step_pin=PB7 dir_pin=PB8 invert_step=0 step_pulse_ticks=1000`);
    const fan = mcu.createOid(); // hardware PWM: PA1 = TIM2 channel 2
    mcu.addConfigCmd(`config_pwm_out oid=${fan} pin=PA1 cycle_ticks=16800 value=0 default_value=0 max_duration=0`);
    const connected = mcu.connect();
    await new Promise((r) => setTimeout(r, 300)); // the host has the pty open: let the chip run
    await board.resume();
    await connected;
    try {
      expect(mcu.getConstant('MCU')).toBe('qemu-stm32f405');
      expect(mcu.clockFreq).toBe(200000000); // TIM5 at 1 GHz / 5 (QEMU has no cycle counter)
      expect(mcu.getStatus().moveCount).toBeGreaterThan(100);

      const freq = mcu.clockFreq;
      const start = Math.round(mcu.printTimeToClock(mcu.estimatedPrintTime(mcu.monotonic()) + 0.5));
      const interval = Math.round(freq / 2000); // 2 kHz
      const runs: [number, number, number, number][] = [
        [x, interval, 400, 0],
        [x, interval, 300, -20],
        [y, interval * 2, 250, 0],
        [z, interval, 500, 0],
        [z, interval, 200, 10],
      ];
      const resetClock = mcu.lookupCommand('reset_step_clock oid=%c clock=%u');
      const setDir = mcu.lookupCommand('set_next_step_dir oid=%c dir=%c');
      const queueStep = mcu.lookupCommand('queue_step oid=%c interval=%u count=%hu add=%hi');
      for (const oid of [x, y, z]) {
        resetClock.send([oid, start >>> 0], { reqClock: start });
        setDir.send([oid, oid === y ? 0 : 1]);
      }
      const clocks = new Map<number, number>([
        [x, start],
        [y, start],
        [z, start],
      ]);
      for (const [oid, iv, count, add] of runs) {
        const t0 = clocks.get(oid)!;
        queueStep.send([oid, iv, count, add], { reqClock: t0 });
        clocks.set(oid, t0 + iv * count + (add * count * (count - 1)) / 2);
      }
      mcu.lookupCommand('queue_pwm_out oid=%c clock=%u value=%hu').send([fan, start >>> 0, 200], { reqClock: start });
      await mcu.flush();
      const end = Math.max(...clocks.values());
      const waitS = (end - mcu.printTimeToClock(mcu.estimatedPrintTime(mcu.monotonic()))) / freq + 0.5;
      await new Promise((r) => setTimeout(r, Math.max(0, waitS * 1000)));

      const position = mcu.lookupQueryCommand('stepper_get_position oid=%c', 'stepper_position oid=%c pos=%i');
      // QEMU emulates the chip slower than real time when the machine is busy (CI runs test
      // files in parallel): be patient with the reply, as with a slow board, but bounded.
      const positionOf = async (oid: number): Promise<{ pos: number }> => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          try {
            return (await position.send([oid])) as { pos: number };
          } catch (e) {
            if (shutdowns.length > 0) throw new Error(`the MCU shut down: ${shutdowns.join('; ')}`);
            if (Date.now() > deadline) throw e;
          }
        }
      };
      const px = await positionOf(x);
      const py = await positionOf(y);
      const pz = await positionOf(z);
      expect(shutdowns).toEqual([]);
      expect(px.pos).toBe(400 + 300);
      expect(py.pos).toBe(-250);
      expect(pz.pos).toBe(500 + 200);
      // The PWM value reached TIM2's compare register (CCR2 at 0x40000038), enabled (CCER CC2E).
      expect(await board.readWord(0x40000038)).toBe(200);
      expect((await board.readWord(0x40000020)) & 0x10).toBe(0x10);
    } finally {
      await mcu.close();
      await board.stop(); // an idle QEMU still spins the firmware's main loop: free the CPU
    }
  });
  it('returns to the main loop after a shutdown raised in the timer interrupt', { timeout: 150_000 }, async () => {
    makeFirmware(['stm32', 'MCU=qemu-stm32f405']);
    const elf = path.join(repoRoot, 'firmware/build/stm32-qemu-stm32f405-0/tether.elf');
    const board = await startQemuStm32(elf, 'irq-shutdown');
    boards.push(board);
    const mcu = new Mcu({ name: 'mcu', serialPort: board.pty, baud: 250000, connectTimeoutS: 60 });
    const shutdowns: string[] = [];
    mcu.on('shutdown', (r: string) => shutdowns.push(r));
    const out = mcu.createOid(); // a heater-like output whose watchdog expires: nobody refreshes it
    mcu.addConfigCmd(`config_digital_out oid=${out} pin=PC13 value=0 default_value=0 max_duration=${200000000 / 10}`);
    const x = mcu.createOid();
    mcu.addConfigCmd(`config_stepper oid=${x} step_pin=PA5 dir_pin=PA6 invert_step=0 step_pulse_ticks=20`);
    const connected = mcu.connect();
    await new Promise((r) => setTimeout(r, 300));
    await board.resume();
    await connected;
    try {
      const on = Math.round(mcu.printTimeToClock(mcu.estimatedPrintTime(mcu.monotonic()) + 0.5));
      mcu.lookupCommand('queue_digital_out oid=%c clock=%u on_ticks=%u').send([out, on >>> 0, 1], { reqClock: on });
      await mcu.flush();
      const deadline = Date.now() + 30_000;
      while (shutdowns.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(shutdowns.join()).toMatch(/Missed scheduling of next digital out event/);
      // The main loop answers, with the clock moving on.
      const getClock = mcu.lookupQueryCommand('get_clock', 'clock clock=%u');
      const c1 = ((await getClock.send([])) as { clock: number }).clock;
      await new Promise((r) => setTimeout(r, 200));
      const c2 = ((await getClock.send([])) as { clock: number }).clock;
      expect((c2 - c1) >>> 0).toBeGreaterThan(0);
      // And the timer interrupt runs again once the shutdown is cleared (after a longjmp out of
      // the interrupt SysTick would stay active, never to be taken again): steps run. Sent as
      // plain commands: the host drops move-queue commands to an MCU it saw shut down.
      const plain = (format: string) => new McuCommand(mcu, mcu.lookupCommand(format).format, undefined, false);
      plain('clear_shutdown').send([]);
      const start = (c2 + 200000000 / 2) >>> 0; // 0.5 s on
      plain('reset_step_clock oid=%c clock=%u').send([x, start]);
      plain('queue_step oid=%c interval=%u count=%hu add=%hi').send([x, 100000, 300, 0]); // 2 kHz
      await new Promise((r) => setTimeout(r, 2500));
      const position = mcu.lookupQueryCommand('stepper_get_position oid=%c', 'stepper_position oid=%c pos=%i');
      expect(((await position.send([x])) as { pos: number }).pos).toBe(-300); // dir 0
      expect(shutdowns).toHaveLength(1);
    } finally {
      await mcu.close();
      await board.stop(); // an idle QEMU still spins the firmware's main loop: free the CPU
    }
  });
});

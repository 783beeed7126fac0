// Figures of the STM32 timer interrupt under QEMU (prints, asserts nothing):
//   npx tsx test/tools/qemu/stm32-timer-figures.ts [--icount]
// Runs the qemu-stm32f405 build, queues steps on three steppers (one with 5 us pulses) while the
// host keeps querying the clock, then reads the firmware's count of timer-interrupt entries that
// met their first timer not yet due (the alarm came early enough and the wait loop timed the
// edge) or overdue (and by how much). Without --icount QEMU delivers SysTick whenever its own
// timer thread gets to it (0.1-1 ms late: every entry is late). With --icount
// (-icount shift=auto) virtual time follows executed instructions and the interrupt comes at
// its instruction, so lateness shows the interrupt entry's own cost in virtual time (QEMU's
// instructions are not cycle-timed: this is the mechanism at work, not silicon's figure).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Mcu } from '../../../src-main/host/mcu/mcu';
import { repoRoot } from '../../support/paths';
import { makeFirmware } from '../simavr-printer/harness';
import { startQemuStm32 } from './stm32-qemu';

const CLOCK_HZ = 200_000_000; // the QEMU build's clock (TIM5 at 1 GHz / 5)

async function main(): Promise<void> {
  const icount = process.argv.includes('--icount');
  makeFirmware(['stm32', 'MCU=qemu-stm32f405']);
  const elf = path.join(repoRoot, 'firmware/build/stm32-qemu-stm32f405-0/tether.elf');
  const syms = execFileSync('arm-none-eabi-nm', [elf], { encoding: 'utf8' });
  const statsAt = Number.parseInt(/^([0-9a-f]+) B stm32_timer_entry_stats$/m.exec(syms)![1], 16);
  const board = await startQemuStm32(elf, 'timer-figures', { icount });
  const mcu = new Mcu({ name: 'mcu', serialPort: board.pty, baud: 250000, connectTimeoutS: 60 });
  const shutdowns: string[] = [];
  mcu.on('shutdown', (r: string) => shutdowns.push(r));
  const oids = [0, 1, 2].map(() => mcu.createOid());
  const pins = ['PA5', 'PB5', 'PB7'];
  oids.forEach((oid, i) =>
    mcu.addConfigCmd(`config_stepper oid=${oid} step_pin=${pins[i]} dir_pin=PC${i} invert_step=0 step_pulse_ticks=${i === 2 ? 1000 : 20}`),
  );
  const connected = mcu.connect();
  await new Promise((r) => setTimeout(r, 300));
  await board.resume();
  await connected;
  try {
    const start = Math.round(mcu.printTimeToClock(mcu.estimatedPrintTime(mcu.monotonic()) + 0.5));
    const rateHz = 4000;
    const count = 4000; // 1 s
    const resetClock = mcu.lookupCommand('reset_step_clock oid=%c clock=%u');
    const queueStep = mcu.lookupCommand('queue_step oid=%c interval=%u count=%hu add=%hi');
    for (const [i, oid] of oids.entries()) {
      const t0 = start + i * 1000; // apart, so each step has its own interrupt entry
      resetClock.send([oid, t0 >>> 0], { reqClock: t0 });
      queueStep.send([oid, Math.round(CLOCK_HZ / rateHz), count, 0], { reqClock: t0 });
    }
    await mcu.flush();
    const getClock = mcu.lookupQueryCommand('get_clock', 'clock clock=%u');
    const until = Date.now() + 2500;
    let queries = 0;
    while (Date.now() < until && shutdowns.length === 0) {
      await getClock.send([]);
      queries++;
    }
    const [onTime, late, lateMax] = [await board.readWord(statsAt), await board.readWord(statsAt + 4), await board.readWord(statsAt + 8)];
    console.log(
      `QEMU ${icount ? '-icount shift=auto' : 'real time'}: 3 steppers x ${count} steps at ${rateHz} Hz, ${queries} clock queries meanwhile`,
    );
    console.log(`  timer interrupt entries: ${onTime} found their timer not yet due, ${late} found it overdue`);
    console.log(`  largest lateness at entry: ${lateMax} ticks (${((lateMax / CLOCK_HZ) * 1e6).toFixed(2)} us)`);
    if (shutdowns.length) console.log(`  shutdown: ${shutdowns.join('; ')}`);
  } finally {
    await mcu.close();
    await board.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

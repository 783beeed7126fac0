// The STM32 SPI bus driver under QEMU (netduinoplus2 = STM32F405, whose SPI1 QEMU models with
// no device attached): Klipper's host sequence for an SPI TMC driver on a hardware bus
// (config_spi, spi_set_bus spi1 mode 3) configures, and spi_transfer completes with as many
// bytes as sent (QEMU's empty bus reads zeros). This checks the register handshake (TXE/RXNE)
// and bus set-up do not hang or shut down, not the SCK timing (QEMU's SPI has none).
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Mcu } from '../../src-main/host/mcu/mcu';
import { repoRoot } from '../support/paths';
import { toolsPresent } from '../support/tools';
import { startQemuStm32, type QemuBoard } from '../tools/qemu/stm32-qemu';
import { makeFirmware } from '../tools/simavr-printer/harness';

const boards: QemuBoard[] = [];
afterAll(async () => {
  for (const b of boards) await b.stop();
});

describe.skipIf(!toolsPresent('arm-none-eabi-gcc', 'qemu-system-arm'))('STM32 hardware SPI under QEMU', () => {
  it('spi_transfer on spi1 answers with as many bytes as it sent', { timeout: 150_000 }, async () => {
    makeFirmware(['stm32', 'MCU=qemu-stm32f405']);
    const elf = path.join(repoRoot, 'firmware/build/stm32-qemu-stm32f405-0/tether.elf');
    const board = await startQemuStm32(elf, 'spi');
    boards.push(board);
    const mcu = new Mcu({ name: 'mcu', serialPort: board.pty, baud: 250000, connectTimeoutS: 60 });
    const shutdowns: string[] = [];
    mcu.on('shutdown', (r: string) => shutdowns.push(r));
    const spi = mcu.createOid();
    mcu.addConfigCmd(`config_spi oid=${spi} pin=PA4 cs_active_high=0`);
    mcu.addConfigCmd(`spi_set_bus oid=${spi} spi_bus=spi1 mode=3 rate=4000000`);
    const connected = mcu.connect();
    await new Promise((r) => setTimeout(r, 300));
    await board.resume();
    await connected;
    try {
      const transfer = mcu.lookupQueryCommand('spi_transfer oid=%c data=%*s', 'spi_transfer_response oid=%c response=%*s', spi);
      const r = (await transfer.send([spi, Uint8Array.of(0x6f, 0, 0, 0, 0)])) as { oid: number; response: Uint8Array };
      expect(r.oid).toBe(spi);
      expect([...r.response]).toHaveLength(5);
      expect(shutdowns).toEqual([]);
    } finally {
      await mcu.close();
    }
  });
});

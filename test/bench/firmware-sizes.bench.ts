// Firmware image sizes: every AVR chip (16 MHz) and every catalog STM32 F1/F4 board build (and
// the USB CDC build of the native-USB F4 boards), with
// flash used against what the bootloader leaves and static RAM against the chip's RAM.
// Run: npx tsx test/bench/firmware-sizes.bench.ts
import { firmwareTargets, imageSizes } from '../firmware/firmware-targets';
import { usbFirmwareTargets } from '../firmware/stm32-usb-targets';
import { makeFirmware } from '../tools/simavr-printer/harness';

console.log('Firmware sizes (flash = text + data; RAM = data + bss)');
console.log(`${'target'.padEnd(40)} ${'flash'.padStart(8)} ${'of'.padStart(8)} ${'RAM'.padStart(7)} ${'of'.padStart(7)}`);
for (const t of [...firmwareTargets(), ...usbFirmwareTargets()]) {
  makeFirmware(t.makeArgs);
  const s = imageSizes(t);
  console.log(
    `${t.label.padEnd(40)} ${String(s.flash).padStart(8)} ${String(t.flashAvailable).padStart(8)} ${String(s.ram).padStart(7)} ${String(t.ramBytes).padStart(7)}`,
  );
}

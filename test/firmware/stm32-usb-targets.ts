// The USB CDC images (SERIAL=usb) of the catalog boards whose connector is the chip's own
// USB port ("interface": "usb-native"). Only the F4's OTG_FS has a driver; native-USB boards on
// other chips are listed so the gap stays visible.
import { catalog, firmwareTargets, type FirmwareTarget } from './firmware-targets';

// Catalog chips with native-USB boards but no USB driver yet.
export const USB_UNSUPPORTED_STM32 = ['stm32f103xc', 'stm32g0b1xe'];

export function usbFirmwareTargets(): FirmwareTarget[] {
  const nativeUsb = new Set(catalog.boards.filter((b) => (b as { interface?: string }).interface === 'usb-native').map((b) => b.id));
  return firmwareTargets()
    .filter((t) => t.family === 'stm32' && t.mcu.startsWith('stm32f4') && t.boards.some((id) => nativeUsb.has(id)))
    .map((t) => ({
      ...t,
      label: `${t.label} usb`,
      makeArgs: [...t.makeArgs, 'SERIAL=usb'],
      elf: t.elf.replace(/\/tether\.elf$/, '-usb/tether.elf'),
      boards: t.boards.filter((id) => nativeUsb.has(id)),
    }));
}

export function nativeUsbMcus(): string[] {
  return [
    ...new Set(
      catalog.boards
        .filter((b) => (b as { interface?: string }).interface === 'usb-native' && catalog.mcus[b.mcu]?.family === 'stm32')
        .map((b) => b.mcu),
    ),
  ].sort();
}

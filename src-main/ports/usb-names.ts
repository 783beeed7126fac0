import type { PortKind } from './types';

interface KnownUsbId {
  vendorId: string;
  /** Omitted: any product of that vendor. */
  productId?: string;
  /** Only when the device's USB product or manufacturer string is this (shared test ids). */
  usbString?: string;
  name: string;
  kind: PortKind;
}

/**
 * USB ids seen on 3D-printer boards. Facts from the vendors' published id lists; the
 * Klipper/Tether ids are the ones their USB firmware reports (1d50:614e is the id Klipper's
 * USB firmware uses from OpenMoko's open-source allocation).
 */
/**
 * How Tether's own firmware identifies over native USB (STM32 USB CDC builds); see
 * resources/boards/usb-id.md. 1209:0001 is pid.codes' shared *test* id: fine for development,
 * never for devices handed to others (a Tether PID must be requested from pid.codes before a
 * release). So the name is given only when the product string also says "Tether".
 */
export const TETHER_USB = { vendorId: '1209', productId: '0001', manufacturer: 'Tether', product: 'Tether' } as const;

export const KNOWN_USB_IDS: readonly KnownUsbId[] = [
  { vendorId: TETHER_USB.vendorId, productId: TETHER_USB.productId, usbString: TETHER_USB.product, name: 'Tether firmware (USB)', kind: 'klipper' },
  { vendorId: TETHER_USB.vendorId, productId: TETHER_USB.productId, name: 'pid.codes test device (1209:0001)', kind: 'unknown' },
  { vendorId: '1a86', productId: '7523', name: 'CH340 USB-serial', kind: 'usb-serial-bridge' },
  { vendorId: '1a86', productId: '5523', name: 'CH341 USB-serial', kind: 'usb-serial-bridge' },
  { vendorId: '1a86', productId: '55d4', name: 'CH9102 USB-serial', kind: 'usb-serial-bridge' },
  { vendorId: '10c4', productId: 'ea60', name: 'CP210x USB-serial', kind: 'usb-serial-bridge' },
  { vendorId: '0403', productId: '6001', name: 'FTDI FT232R USB-serial', kind: 'usb-serial-bridge' },
  { vendorId: '0403', productId: '6015', name: 'FTDI FT231X USB-serial', kind: 'usb-serial-bridge' },
  { vendorId: '0403', name: 'FTDI USB-serial', kind: 'usb-serial-bridge' },
  { vendorId: '067b', productId: '2303', name: 'Prolific PL2303 USB-serial', kind: 'usb-serial-bridge' },
  { vendorId: '0483', productId: '5740', name: 'STM32 USB CDC (Marlin or stock firmware)', kind: 'native-usb-mcu' },
  { vendorId: '0483', productId: 'df11', name: 'STM32 in DFU bootloader', kind: 'bootloader' },
  { vendorId: '1d50', productId: '614e', name: 'Klipper firmware (USB)', kind: 'klipper' },
  { vendorId: '1d50', productId: '6177', name: 'Katapult/CanBoot bootloader', kind: 'bootloader' },
  { vendorId: '2e8a', productId: '0003', name: 'RP2040 in BOOTSEL (USB drive)', kind: 'bootloader' },
  { vendorId: '2e8a', productId: '000a', name: 'RP2040 USB CDC (Pico SDK)', kind: 'native-usb-mcu' },
  { vendorId: '2341', productId: '0042', name: 'Arduino Mega 2560 R3', kind: 'usb-serial-bridge' },
  { vendorId: '2341', productId: '0010', name: 'Arduino Mega 2560', kind: 'usb-serial-bridge' },
  { vendorId: '2341', productId: '0043', name: 'Arduino Uno R3', kind: 'usb-serial-bridge' },
  { vendorId: '2341', productId: '0001', name: 'Arduino Uno', kind: 'usb-serial-bridge' },
  { vendorId: '2341', name: 'Arduino', kind: 'usb-serial-bridge' },
  { vendorId: '2a03', name: 'Arduino (arduino.org)', kind: 'usb-serial-bridge' },
  { vendorId: '03eb', productId: '6124', name: 'Atmel SAM-BA bootloader', kind: 'bootloader' },
];

/** Normalises ids to 4 lowercase hex digits ("0x1A86", "1A86" -> "1a86"). */
export function normaliseUsbId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const hex = id.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(hex) ? hex.padStart(4, '0') : undefined;
}

/**
 * The known name for a VID:PID. `strings` are the device's USB product/manufacturer strings:
 * shared ids (pid.codes' test id) are named only when one of them matches.
 */
export function lookupUsbId(vendorId?: string, productId?: string, strings: (string | undefined)[] = []): { name: string; kind: PortKind } | undefined {
  const vid = normaliseUsbId(vendorId);
  const pid = normaliseUsbId(productId);
  if (!vid) return undefined;
  const said = strings.filter((x): x is string => !!x).map((x) => x.trim().toLowerCase());
  const exact = KNOWN_USB_IDS.find((k) => k.vendorId === vid && k.productId === pid && (!k.usbString || said.includes(k.usbString.toLowerCase())));
  const anyProduct = KNOWN_USB_IDS.find((k) => k.vendorId === vid && k.productId === undefined);
  const hit = exact ?? anyProduct;
  return hit ? { name: hit.name, kind: hit.kind } : undefined;
}

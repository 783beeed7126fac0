import { describe, expect, it } from 'vitest';
import { describePort, lookupUsbId, TETHER_USB } from '../../../src-main/ports';

// Tether's STM32 USB CDC firmware reports pid.codes' test id 1209:0001 with the product string
// "Tether" (resources/boards/usb-id.md). The id is shared by every test device, so the name is
// given only with the string.
const noLinks = { byId: new Map<string, string>(), byPath: new Map<string, string>() };
const tetherAcm = {
  path: '/dev/ttyACM2',
  vendorId: '1209',
  productId: '0001',
  manufacturer: 'Tether',
  serialNumber: '32002F001851303232383230',
  pnpId: 'usb-Tether_Tether_32002F001851303232383230-if00',
};

describe("Tether's own USB id", () => {
  it('names a Tether board on Linux from the product string udev/sysfs report', () => {
    const port = describePort(tetherAcm, 'linux', noLinks, () => 'Tether');
    expect(port).toMatchObject({ knownName: 'Tether firmware (USB)', kind: 'klipper', product: 'Tether', serialNumber: '32002F001851303232383230' });
    expect(port.byId).toBe('/dev/serial/by-id/usb-Tether_Tether_32002F001851303232383230-if00');
  });

  it('names it on macOS from the manufacturer string (no product string there), upper-case ids too', () => {
    const port = describePort({ ...tetherAcm, path: '/dev/cu.usbmodem3230', vendorId: '0x1209', productId: '0x0001', pnpId: undefined }, 'darwin', noLinks);
    expect(port.knownName).toBe('Tether firmware (USB)');
  });

  it('another device on the shared test id is not called Tether', () => {
    const other = describePort({ ...tetherAcm, manufacturer: 'Someone' }, 'linux', noLinks, () => 'Keyboard prototype');
    expect(other).toMatchObject({ knownName: 'pid.codes test device (1209:0001)', kind: 'unknown' });
    expect(lookupUsbId('1209', '0002', ['Tether'])).toBeUndefined();
  });

  it('the id documented for the firmware is the one matched', () => {
    expect(TETHER_USB).toEqual({ vendorId: '1209', productId: '0001', manufacturer: 'Tether', product: 'Tether' });
    expect(lookupUsbId(TETHER_USB.vendorId, TETHER_USB.productId, [TETHER_USB.product])?.name).toBe('Tether firmware (USB)');
  });
});

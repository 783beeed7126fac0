import type { SerialportPortInfo } from '../../../src-main/ports/list';

// serialport list() output as recorded on each system with the same three boards plugged in:
// an Arduino Mega (genuine, 16u2 with a serial number), a CH340 clone (no serial number) and an
// STM32 board running Klipper over USB. Then the same after a replug into other sockets.

export const linuxBefore: SerialportPortInfo[] = [
  { path: '/dev/ttyACM0', manufacturer: 'Arduino (www.arduino.cc)', serialNumber: '5573932393735151F0C1', pnpId: 'usb-Arduino__www.arduino.cc__0042_5573932393735151F0C1-if00', locationId: undefined, vendorId: '2341', productId: '0042' },
  { path: '/dev/ttyUSB0', manufacturer: '1a86', serialNumber: undefined, pnpId: 'usb-1a86_USB2.0-Serial-if00-port0', locationId: undefined, vendorId: '1a86', productId: '7523' },
  { path: '/dev/ttyACM1', manufacturer: 'Klipper', serialNumber: '32002F001851303232383230', pnpId: 'usb-Klipper_stm32f446xx_32002F001851303232383230-if00', locationId: undefined, vendorId: '1d50', productId: '614e' },
  { path: '/dev/ttyS0', manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, vendorId: undefined, productId: undefined },
];
export const linuxLinksBefore = {
  byId: new Map([
    ['/dev/serial/by-id/usb-Arduino__www.arduino.cc__0042_5573932393735151F0C1-if00', '/dev/ttyACM0'],
    ['/dev/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0', '/dev/ttyUSB0'],
    ['/dev/serial/by-id/usb-Klipper_stm32f446xx_32002F001851303232383230-if00', '/dev/ttyACM1'],
  ]),
  byPath: new Map([
    ['/dev/serial/by-path/pci-0000:00:14.0-usb-0:1:1.0', '/dev/ttyACM0'],
    ['/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0', '/dev/ttyUSB0'],
    ['/dev/serial/by-path/pci-0000:00:14.0-usb-0:3:1.0', '/dev/ttyACM1'],
  ]),
};
/** After a replug: the Klipper board enumerated first, so the ACM numbers swapped. */
export const linuxAfter: SerialportPortInfo[] = [
  { ...linuxBefore[2], path: '/dev/ttyACM0' },
  { ...linuxBefore[0], path: '/dev/ttyACM1' },
  { ...linuxBefore[1], path: '/dev/ttyUSB0' },
];
export const linuxLinksAfter = {
  byId: new Map([
    ['/dev/serial/by-id/usb-Arduino__www.arduino.cc__0042_5573932393735151F0C1-if00', '/dev/ttyACM1'],
    ['/dev/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0', '/dev/ttyUSB0'],
    ['/dev/serial/by-id/usb-Klipper_stm32f446xx_32002F001851303232383230-if00', '/dev/ttyACM0'],
  ]),
  byPath: new Map([
    ['/dev/serial/by-path/pci-0000:00:14.0-usb-0:4:1.0', '/dev/ttyACM1'],
    ['/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0', '/dev/ttyUSB0'],
    ['/dev/serial/by-path/pci-0000:00:14.0-usb-0:3:1.0', '/dev/ttyACM0'],
  ]),
};

export const macBefore: SerialportPortInfo[] = [
  { path: '/dev/tty.usbmodem14101', manufacturer: 'Arduino (www.arduino.cc)', serialNumber: '5573932393735151F0C1', pnpId: undefined, locationId: '14100000', vendorId: '2341', productId: '0042' },
  { path: '/dev/tty.usbserial-1420', manufacturer: '1a86', serialNumber: undefined, pnpId: undefined, locationId: '14200000', vendorId: '1a86', productId: '7523' },
  { path: '/dev/tty.usbmodem32002F0018511', manufacturer: 'Klipper', serialNumber: '32002F001851303232383230', pnpId: undefined, locationId: '14300000', vendorId: '1d50', productId: '614e' },
  { path: '/dev/tty.Bluetooth-Incoming-Port', manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, vendorId: undefined, productId: undefined },
];
/** After moving the Mega to another socket and replugging the others. */
export const macAfter: SerialportPortInfo[] = [
  { ...macBefore[0], path: '/dev/tty.usbmodem14401', locationId: '14400000' },
  { ...macBefore[1], path: '/dev/tty.usbserial-1420' },
  { ...macBefore[2] },
];

export const windowsBefore: SerialportPortInfo[] = [
  { path: 'COM3', manufacturer: 'Arduino LLC (www.arduino.cc)', serialNumber: '5573932393735151F0C1', pnpId: 'USB\\VID_2341&PID_0042\\5573932393735151F0C1', locationId: 'Port_#0001.Hub_#0001', vendorId: '2341', productId: '0042' },
  { path: 'COM4', manufacturer: 'wch.cn', serialNumber: '5&2D3F6A1F&0&2', pnpId: 'USB\\VID_1A86&PID_7523\\5&2D3F6A1F&0&2', locationId: 'Port_#0002.Hub_#0001', vendorId: '1A86', productId: '7523' },
  { path: 'COM5', manufacturer: 'Microsoft', serialNumber: '32002F001851303232383230', pnpId: 'USB\\VID_1D50&PID_614E\\32002F001851303232383230', locationId: 'Port_#0003.Hub_#0001', vendorId: '1D50', productId: '614E' },
];
/** After a replug Windows gave the boards new COM numbers. */
export const windowsAfter: SerialportPortInfo[] = [
  { ...windowsBefore[0], path: 'COM7' },
  { ...windowsBefore[1], path: 'COM8' },
  { ...windowsBefore[2], path: 'COM9' },
];

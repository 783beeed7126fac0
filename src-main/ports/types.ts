/** A serial port as Tether shows it: where it is and what identifies the device behind it. */
export interface PortInfo {
  /** The device path to open (/dev/ttyUSB0, /dev/cu.usbserial-1410, COM3). */
  path: string;
  /** Linux: the stable /dev/serial/by-id link, when udev made one (needs a USB serial number). */
  byId?: string;
  /** Linux: the /dev/serial/by-path link (the physical USB socket). */
  byPath?: string;
  /**
   * Where the device is plugged in, on any system: the by-path link on Linux, the locationId
   * on macOS, the device instance path on Windows. Stable while it stays in the same socket.
   */
  location?: string;
  /** USB vendor and product ids as 4 lowercase hex digits. */
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  /** A human name for the chip or board, from the VID:PID table (e.g. "CH340 USB-serial"). */
  knownName?: string;
  /** What the device probably is: a USB-serial bridge, a native USB MCU, a bootloader... */
  kind: PortKind;
  /** Added by hand (ptys, simulators): serialport's list never shows those. */
  virtual?: boolean;
}

export type PortKind = 'usb-serial-bridge' | 'native-usb-mcu' | 'bootloader' | 'klipper' | 'onboard' | 'virtual' | 'unknown';

/**
 * How a printer remembers its port across replugs and renumbering. USB ids plus serial number
 * when the device has one; the by-path link (the socket) when it does not (CH340 clones).
 */
export interface PortIdentity {
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  byId?: string;
  location?: string;
  /** The path it had when remembered: the last resort for devices with no USB identity. */
  path: string;
}

/** Pushed when ports appear or disappear (the API's ports.changed event). */
export interface PortsChangedEvent {
  ports: PortInfo[];
  added: PortInfo[];
  removed: PortInfo[];
}

/** Reply of ports.list: the ports, and which configured printer sits on which (path -> name). */
export interface PortsListReply {
  ports: PortInfo[];
  printerPorts: Record<string, string>;
}

/** A port problem as sent to the UI (see errors.ts). */
export interface PortProblemPayload {
  code: string;
  path: string;
  message: string;
  fix: string;
}

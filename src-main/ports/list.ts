import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { classifyPortError } from './errors';
import type { PortInfo } from './types';

/** One entry of serialport's list(), as recorded on each system. */
export type SerialportPortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number];
import { lookupUsbId, normaliseUsbId } from './usb-names';

/** Where listPorts gets its facts; tests pass recorded data from Linux, macOS and Windows. */
export interface PortSources {
  platform: NodeJS.Platform;
  /** serialport's list(). */
  list: () => Promise<SerialportPortInfo[]>;
  /** Linux: /dev/serial/by-id and by-path links as link name -> resolved device path. */
  serialLinks: () => { byId: Map<string, string>; byPath: Map<string, string> };
  /** Linux: the USB product string from sysfs, when readable. */
  productOf: (devicePath: string) => string | undefined;
}

export const systemPortSources: PortSources = {
  platform: process.platform,
  list: () => SerialPort.list(),
  serialLinks: () => ({ byId: readLinks('/dev/serial/by-id'), byPath: readLinks('/dev/serial/by-path') }),
  productOf: sysfsProduct,
};

/** Every serial port with what identifies it. Ptys and simulators are added by the caller. */
export async function listPorts(sources: PortSources = systemPortSources): Promise<PortInfo[]> {
  let raw: SerialportPortInfo[];
  try {
    raw = await sources.list();
  } catch (err) {
    const problem = classifyPortError(err, '(port list)', { platform: sources.platform });
    throw Object.assign(new Error(`${problem.message} ${problem.fix}`), { problem });
  }
  const links = sources.platform === 'linux' ? sources.serialLinks() : { byId: new Map(), byPath: new Map() };
  const ports = raw.map((p) => describePort(p, sources.platform, links, sources.productOf));
  return ports.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

export function describePort(
  p: SerialportPortInfo,
  platform: NodeJS.Platform,
  links: { byId: Map<string, string>; byPath: Map<string, string> },
  productOf: (devicePath: string) => string | undefined = () => undefined,
): PortInfo {
  const vendorId = normaliseUsbId(p.vendorId);
  const productId = normaliseUsbId(p.productId);
  const product = productOf(p.path);
  const known = lookupUsbId(vendorId, productId, [product, p.manufacturer]);
  const byId = linkFor(links.byId, p.path) ?? (platform === 'linux' && p.pnpId ? `/dev/serial/by-id/${p.pnpId}` : undefined);
  const byPath = linkFor(links.byPath, p.path);
  const info: PortInfo = {
    path: p.path,
    kind: known?.kind ?? (vendorId ? 'unknown' : 'onboard'),
  };
  if (byId) info.byId = byId;
  if (byPath) info.byPath = byPath;
  const location = platform === 'linux' ? byPath : platform === 'win32' ? windowsInstance(p.pnpId) : p.locationId;
  if (location) info.location = location;
  if (vendorId) info.vendorId = vendorId;
  if (productId) info.productId = productId;
  if (p.manufacturer) info.manufacturer = p.manufacturer;
  if (product) info.product = product;
  const serial = realSerialNumber(p.serialNumber, platform);
  if (serial) info.serialNumber = serial;
  if (known) info.knownName = known.name;
  return info;
}

/**
 * Windows reports a device instance id (e.g. "5&2d3f6a1f&0&2") as the serial number of devices
 * that have none; that id changes with the socket, so it is a location, not a serial.
 */
export function realSerialNumber(serial: string | undefined, platform: NodeJS.Platform): string | undefined {
  if (!serial) return undefined;
  if (platform === 'win32' && serial.includes('&')) return undefined;
  return serial;
}

function windowsInstance(pnpId: string | undefined): string | undefined {
  // USB\VID_1A86&PID_7523\5&2D3F6A1F&0&2 -> the last part, which encodes the hub and port.
  if (!pnpId) return undefined;
  const last = pnpId.split('\\').pop();
  return last && last.includes('&') ? last : undefined;
}

function linkFor(links: Map<string, string>, devicePath: string): string | undefined {
  for (const [link, target] of links) if (target === devicePath) return link;
  return undefined;
}

function readLinks(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const link = path.join(dir, name);
    try {
      out.set(link, realpathSync(link));
    } catch {
      // dangling link while the device goes away
    }
  }
  return out;
}

function sysfsProduct(devicePath: string): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    let dir = realpathSync(`/sys/class/tty/${path.basename(devicePath)}/device`);
    for (let i = 0; i < 4 && dir !== '/'; i++) {
      const file = path.join(dir, 'product');
      if (existsSync(file)) return readFileSync(file, 'utf8').trim();
      dir = path.dirname(dir);
    }
  } catch {
    // not a USB device (ttyS, pty)
  }
  return undefined;
}

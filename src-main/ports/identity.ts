import type { PortIdentity, PortInfo } from './types';

/** What a printer remembers about its port. */
export function identityOf(port: PortInfo): PortIdentity {
  const id: PortIdentity = { path: port.path };
  if (port.vendorId) id.vendorId = port.vendorId;
  if (port.productId) id.productId = port.productId;
  if (port.serialNumber) id.serialNumber = port.serialNumber;
  // udev builds the by-id name from vendor, product and serial number: without a serial number
  // two clones share one name (the last plugged in wins), so it identifies nothing.
  if (port.byId && (port.serialNumber || !port.vendorId)) id.byId = port.byId;
  if (port.location) id.location = port.location;
  return id;
}

/** How a port was recognised, strongest first. */
export type IdentityMatch = 'serial-number' | 'by-id' | 'location' | 'only-such-device' | 'path';

export type FindPortResult =
  | { found: true; port: PortInfo; match: IdentityMatch }
  | { found: false; reason: 'absent' | 'ambiguous'; candidates: PortInfo[] };

const sameUsb = (id: PortIdentity, p: PortInfo) =>
  !!id.vendorId && p.vendorId === id.vendorId && p.productId === id.productId;

/**
 * Finds a remembered port again after a replug or renumbering (/dev/ttyUSB0 -> ttyUSB1, COM3 ->
 * COM7). A serial number wins; devices without one (CH340 clones) are found by the socket they
 * are plugged into, or as the only device of their kind. Two identical serial-less boards moved
 * between sockets are ambiguous: the caller asks the user instead of guessing.
 */
export function findPortByIdentity(identity: PortIdentity, ports: PortInfo[]): FindPortResult {
  const one = (list: PortInfo[], match: IdentityMatch): FindPortResult | undefined =>
    list.length === 1 ? { found: true, port: list[0], match } : undefined;

  if (identity.serialNumber) {
    const bySerial = ports.filter((p) => sameUsb(identity, p) && p.serialNumber === identity.serialNumber);
    const hit = one(bySerial, 'serial-number');
    if (hit) return hit;
    // A device with a serial number is that device only: never take another board of the same kind.
    if (ports.some((p) => sameUsb(identity, p) && p.serialNumber)) {
      return { found: false, reason: 'absent', candidates: [] };
    }
  }
  if (identity.byId) {
    const hit = one(ports.filter((p) => p.byId === identity.byId), 'by-id');
    if (hit) return hit;
  }
  if (identity.location) {
    const atLocation = ports.filter((p) => p.location === identity.location && (!identity.vendorId || sameUsb(identity, p)));
    const hit = one(atLocation, 'location');
    if (hit) return hit;
  }
  if (identity.vendorId) {
    const sameKind = ports.filter((p) => sameUsb(identity, p));
    const hit = one(sameKind, 'only-such-device');
    if (hit) return hit;
    if (sameKind.length > 1) return { found: false, reason: 'ambiguous', candidates: sameKind };
    return { found: false, reason: 'absent', candidates: [] };
  }
  const hit = one(ports.filter((p) => p.path === identity.path), 'path');
  return hit ?? { found: false, reason: 'absent', candidates: [] };
}

/** For the ports page: which configured printer sits on which port (path -> printer name). */
export function markPrinterPorts(printers: { name: string; identity: PortIdentity }[], ports: PortInfo[]): Map<string, string> {
  const marks = new Map<string, string>();
  for (const printer of printers) {
    const result = findPortByIdentity(printer.identity, ports);
    if (result.found) marks.set(result.port.path, printer.name);
  }
  return marks;
}

// ports.list backed by serialport's real port list. A small adapter on purpose: the richer
// discovery in src-main/ports (by-id names, USB names) replaces it behind the same signature.
import type { SerialPortInfo } from './contract';

export type ListSerialPorts = () => Promise<SerialPortInfo[]>;

export const listSerialPorts: ListSerialPorts = async () => {
  // Loaded on first use: the native binding is only needed when someone asks for ports.
  const { SerialPort } = await import('serialport');
  const ports = await SerialPort.list();
  return ports.map((p) => ({
    path: p.path,
    manufacturer: p.manufacturer ?? null,
    serialNumber: p.serialNumber ?? null,
    vendorId: p.vendorId ?? null,
    productId: p.productId ?? null,
    pnpId: p.pnpId ?? null,
  }));
};

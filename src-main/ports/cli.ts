// `tether ports`: the serial ports with what identifies them. src-main/cli.ts lists it.
import type { CliCommand } from '../cli-command';
import { listPorts } from './list';
import type { PortInfo } from './types';

const USAGE = `usage: tether ports [--json]
  Lists serial ports: path, stable links (/dev/serial/by-id, by-path), USB id, serial number
  and what the device is (CH340, CP210x, FTDI, STM32, Klipper firmware, Arduino...).
  --json  print the list as JSON`;

export const portsCommand: CliCommand = {
  name: 'ports',
  summary: 'list serial ports and what is behind them',
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const json = args.includes('--json');
    if (args.includes('-h') || args.includes('--help')) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    const unknown = args.find((a) => a !== '--json');
    if (unknown) {
      process.stderr.write(`tether ports: unknown option '${unknown}'\n${USAGE}\n`);
      return 2;
    }
    let ports: PortInfo[];
    try {
      ports = await listPorts();
    } catch (err) {
      process.stderr.write(`tether ports: ${(err as Error).message}\n`);
      return 1;
    }
    if (json) process.stdout.write(JSON.stringify(ports, null, 2) + '\n');
    else process.stdout.write(formatPorts(ports));
    return 0;
  },
};

export function formatPorts(ports: PortInfo[]): string {
  if (ports.length === 0) return 'No serial ports found. Plug the printer in; simulators and ptys are not listed.\n';
  return ports
    .map((p) => {
      const lines = [`${p.path}  ${p.knownName ?? p.product ?? p.manufacturer ?? ''}`.trimEnd()];
      if (p.vendorId) lines.push(`  usb ${p.vendorId}:${p.productId ?? '????'}  serial ${p.serialNumber ?? 'none (remembered by USB socket)'}`);
      if (p.byId) lines.push(`  ${p.byId}`);
      if (p.byPath) lines.push(`  ${p.byPath}`);
      return lines.join('\n');
    })
    .join('\n') + '\n';
}

// [virtual_printer]: opens the virtual printer port (virtual-printer.ts) with the host, so
// OctoPrint, Pronterface or any serial G-code sender can connect to `serial` and print:
//
//   [virtual_printer]
//   serial: /tmp/printer
//
// The port opens when the host connects (commands sent before the printer is ready get its
// "not ready" reason as an Error: line) and closes on RESTART and when the host stops.
// Batch mode only checks the options.
import type { ConfigSection } from '../../host/config/section';
import type { GCodeDispatcher } from '../../host/gcode/dispatcher';
import type { Printer, PrinterObject } from '../../host/printer';
import { VirtualPrinterPort } from './virtual-printer';
import { VIRTUAL_PRINTER_OPTIONS } from '../../host/objects/macro-options';

export class VirtualPrinterSection implements PrinterObject {
  private port: VirtualPrinterPort | null = null;
  /** Why the port is not open (socat missing, path not writable); null when open or not yet tried. */
  error: string | null = null;

  constructor(
    private readonly printer: Printer,
    gcode: GCodeDispatcher,
    readonly serialPath: string,
  ) {
    // Opened in the background: connecting the MCU must not wait for socat.
    printer.on('printer:connect', () => {
      this.opened = this.open(gcode);
    });
    printer.on('printer:disconnect', async () => {
      await this.opened;
      const port = this.port;
      this.port = null;
      await port?.stop();
    });
  }

  /** Settles when the last open attempt has finished (open, or `error` set). */
  opened: Promise<void> = Promise.resolve();

  private async open(gcode: GCodeDispatcher): Promise<void> {
    const port = new VirtualPrinterPort(gcode, this.serialPath, this.printer);
    try {
      await port.start();
      this.port = port;
      this.error = null;
    } catch (e) {
      await port.stop().catch(() => undefined);
      // Not fatal for printing from the UI; the console says what to fix.
      this.error = `[virtual_printer] could not open ${this.serialPath}: ${(e as Error).message}`;
      gcode.respondInfo(this.error);
    }
  }

  getStatus(): Record<string, unknown> {
    return { serial: this.serialPath, is_open: this.port !== null, error: this.error };
  }
}

/** The registry's loader: live hosts open the port, batch hosts only read the options. */
export function loadVirtualPrinter(printer: Printer, gcode: GCodeDispatcher, section: ConfigSection, live: boolean): void {
  const o = section.read(VIRTUAL_PRINTER_OPTIONS);
  if (!o.serial.startsWith('/')) throw section.error('serial', `serial must be an absolute path such as /tmp/printer, got '${o.serial}'`);
  if (live) printer.addObject('virtual_printer', new VirtualPrinterSection(printer, gcode, o.serial));
}

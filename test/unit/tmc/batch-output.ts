// Runs a printer.cfg in batch (file output) mode and decodes what was written: the messages
// with their raw parameters (byte strings as bytes), and the G-code responses.
import { Writable } from 'node:stream';
import type { PrinterConfig } from '../../../src-main/host/config/section';
import { GCodeDispatcher } from '../../../src-main/host/gcode/dispatcher';
import { BlockReceiver, MESSAGE_HEADER_SIZE, MESSAGE_TRAILER_SIZE } from '../../../src-main/host/mcu/codec';
import type { Dictionary } from '../../../src-main/host/mcu/dictionary';
import type { Mcu } from '../../../src-main/host/mcu/mcu';
import { loadPrinterObjects } from '../../../src-main/host/objects/registry';
import { Printer } from '../../../src-main/host/printer';

export interface DecodedMsg {
  name: string;
  params: Record<string, number | Uint8Array>;
}

export async function runBatch(
  config: PrinterConfig,
  dict: Dictionary,
  gcodeLines: string[] = [],
): Promise<{ msgs: DecodedMsg[]; printer: Printer; responses: string[] }> {
  const chunks: Buffer[] = [];
  const output = new Writable({
    write: (c, _e, cb) => {
      chunks.push(Buffer.from(c));
      cb();
    },
  });
  const printer = new Printer();
  const gcode = new GCodeDispatcher();
  const responses: string[] = [];
  gcode.onResponse((_k, t) => responses.push(t));
  printer.addObject('gcode', gcode);
  loadPrinterObjects({ printer, gcode, config, mcuFileOutput: { dictionary: dict, output } });
  const mcu = printer.lookupObject<Mcu>('mcu');
  await mcu.connect();
  for (const l of gcodeLines) await gcode.run(l);
  await mcu.flush();
  const msgs: DecodedMsg[] = [];
  new BlockReceiver((block) => {
    for (const m of dict.decodeMessages(block, MESSAGE_HEADER_SIZE, block.length - MESSAGE_TRAILER_SIZE, 'commands')) {
      msgs.push({ name: m.format.name, params: m.params as DecodedMsg['params'] });
    }
  }).push(Buffer.concat(chunks));
  return { msgs, printer, responses };
}

// Decodes a captured byte stream (a batch-mode .serial file or a serial capture) into one
// message per line, the way Klipper's dump tools print them.

import { BlockReceiver, MESSAGE_HEADER_SIZE, MESSAGE_TRAILER_SIZE, ProtocolError } from './codec';
import type { Dictionary } from './dictionary';

export interface DecodeStats {
  blocks: number;
  messages: number;
  /** Blocks with a bad frame or CRC (skipped up to the next sync byte). */
  badBlocks: number;
  /** Good blocks whose payload did not decode (unknown id, truncated message). */
  undecodable: number;
}

/**
 * Calls onLine for every message in `bytes`, in stream order. direction 'commands' for host->MCU
 * streams (what batch mode writes), 'responses' for MCU->host.
 */
export function decodeStream(
  dict: Dictionary,
  bytes: Uint8Array,
  onLine: (line: string) => void,
  direction: 'commands' | 'responses' = 'commands',
): DecodeStats {
  const stats: DecodeStats = { blocks: 0, messages: 0, badBlocks: 0, undecodable: 0 };
  const receiver = new BlockReceiver((block) => {
    stats.blocks++;
    try {
      const msgs = dict.decodeMessages(block, MESSAGE_HEADER_SIZE, block.length - MESSAGE_TRAILER_SIZE, direction);
      for (const m of msgs) onLine(m.format.formatParams(m.params));
      stats.messages += msgs.length;
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      stats.undecodable++;
      onLine(`# undecodable block ${stats.blocks}: ${e.message}`);
    }
  });
  // Feed in slices so the receiver's buffer stays small.
  for (let pos = 0; pos < bytes.length; pos += 4096) receiver.push(bytes.subarray(pos, Math.min(bytes.length, pos + 4096)));
  stats.badBlocks = receiver.stats.errors;
  return stats;
}

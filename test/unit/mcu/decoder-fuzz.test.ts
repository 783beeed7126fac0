// Random bytes into the block receiver and message decoder: nothing may throw out, nothing may
// hang, and a good block after the garbage must still come through. `FUZZ_SECONDS=60 npx vitest
// run test/unit/mcu/decoder-fuzz.test.ts` runs the long version.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockReceiver, frameBlock, MESSAGE_HEADER_SIZE, ProtocolError } from '../../../src-main/host/mcu/codec';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { referenceDir } from '../../support/paths';

const seconds = Number(process.env.FUZZ_SECONDS ?? 3);
const dict = loadDictionaryFile(path.join(referenceDir, 'klipper-dicts/atmega2560.dict'));

describe('decoder fuzz', () => {
  it(
    `survives ${seconds} s of random and mutated input`,
    () => {
      let seed = 0x9e3779b9;
      const rand = (): number => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return seed >>> 0;
      };
      let good = 0;
      let decoded = 0;
      let rejected = 0;
      const rx = new BlockReceiver((block) => {
        good++;
        for (const dir of ['commands', 'responses'] as const) {
          try {
            decoded += dict.decodeMessages(block, MESSAGE_HEADER_SIZE, block.length - 3, dir).length;
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e;
            rejected++;
          }
        }
      });
      const deadline = Date.now() + seconds * 1000;
      let rounds = 0;
      while (Date.now() < deadline) {
        for (let k = 0; k < 200; k++, rounds++) {
          const mode = rand() % 3;
          let chunk: Uint8Array;
          if (mode === 0) {
            chunk = Uint8Array.from({ length: rand() % 80 }, () => rand() & 0xff);
          } else {
            // A correctly framed block with a random payload exercises the message decoder.
            const payload = Uint8Array.from({ length: rand() % 60 }, () => rand() & 0xff);
            chunk = frameBlock(rand() & 15, payload);
            if (mode === 2) chunk[rand() % chunk.length] ^= 1 << (rand() % 8);
          }
          rx.push(chunk);
        }
      }
      // Whatever state the garbage left (at worst a 64-byte block in progress), good blocks that
      // follow must come through once that partial block has been rejected.
      const before = good;
      for (let i = 0; i < 12; i++) {
        rx.push(Uint8Array.of(0x7e));
        rx.push(frameBlock(3, dict.lookupCommand('get_clock').encode()));
      }
      expect(good).toBeGreaterThanOrEqual(before + 10);
      expect(rounds).toBeGreaterThan(1000);
      expect(decoded + rejected).toBeGreaterThan(0);
      expect(rx.stats.errors).toBeGreaterThan(0);
    },
    (seconds + 30) * 1000,
  );
});

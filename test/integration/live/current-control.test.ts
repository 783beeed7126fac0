// Current-control chips on the sim, one printer start: an [ad5206] on software SPI pins is
// written once while the MCU is configured, and the sim's trace of its pins (chip select, clock,
// data) decodes to the datasheet words the host computed (address = channel - 1, then the code);
// an [mcp4018] on software I2C is configured too and SET_DIGIPOT answers without the MCU
// shutting down. The init writes happen before the host reports ready and the sim flushes its
// trace at least once a second, so the check waits (generously, for a loaded machine) until the
// trace holds all five words and asserts on that one snapshot: no polling race.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../jobs/print-helpers';
import { startLivePrinter } from './live-printer';

const CHIPS = `
[ad5206 stepper_digipot]
enable_pin: PC0
spi_software_sclk_pin: PC1
spi_software_mosi_pin: PC2
spi_software_miso_pin: PC3
spi_speed: 100000
scale: 2.08
channel_1: 1.34
channel_2: 1.0
channel_4: 1.1
channel_5: 1.1
channel_6: 1.1

[mcp4018 x_axis_pot]
i2c_software_scl_pin: PC4
i2c_software_sda_pin: PC5
wiper: 0.50
scale: 0.773
`;

type Ev = Record<string, unknown>;

/** SPI mode 0 words from pin edges: MOSI sampled on each rising clock edge while CS is low. */
function decodeSpi(trace: Ev[], cs: string, sclk: string, mosi: string): string[] {
  const words: string[] = [];
  let selected = false;
  let mosiLevel = 0;
  let bits = '';
  for (const e of trace) {
    if (e.ev !== 'pin') continue;
    if (e.pin === cs) {
      if (e.value === 0) bits = '';
      else if (selected && bits.length)
        words.push(
          parseInt(bits, 2)
            .toString(16)
            .padStart(bits.length / 4, '0'),
        );
      selected = e.value === 0;
    } else if (e.pin === mosi) mosiLevel = e.value as number;
    else if (e.pin === sclk && e.value === 1 && selected) bits += String(mosiLevel);
  }
  return words;
}

describe('current-control chips on the sim', () => {
  it('the ad5206 words reach its pins at config; SET_DIGIPOT is accepted', async () => {
    const t0 = Date.now();
    const p = await startLivePrinter('current-control', { edit: (cfg) => `${cfg}\n${CHIPS}` });
    try {
      let words: string[] = [];
      await waitFor(
        () => (words = decodeSpi(p.trace(), 'PC0', 'PC1', 'PC2')).length >= 5,
        'five ad5206 words in the trace',
        15_000,
        () => JSON.stringify(words),
      );
      // 1.34/2.08*255 = 164 (a4), 1.0 -> 123 (7b), 1.1 -> 135 (87); 16 bits a transfer.
      expect(words).toEqual(['00a4', '017b', '0387', '0487', '0587']);
      const out = await p.run('SET_DIGIPOT DIGIPOT=x_axis_pot WIPER=0.3');
      expect(out).toMatch(/New value for DIGIPOT = x_axis_pot, wiper = 0.30/);
      expect(p.host.printer.state).toBe('ready');
      console.log(`current-control live: ${words.length} ad5206 words decoded from the trace, ${Date.now() - t0} ms from start`);
    } finally {
      await p.stop();
    }
  }, 40_000);
});

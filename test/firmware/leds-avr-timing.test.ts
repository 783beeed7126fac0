// The AVR's WS2812 bit timing (boards/avr/neopixel.c) on simulated silicon: a small program
// sends three bytes through neopixel_board_send on PB7 of an atmega2560 under simavr
// (cycle-exact), which records the pin in a VCD file. Checked at 16 and 20 MHz: the bytes
// decode back from the pulse widths, a 0 is high 0.25-0.40 us and a 1 0.65-0.95 us (WS2812B
// limits), bits inside a byte start 1.25 us apart, and the line never stays low long enough
// between bytes (< 5 us rise to rise) for the chain to latch mid-frame. The test program calls
// irq_disable/irq_enable as functions, so its byte gap is longer than the firmware's (inlined).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, testOutputDir } from '../support/paths';
import { toolsPresent } from '../support/tools';

const dir = path.join(testOutputDir, 'firmware', 'neopixel-avr');
const DATA = [0xa5, 0x0f, 0xf0];
const PROGRAM = `
#include <avr/io.h>
#include <avr/interrupt.h>
#include <avr/sleep.h>
#include "simavr/avr/avr_mcu_section.h"
#include "board/neopixel.h"
AVR_MCU(F_CPU, "atmega2560");
AVR_MCU_VCD_FILE("neopixel.vcd", 1000);
AVR_MCU_VCD_PORT_PIN('B', 7, "PB7");
void irq_disable(void) { cli(); }
void irq_enable(void) { sei(); }
int main(void)
{
    DDRB |= 1 << 7;
    TCCR1B = 1; // Timer1 at the CPU clock, as boards/avr/main.c runs it
    struct gpio_out g;
    g.regs = &PINB;
    g.bit = 1 << 7;
    uint8_t data[3];
    ${DATA.map((b, i) => `data[${i}] = ${b};`).join(' ')}
    neopixel_board_send(g, data, sizeof(data), 64);
    cli();
    sleep_cpu(); // simavr stops here
}
`;

/** Rising/falling edge times (ns) of PB7 from simavr's VCD (timescale 10 ns). */
function edges(vcd: string): { t: number; v: number }[] {
  const body = vcd.slice(vcd.indexOf('$enddefinitions'));
  return [...body.matchAll(/#(\d+)\s+([01])!/g)].map((m) => ({ t: Number(m[1]) * 10, v: Number(m[2]) }));
}

describe.skipIf(!toolsPresent('avr-gcc', 'simavr'))('WS2812 timing of the AVR board on simavr', () => {
  for (const fCpu of [16_000_000, 20_000_000]) {
    it(`${fCpu / 1e6} MHz: the bytes decode back and every pulse is within WS2812 limits`, () => {
      const out = path.join(dir, String(fCpu));
      mkdirSync(path.join(out, 'inc/simavr/avr'), { recursive: true });
      // simavr's section header, without the rest of /usr/include (host headers break avr-gcc).
      copyFileSync('/usr/include/simavr/avr/avr_mcu_section.h', path.join(out, 'inc/simavr/avr/avr_mcu_section.h'));
      writeFileSync(path.join(out, 'neopixel-timing.c'), PROGRAM);
      const fw = path.join(repoRoot, 'firmware');
      execFileSync('avr-gcc', [
        '-mmcu=atmega2560',
        `-DF_CPU=${fCpu}UL`,
        '-Os',
        '-std=gnu11',
        `-I${fw}/core`,
        `-I${fw}/boards/avr`,
        `-I${out}/inc`,
        '-o',
        path.join(out, 'neopixel.elf'),
        path.join(out, 'neopixel-timing.c'),
        path.join(fw, 'boards/avr/neopixel.c'),
      ]);
      execFileSync('simavr', ['neopixel.elf'], { cwd: out, timeout: 20_000, stdio: 'pipe' });
      const ev = edges(readFileSync(path.join(out, 'neopixel.vcd'), 'utf8'));
      const rises = ev.filter((e) => e.v === 1).map((e) => e.t);
      const falls = ev.filter((e) => e.v === 0 && e.t > rises[0]).map((e) => e.t);
      expect(rises.length).toBe(DATA.length * 8);
      const highs = rises.map((r, i) => falls[i] - r);
      const bits: number[] = highs.map((h) => (h > 500 ? 1 : 0));
      const bytes = DATA.map((_b, i) => bits.slice(i * 8, i * 8 + 8).reduce((v: number, b) => (v << 1) | b, 0));
      expect(bytes).toEqual(DATA);
      for (const h of highs) {
        const [lo, hi] = h > 500 ? [650, 950] : [250, 400];
        expect(h).toBeGreaterThanOrEqual(lo);
        expect(h).toBeLessThanOrEqual(hi);
      }
      const periods = rises.slice(1).map((r, i) => r - rises[i]);
      const inByte = periods.filter((_p, i) => (i + 1) % 8 !== 0);
      const byteGaps = periods.filter((_p, i) => (i + 1) % 8 === 0);
      for (const p of inByte) {
        expect(p).toBeGreaterThanOrEqual(1200);
        expect(p).toBeLessThanOrEqual(1350);
      }
      for (const p of byteGaps) expect(p).toBeLessThan(5000);
      console.log(
        `AVR ${fCpu / 1e6} MHz WS2812: high ${[...new Set(highs)].join('/')} ns, bit ${[...new Set(inByte)].join('/')} ns, byte to byte ${byteGaps.join('/')} ns`,
      );
    });
  }
});

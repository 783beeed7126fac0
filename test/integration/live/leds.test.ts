// LED sections on the sim over its pty, one printer start: SET_LED on a [neopixel] chain (mixed
// colour orders, INDEX, TRANSMIT=0) -> the sim's WS2812 model shows those colours; a [dotstar]
// over software SPI -> its APA102 model; a soft-PWM [led] -> the duty of its pin's toggles; a
// hardware-PWM [led] -> the sim's pwm duty. Every check reads one trace snapshot taken inside
// the wait that found it complete (the sim flushes its trace at least once a second), so no
// assertion races the writer; the waits are for events, generous for a loaded machine.
import { describe, expect, it } from 'vitest';
import { status, waitFor } from '../jobs/print-helpers';
import { startLivePrinter, type LivePrinter } from './live-printer';

const LEDS = `
[neopixel strip]
pin: PB7
chain_count: 3
color_order: GRB, RGB, GRBW
initial_RED: 0.5

[dotstar bar]
data_pin: PC4
clock_pin: PC5
chain_count: 2

[led case]
red_pin: PG1
blue_pin: PG2
cycle_time: 0.01

[led lamp]
white_pin: PE3
hardware_pwm: True
`;

type Ev = Record<string, unknown>;
const ledEvents = (trace: Ev[], name: string) => trace.filter((e) => e.ev === 'led' && e.name === name).map((e) => e.colors as number[][]);

/** Waits until the trace holds an `led` event of `name` with these colours; returns that snapshot. */
async function waitForColors(p: LivePrinter, name: string, colors: number[][]): Promise<Ev[]> {
  let snapshot: Ev[] = [];
  const want = JSON.stringify(colors);
  await waitFor(
    () => ledEvents((snapshot = p.trace()), name).some((c) => JSON.stringify(c) === want),
    `${name} showing ${want}`,
    15_000,
    () => JSON.stringify(ledEvents(snapshot, name)),
  );
  return snapshot;
}

/** High time / period over the complete PWM cycles of a pin's toggles after `fromClock`. */
function softPwmDuty(trace: Ev[], pin: string, fromClock: number): { duty: number; cycles: number } {
  const edges = trace.filter((e) => e.ev === 'pin' && e.pin === pin && (e.clock as number) - fromClock >= 0) as {
    clock: number;
    value: number;
  }[];
  const rises = edges.filter((e) => e.value === 1);
  let high = 0;
  let total = 0;
  let cycles = 0;
  for (let i = 0; i + 1 < rises.length; i++) {
    const fall = edges.find((e) => e.value === 0 && e.clock > rises[i].clock);
    if (!fall || fall.clock > rises[i + 1].clock) continue;
    high += fall.clock - rises[i].clock;
    total += rises[i + 1].clock - rises[i].clock;
    cycles++;
  }
  return { duty: total ? high / total : NaN, cycles };
}

describe('LEDs on the sim', () => {
  it('SET_LED reaches the neopixel and dotstar models and the PWM pins', async () => {
    const t0 = Date.now();
    const p = await startLivePrinter('leds', { edit: (cfg) => `${cfg}\n${LEDS}` });
    try {
      // Start-up: initial_RED 0.5 -> byte 128 on every LED of the chain.
      await waitForColors(p, 'neopixel strip', [
        [128, 0, 0, 0],
        [128, 0, 0, 0],
        [128, 0, 0, 0],
      ]);
      await p.run('SET_LED LED=strip RED=1 GREEN=0.5 BLUE=0.25');
      await p.run('SET_LED LED=strip INDEX=3 WHITE=1 BLUE=0.2 SYNC=0');
      // TRANSMIT=0 changes LED 1 but sends nothing; the next SET_LED sends both changes.
      await p.run('SET_LED LED=strip INDEX=1 GREEN=1 TRANSMIT=0');
      await p.run('SET_LED LED=strip INDEX=2 RED=0.1');
      const final = [
        [0, 255, 0, 0],
        [26, 0, 0, 0],
        [0, 0, 51, 255],
      ];
      const snap = await waitForColors(p, 'neopixel strip', final);
      const strip = ledEvents(snap, 'neopixel strip');
      // The frames in order, none showing LED 1 green before the last SET_LED sent it.
      const all = [255, 128, 64, 0];
      expect(strip.map((c) => JSON.stringify(c))).toEqual(
        [
          [
            [128, 0, 0, 0],
            [128, 0, 0, 0],
            [128, 0, 0, 0],
          ],
          [all, all, all],
          [all, all, [0, 0, 51, 255]],
          final,
        ].map((c) => JSON.stringify(c)),
      );
      expect(status(p, 'neopixel strip').color_data).toEqual([
        [0, 1, 0, 0],
        [0.1, 0, 0, 0],
        [0, 0, 0.2, 1],
      ]);
      await expect(p.run('SET_LED LED=strip INDEX=4 RED=1')).rejects.toThrow(
        /INDEX must have maximum of 3 in 'SET_LED LED=strip INDEX=4 RED=1'/,
      );
      await expect(p.run('SET_LED LED=nope RED=1')).rejects.toThrow(/The value 'nope' is not valid for LED/);

      // Dotstar: LED 2 green, LED 1 stays off.
      await p.run('SET_LED LED=bar INDEX=2 GREEN=1 BLUE=0.5');
      await waitForColors(p, 'dotstar bar', [
        [0, 0, 0, 0],
        [0, 255, 128, 0],
      ]);

      // PWM LEDs: red at 25 % (soft PWM on PG1), the lamp's white at 40 % (hardware PWM).
      await p.run('SET_LED LED=case RED=0.25');
      await p.run('SET_LED LED=lamp WHITE=0.4');
      let snapshot: Ev[] = [];
      let soft = { duty: NaN, cycles: 0 };
      await waitFor(
        () => {
          snapshot = p.trace();
          const firstRise = snapshot.find((e) => e.ev === 'pin' && e.pin === 'PG1' && e.value === 1);
          soft = firstRise ? softPwmDuty(snapshot, 'PG1', firstRise.clock as number) : soft;
          return soft.cycles >= 20 && snapshot.some((e) => e.ev === 'pwm' && e.pin === 'PE3' && e.duty !== 0);
        },
        'PG1 toggling for 20 cycles and the lamp PWM set',
        15_000,
        () => JSON.stringify(soft),
      );
      // The sim places soft-PWM edges at their nominal clocks: the duty is exact to a tick.
      console.log(`soft PWM on PG1: duty ${soft.duty.toFixed(4)} over ${soft.cycles} cycles; test ${(Date.now() - t0) / 1000} s`);
      expect(soft.duty).toBeCloseTo(0.25, 3);
      const pwm = snapshot.filter((e) => e.ev === 'pwm' && e.pin === 'PE3').map((e) => e.duty as number);
      expect(pwm[pwm.length - 1]).toBeCloseTo(0.4, 3);
      expect(snapshot.filter((e) => e.ev === 'pin' && e.pin === 'PG2' && e.value === 1)).toEqual([]); // blue never on
      expect(status(p, 'led case').color_data).toEqual([[0.25, 0, 0, 0]]);
      expect(snapshot.filter((e) => e.ev === 'shutdown')).toEqual([]);
    } finally {
      await p.stop();
    }
  }, 60_000);
});

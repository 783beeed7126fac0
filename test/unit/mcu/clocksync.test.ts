import { describe, expect, it } from 'vitest';
import { ClockSync, MAX_PENDING_CLOCK_QUERIES } from '../../../src-main/host/mcu/clocksync';

/** An MCU whose clock runs at `freq` ticks per host second from `offset` ticks at t=0. */
function simulate(
  freq: number,
  offset: number,
  samples: { t: number; rtt: number }[],
  nominal = 16e6,
): { sync: ClockSync; estimates: [number, number, number][] } {
  const estimates: [number, number, number][] = [];
  const sync = new ClockSync(nominal, (f, t, c) => estimates.push([f, t, c]));
  sync.start(offset, 0);
  for (const { t, rtt } of samples) {
    // The MCU reads its clock halfway through the round trip.
    const clock = offset + (t + rtt / 2) * freq;
    sync.handleClock(Math.floor(clock) % 2 ** 32, t, t + rtt);
  }
  return { sync, estimates };
}

describe('ClockSync', () => {
  it('learns the real frequency and predicts the clock', () => {
    const freq = 16e6 * (1 + 50e-6); // a crystal 50 ppm fast
    let x = 3;
    const jitter = (): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * 0.0004;
    const samples = [];
    for (let i = 1; i <= 8; i++) samples.push({ t: i * 0.05, rtt: 0.0005 + jitter() });
    for (let i = 1; i <= 200; i++) samples.push({ t: 0.4 + i * 0.9839, rtt: 0.0005 + jitter() });
    const { sync } = simulate(freq, 1e9, samples);
    expect(Math.abs(sync.estimate.freq - freq) / freq).toBeLessThan(5e-6);
    const t = 200;
    expect(Math.abs(sync.getClock(t) - (1e9 + t * freq))).toBeLessThan(16e6 * 0.0005);
  });

  it('keeps the seeding estimate near nominal despite ms of jitter on a busy host', () => {
    let x = 11;
    const jitter = (): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * 0.01;
    const samples = [];
    for (let i = 1; i <= 8; i++) samples.push({ t: i * 0.05, rtt: 0.0005 + jitter() });
    const { sync } = simulate(16e6, 0, samples);
    expect(Math.abs(sync.estimate.freq - 16e6) / 16e6).toBeLessThan(0.005);
  });

  it('ignores a late-looking outlier after good predictions', () => {
    const samples = [];
    for (let i = 1; i <= 40; i++) samples.push({ t: i * 0.5, rtt: 0.0005 });
    const { sync } = simulate(16e6, 0, samples);
    const before = sync.estimate.freq;
    // A reply delayed 50 ms in the host: the clock looks 25 ms ahead of the send time.
    sync.handleClock(Math.floor((20.5 + 0.025) * 16e6), 20.5, 20.55);
    expect(sync.ignoredSamples).toBe(1);
    expect(sync.estimate.freq).toBe(before);
  });

  it('extends 32-bit clocks across the wrap', () => {
    const sync = new ClockSync(16e6, () => undefined);
    sync.start(2 ** 32 - 1000, 0);
    expect(sync.clock32ToClock64(500)).toBe(2 ** 32 + 500);
    expect(sync.clock32ToClock64(2 ** 32 - 2000)).toBe(2 ** 32 - 2000);
    sync.start(5 * 2 ** 32 + 10, 0);
    expect(sync.clock32ToClock64(2 ** 32 - 10)).toBe(5 * 2 ** 32 - 10);
  });

  it('counts unanswered queries and resets on a reply', () => {
    const sync = new ClockSync(16e6, () => undefined);
    sync.start(0, 1);
    for (let i = 0; i < MAX_PENDING_CLOCK_QUERIES; i++) expect(sync.noteQuerySent()).toBe(true);
    expect(sync.noteQuerySent()).toBe(false);
    sync.handleClock(16e6, 1.5, 1.501);
    expect(sync.isActive()).toBe(true);
  });

  it('hands the serial queue a clock that is pessimistic by 3 sigma', () => {
    const { estimates } = simulate(16e6, 0, [
      { t: 0.05, rtt: 0.001 },
      { t: 0.1, rtt: 0.001 },
    ]);
    const [freq, time, clock] = estimates.at(-1)!;
    expect(freq).toBeGreaterThan(15.9e6);
    expect(clock).toBeLessThan(time * 16e6);
  });
});

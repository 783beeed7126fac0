// The host notices when it could not run (here: its event loop blocked 400 ms, as on an
// overloaded computer) and a homing communication timeout says so; without a stall the message
// is Klipper's alone.
import { describe, expect, it } from 'vitest';
import { homingCommTimeoutMessage, recentHostStallS, watchHostStalls } from '../../../src-main/host/mcu/host-stalls';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const blockFor = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('host stalls', () => {
  it('are measured and named in the homing timeout message', async () => {
    watchHostStalls();
    await sleep(200);
    blockFor(400);
    await sleep(120); // the watcher's next tick sees the gap
    const stallS = recentHostStallS(1);
    expect(stallS).toBeGreaterThanOrEqual(0.3);
    expect(stallS).toBeLessThan(5);
    expect(homingCommTimeoutMessage()).toMatch(
      /^Communication timeout during homing \(this computer did not run Tether for \d+\.\d s just before: it is overloaded/,
    );
  });

  it("the message is Klipper's alone below a 0.2 s stall", () => {
    expect(homingCommTimeoutMessage(0)).toBe('Communication timeout during homing');
    expect(homingCommTimeoutMessage(0.15)).toBe('Communication timeout during homing');
    expect(homingCommTimeoutMessage(1.26)).toBe(
      'Communication timeout during homing (this computer did not run Tether for 1.3 s just before: it is overloaded; close other programs and home again)',
    );
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Host } from '../../../src-main/host/host';
import { referenceDir, testOutputDir } from '../../support/paths';

describe('Host.start with a real-MCU printer.cfg', () => {
  it('resolves at once in the starting state while the MCU is being connected', async () => {
    const dir = path.join(testOutputDir, 'objects');
    fs.mkdirSync(dir, { recursive: true });
    const cfg = path.join(dir, 'live.cfg');
    fs.writeFileSync(cfg, fs.readFileSync(path.join(referenceDir, 'bench/bench-cartesian.cfg'), 'utf8').replace('/dev/ttyACM0', '/dev/tether-no-such-port'));
    const t0 = Date.now();
    const host = await Host.start({ configPath: cfg });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(host.info()).toMatchObject({ state: 'starting', stateMessage: "Connecting to MCU 'mcu' on /dev/tether-no-such-port" });
    // The printer objects exist already: the console can list commands while it connects.
    expect(host.gcode.lookup('G1')).toBeDefined();
    await host.stop();
  });
});

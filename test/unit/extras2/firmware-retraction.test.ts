// [firmware_retraction] on a batch host: G10/G11 move E by the configured lengths (once per
// retraction), keep the G-code modes, and SET/GET_RETRACTION change and report the settings.
import { afterEach, describe, expect, it } from 'vitest';
import { startBatchHost, type BatchHost } from './batch-host';
import { retractionScript } from '../../../src-main/host/objects/firmware-retraction';

let host: BatchHost | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

const e = (b: BatchHost) => b.h.printer.lookupObject<{ getPosition(): number[] }>('toolhead').getPosition()[3]!;

describe('[firmware_retraction]', () => {
  it('retracts and unretracts by the configured lengths, once each', async () => {
    host = await startBatchHost('[firmware_retraction]\nretract_length: 1.5\nretract_speed: 30\nunretract_extra_length: 0.25\n');
    await host.run('G90\nM82\nG92 E10');
    const e0 = e(host);
    await host.run('G10');
    expect(e(host)).toBeCloseTo(e0 - 1.5, 9);
    await host.run('G10'); // already retracted: nothing
    expect(e(host)).toBeCloseTo(e0 - 1.5, 9);
    await host.run('G11');
    expect(e(host)).toBeCloseTo(e0 + 0.25, 9);
    await host.run('G11'); // not retracted: nothing
    expect(e(host)).toBeCloseTo(e0 + 0.25, 9);
    // Absolute modes survive: the next absolute E move goes to E12 in G-code terms.
    const gm = host.h.printer.lookupObject<{ absoluteCoord: boolean; absoluteExtrude: boolean }>('gcode_move');
    expect([gm.absoluteCoord, gm.absoluteExtrude]).toEqual([true, true]);
    expect(host.status('firmware_retraction')).toEqual({
      retract_length: 1.5,
      retract_speed: 30,
      unretract_extra_length: 0.25,
      unretract_speed: 10,
    });
  });

  it('SET_RETRACTION changes what G10 does; GET_RETRACTION reports it', async () => {
    host = await startBatchHost('[firmware_retraction]\n');
    expect(await host.run('GET_RETRACTION')).toBe(
      '// RETRACT_LENGTH=0.00000 RETRACT_SPEED=20.00000 UNRETRACT_EXTRA_LENGTH=0.00000 UNRETRACT_SPEED=10.00000',
    );
    const e0 = e(host);
    await host.run('G10'); // length 0: no move
    expect(e(host)).toBe(e0);
    await host.run('SET_RETRACTION RETRACT_LENGTH=0.8 UNRETRACT_SPEED=25');
    await host.run('G10');
    expect(e(host)).toBeCloseTo(e0 - 0.8, 9);
    expect(await host.run('GET_RETRACTION')).toContain(
      'RETRACT_LENGTH=0.80000 RETRACT_SPEED=20.00000 UNRETRACT_EXTRA_LENGTH=0.00000 UNRETRACT_SPEED=25.00000',
    );
    await expect(host.run('SET_RETRACTION RETRACT_SPEED=0')).rejects.toThrow(/RETRACT_SPEED/);
  });

  it('the script is relative E moves in a saved state', () => {
    const s = { retractLengthMm: 2, retractSpeedMmS: 40, unretractExtraLengthMm: 0.5, unretractSpeedMmS: 20 };
    expect(retractionScript(s, true)[2]).toBe('G1 E-2.00000 F2400.000');
    expect(retractionScript(s, false)[2]).toBe('G1 E2.50000 F1200.000');
  });

  it('without the section G10 names it; bad options name printer.cfg:line', async () => {
    host = await startBatchHost('');
    await expect(host.run('G10')).rejects.toThrow(/firmware_retraction/);
    await host.stop();
    host = null;
    await expect(startBatchHost('[firmware_retraction]\nretract_speed: 0\n')).rejects.toThrow(/retract_speed.*printer\.cfg:\d+/s);
  });
});

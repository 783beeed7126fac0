import { describe, expect, it } from 'vitest';
import { avrdudeArgs, bossacArgs, dfuUtilArgs, FlashError, runTool } from '../../../src-main/flash';

// The wrapper runs real processes: sh stands in for a tool that hangs silently or chatters forever.
describe('external tool wrapper', () => {
  it('kills a tool that goes silent (avrdude on a dead bootloader) after the inactivity timeout', async () => {
    const started = Date.now();
    const err = await runTool({ command: 'sh', args: ['-c', 'echo connecting; sleep 30'], inactivityMs: 300, overallMs: 20_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(FlashError);
    expect(err.code).toBe('tool-timeout');
    expect(err.message).toMatch(/printed nothing for 0.3 s/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('kills a tool that keeps printing past the overall timeout', async () => {
    const err = await runTool({ command: 'sh', args: ['-c', 'while true; do echo .; sleep 0.05; done'], inactivityMs: 5000, overallMs: 500 }).catch((e) => e);
    expect(err.code).toBe('tool-timeout');
    expect(err.message).toMatch(/did not finish within 0.5 s/);
  });

  it('passes lines through, splitting progress bars on carriage returns, and reports failures', async () => {
    const lines: string[] = [];
    await runTool({ command: 'sh', args: ['-c', 'printf "Writing | ##   \\rWriting | #### \\ndone\\n"'], inactivityMs: 2000, overallMs: 5000, onLine: (l) => lines.push(l) });
    expect(lines).toEqual(['Writing | ##   ', 'Writing | #### ', 'done']);
    const failed = await runTool({ command: 'sh', args: ['-c', 'echo "avrdude: stk500_recv(): programmer is not responding" >&2; exit 1'], inactivityMs: 2000, overallMs: 5000 }).catch((e) => e);
    expect(failed.code).toBe('tool-failed');
    expect(failed.message).toMatch(/exit 1.*not responding/);
  });

  it('tells how to install a missing tool', async () => {
    const err = await runTool({ command: 'tether-no-such-tool', args: [], inactivityMs: 1000, overallMs: 1000, debianPackage: 'dfu-util' }).catch((e) => e);
    expect(err.code).toBe('tool-missing');
    expect(err.fix).toMatch(/apt install dfu-util/);
  });

  it('builds the command lines', () => {
    expect(avrdudeArgs({ mcu: 'atmega2560', protocol: 'stk500v2', port: '/dev/ttyACM0', baudRate: 115200, hexPath: '/tmp/f.hex' })).toEqual(['-c', 'wiring', '-p', 'm2560', '-P', '/dev/ttyACM0', '-b', '115200', '-D', '-U', 'flash:w:/tmp/f.hex:i']);
    expect(dfuUtilArgs({ address: 0x08008000, binPath: '/tmp/k.bin' })).toEqual(['-a', '0', '-d', '0483:df11', '-s', '0x08008000:leave', '-D', '/tmp/k.bin']);
    expect(bossacArgs({ port: '/dev/ttyACM0', binPath: '/tmp/k.bin' })).toEqual(['--port=ttyACM0', '-U', 'false', '-e', '-w', '-v', '-b', '-R', '/tmp/k.bin']);
  });
});

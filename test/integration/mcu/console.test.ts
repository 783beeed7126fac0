// tether mcu-console against the sim over a pty: commands in text form go out, replies print.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcuConsoleCommand, mcuConsoleCommand } from '../../../src-main/host/mcu/cli';
import { testOutputDir } from '../../support/paths';
import { simBuilt, startSim, type SimProcess } from './sim-process';

const sims: SimProcess[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
});

describe.skipIf(!simBuilt())('tether mcu-console', () => {
  it('sends commands typed by name and prints the MCU replies', async () => {
    const sim = await startSim('console');
    sims.push(sim);
    let text = '';
    const input = new PassThrough();
    const cmd = createMcuConsoleCommand(() => ({ input, output: { write: (t: string) => (text += t) } }));
    const done = cmd.run([sim.pty]);
    const waitFor = async (re: RegExp): Promise<void> => {
      const t0 = Date.now();
      while (!re.test(text)) {
        if (Date.now() - t0 > 15_000) throw new Error(`console never printed ${re}; got:\n${text}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await waitFor(/# connected to tether-sim/);
    input.write('get_uptime\n');
    await waitFor(/uptime high=\d+ clock=\d+/);
    input.write('debug_ping data=414243\n');
    await waitFor(/pong data=b'ABC'/);
    input.write('bogus_command x=1\n');
    await waitFor(/# error: unknown command 'bogus_command'/);
    input.write('list\n');
    await waitFor(/^queue_step oid=%c interval=%u count=%hu add=%hi$/m);
    input.end('quit\n');
    expect(await done).toBe(2); // one line failed
  });

  it('runs a script file through run(args)', async () => {
    const sim = await startSim('console-script');
    sims.push(sim);
    mkdirSync(testOutputDir, { recursive: true });
    const script = path.join(testOutputDir, 'mcu-console-script.txt');
    writeFileSync(script, '# comment\nget_config\ndelay 0.2\n');
    let text = '';
    const cmd = createMcuConsoleCommand(() => ({ input: new PassThrough(), output: { write: (t: string) => (text += t) } }));
    expect(await cmd.run([sim.pty, '--script', script])).toBe(0);
    expect(text).toMatch(/config is_config=0 crc=0 is_shutdown=0 move_count=\d+/);
  });

  it('explains a missing port and bad arguments', async () => {
    expect(await mcuConsoleCommand.run([])).toBe(64);
    expect(await mcuConsoleCommand.run(['/dev/ttyUSB0', '--baud', 'fast'])).toBe(64);
  });
});

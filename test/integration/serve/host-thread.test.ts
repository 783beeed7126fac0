// The host's process wrapper: lifecycle (starting -> ready | error | shutdown), restart,
// calls refused while the host is down, crashes turned into an 'error' state, and the log file.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostThread, hostWorkerEntry } from '../../../src-main/host/worker/host-thread';
import { startSimPrinter } from '../../../src-main/host/sim/launch';
import { repoRoot } from '../../support/paths';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tether-thread-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function thread(name: string, workerEntry = hostWorkerEntry(import.meta.url)): HostThread {
  return new HostThread({ printerId: name, configPath: null, workerEntry, logPath: path.join(tmp, name, 'host.log') });
}

describe('HostThread', () => {
  it('starts, answers, stops, refuses calls while down, and restarts', async () => {
    const t = thread('life');
    const states: string[] = [];
    t.on('state', (s) => states.push(s));
    const lines: string[] = [];
    t.on('console', (l) => lines.push(`${l.kind}:${l.text}`));

    await t.start();
    expect(t.state).toBe('ready');
    await t.call('gcode.run', { script: 'RESPOND TYPE=command MSG="from the worker"' });
    expect(lines).toEqual(['command:RESPOND TYPE=command MSG="from the worker"', 'raw:// from the worker']);
    await expect(t.call('gcode.run', { script: 'BOGUS' })).rejects.toMatchObject({
      code: 'gcode_error',
      message: 'Unknown command: "BOGUS"',
    });

    await t.stop();
    expect(t.state).toBe('shutdown');
    expect(t.running).toBe(false);
    await expect(t.call('gcode.commands', {})).rejects.toMatchObject({ code: 'host_not_running' });

    await t.restart();
    expect(t.state).toBe('ready');
    expect((await t.call('gcode.commands', {})).map((c) => c.name)).toContain('HELP');
    await t.dispose();
    expect(states).toEqual(['starting', 'ready', 'shutdown', 'starting', 'ready', 'shutdown']);

    const log = readFileSync(path.join(tmp, 'life', 'host.log'), 'utf8');
    const startAt = log.indexOf('state starting: Printer is starting');
    expect(startAt).toBeGreaterThanOrEqual(0);
    expect(log.indexOf('host 0.1.0 (printer life)')).toBeGreaterThan(startAt);
    expect(log.indexOf('state ready: Printer is ready')).toBeGreaterThan(startAt);
    expect(log).toContain('error: !! Unknown command: "BOGUS"');
    expect(log).toContain('restart requested');
  });

  it('M112 shuts the host down through the emergency path', async () => {
    const t = thread('estop');
    await t.start();
    await t.call('gcode.run', { script: 'M112' }).catch(() => undefined);
    await expect.poll(() => t.state).toBe('shutdown');
    expect(t.stateMessage).toBe('Shutdown due to M112 command');
    // The worker is still alive in shutdown (as Klipper's host is): HELP still answers.
    await expect(t.call('gcode.run', { script: 'HELP' })).resolves.toEqual({ done: true });
    await t.dispose();
  });

  it('resolves start while the MCU is still connecting, and the console answers meanwhile', async () => {
    const cfg = path.join(tmp, 'connecting.cfg');
    writeFileSync(cfg, '[mcu]\nserial: /tmp/tether-no-such-tty\n\n[printer]\nkinematics: none\nmax_velocity: 100\nmax_accel: 100\n');
    const t = new HostThread({
      printerId: 'connecting',
      configPath: cfg,
      workerEntry: hostWorkerEntry(import.meta.url),
      logPath: path.join(tmp, 'connecting', 'host.log'),
    });
    await t.start();
    expect(t.state).toBe('starting');
    expect(t.stateMessage).toContain('/tmp/tether-no-such-tty');
    await expect(t.call('gcode.run', { script: 'HELP' })).resolves.toEqual({ done: true });
    await expect(t.call('gcode.run', { script: 'M118 not yet' })).rejects.toMatchObject({
      code: 'gcode_error',
      message: expect.stringContaining('not ready'),
    });
    await t.dispose();
  });

  it('reports a crashing host as error with its message, and logs it', async () => {
    const entry = path.join(tmp, 'crash.mjs');
    writeFileSync(entry, "throw new Error('config exploded');\n");
    const t = thread('crash', entry);
    await t.start();
    expect(t.state).toBe('error');
    expect(t.stateMessage).toContain('config exploded');
    await expect(t.call('gcode.commands', {})).rejects.toMatchObject({ code: 'host_not_running' });
    await t.dispose();
    expect(readFileSync(path.join(tmp, 'crash', 'host.log'), 'utf8')).toContain('host crashed: Error: config exploded');
  });

  it('reports a host that exits on its own as error, and fails calls in flight', async () => {
    const entry = path.join(tmp, 'exit.mjs');
    writeFileSync(
      entry,
      [
        "process.send({ type: 'state', state: 'ready', message: 'Printer is ready' });",
        "process.send({ type: 'started' });",
        "process.on('message', () => process.exit(3));",
      ].join('\n'),
    );
    const t = thread('exit', entry);
    await t.start();
    expect(t.state).toBe('ready');
    await expect(t.call('gcode.commands', {})).rejects.toMatchObject({ code: 'host_not_running' });
    await expect.poll(() => t.state).toBe('error');
    expect(t.stateMessage).toContain('exit code 3');
    await t.dispose();
  });

  // serialport's native poller aborts a process that uses it from a worker thread; the host must
  // own its serial port in its own process. This drives a real MCU (the sim) over a pty from the
  // host process, as the app and serve mode do.
  it('connects a real MCU over a serial pty from the host process', async () => {
    const dir = path.join(tmp, 'sim');
    const template = readFileSync(path.join(repoRoot, 'resources/printers/tether-sim.cfg'), 'utf8');
    const configPath = path.join(dir, 'printer.cfg');
    const sim = await startSimPrinter({
      configPath: (() => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(configPath, template.replace(/^serial: .*$/m, `serial: ${path.join(dir, 'tty')}`));
        return configPath;
      })(),
      dataDir: dir,
    });
    const t = new HostThread({ printerId: 'sim', configPath, workerEntry: hostWorkerEntry(import.meta.url), logPath: path.join(dir, 'host.log') });
    try {
      await t.start();
      await expect.poll(() => t.state, { timeout: 20_000 }).toBe('ready');
      const lines: string[] = [];
      t.on('console', (l) => lines.push(l.text));
      await t.call('gcode.run', { script: 'M105' });
      expect(lines.join('\n')).toMatch(/T0?:\d+\.\d/);
      await t.call('gcode.run', { script: 'SET_KINEMATIC_POSITION X=10 Y=10 Z=5\nG1 X20 F3000\nM400' });
    } finally {
      await t.dispose();
      await sim.stop();
    }
    const trace = readFileSync(sim.tracePath, 'utf8');
    expect(trace).toContain('"name":"finalize_config"');
    expect(trace).toContain('"name":"queue_step"');
  }, 60_000);
});

// Issue 6's live extras on the sim, in real time: FORCE_MOVE / SET_KINEMATIC_POSITION,
// [idle_timeout] (short timeout), [controller_fan], RESTART / FIRMWARE_RESTART / STATUS, SAVE_CONFIG.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Host } from '../../../src-main/host/host';
import { simPositions, sleep, waitFor } from '../jobs/print-helpers';
import path from 'node:path';
import { HostThread, hostWorkerEntry } from '../../../src-main/host/worker/host-thread';
import { startSimPrinter } from '../../../src-main/host/sim/launch';
import { startLivePrinter, writeTestConfig } from './live-printer';

type Status = { getStatus(t?: number): Record<string, unknown> };

describe('live extras on the sim', () => {
  it('FORCE_MOVE moves one stepper alone; SET_KINEMATIC_POSITION declares the position', async () => {
    const p = await startLivePrinter('force-move');
    try {
      await p.run('SET_KINEMATIC_POSITION X=50 Y=50 Z=10');
      const th = p.host.printer.lookupObject<Status>('toolhead');
      expect(th.getStatus().homed_axes).toBe('xyz');
      await p.run(
        'FORCE_MOVE STEPPER=stepper_x DISTANCE=12.5 VELOCITY=20 ACCEL=500\nFORCE_MOVE STEPPER=stepper_y DISTANCE=-5 VELOCITY=10\nM400',
      );
      // The toolhead position is unchanged (the kinematics now disagree with the motors).
      expect((th.getStatus().position as number[]).slice(0, 3)).toEqual([50, 50, 10]);
      await sleep(2500); // the moves end and the sim flushes its trace
      const pos = simPositions(p);
      expect(pos.stepper_x).toBeCloseTo(12.5, 2);
      expect(pos.stepper_y).toBeCloseTo(-5, 2);
      expect(pos.stepper_z ?? 0).toBe(0);
      await expect(p.run('FORCE_MOVE STEPPER=stepper_q DISTANCE=1 VELOCITY=1')).rejects.toThrow(
        /Unknown stepper stepper_q \(steppers: stepper_x/,
      );
      await expect(p.run('FORCE_MOVE STEPPER=stepper_x DISTANCE=1 VELOCITY=0')).rejects.toThrow(/VELOCITY/);
      expect(p.host.printer.state).toBe('ready');
      expect(p.trace().filter((e) => e.ev === 'shutdown')).toEqual([]);
    } finally {
      await p.stop();
    }
  }, 60_000);

  it('idle_timeout: Printing while moving, Ready after, then its gcode turns heaters and motors off', async () => {
    const p = await startLivePrinter('idle-timeout', { edit: (c) => `${c}\n[idle_timeout]\ntimeout: 3\n` });
    try {
      const idle = p.host.printer.lookupObject<Status>('idle_timeout');
      const enable = p.host.printer.lookupObject<Status>('stepper_enable');
      const extruder = () => p.host.printer.lookupObject<{ heaters: Map<string, { targetC: number }> }>('heaters').heaters.get('extruder')!;
      expect(idle.getStatus().state).toBe('Idle');
      const out: string[] = [];
      p.host.gcode.onResponse((_k, t) => out.push(t));
      await p.run('SET_KINEMATIC_POSITION X=10 Y=10 Z=10\nM104 S60\nG1 X60 F3000');
      await waitFor(() => idle.getStatus().state === 'Printing', 'state Printing', 5000);
      expect(idle.getStatus().printing_time as number).toBeGreaterThanOrEqual(0);
      await waitFor(() => idle.getStatus().state === 'Ready', 'state Ready', 10_000);
      expect((enable.getStatus().steppers as Record<string, boolean>).stepper_x).toBe(true);
      expect(extruder().targetC).toBe(60);
      const readyAt = Date.now();
      await waitFor(
        () => idle.getStatus().state === 'Idle',
        'state Idle',
        15_000,
        () => JSON.stringify(idle.getStatus()),
      );
      const afterS = (Date.now() - readyAt) / 1000;
      console.log(`idle_timeout gcode ran ${afterS.toFixed(1)} s after Ready (timeout 3 s, counted from the end of the moves)`);
      expect(afterS).toBeGreaterThan(1);
      expect(afterS).toBeLessThan(6);
      expect(extruder().targetC).toBe(0);
      expect(Object.values(enable.getStatus().steppers as Record<string, boolean>).some((v) => v)).toBe(false);
      expect(out.some((l) => l.includes('Idle timeout'))).toBe(true);
      // Motors off forgets homing, as M84 does.
      expect(p.host.printer.lookupObject<Status>('toolhead').getStatus().homed_axes).toBe('');
      // New work makes it Printing again.
      await p.run('M104 S50');
      expect(idle.getStatus().state).toBe('Printing');
    } finally {
      await p.stop();
    }
  }, 60_000);

  it('controller_fan runs while a stepper is enabled, at idle_speed for idle_timeout, then stops', async () => {
    const p = await startLivePrinter('controller-fan', {
      edit: (c) =>
        `${c}\n[controller_fan drivers]\npin: PH3\nfan_speed: 0.8\nidle_speed: 0.4\nidle_timeout: 2\nheater: heater_bed\nkick_start_time: 0\n`,
    });
    try {
      const fan = p.host.printer.lookupObject<Status>('controller_fan drivers');
      await sleep(1500);
      expect(fan.getStatus().speed).toBe(0);
      await p.run('SET_KINEMATIC_POSITION X=10 Y=10 Z=10\nG1 X20 F3000\nM400');
      await waitFor(() => fan.getStatus().speed === 0.8, 'fan at fan_speed', 5000);
      await p.run('M84');
      await waitFor(() => fan.getStatus().speed === 0.4, 'fan at idle_speed', 5000);
      await waitFor(() => fan.getStatus().speed === 0, 'fan off after idle_timeout', 6000);
      await p.run('M140 S40');
      await waitFor(() => fan.getStatus().speed === 0.8, 'fan on for the bed heater', 5000);
      await sleep(1200);
      const duties = p.trace().filter((e) => e.ev === 'pin' && e.pin === 'PH3');
      console.log(`controller fan pin events: ${duties.length}`);
      expect(duties.length).toBeGreaterThan(0);
    } finally {
      await p.stop();
    }
  }, 60_000);

  it('STATUS answers in every state; FIRMWARE_RESTART brings a shut-down printer back; RESTART reloads printer.cfg', async () => {
    const p = await startLivePrinter('restart');
    try {
      const host = p.host;
      expect(await p.run('STATUS')).toBe('// Klipper state: Ready');
      const first = host.printer;
      await p.run('M112').catch(() => undefined);
      await waitFor(() => host.printer.state === 'shutdown', 'shutdown', 5000);
      await expect(p.run('G1 X10')).rejects.toThrow(/Printer is not ready: Shutdown due to M112 command/);
      await expect(p.run('STATUS')).rejects.toThrow(/Shutdown due to M112 command[\s\S]*Klipper state: Not ready/);
      const t0 = Date.now();
      await p.run('FIRMWARE_RESTART');
      await restarted(host, first);
      console.log(`FIRMWARE_RESTART: ready again after ${Date.now() - t0} ms`);
      expect(host.printer.stateMessage).toBe('Printer is ready');
      await sleep(1200); // the sim flushes its trace at least once a second
      expect(p.trace().filter((e) => e.ev === 'cmd' && e.name === 'reset').length).toBeGreaterThanOrEqual(1);
      // The new printer works: it moves.
      await p.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=0\nG1 X5 F600\nM400');
      // RESTART picks up an edited printer.cfg.
      writeFileSync(p.configPath, readFileSync(p.configPath, 'utf8').replace(/^max_velocity: .*$/m, 'max_velocity: 123'));
      const second = host.printer;
      await p.run('RESTART');
      await restarted(host, second);
      expect(host.printer.lookupObject<Status>('toolhead').getStatus().max_velocity as number).toBe(123);
      // A broken printer.cfg: RESTART leaves the host in the error state with file:line, and RESTART works from there.
      writeFileSync(p.configPath, readFileSync(p.configPath, 'utf8').replace(/^max_velocity: .*$/m, 'max_velocity: -1'));
      const third = host.printer;
      await p.run('RESTART');
      await waitFor(() => host.printer !== third && host.printer.state === 'error', 'config error state', 10_000);
      expect(host.printer.stateMessage).toMatch(/max_velocity.*printer\.cfg:\d+/);
      writeFileSync(p.configPath, readFileSync(p.configPath, 'utf8').replace(/^max_velocity: .*$/m, 'max_velocity: 300'));
      const fourth = host.printer;
      await p.run('RESTART');
      await restarted(host, fourth);
      expect(p.trace().filter((e) => e.ev === 'shutdown').length).toBe(1); // only the M112
    } finally {
      await p.stop();
    }
  }, 90_000);

  it('SAVE_CONFIG writes pending values into the SAVE_CONFIG block, keeps a dated backup and restarts', async () => {
    const p = await startLivePrinter('save-config');
    try {
      const host = p.host;
      const before = readFileSync(p.configPath, 'utf8');
      expect(await p.run('SAVE_CONFIG')).toBe('// No pending SAVE_CONFIG changes');
      // What PID_CALIBRATE leaves pending (the calibration itself takes minutes: heaters.test.ts).
      const configfile = host.printer.lookupObject<Status & { set(s: string, o: string, v: string): void }>('configfile');
      configfile.set('extruder', 'pid_Kp', '30.500');
      configfile.set('extruder', 'pid_Ki', '1.250');
      configfile.set('extruder', 'pid_Kd', '150.000');
      expect(configfile.getStatus().save_config_pending).toBe(true);
      expect(configfile.getStatus().save_config_pending_items).toEqual({
        extruder: { pid_kp: '30.500', pid_ki: '1.250', pid_kd: '150.000' },
      });
      const first = host.printer;
      await p.run('SAVE_CONFIG');
      await restarted(host, first);
      // The old file is kept under Klipper's dated name (printer-YYYYMMDD_HHMMSS.cfg).
      const backups = readdirSync(p.dir).filter((f) => /^printer-\d{8}_\d{6}\.cfg$/.test(f));
      expect(backups).toHaveLength(1);
      expect(readFileSync(path.join(p.dir, backups[0]!), 'utf8')).toBe(before);
      const after = readFileSync(p.configPath, 'utf8');
      expect(after).toContain(
        '#*# <---------------------- SAVE_CONFIG ---------------------->\n#*# DO NOT EDIT THIS BLOCK OR BELOW. The contents are auto-generated.\n#*#\n#*# [extruder]\n#*# pid_kp = 30.500\n#*# pid_ki = 1.250\n#*# pid_kd = 150.000\n',
      );
      // The old values above the block are commented out, not left to contradict it.
      expect(after).toMatch(/^#pid_Kp: 22\.2$/m);
      expect(after).not.toMatch(/^pid_Kp:/m);
      const heater = host.printer.lookupObject<{ heaters: Map<string, { cfg: { kp?: number } }> }>('heaters').heaters.get('extruder')!;
      expect(heater.cfg.kp).toBe(30.5);
      expect(host.printer.lookupObject<Status>('configfile').getStatus().save_config_pending).toBe(false);
    } finally {
      await p.stop();
    }
  }, 60_000);

  it('in the host process: after FIRMWARE_RESTART the console, state and status subscription follow the new printer', async () => {
    const { dir, configPath } = writeTestConfig('thread-restart');
    const sim = await startSimPrinter({ configPath, dataDir: dir });
    const t = new HostThread({
      printerId: 'restart',
      configPath,
      workerEntry: hostWorkerEntry(import.meta.url),
      logPath: path.join(dir, 'host.log'),
    });
    try {
      await t.start();
      await waitFor(() => t.state === 'ready', 'ready', 20_000);
      const states: string[] = [];
      t.on('state', (st, msg) => states.push(`${st}: ${msg}`));
      const idleStates: unknown[] = [];
      t.on('status', (_e, st) => {
        if (st.idle_timeout && 'state' in st.idle_timeout) idleStates.push(st.idle_timeout.state);
      });
      const sub = await t.call('status.subscribe', { objects: { idle_timeout: ['state'] } });
      expect(sub.status.idle_timeout).toEqual({ state: 'Idle' });
      await t.call('gcode.run', { script: 'M112' }).catch(() => undefined);
      await waitFor(() => t.state === 'shutdown', 'shutdown', 5000);
      await t.call('gcode.run', { script: 'FIRMWARE_RESTART' });
      await waitFor(
        () => t.state === 'ready',
        'ready after FIRMWARE_RESTART',
        20_000,
        () => states.join(' | '),
      );
      expect(states[0]).toBe('shutdown: Shutdown due to M112 command');
      expect(states).toContain('starting: Firmware restart: resetting the MCU and reloading printer.cfg');
      expect(states.at(-1)).toBe('ready: Printer is ready');
      // Console lines of the new printer reach the parent.
      const lines: string[] = [];
      t.on('console', (l) => lines.push(l.text));
      await t.call('gcode.run', { script: 'STATUS' });
      expect(lines).toContain('// Klipper state: Ready');
      // The subscription now watches the new printer's idle_timeout.
      await t.call('gcode.run', { script: 'SET_KINEMATIC_POSITION X=10 Y=10 Z=5\nG1 X20 F3000' });
      await waitFor(
        () => idleStates.includes('Printing'),
        'idle_timeout Printing through the subscription',
        5000,
        () => JSON.stringify(idleStates),
      );
      // The late MCU report of the M112 shutdown is not shown again once the restart began.
      expect(readFileSync(path.join(dir, 'host.log'), 'utf8')).not.toContain('shutdown: Command request');
    } finally {
      await t.dispose();
      await sim.stop();
    }
  }, 60_000);
});

/** Waits until `host` has a new printer (not `old`) and it is ready. */
async function restarted(host: Host, old: unknown): Promise<void> {
  await waitFor(
    () => host.printer !== old && host.printer.state === 'ready',
    'the restarted printer to be ready',
    20_000,
    () => `(state ${host.printer.state}: ${host.printer.stateMessage})`,
  );
}

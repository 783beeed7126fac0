// Status query and subscription on a batch-mode host: Klipper names and fields, change-only
// deltas, batched (never more often than every 250 ms).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Host } from '../../../src-main/host/host';
import { listStatusObjects, queryStatus, StatusSubscription, type StatusSnapshot } from '../../../src-main/host/status/status';
import { testOutputDir } from '../../support/paths';
import { atmegaDict, CARTESIAN, discard } from '../objects/load-helpers';

let host: Host | null = null;
afterEach(async () => {
  await host?.stop();
  host = null;
});

async function start(): Promise<Host> {
  const dir = path.join(testOutputDir, 'status');
  mkdirSync(dir, { recursive: true });
  const cfg = path.join(dir, `printer-${process.pid}.cfg`);
  writeFileSync(cfg, CARTESIAN + '\n[gcode_macro M]\nvariable_x: 1\ngcode:\n  G4\n');
  host = await Host.start({ configPath: cfg, mcuFileOutput: { dictionary: atmegaDict, output: discard() } });
  return host;
}

describe('status objects', () => {
  it('lists and queries objects under Klipper names and fields', async () => {
    const h = await start();
    const names = listStatusObjects(h.printer);
    for (const n of ['toolhead', 'gcode_move', 'extruder', 'print_stats', 'display_status', 'configfile', 'webhooks', 'system_stats', 'motion_report', 'gcode_macro M']) {
      expect(names).toContain(n);
    }
    const q = queryStatus(h.printer, { toolhead: ['position', 'homed_axes'], webhooks: null, 'gcode_macro M': null, nothing: null });
    expect(q).toEqual({ toolhead: { position: [0, 0, 0, 0], homed_axes: '' }, webhooks: { state: 'ready', state_message: 'Printer is ready' }, 'gcode_macro M': { x: 1 } });
    expect(queryStatus(h.printer, { configfile: ['config'] }).configfile.config).toMatchObject({ printer: { kinematics: 'cartesian' } });
    expect(queryStatus(h.printer, { gcode_move: null }).gcode_move).toMatchObject({ speed_factor: 1, absolute_coordinates: true });
  });

  it('subscriptions send only changed fields, batched', async () => {
    const h = await start();
    const deltas: StatusSnapshot[] = [];
    const times: number[] = [];
    const sub = new StatusSubscription(h.printer, { toolhead: ['position'], 'gcode_macro M': null, gcode_move: ['speed_factor'] }, (d) => {
      deltas.push(d);
      times.push(performance.now());
    });
    expect(sub.initial['gcode_macro M']).toEqual({ x: 1 });
    await h.gcode.run('SET_KINEMATIC_POSITION X=0 Y=0 Z=0');
    for (let i = 1; i <= 10; i++) await h.gcode.run(`G1 X${i} F60000`);
    await h.gcode.run('SET_GCODE_VARIABLE MACRO=M VARIABLE=x VALUE=2');
    await new Promise((r) => setTimeout(r, 700));
    sub.close();
    // Ten moves in a burst arrive as one delta with the last position; unchanged fields never.
    const merged = Object.assign({}, ...deltas.map((d) => d.toolhead ?? {}));
    expect(merged.position).toEqual([10, 0, 0, 0]);
    expect(deltas.some((d) => d['gcode_macro M']?.x === 2)).toBe(true);
    expect(deltas.every((d) => !('gcode_move' in d))).toBe(true);
    expect(deltas.length).toBeLessThanOrEqual(2);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(240);
  });
});

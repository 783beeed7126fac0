// The dashboard's one status subscription: the objects it asks for, deltas merged without
// disturbing unchanged objects, deltas of other printers ignored, and a host that is not
// running reported instead of thrown.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src-main/api/errors';
import { mergeStatus, useStatus, watchedObjects } from '../../../src-renderer/features/dashboard/status-store';
import { scriptedApi } from './scripted-api';

describe('status store', () => {
  it('watches the objects the temperatures, motion and jobs cards read', () => {
    expect(
      watchedObjects([
        'toolhead',
        'configfile',
        'extruder',
        'extruder1',
        'heater_bed',
        'heater_fan hotend_fan',
        'temperature_sensor mcu',
        'webhooks',
        'print_stats',
        'gcode_macro X',
      ]),
    ).toEqual(['toolhead', 'extruder', 'extruder1', 'heater_bed', 'heater_fan hotend_fan', 'temperature_sensor mcu', 'print_stats']);
  });

  it('merges a delta field by field and keeps unchanged objects identical', () => {
    const prev = { toolhead: { position: [0, 0, 0, 0], homed_axes: '' }, extruder: { temperature: 20 } };
    const next = mergeStatus(prev, { toolhead: { homed_axes: 'xyz' } });
    expect(next.toolhead).toEqual({ position: [0, 0, 0, 0], homed_axes: 'xyz' });
    expect(next.extruder).toBe(prev.extruder);
    expect(prev.toolhead.homed_axes).toBe('');
  });

  it('subscribes to the watched objects and applies only its printer’s deltas', async () => {
    const api = scriptedApi({
      'status.objects': async () => ['toolhead', 'configfile', 'extruder'],
      'status.subscribe': async ({ objects }) => ({
        eventtime: 1,
        status: Object.fromEntries(Object.keys(objects).map((n) => [n, { seen: true }])),
      }),
    });
    await useStatus.getState().follow(api.client, 'printer-1');
    expect(api.refused).toEqual([]);
    expect(api.calls[1].params).toEqual({ printerId: 'printer-1', objects: { toolhead: null, extruder: null } });
    expect(useStatus.getState().status).toEqual({ toolhead: { seen: true }, extruder: { seen: true } });
    api.push('status.delta', { printerId: 'printer-1', eventtime: 2, status: { extruder: { temperature: 50 } } });
    api.push('status.delta', { printerId: 'printer-2', eventtime: 2, status: { extruder: { temperature: 99 } } });
    expect(useStatus.getState().status.extruder).toEqual({ seen: true, temperature: 50 });
  });

  it('reports a host that is not running', async () => {
    const api = scriptedApi({
      'status.objects': async () => {
        throw new ApiError('host_not_running', "The host for printer 'printer-9' is not running");
      },
    });
    await useStatus.getState().follow(api.client, 'printer-9');
    expect(useStatus.getState()).toMatchObject({
      printerId: 'printer-9',
      status: {},
      error: "The host for printer 'printer-9' is not running",
    });
  });
});

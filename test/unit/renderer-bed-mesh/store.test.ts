// The bed mesh through the stores: the dashboard's one subscription carries bed_mesh, and its
// status deltas change the mesh the panel reads; status.objects says whether [bed_mesh] exists.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src-main/api/errors';
import { useStatus } from '../../../src-renderer/features/dashboard/status-store';
import { readBedMesh } from '../../../src-renderer/features/bed-mesh/mesh';
import { useBedMeshStore } from '../../../src-renderer/features/bed-mesh/store';
import { scriptedApi } from '../renderer-dashboard/scripted-api';
import { bedMeshStatus, emptyBedMesh } from './fixtures';

const objects = ['toolhead', 'bed_mesh', 'probe', 'filament_switch_sensor runout', 'configfile'];

describe('bed mesh stores', () => {
  it('subscribes to bed_mesh, probe and filament sensors with the dashboard objects, and deltas update the mesh', async () => {
    const api = scriptedApi({
      'status.objects': async () => objects,
      'status.subscribe': async () => ({ eventtime: 1, status: { toolhead: { homed_axes: '' }, bed_mesh: emptyBedMesh } }),
    });
    await useStatus.getState().follow(api.client, 'printer-1');
    expect(api.refused).toEqual([]);
    expect(api.calls[1].params).toEqual({
      printerId: 'printer-1',
      objects: { toolhead: null, bed_mesh: null, probe: null, 'filament_switch_sensor runout': null },
    });
    const mesh = () => readBedMesh(useStatus.getState().status.bed_mesh);
    expect(mesh().probed).toBeNull();

    // BED_MESH_CALIBRATE finished: the host sends the changed fields only.
    const { profiles: _, ...calibrated } = bedMeshStatus(undefined, 'default');
    api.push('status.delta', { printerId: 'printer-1', eventtime: 2, status: { bed_mesh: calibrated } });
    expect(mesh().profileName).toBe('default');
    expect(mesh().probed?.length).toBe(4);
    expect(mesh().profiles).toEqual([]); // not in that delta: kept from before

    // A profile saved: only 'profiles' changes, the loaded mesh stays.
    api.push('status.delta', { printerId: 'printer-1', eventtime: 3, status: { bed_mesh: { profiles: bedMeshStatus().profiles } } });
    expect(mesh().profiles.map((p) => p.name)).toEqual(['default', 'pei']);
    expect(mesh().probed?.length).toBe(4);

    // BED_MESH_CLEAR.
    api.push('status.delta', {
      printerId: 'printer-1',
      eventtime: 4,
      status: { bed_mesh: { profile_name: '', probed_matrix: [[]], mesh_matrix: [[]] } },
    });
    expect(mesh().probed).toBeNull();
    expect(mesh().profiles.length).toBe(2);
  });

  it('knows from status.objects whether the printer has [bed_mesh], per printer', async () => {
    const withMesh = scriptedApi({ 'status.objects': async () => objects });
    await useBedMeshStore.getState().loadObjects(withMesh.client, 'printer-1');
    expect(useBedMeshStore.getState()).toMatchObject({ printerId: 'printer-1', hasBedMesh: true, error: null });

    const without = scriptedApi({ 'status.objects': async () => ['toolhead', 'heater_bed'] });
    await useBedMeshStore.getState().loadObjects(without.client, 'printer-2');
    expect(useBedMeshStore.getState()).toMatchObject({ printerId: 'printer-2', hasBedMesh: false });

    const down = scriptedApi({
      'status.objects': async () => {
        throw new ApiError('host_not_running', "The host for printer 'printer-3' is not running");
      },
    });
    await useBedMeshStore.getState().loadObjects(down.client, 'printer-3');
    expect(useBedMeshStore.getState()).toMatchObject({ hasBedMesh: null, error: "The host for printer 'printer-3' is not running" });
  });

  it('keeps the Z exaggeration within the slider range', () => {
    useBedMeshStore.getState().setZExaggeration(1000);
    expect(useBedMeshStore.getState().zExaggeration).toBe(200);
    useBedMeshStore.getState().setZExaggeration(0);
    expect(useBedMeshStore.getState().zExaggeration).toBe(1);
  });
});

// The bed mesh panel's own state: whether the printer has [bed_mesh] (from status.objects), the
// view (3D or the 2D map) and the Z exaggeration. The mesh itself is the dashboard's live status
// ('bed_mesh' is one of its subscribed objects), read through useBedMesh.
import { useMemo } from 'react';
import { create } from 'zustand';
import type { ApiClient } from '../../api';
import { useStatus } from '../dashboard/status-store';
import { readBedMesh, Z_EXAGGERATION, type BedMeshView } from './mesh';

export type MeshViewMode = '3d' | '2d';

export interface BedMeshState {
  printerId: string | null;
  /** Whether the printer has a [bed_mesh] section; null until status.objects answered. */
  hasBedMesh: boolean | null;
  /** Why the objects could not be read, or null. */
  error: string | null;
  view: MeshViewMode;
  zExaggeration: number;
  /** Asks the host which objects the printer has (again after a restart: the config may have changed). */
  loadObjects(client: ApiClient, printerId: string): Promise<void>;
  setView(view: MeshViewMode): void;
  setZExaggeration(value: number): void;
}

export const useBedMeshStore = create<BedMeshState>()((set, get) => ({
  printerId: null,
  hasBedMesh: null,
  error: null,
  view: '3d',
  zExaggeration: Z_EXAGGERATION.default,

  async loadObjects(client, printerId) {
    if (get().printerId !== printerId) set({ printerId, hasBedMesh: null, error: null });
    try {
      const names = await client.call('status.objects', { printerId });
      if (get().printerId === printerId) set({ hasBedMesh: names.includes('bed_mesh'), error: null });
    } catch (e) {
      if (get().printerId === printerId) set({ error: e instanceof Error ? e.message : String(e) });
    }
  },
  setView(view) {
    set({ view });
  },
  setZExaggeration(value) {
    set({ zExaggeration: Math.min(Z_EXAGGERATION.max, Math.max(Z_EXAGGERATION.min, value)) });
  },
}));

/** The live 'bed_mesh' status, read; recomputed only when that object changes. */
export function useBedMesh(): BedMeshView {
  const obj = useStatus((s) => s.status.bed_mesh);
  return useMemo(() => readBedMesh(obj), [obj]);
}

/** Whether X, Y and Z are homed, from the live toolhead status. */
export function useHomedAxes(): string {
  return useStatus((s) => (typeof s.status.toolhead?.homed_axes === 'string' ? s.status.toolhead.homed_axes : ''));
}

// The printer's live status for the dashboard's panels (temperatures, motion, jobs): one
// status.subscribe per printer covering every object those panels read, then status.delta
// events merged in. The host keeps one subscription per printer, so the dashboard asks for the
// union once instead of each panel subscribing (and replacing the others') on its own.
import { create } from 'zustand';
import type { StatusSnapshot } from '../../../src-main/api/contract';
import type { ApiClient } from '../../api';

/** Objects read by name. */
const WATCHED_NAMES = new Set([
  'toolhead',
  'gcode_move',
  'print_stats',
  'virtual_sdcard',
  'display_status',
  'pause_resume',
  'heaters',
  'idle_timeout',
  'extruder',
  'heater_bed',
  'fan',
  'bed_mesh',
  'probe',
  'motion_report',
]);
/** Objects read by kind: every extra extruder, heater, sensor and fan. */
const WATCHED_PREFIXES = [
  'extruder',
  'heater_generic ',
  'temperature_sensor ',
  'temperature_fan ',
  'heater_fan ',
  'controller_fan ',
  'fan_generic ',
  'filament_switch_sensor ',
  'filament_motion_sensor ',
];

/** The subset of the printer's status objects the dashboard subscribes to. */
export function watchedObjects(names: readonly string[]): string[] {
  return names.filter((n) => WATCHED_NAMES.has(n) || WATCHED_PREFIXES.some((p) => n.startsWith(p)));
}

/** A delta applied to a snapshot: changed objects are new objects, unchanged ones keep identity (cheap selectors). */
export function mergeStatus(prev: StatusSnapshot, delta: StatusSnapshot): StatusSnapshot {
  const next: StatusSnapshot = { ...prev };
  for (const [name, fields] of Object.entries(delta)) next[name] = { ...prev[name], ...fields };
  return next;
}

export interface StatusState {
  printerId: string | null;
  status: StatusSnapshot;
  /** Why the status could not be read (host not running, still starting), or null. */
  error: string | null;
  /** (Re)subscribes to a printer's objects; called again after a restart or reconnect. */
  follow(client: ApiClient, printerId: string): Promise<void>;
}

/** The client whose status.delta events feed the store (one listener per client). */
let listening: ApiClient | null = null;

export const useStatus = create<StatusState>()((set, get) => ({
  printerId: null,
  status: {},
  error: null,

  async follow(client, printerId) {
    if (listening !== client) {
      listening = client;
      client.on('status.delta', ({ printerId: id, status }) => {
        if (id === get().printerId) set((s) => ({ status: mergeStatus(s.status, status) }));
      });
    }
    if (get().printerId !== printerId) set({ printerId, status: {} });
    try {
      const names = await client.call('status.objects', { printerId });
      const objects = Object.fromEntries(watchedObjects(names).map((n) => [n, null]));
      if (Object.keys(objects).length === 0) return;
      const { status } = await client.call('status.subscribe', { printerId, objects });
      if (get().printerId === printerId) set({ status, error: null });
    } catch (e) {
      if (get().printerId === printerId) set({ error: e instanceof Error ? e.message : String(e) });
    }
  },
}));

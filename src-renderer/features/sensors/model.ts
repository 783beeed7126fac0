// Filament sensors and the Z probe as the dashboard shows and drives them: Klipper's
// 'filament_switch_sensor NAME' / 'filament_motion_sensor NAME' and 'probe' status read into
// rows, and the G-code their buttons send. Pure functions over the status snapshot.
import type { StatusSnapshot } from '../../../src-main/api/contract';

const FILAMENT_KINDS = ['filament_switch_sensor ', 'filament_motion_sensor '] as const;

export type FilamentState = 'detected' | 'empty' | 'disabled';

export interface FilamentSensorRow {
  /** The section's name, what SET_FILAMENT_SENSOR SENSOR= takes. */
  name: string;
  enabled: boolean;
  state: FilamentState;
}

export function filamentSensors(status: StatusSnapshot): FilamentSensorRow[] {
  const rows: FilamentSensorRow[] = [];
  for (const [key, obj] of Object.entries(status)) {
    const kind = FILAMENT_KINDS.find((k) => key.startsWith(k));
    if (!kind) continue;
    const enabled = obj.enabled !== false;
    rows.push({
      name: key.slice(kind.length),
      enabled,
      state: !enabled ? 'disabled' : obj.filament_detected === true ? 'detected' : 'empty',
    });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

export function filamentSensorScript(name: string, enable: boolean): string {
  return `SET_FILAMENT_SENSOR SENSOR=${name} ENABLE=${enable ? 1 : 0}`;
}

export interface ProbeView {
  name: string;
  /** The last QUERY_PROBE: true = triggered; null before the first query. */
  lastQueryTriggered: boolean | null;
  /** Z where the last probe triggered, mm; null before the first probe. */
  lastZMm: number | null;
}

export function probeView(status: StatusSnapshot): ProbeView | null {
  const p = status.probe;
  if (!p) return null;
  return {
    name: typeof p.name === 'string' && p.name ? p.name : 'probe',
    // Klipper reports last_query as a bool (0/1 in older versions); before any query it is false.
    lastQueryTriggered: typeof p.last_query === 'boolean' || typeof p.last_query === 'number' ? Boolean(p.last_query) : null,
    lastZMm: typeof p.last_z_result === 'number' && Number.isFinite(p.last_z_result) ? p.last_z_result : null,
  };
}

export const QUERY_PROBE_SCRIPT = 'QUERY_PROBE';

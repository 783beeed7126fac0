// A scripted host for the panel tests: a status snapshot the test sets up, status.subscribe
// answering from it, and G-code that changes it the way Klipper would and pushes the delta.
// Every call still goes through the real contract (scriptedApi checks params with its schemas).
import type { StatusSnapshot } from '../../../src-main/api/contract';
import { ApiError } from '../../../src-main/api/errors';
import { scriptedApi } from '../renderer-dashboard/scripted-api';
import { bedMeshStatus } from './fixtures';

export function scriptedPrinter(initial: StatusSnapshot) {
  const status: StatusSnapshot = structuredClone(initial);
  const scripts: string[] = [];
  let eventtime = 1;
  const change = (delta: StatusSnapshot) => {
    for (const [name, fields] of Object.entries(delta)) status[name] = { ...status[name], ...fields };
    api.push('status.delta', { printerId: 'printer-1', eventtime: ++eventtime, status: delta });
  };
  const api = scriptedApi({
    'status.objects': async () => Object.keys(status),
    'status.subscribe': async ({ objects }) => ({
      eventtime,
      status: Object.fromEntries(Object.keys(objects).flatMap((n) => (status[n] ? [[n, structuredClone(status[n])]] : []))),
    }),
    'gcode.run': async ({ script }) => {
      scripts.push(script);
      const [cmd, arg] = script.split(' ');
      if (cmd === 'G28') change({ toolhead: { homed_axes: 'xyz' } });
      else if (cmd === 'BED_MESH_CALIBRATE') {
        if (status.toolhead?.homed_axes !== 'xyz') throw new ApiError('gcode_error', 'Must home axis first');
        const { profiles: _, ...mesh } = bedMeshStatus(undefined, 'default');
        change({ bed_mesh: mesh });
      } else if (cmd === 'BED_MESH_CLEAR') change({ bed_mesh: { profile_name: '', probed_matrix: [[]], mesh_matrix: [[]] } });
      else if (cmd === 'BED_MESH_PROFILE' && arg.startsWith('REMOVE=')) {
        const profiles = { ...(status.bed_mesh.profiles as Record<string, unknown>) };
        delete profiles[arg.slice('REMOVE='.length)];
        change({ bed_mesh: { profiles } });
      } else if (cmd === 'SET_FILAMENT_SENSOR') {
        const [, sensor, enable] = /SENSOR=(\S+) ENABLE=(\d)/.exec(script) ?? [];
        change({ [`filament_switch_sensor ${sensor}`]: { enabled: enable === '1' } });
      } else if (cmd === 'QUERY_PROBE') change({ probe: { last_query: true } });
      return { done: true };
    },
  });
  return { ...api, status, scripts, change };
}

// A sim printer set up for print-job tests: the default sim printer.cfg with a G-code folder,
// pause_resume, the usual PAUSE/RESUME/CANCEL_PRINT wrapper macros, a G28 stand-in (the first
// G28 sets the position, later ones move to 0 on the named axes) for sims without homing, high
// speed limits so a file prints in seconds, and heaters starting at temperature.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startLivePrinter, type LivePrinter } from '../live/live-printer';

export const PRINT_MACROS = `
[virtual_sdcard]
path: GCODE_DIR

[pause_resume]

[gcode_macro G28]
rename_existing: G28.1
gcode:
  {% if 'x' not in printer.toolhead.homed_axes %}
  SET_KINEMATIC_POSITION X=0 Y=0 Z=0
  {% else %}
  SAVE_GCODE_STATE NAME=HOME
  G90
  G1 {'X0 ' if params.X is defined else ''}{'Y0 ' if params.Y is defined else ''}{'Z0 ' if params.Z is defined else ''}F6000
  RESTORE_GCODE_STATE NAME=HOME
  {% endif %}

# The sim's heaters start at temperature; waiting for them to settle is the heater tests' job.
[gcode_macro M109]
rename_existing: M109.1
gcode:
  M104 S{params.S|default(0)}

[gcode_macro M190]
rename_existing: M190.1
gcode:
  M140 S{params.S|default(0)}

[gcode_macro PAUSE]
rename_existing: BASE_PAUSE
variable_park_z: 10
gcode:
  BASE_PAUSE
  G91
  G1 Z{park_z} F3000
  G90
  G1 X5 Y190 F12000

[gcode_macro RESUME]
rename_existing: BASE_RESUME
gcode:
  BASE_RESUME VELOCITY=200

[gcode_macro CANCEL_PRINT]
rename_existing: BASE_CANCEL_PRINT
gcode:
  TURN_OFF_HEATERS
  BASE_CANCEL_PRINT
  G91
  G1 Z5 F3000
  G90
  G1 X190 Y190 F12000
`;

export function fastConfig(cfg: string, gcodeDir: string): string {
  return (
    cfg
      // Fewer steps per mm: the sim keeps up with fast moves at a few kHz per stepper.
      .replace(/^microsteps: 16$/gm, 'microsteps: 2')
      .replace(/^max_velocity: .*$/m, 'max_velocity: 1000')
      .replace(/^max_accel: .*$/m, 'max_accel: 30000\nsquare_corner_velocity: 20')
      .replace(/^max_z_velocity: .*$/m, 'max_z_velocity: 50')
      .replace(/^max_z_accel: .*$/m, 'max_z_accel: 1000')
      .replace(/^(filament_diameter: .*)$/m, '$1\nmin_extrude_temp: 0\nmax_extrude_only_velocity: 500\nmax_extrude_only_accel: 30000') +
    PRINT_MACROS.replace('GCODE_DIR', gcodeDir)
  );
}

export async function startPrintPrinter(name: string): Promise<{ p: LivePrinter; gcodeDir: string }> {
  let gcodeDir = '';
  const p = await startLivePrinter(name, {
    edit: (cfg) => {
      gcodeDir = path.join(path.dirname(cfg.match(/^serial: (.*)$/m)![1]), 'gcodes');
      mkdirSync(gcodeDir, { recursive: true });
      return fastConfig(cfg, gcodeDir);
    },
    overrides: { heaters: { extruder: { initial_c: 195 }, heater_bed: { initial_c: 50 } } },
  });
  return { p, gcodeDir };
}

/** The last position the sim reached per stepper (mm from its start), from the trace. */
export function simPositions(p: LivePrinter): Record<string, number> {
  const out: Record<string, number> = {};
  let start: Record<string, number> = {};
  for (const ev of p.trace()) {
    if (ev.ev === 'start') {
      start = Object.fromEntries((ev.steppers as { name: string; pos: number; steps_per_mm: number }[]).map((s) => [s.name, s.pos / s.steps_per_mm]));
    }
    if (ev.ev === 'stepper') out[ev.name as string] = (ev.mm as number) - (start[ev.name as string] ?? 0);
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until cond() holds, polling; throws with `what` after timeoutMs. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

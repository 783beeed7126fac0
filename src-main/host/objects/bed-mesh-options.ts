// [bed_mesh] options (Klipper's names and defaults) and the keys of a saved [bed_mesh NAME] profile.
import { defineOptions } from '../config/options';

export const BED_MESH_OPTIONS = defineOptions({
  speed: { type: 'float', default: 50, above: 0, doc: 'Travel speed (mm/s) between probe points' },
  horizontal_move_z: { type: 'float', default: 5, doc: 'Z (mm) the probe travels at between points' },
  fade_start: { type: 'float', default: 1, doc: 'Z (mm) where the mesh correction starts fading out' },
  fade_end: { type: 'float', default: 0, doc: 'Z (mm) where the fade is complete; 0 (or <= fade_start) turns fading off' },
  fade_target: { type: 'float', optional: true, doc: 'Z offset the fade converges to (default: the mesh average)' },
  split_delta_z: { type: 'float', default: 0.025, minval: 0.01, doc: 'Z change (mm) along a move that starts a new segment' },
  move_check_distance: { type: 'float', default: 5, minval: 3, doc: 'Distance (mm) between checks of the Z change along a move' },
  mesh_pps: { type: 'floatList', default: [2, 2], minval: 0, doc: 'Points interpolated between probes, X and Y (one value: both)' },
  algorithm: {
    type: 'choice',
    choices: ['lagrange', 'bicubic'],
    default: 'lagrange',
    doc: 'Interpolation: lagrange (up to 6 points per axis) or bicubic',
  },
  bicubic_tension: { type: 'float', default: 0.2, minval: 0, maxval: 2, doc: 'Bicubic tangent scale (more: more slope at the probes)' },
  zero_reference_position: { type: 'floatList', count: 2, optional: true, doc: 'X, Y where the mesh is made 0 (probed there too)' },
  adaptive_margin: { type: 'float', default: 0, doc: 'Margin (mm) around objects for ADAPTIVE=1 (adaptive meshes are not supported yet)' },
});

/** A rectangular bed (no mesh_radius). */
export const BED_MESH_RECT_OPTIONS = defineOptions({
  mesh_min: { type: 'floatList', count: 2, doc: 'X, Y of the mesh corner nearest the origin (probe coordinates)' },
  mesh_max: { type: 'floatList', count: 2, doc: 'X, Y of the far mesh corner (probe coordinates)' },
  probe_count: { type: 'floatList', default: [3, 3], minval: 3, doc: 'Probe points along X and Y (one value: both)' },
});

/** A round bed (mesh_radius set). */
export const BED_MESH_ROUND_OPTIONS = defineOptions({
  mesh_radius: { type: 'float', optional: true, above: 0, doc: 'Round beds: radius (mm) of the probed area' },
  mesh_origin: { type: 'floatList', count: 2, default: [0, 0], doc: 'Round beds: centre of the probed area' },
  round_probe_count: { type: 'int', default: 5, minval: 3, doc: 'Round beds: points across the diameter (odd)' },
});

/** A [bed_mesh NAME] section as BED_MESH_PROFILE SAVE (and Klipper) writes it. */
export const BED_MESH_PROFILE_OPTIONS = defineOptions({
  version: { type: 'int', doc: 'Profile format version (1)' },
  points: { type: 'string', doc: 'Probed Z values, one line per row (low Y first), X ascending' },
  x_count: { type: 'int', minval: 2, doc: 'Probed points per row' },
  y_count: { type: 'int', minval: 2, doc: 'Rows' },
  mesh_x_pps: { type: 'int', minval: 0, doc: 'Interpolated points between probes along X' },
  mesh_y_pps: { type: 'int', minval: 0, doc: 'Interpolated points between probes along Y' },
  algo: { type: 'choice', choices: ['lagrange', 'bicubic', 'direct'], doc: 'Interpolation algorithm' },
  tension: { type: 'float', minval: 0, maxval: 2, doc: 'Bicubic tension' },
  min_x: { type: 'float', doc: 'Mesh X minimum (mm)' },
  max_x: { type: 'float', doc: 'Mesh X maximum (mm)' },
  min_y: { type: 'float', doc: 'Mesh Y minimum (mm)' },
  max_y: { type: 'float', doc: 'Mesh Y maximum (mm)' },
});

/** The format version BED_MESH_PROFILE SAVE writes and LOAD accepts (Klipper's current one). */
export const PROFILE_VERSION = 1;

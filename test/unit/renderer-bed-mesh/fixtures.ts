// Klipper-shaped status objects for the bed mesh and sensor tests.
export const probed3x4 = [
  [-0.1, 0.0, 0.05],
  [-0.05, 0.02, 0.1],
  [0.0, 0.04, 0.12],
  [0.03, 0.07, 0.2],
];

/** 'bed_mesh' with a loaded profile 'default' (3 x 4 points over X 10-190, Y 20-180) and a saved 'pei'. */
export function bedMeshStatus(probed = probed3x4, profileName = 'default') {
  return {
    profile_name: profileName,
    mesh_min: [10, 20],
    mesh_max: [190, 180],
    probed_matrix: probed,
    mesh_matrix: probed,
    profiles: {
      default: { points: probed, mesh_params: { min_x: 10, max_x: 190, min_y: 20, max_y: 180, x_count: 3, y_count: 4, algo: 'lagrange' } },
      pei: {
        points: [
          [0, 0.3],
          [0.1, 0.05],
        ],
        mesh_params: { x_count: 2, y_count: 2 },
      },
    },
  };
}

/** What Klipper reports with [bed_mesh] configured and nothing loaded. */
export const emptyBedMesh = { profile_name: '', mesh_min: [0, 0], mesh_max: [0, 0], probed_matrix: [[]], mesh_matrix: [[]], profiles: {} };

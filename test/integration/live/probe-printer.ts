// The stock sim printer turned into a probing one, as the probe, bltouch, bed_mesh and z_tilt
// live tests use it: stepper_z homes on the probe's virtual endstop, and Z may go below 0
// (Klipper's advice for probes).

/** stepper_z's switch replaced by probe:z_virtual_endstop (add the [probe] or [bltouch] yourself). */
export function homeZOnProbe(cfg: string): string {
  return cfg.replace(
    /endstop_pin: \^PD3\nposition_endstop: 0\.5\n/,
    'endstop_pin: probe:z_virtual_endstop\nposition_min: -2\nhoming_retract_dist: 2\n',
  );
}

/** Faster Z than the stock sim printer's 5 mm/s: the lifts between probe points dominate those tests' time. */
export function fastZ(cfg: string): string {
  return cfg.replace('max_z_velocity: 5\nmax_z_accel: 100', 'max_z_velocity: 20\nmax_z_accel: 500');
}

/** Every "probe at X,Y is z=Z" line of a response, as [x, y, z]. */
export function probeZs(out: string): number[][] {
  return [...out.matchAll(/probe at (-?[\d.]+),(-?[\d.]+) is z=(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
}

// [bed_screws] and [screws_tilt_adjust] options, and their numbered screwN / screwN_name lists.
import { defineOptions } from '../config/options';
import type { ConfigSection } from '../config/section';

export const BED_SCREWS_OPTIONS = defineOptions({
  horizontal_move_z: { type: 'float', default: 5, doc: 'Z (mm) the head travels at between screws' },
  probe_height: { type: 'float', default: 0, doc: 'Z (mm) the nozzle is lowered to at each screw (paper test height)' },
  speed: { type: 'float', default: 50, above: 0, doc: 'Travel speed (mm/s) between screws' },
  probe_speed: { type: 'float', default: 5, above: 0, doc: 'Z speed (mm/s) between horizontal_move_z and probe_height' },
});

export const SCREWS_TILT_ADJUST_OPTIONS = defineOptions({
  horizontal_move_z: { type: 'float', default: 5, doc: 'Z (mm) the probe travels at between screws' },
  speed: { type: 'float', default: 50, above: 0, doc: 'Travel speed (mm/s) between screws' },
  screw_thread: {
    type: 'choice',
    choices: ['CW-M3', 'CCW-M3', 'CW-M4', 'CCW-M4', 'CW-M5', 'CCW-M5', 'CW-M6', 'CCW-M6'],
    default: 'CW-M3',
    doc: 'Screw thread: turning direction that raises the bed corner (CW/CCW) and size (M3..M6)',
  },
});

/**
 * The editor's view of the numbered options (screw1 .. screw99): listed once with N, as the
 * sections accept any number from 3 on.
 */
export const SCREW_LIST_OPTIONS = defineOptions({
  screw1: { type: 'floatList', count: 2, doc: 'X, Y of screw 1 (screw2, screw3, ... likewise; at least 3)' },
  screw1_name: { type: 'string', optional: true, doc: "Screw 1's name in messages (default: 'screw at X,Y')" },
});

export const BED_SCREW_FINE_OPTIONS = defineOptions({
  screw1_fine_adjust: { type: 'floatList', count: 2, optional: true, doc: 'X, Y for the fine adjustment of screw 1 (every screw or none)' },
});

export interface BedScrew {
  name: string;
  x: number;
  y: number;
}

/** screw1, screw2, ... until the first missing number; at least three. */
export function readScrews(section: ConfigSection, opts: { fine: boolean }): { index: number; screw: BedScrew; fine?: [number, number] }[] {
  const out: { index: number; screw: BedScrew; fine?: [number, number] }[] = [];
  const pair = { type: 'floatList', count: 2, doc: '' } as const;
  for (let i = 1; i < 100; i++) {
    const key = `screw${i}`;
    if (!section.has(key)) break;
    const [x, y] = section.readSpec(key, pair) as [number, number];
    const name =
      (section.readSpec(`${key}_name`, { type: 'string', doc: '', optional: true }) as string | undefined) ??
      `screw at ${x.toFixed(3)},${y.toFixed(3)}`;
    const entry: { index: number; screw: BedScrew; fine?: [number, number] } = { index: i, screw: { name, x, y } };
    if (opts.fine) {
      const fine = section.readSpec(`${key}_fine_adjust`, { ...pair, optional: true }) as [number, number] | undefined;
      if (fine) entry.fine = fine;
    }
    out.push(entry);
  }
  if (out.length < 3)
    throw section.error(`screw${out.length + 1}`, `${section.name}: Must have at least three screws (screw1, screw2, screw3 = X, Y)`);
  return out;
}

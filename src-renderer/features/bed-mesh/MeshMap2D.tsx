// The mesh seen from above: one cell per point coloured by height, front (mesh_min Y) at the
// bottom as on the printer. The view when WebGL is unavailable, and a choice beside the 3D view.
import { useMemo, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { axisPositionsMm, cssColor, heightColor, heightStats, type HeightRowsMm } from './mesh';

const CELL_PX = 24;

export function MeshMap2D({ rows, minMm, maxMm }: { rows: HeightRowsMm; minMm: [number, number]; maxMm: [number, number] }): JSX.Element {
  const { t } = useTranslation('bed-mesh');
  const cells = useMemo(() => {
    const stats = heightStats(rows);
    const xs = axisPositionsMm(minMm[0], maxMm[0], rows[0].length);
    const ys = axisPositionsMm(minMm[1], maxMm[1], rows.length);
    return rows.flatMap((row, y) =>
      row.map((z, x) => ({
        key: `${x},${y}`,
        col: x,
        // SVG's y grows downwards; the bed's front row goes at the bottom.
        line: rows.length - 1 - y,
        color: cssColor(heightColor(z, stats.minMm, stats.maxMm)),
        label: { x: xs[x].toFixed(1), y: ys[y].toFixed(1), z: z.toFixed(3) },
      })),
    );
  }, [rows, minMm, maxMm]);
  const widthPx = rows[0].length * CELL_PX;
  const heightPx = rows.length * CELL_PX;
  return (
    <svg
      className="mesh-map"
      data-testid="mesh-map-2d"
      role="img"
      aria-label={t('map.label')}
      viewBox={`0 0 ${widthPx} ${heightPx}`}
      preserveAspectRatio="xMidYMid meet"
    >
      {cells.map((c) => (
        <rect key={c.key} x={c.col * CELL_PX} y={c.line * CELL_PX} width={CELL_PX} height={CELL_PX} fill={c.color} data-testid="mesh-cell">
          <title>{t('map.cell', c.label)}</title>
        </rect>
      ))}
    </svg>
  );
}

// The mesh seen from above: one cell per point coloured by height, with its value, front
// (mesh_min Y) at the bottom as on the printer, cells proportioned like the mesh's spacing on
// the bed. The view when WebGL is unavailable, and a choice beside the 3D view.
import { useMemo, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { mapCells, type HeightRowsMm } from './mesh';

/** Values are written in the cells up to this many columns; beyond, the cells get too small to read. */
const MAX_LABELLED_COLUMNS = 12;

export function MeshMap2D({ rows, minMm, maxMm }: { rows: HeightRowsMm; minMm: [number, number]; maxMm: [number, number] }): JSX.Element {
  const { t } = useTranslation('bed-mesh');
  const map = useMemo(() => mapCells(rows, minMm, maxMm), [rows, minMm, maxMm]);
  const labelled = rows[0].length <= MAX_LABELLED_COLUMNS;
  const fontSize = Math.min(map.cellWidth, map.cellHeight) * 0.2;
  return (
    <svg
      className="mesh-map"
      data-testid="mesh-map-2d"
      role="img"
      aria-label={t('map.label')}
      viewBox={`0 0 ${map.width} ${map.height}`}
      preserveAspectRatio="xMidYMid meet"
    >
      {map.cells.map((c) => (
        <g key={`${c.col},${c.row}`}>
          <rect
            x={c.left}
            y={c.top}
            width={map.cellWidth}
            height={map.cellHeight}
            fill={c.color}
            data-testid="mesh-cell"
            data-col={c.col}
            data-row={c.row}
          >
            <title>{t('map.cell', { x: c.xMm.toFixed(1), y: c.yMm.toFixed(1), z: c.zMm.toFixed(3) })}</title>
          </rect>
          {labelled && (
            <text
              x={c.left + map.cellWidth / 2}
              y={c.top + map.cellHeight / 2}
              fontSize={fontSize}
              className="mesh-map-value"
              aria-hidden="true"
            >
              {c.zMm.toFixed(3)}
            </text>
          )}
        </g>
      ))}
    </svg>
  );
}

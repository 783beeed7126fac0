// The height scale: the colour bar with the mesh's lowest and highest points and their range.
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { cssColor, SCALE_STOPS, type HeightStats } from './mesh';

const gradient = `linear-gradient(to right, ${SCALE_STOPS.map((c) => cssColor(c)).join(', ')})`;

export function MeshLegend({ stats }: { stats: HeightStats }): JSX.Element {
  const { t } = useTranslation('bed-mesh');
  return (
    <div className="mesh-legend" data-testid="mesh-legend">
      <div className="mesh-legend-bar" style={{ background: gradient }} />
      <dl className="mesh-legend-values">
        <dt>{t('legend.min')}</dt>
        <dd data-testid="mesh-min">{t('legend.mm', { value: stats.minMm.toFixed(3) })}</dd>
        <dt>{t('legend.max')}</dt>
        <dd data-testid="mesh-max">{t('legend.mm', { value: stats.maxMm.toFixed(3) })}</dd>
        <dt>{t('legend.range')}</dt>
        <dd data-testid="mesh-range">{t('legend.mm', { value: stats.rangeMm.toFixed(3) })}</dd>
      </dl>
    </div>
  );
}

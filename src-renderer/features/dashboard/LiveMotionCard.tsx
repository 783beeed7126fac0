// Live motion: the toolhead's speed and position now (motion_report, read at the MCU's time) and
// the extruder's speed, from the dashboard's status subscription (deltas every 250 ms).
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { useStatus } from './status-store';

interface LiveMotion {
  position: number[];
  speedMmS: number;
  extruderMmS: number;
}

/** motion_report's fields as numbers, or null when the printer has none. */
export function liveMotionOf(fields: Record<string, unknown> | undefined): LiveMotion | null {
  const pos = fields?.live_position;
  if (!Array.isArray(pos) || typeof fields?.live_velocity !== 'number') return null;
  return { position: pos.map(Number), speedMmS: fields.live_velocity, extruderMmS: Number(fields.live_extruder_velocity ?? 0) };
}

export function LiveMotionCard({ ready }: { ready: boolean }): JSX.Element | null {
  const { t } = useTranslation('dashboard');
  const live = liveMotionOf(useStatus((s) => s.status.motion_report));
  if (!ready || !live) return null;
  return (
    <article className="card live-motion-card" data-testid="live-motion">
      <h2>{t('liveMotion.title')}</h2>
      <dl>
        <dt>{t('liveMotion.speed')}</dt>
        <dd className="num" data-testid="live-speed">
          {live.speedMmS.toFixed(1)} {t('liveMotion.unit')}
        </dd>
        <dt>{t('liveMotion.extruder')}</dt>
        <dd className="num" data-testid="live-extruder">
          {live.extruderMmS.toFixed(2)} {t('liveMotion.unit')}
        </dd>
        <dt>{t('liveMotion.position')}</dt>
        <dd className="num" data-testid="live-position">
          {live.position
            .slice(0, 3)
            .map((v) => v.toFixed(2))
            .join(', ')}
        </dd>
      </dl>
    </article>
  );
}

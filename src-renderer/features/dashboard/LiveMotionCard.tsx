// Live motion: the toolhead's speed and position now (motion_report, read at the MCU's time) and
// the extruder's speed, polled twice a second while the printer is ready. A status.query of its
// own, so the dashboard's single subscription stays as it is.
import { useEffect, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';

const POLL_MS = 500;

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

export function LiveMotionCard({ printerId, ready }: { printerId: string; ready: boolean }): JSX.Element | null {
  const { t } = useTranslation('dashboard');
  const [live, setLive] = useState<LiveMotion | null>(null);
  useEffect(() => {
    if (!ready) return;
    let stop = false;
    const poll = async (): Promise<void> => {
      try {
        const { status } = await api().call('status.query', { printerId, objects: { motion_report: null } });
        if (!stop) setLive(liveMotionOf(status.motion_report));
      } catch {
        if (!stop) setLive(null);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [printerId, ready]);
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
          {live.position.slice(0, 3).map((v) => v.toFixed(2)).join(', ')}
        </dd>
      </dl>
    </article>
  );
}

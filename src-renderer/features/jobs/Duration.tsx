// A duration as "1 h 02 min" / "3 min 05 s" and a size as "1.5 MiB", translated.
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { durationParts, sizeParts } from './model';

export function Duration({ seconds }: { seconds: number | null }): JSX.Element {
  const { t } = useTranslation('jobs');
  if (seconds === null) return <>—</>;
  const { h, m, s } = durationParts(seconds);
  return <>{h > 0 ? t('duration.hm', { h, m: String(m).padStart(2, '0') }) : t('duration.ms', { m, s: String(s).padStart(2, '0') })}</>;
}

export function Size({ bytes }: { bytes: number }): JSX.Element {
  const { t } = useTranslation('jobs');
  return <>{t('size', sizeParts(bytes))}</>;
}

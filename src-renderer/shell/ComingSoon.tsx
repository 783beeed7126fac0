// The honest placeholder for a panel whose feature is being built: what it will do, nothing fake.
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';

export function ComingSoon({ panel }: { panel: 'preview' | 'ports' | 'flash' }): JSX.Element {
  const { t } = useTranslation('shell');
  return (
    <section className="panel" aria-labelledby={`${panel}-title`}>
      <header className="panel-header">
        <h1 id={`${panel}-title`}>{t(`nav.${panel}`)}</h1>
      </header>
      <div className="card coming-soon">
        <p className="eyebrow">{t('comingSoon.label')}</p>
        <p>{t(`comingSoon.${panel}`)}</p>
      </div>
    </section>
  );
}

// The config panel today: which printer.cfg the selected printer uses. The editor (CodeMirror,
// live validation and completion from the host's option catalog) comes with issue 8.
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { useSelectedPrinter } from '../../shell/connection-store';

export function ConfigPanel(): JSX.Element {
  const { t } = useTranslation('config');
  const printer = useSelectedPrinter();
  return (
    <section className="panel" aria-labelledby="config-title">
      <header className="panel-header">
        <h1 id="config-title">{t('title')}</h1>
      </header>
      <div className="card">
        <h2>{t('file')}</h2>
        <p className="mono">{printer ? (printer.configPath ?? t('noConfig')) : '—'}</p>
      </div>
      <div className="card coming-soon">
        <p className="eyebrow">{t('comingLabel')}</p>
        <p>{t('coming')}</p>
      </div>
    </section>
  );
}

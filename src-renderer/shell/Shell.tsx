// The app frame: navigation on the left, the status bar on top, the chosen panel below.
// The panel follows the URL hash (#/console) so a reload keeps the user's place.
import { useEffect, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { languages, setLanguage, type LanguageCode } from '../i18n';
import { useConnection } from './connection-store';
import { Icon } from './icons';
import { panelFromHash, panels, type PanelId } from './panels';
import { PowerBanner } from './PowerBanner';
import { StatusBar } from './StatusBar';

export function Shell(): JSX.Element {
  const { t, i18n } = useTranslation('shell');
  const appVersion = useConnection((s) => s.appInfo?.appVersion);
  const [active, setActive] = useState<PanelId>(() => panelFromHash(window.location.hash));

  useEffect(() => {
    const onHash = (): void => setActive(panelFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const Active = panels.find((p) => p.id === active)?.component ?? panels[0].component;

  return (
    <div className="app">
      <nav className="sidebar" aria-label={t('nav.label')}>
        <div className="brand">
          <img className="brand-mark" src="./favicon.svg" alt="" width={24} height={24} />
          <span className="brand-name">Tether</span>
        </div>
        <ul className="nav-list">
          {panels.map((p) => (
            <li key={p.id}>
              <a
                href={`#/${p.id}`}
                className={p.id === active ? 'nav-item active' : 'nav-item'}
                aria-current={p.id === active ? 'page' : undefined}
              >
                <Icon name={p.icon} />
                <span>{t(`nav.${p.id}`)}</span>
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">
          <label className="language">
            <Icon name="globe" size={16} />
            <span className="visually-hidden">{t('language')}</span>
            <select value={i18n.language} onChange={(e) => setLanguage(e.target.value as LanguageCode)} aria-label={t('language')}>
              {languages.map((l) => (
                <option key={l.code} value={l.code}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          {appVersion && <span className="version">{t('version', { version: appVersion })}</span>}
        </div>
      </nav>
      <div className="main">
        <StatusBar />
        <PowerBanner />
        <main className="content">
          <Active />
        </main>
      </div>
    </div>
  );
}

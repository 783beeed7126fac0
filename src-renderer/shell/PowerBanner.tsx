// Laptop care in the UI: a warning while the computer runs on battery, and a note while the app
// keeps it awake for a print. The desktop app reports both (app.power); serve mode has neither.
import { useEffect, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { PowerInfo } from '../../src-main/api/contract';
import { api } from '../api';
import { useConnection } from './connection-store';
import { Icon } from './icons';

export function PowerBanner(): JSX.Element | null {
  const { t } = useTranslation('shell');
  const connected = useConnection((s) => s.status === 'connected');
  const [power, setPower] = useState<PowerInfo | null>(null);

  useEffect(() => {
    if (!connected) return;
    let live = true;
    const off = api().on('app.power', (info) => setPower(info));
    api()
      .call('app.power')
      .then((info) => live && setPower(info))
      .catch(() => undefined);
    return () => {
      live = false;
      off();
    };
  }, [connected]);

  if (!power?.supported || (!power.onBattery && !power.keepingAwake)) return null;
  return (
    <div className="power-banner" role="status" data-testid="power-banner">
      {power.onBattery && (
        <p className="power-battery alert alert-error">
          <Icon name="battery" />
          {t('power.onBattery')}
        </p>
      )}
      {power.keepingAwake && <p className="power-awake muted">{t('power.keepingAwake', { count: power.printing.length })}</p>}
    </div>
  );
}

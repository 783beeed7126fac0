// The bar across the top: which printer, its state and message, the connection, and the
// emergency stop (always visible; M112 takes the host's emergency path, never the queue).
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useConnection, useSelectedPrinter } from './connection-store';
import { Icon } from './icons';
import { StateBadge } from './StateBadge';

export function StatusBar(): JSX.Element {
  const { t } = useTranslation('shell');
  const printers = useConnection((s) => s.printers);
  const selectPrinter = useConnection((s) => s.selectPrinter);
  const status = useConnection((s) => s.status);
  const carrier = useConnection((s) => s.carrier);
  const lastError = useConnection((s) => s.lastError);
  const printer = useSelectedPrinter();

  const emergencyStop = (): void => {
    if (printer)
      void api()
        .call('gcode.run', { printerId: printer.id, script: 'M112' })
        .catch(() => undefined);
  };

  return (
    <header className="status-bar">
      <div className="status-printer">
        <label className="visually-hidden" htmlFor="printer-select">
          {t('statusBar.printer')}
        </label>
        <select
          id="printer-select"
          className="printer-select"
          value={printer?.id ?? ''}
          onChange={(e) => selectPrinter(e.target.value)}
          disabled={printers.length === 0}
        >
          {printers.length === 0 && <option value="">{t('statusBar.noPrinters')}</option>}
          {printers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        {printer && <StateBadge state={printer.state} message={printer.stateMessage} />}
        {printer && (
          <span className="state-message" data-testid="state-message">
            {printer.stateMessage}
          </span>
        )}
      </div>
      <div className="status-right">
        <span className={`connection connection-${status}`} title={lastError ?? undefined} data-testid="connection">
          <span className="dot" aria-hidden="true" />
          {t(`connection.${status}`, { carrier: carrier ? t(`carrier.${carrier}`) : '' })}
        </span>
        <button
          type="button"
          className="btn btn-danger"
          onClick={emergencyStop}
          disabled={!printer || status !== 'connected'}
          title={t('statusBar.emergencyStopHint')}
        >
          <Icon name="stop" />
          {t('statusBar.emergencyStop')}
        </button>
      </div>
    </header>
  );
}

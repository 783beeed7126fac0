// A printer's state as a coloured dot and word; the host's own message goes in the title.
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrinterState } from '../../src-main/api/contract';

export function StateBadge({ state, message }: { state: PrinterState; message?: string }): JSX.Element {
  const { t } = useTranslation('shell');
  return (
    <span className={`state-badge state-${state}`} title={message} data-state={state}>
      <span className="dot" aria-hidden="true" />
      {t(`state.${state}`)}
    </span>
  );
}

// The re-flash offer beside a printer's state: shown only when the host says "MCU Protocol error"
// (firmware and host versions differ). It opens the flash wizard on this printer's port and board.
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { needsReflash, openReflashForPrinter } from './api-client';

export function ReflashOffer({ printerName, stateMessage }: { printerName: string; stateMessage: string }): JSX.Element | null {
  const { t } = useTranslation('flash');
  if (!needsReflash(stateMessage)) return null;
  return (
    <button type="button" className="btn btn-primary" data-testid="reflash-offer" onClick={() => void openReflashForPrinter(api(), printerName)}>
      {t('reflash.button')}
    </button>
  );
}

// One heater or sensor: current, target (editable for heaters) and power.
import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { parseTarget, targetScript, type SensorRow } from './model';

const fmt = (v: number | null, digits = 1) => (v === null ? '—' : v.toFixed(digits));

export function HeaterRow(props: { row: SensorRow; label: string; disabled: boolean; onSet(script: string): void }): JSX.Element {
  const { row, label, disabled, onSet } = props;
  const { t } = useTranslation('temperatures');
  const [text, setText] = useState('');
  const parsed = text.trim() ? parseTarget(text) : null;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (parsed?.ok) {
      onSet(targetScript(row.name, parsed.targetC));
      setText('');
    }
  };

  return (
    <tr data-testid={`sensor-${row.name}`}>
      <th scope="row">{label}</th>
      <td className="num" data-testid="current">
        {fmt(row.temperatureC)} °C
      </td>
      <td>
        {row.heater ? (
          <form className="target-form" onSubmit={submit}>
            <span className="num target-now">{fmt(row.targetC, 0)}</span>
            <input
              type="text"
              inputMode="decimal"
              value={text}
              placeholder={t('target.placeholder')}
              aria-label={t('target.label', { name: label })}
              aria-invalid={parsed !== null && !parsed.ok}
              title={parsed && !parsed.ok ? t(`target.problem.${parsed.problem}`) : undefined}
              onChange={(e) => setText(e.target.value)}
              disabled={disabled}
            />
            <button type="submit" className="btn" disabled={disabled || !parsed?.ok}>
              {t('target.set')}
            </button>
          </form>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        {row.power !== null ? (
          <span className="power">
            <progress max={1} value={row.power} aria-label={t('columns.power')} />
            <span className="num">{Math.round(row.power * 100)}%</span>
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}

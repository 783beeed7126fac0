// Speed (M220) or flow (M221) factor: the host's value and a box to change it.
import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { FACTOR_LIMITS_PCT } from './model';

export function FactorControl(props: {
  kind: 'speed' | 'flow';
  valuePct: number | null;
  disabled: boolean;
  onApply(pct: number): void;
}): JSX.Element {
  const { kind, valuePct, disabled, onApply } = props;
  const { t } = useTranslation('motion');
  const [text, setText] = useState('');
  const value = Number(text);
  const valid = text.trim() !== '' && Number.isFinite(value) && value >= FACTOR_LIMITS_PCT.min && value <= FACTOR_LIMITS_PCT.max;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!valid) return;
    onApply(value);
    setText('');
  };

  return (
    <form className="factor" onSubmit={submit} data-testid={`factor-${kind}`}>
      <span className="factor-name">{t(`factor.${kind}`)}</span>
      <span className="num factor-value">{valuePct === null ? '—' : `${valuePct}%`}</span>
      <input
        type="number"
        min={FACTOR_LIMITS_PCT.min}
        max={FACTOR_LIMITS_PCT.max}
        value={text}
        placeholder="%"
        aria-label={t('factor.new', { name: t(`factor.${kind}`) })}
        onChange={(e) => setText(e.target.value)}
        disabled={disabled}
      />
      <button type="submit" className="btn" disabled={disabled || !valid} title={t('factor.range', FACTOR_LIMITS_PCT)}>
        {t('factor.apply')}
      </button>
    </form>
  );
}

// One fan: its speed, and for the part-cooling fan a slider (sent when released).
import { useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { fanScript, type FanView } from './model';

export function FanControl(props: { fan: FanView; disabled: boolean; onSet(script: string): void }): JSX.Element {
  const { fan, disabled, onSet } = props;
  const { t } = useTranslation('motion');
  const [dragPct, setDragPct] = useState<number | null>(null);
  const pct = dragPct ?? Math.round(fan.speed * 100);
  const label = fan.name === 'fan' ? t('fans.part') : fan.name.slice(fan.name.indexOf(' ') + 1);
  const commit = (): void => {
    if (dragPct === null) return;
    onSet(fanScript(dragPct));
    setDragPct(null);
  };

  return (
    <div className="fan" data-testid={`fan-${fan.name}`}>
      <span className="fan-name">{label}</span>
      {fan.settable ? (
        <input
          type="range"
          min={0}
          max={100}
          step={1}
          value={pct}
          aria-label={t('fans.speed', { name: label })}
          disabled={disabled}
          onChange={(e) => setDragPct(Number(e.target.value))}
          onPointerUp={commit}
          onKeyUp={commit}
          onBlur={commit}
        />
      ) : (
        <progress max={1} value={fan.speed} aria-label={t('fans.speed', { name: label })} title={t('fans.automatic')} />
      )}
      <span className="num fan-value">{pct}%</span>
    </div>
  );
}

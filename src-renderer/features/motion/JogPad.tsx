// Jog buttons per axis with the step size; an axis that cannot move says why.
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrinterState } from '../../../src-main/api/contract';
import { AXES, JOG_STEPS_MM, jogBlockReason, jogInRange, jogScript, type MotionView } from './model';
import { useMotion } from './store';

export function JogPad(props: {
  view: MotionView;
  printerState: PrinterState | undefined;
  busy: boolean;
  onJog(script: string): void;
}): JSX.Element {
  const { view, printerState, busy, onJog } = props;
  const { t } = useTranslation('motion');
  const step = useMotion((s) => s.jogStepMm);
  const setStep = useMotion((s) => s.setJogStep);
  const blocks = AXES.map((axis) => jogBlockReason(axis, printerState, view));
  const unhomed = AXES.filter((_, i) => blocks[i] === 'notHomed');
  const other = blocks.find((b) => b !== null && b !== 'notHomed');

  return (
    <div className="jog">
      <div className="jog-steps" role="radiogroup" aria-label={t('jog.step')}>
        {JOG_STEPS_MM.map((mm) => (
          <button
            key={mm}
            type="button"
            role="radio"
            aria-checked={step === mm}
            className={step === mm ? 'chip chip-on' : 'chip'}
            onClick={() => setStep(mm)}
          >
            {t('jog.mm', { mm })}
          </button>
        ))}
      </div>
      <div className="jog-grid">
        {AXES.map((axis, i) =>
          [-1, 1].map((sign) => {
            const delta = sign * step;
            const outOfRange = blocks[i] === null && !jogInRange(axis, delta, view);
            const label = `${axis.toUpperCase()}${sign > 0 ? '+' : '−'}${step}`;
            return (
              <button
                key={`${axis}${sign}`}
                type="button"
                className="btn jog-btn"
                data-testid={`jog-${axis}${sign > 0 ? '+' : '-'}`}
                disabled={busy || blocks[i] !== null || outOfRange}
                title={
                  blocks[i]
                    ? t(`jog.blocked.${blocks[i]}`, { axes: axis.toUpperCase() })
                    : outOfRange
                      ? t('jog.outOfRange')
                      : t('jog.move', { axis: axis.toUpperCase(), mm: delta })
                }
                onClick={() => onJog(jogScript(axis, delta))}
              >
                {label}
              </button>
            );
          }),
        )}
      </div>
      {(other || unhomed.length > 0) && (
        <p className="jog-reason muted" data-testid="jog-reason" role="status">
          {other
            ? t(`jog.blocked.${other}`, { axes: '' })
            : t('jog.blocked.notHomed', { axes: unhomed.map((a) => a.toUpperCase()).join(', ') })}
        </p>
      )}
    </div>
  );
}

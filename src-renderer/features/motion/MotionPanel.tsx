// Motion: where the toolhead is, which axes are homed, homing, jogging (only on homed axes, with
// the reason shown otherwise), motors off, speed/flow factors and fans.
import { useMemo, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrinterState } from '../../../src-main/api/contract';
import { useGcodeAction } from '../dashboard/use-gcode';
import { useStatus } from '../dashboard/status-store';
import { FactorControl } from './FactorControl';
import { FanControl } from './FanControl';
import { JogPad } from './JogPad';
import { AXES, factorScript, fansOf, homeScript, motionView, MOTORS_OFF_SCRIPT } from './model';
import './motion.css';

export function MotionPanel({ printerId, printerState }: { printerId: string; printerState: PrinterState | undefined }): JSX.Element {
  const { t } = useTranslation('motion');
  const toolhead = useStatus((s) => s.status.toolhead);
  const gcodeMove = useStatus((s) => s.status.gcode_move);
  const printStats = useStatus((s) => s.status.print_stats);
  const status = useStatus((s) => s.status);
  const view = useMemo(
    () => motionView({ toolhead: toolhead ?? {}, gcode_move: gcodeMove ?? {}, print_stats: printStats ?? {} }),
    [toolhead, gcodeMove, printStats],
  );
  const fans = useMemo(() => fansOf(status), [status]);
  const action = useGcodeAction(printerId);
  const ready = printerState === 'ready';
  const idle = ready && !action.busy;

  return (
    <article className="card motion-card" data-testid="motion-panel">
      <h2>{t('title')}</h2>
      {action.error && (
        <div className="alert alert-error" role="alert">
          {action.error}
        </div>
      )}
      <div className="position" data-testid="position">
        {AXES.map((axis, i) => (
          <div key={axis} className={view.homedAxes.includes(axis) ? 'axis homed' : 'axis'} data-testid={`position-${axis}`}>
            <span className="axis-name">{axis.toUpperCase()}</span>
            <span className="axis-value num">{view.position ? view.position[i].toFixed(2) : '—'}</span>
            <span className="axis-homed">{view.homedAxes.includes(axis) ? t('homed') : t('notHomed')}</span>
          </div>
        ))}
      </div>
      <div className="actions home-actions" role="group" aria-label={t('home.label')}>
        <button type="button" className="btn btn-primary" disabled={!idle} onClick={() => void action.run(homeScript())}>
          {t('home.all')}
        </button>
        {AXES.map((axis) => (
          <button key={axis} type="button" className="btn" disabled={!idle} onClick={() => void action.run(homeScript([axis]))}>
            {t('home.axis', { axis: axis.toUpperCase() })}
          </button>
        ))}
        <button
          type="button"
          className="btn"
          disabled={!idle}
          title={t('motorsOffHint')}
          onClick={() => void action.run(MOTORS_OFF_SCRIPT)}
        >
          {t('motorsOff')}
        </button>
      </div>
      <JogPad view={view} printerState={printerState} busy={action.busy} onJog={(script) => void action.run(script)} />
      <div className="factors">
        <FactorControl
          kind="speed"
          valuePct={view.speedFactorPct}
          disabled={!idle}
          onApply={(p) => void action.run(factorScript('speed', p))}
        />
        <FactorControl
          kind="flow"
          valuePct={view.flowFactorPct}
          disabled={!idle}
          onApply={(p) => void action.run(factorScript('flow', p))}
        />
      </div>
      {fans.length > 0 && (
        <div className="fans">
          {fans.map((f) => (
            <FanControl key={f.name} fan={f} disabled={!idle} onSet={(script) => void action.run(script)} />
          ))}
        </div>
      )}
    </article>
  );
}

// Side tools for printer.cfg: a rotation_distance calculator (from steps/mm, a belt, or a lead
// screw) that writes the value into the current section, and Arduino/Marlin pin numbers to MCU
// pin names with each pin's capabilities.
import { useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ARDUINO_BOARDS, lookupArduinoPin, rotationDistance } from './arduino-pins';

type Mode = 'steps' | 'belt' | 'screw';

function num(s: string): number {
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

/** Rounds for printer.cfg: enough digits for a precise value, no float noise. */
export function formatDistance(mm: number): string {
  return String(Number(mm.toFixed(5)));
}

export function ConfigTools({ onSetOption, onInsert }: { onSetOption(option: string, value: string): void; onInsert(text: string): void }): JSX.Element {
  const { t } = useTranslation('config');
  const [mode, setMode] = useState<Mode>('belt');
  const [steps, setSteps] = useState('80');
  const [fullSteps, setFullSteps] = useState('200');
  const [micro, setMicro] = useState('16');
  const [pitch, setPitch] = useState('2');
  const [teeth, setTeeth] = useState('20');
  const [screwPitch, setScrewPitch] = useState('2');
  const [starts, setStarts] = useState('4');
  const [boardId, setBoardId] = useState<string>(ARDUINO_BOARDS[0].id);
  const [pinQuery, setPinQuery] = useState('54');

  const value =
    mode === 'steps'
      ? rotationDistance.fromStepsPerMm(num(steps), num(fullSteps), num(micro))
      : mode === 'belt'
        ? rotationDistance.fromBelt(num(pitch), num(teeth))
        : rotationDistance.fromLeadScrew(num(screwPitch), num(starts));
  const valid = Number.isFinite(value) && value > 0;
  const board = ARDUINO_BOARDS.find((b) => b.id === boardId) ?? ARDUINO_BOARDS[0];
  const pin = lookupArduinoPin(board, pinQuery);

  const field = (label: string, v: string, set: (s: string) => void) => (
    <label className="cfg-field">
      <span>{label}</span>
      <input inputMode="decimal" value={v} onChange={(e) => set(e.target.value)} />
    </label>
  );

  return (
    <aside className="cfg-tools" aria-label={t('tools')}>
      <div className="card">
        <h2>{t('rdTitle')}</h2>
        <div className="segmented" role="tablist">
          {(['belt', 'screw', 'steps'] as const).map((m) => (
            <button key={m} type="button" role="tab" aria-selected={mode === m} className={mode === m ? 'active' : ''} onClick={() => setMode(m)}>
              {t(`rd.${m}`)}
            </button>
          ))}
        </div>
        {mode === 'steps' && (
          <>
            {field(t('rd.stepsPerMm'), steps, setSteps)}
            {field(t('rd.fullSteps'), fullSteps, setFullSteps)}
            {field(t('rd.microsteps'), micro, setMicro)}
          </>
        )}
        {mode === 'belt' && (
          <>
            {field(t('rd.beltPitch'), pitch, setPitch)}
            {field(t('rd.teeth'), teeth, setTeeth)}
          </>
        )}
        {mode === 'screw' && (
          <>
            {field(t('rd.screwPitch'), screwPitch, setScrewPitch)}
            {field(t('rd.starts'), starts, setStarts)}
          </>
        )}
        <p className="cfg-result" data-testid="rd-result">
          rotation_distance: <strong>{valid ? formatDistance(value) : '—'}</strong>
        </p>
        <button type="button" className="btn" disabled={!valid} onClick={() => onSetOption('rotation_distance', formatDistance(value))}>
          {t('rd.insert')}
        </button>
      </div>
      <div className="card">
        <h2>{t('pinsTitle')}</h2>
        <label className="cfg-field">
          <span>{t('board')}</span>
          <select value={boardId} onChange={(e) => setBoardId(e.target.value)}>
            {ARDUINO_BOARDS.map((b) => (
              <option key={b.id} value={b.id}>
                {t(`boards.${b.id}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="cfg-field">
          <span>{t('arduinoPin')}</span>
          <input value={pinQuery} onChange={(e) => setPinQuery(e.target.value)} placeholder="D54, A0, ar54" />
        </label>
        {pin ? (
          <div className="cfg-pin">
            <p>
              <code>
                {pin.analog !== undefined ? `A${pin.analog} / ` : ''}D{pin.arduino}
              </code>{' '}
              → <strong className="mono">{pin.mcuPin}</strong>
            </p>
            <p className="cfg-caps">
              {pin.caps.length ? pin.caps.map((c) => <span key={c} className="chip">{c}</span>) : <span className="muted">{t('digitalOnly')}</span>}
            </p>
            <button type="button" className="btn" onClick={() => onInsert(pin.mcuPin)}>
              {t('insertPin')}
            </button>
          </div>
        ) : (
          <p className="muted">{t('noSuchPin')}</p>
        )}
      </div>
    </aside>
  );
}

// The console: the host's output for the selected printer in a virtualized scrollback (only
// the rows on screen are in the DOM, so 50,000 rows scroll like 50), a command line with
// history (Up/Down), Tab completion of commands and their parameters with help, a regex filter
// that never hides errors, commands or prompts, timestamps, copy and clear. M112 goes out at
// once through the host's emergency path (the dispatcher runs it ahead of any queued line).
import { useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type JSX, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CommandHelp } from '../../../src-main/api/contract';
import { api } from '../../api';
import { useConnection, useSelectedPrinter } from '../../shell/connection-store';
import { Icon } from '../../shell/icons';
import { completeInput, suggest, type Suggestion } from './completion';
import { parseFilter } from './filter';
import { historyStep, type HistoryCursor } from './history';
import { CountsStore, Scrollback, rowText, timeOf } from './scrollback';
import { isEmergencyStop, useConsole } from './store';
import './console.css';

const NO_COMMANDS: CommandHelp[] = [];
const SHOW_TIME_KEY = 'tether.console.showTime';
export { ROW_HEIGHT_PX } from './scrollback';

/** The line count in the header: the only React element that changes with each batch. */
function LineCount({ store, filtering }: { store: CountsStore; filtering: boolean }): JSX.Element {
  const { t } = useTranslation('console');
  const counts = useSyncExternalStore(store.subscribe, store.get);
  return (
    <span className="muted" data-testid="console-count">
      {filtering ? t('shownOf', { shown: counts.shown, count: counts.total }) : t('lineCount', { count: counts.total })}
    </span>
  );
}

export function ConsolePanel(): JSX.Element {
  const { t } = useTranslation('console');
  const printer = useSelectedPrinter();
  const connected = useConnection((s) => s.status === 'connected');
  const printerId = printer?.id ?? '';
  const history = useConsole((s) => s.history);
  const commands = useConsole((s) => s.commands[printerId] ?? NO_COMMANDS);
  const { send, clear, loadCommands } = useConsole.getState();

  const [input, setInput] = useState('');
  const [cursor, setCursor] = useState<HistoryCursor>({ index: null, draft: '' });
  const [choices, setChoices] = useState<Suggestion[]>([]);
  const [filterText, setFilterText] = useState('');
  const [showTime, setShowTime] = useState(() => localStorage.getItem(SHOW_TIME_KEY) !== '0');
  const [copied, setCopied] = useState(false);
  const outputRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef<HTMLDivElement>(null);
  const scrollback = useRef<Scrollback | null>(null);
  const [countsStore] = useState(() => new CountsStore());
  // Booleans: the panel re-renders when the scrollback empties or fills, not per batch.
  const hasRows = useSyncExternalStore(countsStore.subscribe, () => countsStore.get().total > 0);
  const hasShown = useSyncExternalStore(countsStore.subscribe, () => countsStore.get().shown > 0);

  // The host answers gcode.commands while it connects too; reload on each state change (a
  // config load registers more commands).
  const state = printer?.state;
  useEffect(() => {
    if (printerId && connected) void loadCommands(api(), printerId);
  }, [printerId, state, connected, loadCommands]);

  const filter = useMemo(() => parseFilter(filterText), [filterText]);
  // The scrollback draws itself (scrollback.ts); React only renders its empty container.
  useLayoutEffect(() => {
    if (!outputRef.current || !rowsRef.current) return;
    const sb = new Scrollback(outputRef.current, rowsRef.current, (c) => countsStore.set(c));
    scrollback.current = sb;
    return () => {
      sb.dispose();
      scrollback.current = null;
    };
  }, [countsStore]);
  useLayoutEffect(() => scrollback.current?.setShowTime(showTime), [showTime]);
  // A new filtered view per filter and per printer; it then only tests rows it has not seen.
  useLayoutEffect(() => scrollback.current?.setFilter(filter.regex), [filter.regex, printerId]);
  // Output reaches the scrollback from the store directly, without a React render.
  useLayoutEffect(() => {
    const sb = scrollback.current;
    if (!sb) return;
    let rows = useConsole.getState().lines[printerId];
    let rev = useConsole.getState().rev[printerId];
    sb.setRows(rows ?? []);
    return useConsole.subscribe((s) => {
      if (s.lines[printerId] === rows && s.rev[printerId] === rev) return;
      rows = s.lines[printerId];
      rev = s.rev[printerId];
      sb.setRows(rows ?? []);
    });
  }, [printerId]);

  const canSend = Boolean(printer) && connected;

  const submit = (): void => {
    const script = input.trim();
    if (!script || !printer || !canSend) return;
    setInput('');
    setCursor({ index: null, draft: '' });
    setChoices([]);
    scrollback.current?.follow();
    void send(api(), printer.id, script);
  };

  const emergencyStop = (): void => {
    if (printer) void send(api(), printer.id, 'M112');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter') {
      e.preventDefault();
      submit();
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      const step = historyStep(history, cursor, input, e.key === 'ArrowUp' ? 'up' : 'down');
      setCursor(step.cursor);
      setInput(step.text);
      setChoices([]);
    } else if (e.key === 'Tab' && input.trim()) {
      e.preventDefault();
      const c = completeInput(input, commands);
      setInput(c.text);
      setChoices(c.choices.length > 1 ? c.choices : suggest(c.text, commands));
    } else if (e.key === 'Escape') {
      setChoices([]);
    }
  };

  const copy = async (): Promise<void> => {
    const text = (scrollback.current?.shownRows() ?? []).map((r) => (showTime ? `${timeOf(r.timeMs)} ${rowText(r)}` : rowText(r))).join('\n');
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without clipboard permission (plain http in serve mode), fall back to a selection copy.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  const emergencyTyped = isEmergencyStop(input);

  return (
    <section className="panel console-panel" aria-labelledby="console-title">
      <header className="panel-header">
        <h1 id="console-title">{t('title')}</h1>
        <div className="panel-actions">
          <LineCount store={countsStore} filtering={filter.regex !== null} />
          <button type="button" className="btn btn-danger" onClick={emergencyStop} disabled={!canSend} title={t('estopHint')}>
            {t('estop')}
          </button>
        </div>
      </header>
      <div className="console-toolbar">
        <label className={filter.error ? 'console-filter invalid' : 'console-filter'}>
          <span>{t('filterLabel')}</span>
          <input
            type="text"
            value={filterText}
            onChange={(e) => setFilterText(e.target.value)}
            placeholder={t('filterPlaceholder')}
            spellCheck={false}
            aria-invalid={Boolean(filter.error)}
            data-testid="console-filter"
          />
        </label>
        {filter.error && <span className="console-filter-error">{t('filterError', { error: filter.error })}</span>}
        <label className="console-check">
          <input
            type="checkbox"
            checked={showTime}
            onChange={(e) => {
              setShowTime(e.target.checked);
              localStorage.setItem(SHOW_TIME_KEY, e.target.checked ? '1' : '0');
            }}
          />
          {t('timestamps')}
        </label>
        <button type="button" className="btn" onClick={() => void copy()} disabled={!hasShown}>
          {copied ? t('copied') : t('copy')}
        </button>
        <button type="button" className="btn" onClick={() => printer && clear(printer.id)} disabled={!hasRows}>
          {t('clear')}
        </button>
      </div>
      <div
        className="console-output"
        ref={outputRef}
        role="log"
        aria-label={t('outputLabel')}
        data-testid="console-output"
      >
        {!hasShown && <p className="console-empty">{hasRows ? t('allFiltered') : t('empty')}</p>}
        {/* Children drawn by Scrollback, never by React. */}
        <div className="console-rows" ref={rowsRef} hidden={!hasShown} />
      </div>
      {choices.length > 0 && (
        <ul className="console-choices" aria-label={t('matchesLabel')} data-testid="console-choices">
          {choices.slice(0, 12).map((c) => (
            <li key={c.label}>
              <button
                type="button"
                onClick={() => {
                  setInput(c.apply);
                  setChoices(suggest(c.apply, commands));
                }}
              >
                <span className="choice-label">{c.kind === 'param' ? `${c.label}=` : c.label}</span>
                <span className="choice-help">{c.help}</span>
              </button>
            </li>
          ))}
          {choices.length > 12 && <li className="muted">{t('moreChoices', { count: choices.length - 12 })}</li>}
        </ul>
      )}
      <form
        className="console-input"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <span className="prompt" aria-hidden="true">
          &gt;
        </span>
        <input
          type="text"
          value={input}
          onChange={(e) => {
            setInput(e.target.value);
            setChoices([]);
          }}
          onKeyDown={onKeyDown}
          placeholder={canSend ? t('placeholder') : t('placeholderDisabled')}
          aria-label={t('inputLabel')}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          disabled={!canSend}
          data-testid="console-input"
        />
        <button type="submit" className={emergencyTyped ? 'btn btn-danger' : 'btn btn-primary'} disabled={!canSend || !input.trim()}>
          <Icon name="send" size={16} />
          {t('send')}
        </button>
      </form>
      <p className="hint">{t('hint')}</p>
    </section>
  );
}

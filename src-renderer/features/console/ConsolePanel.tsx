// The console: the host's output for the selected printer in a virtualized scrollback (only
// the rows on screen are in the DOM, so 50,000 rows scroll like 50), a command line with
// history (Up/Down), Tab completion of commands and their parameters with help, a regex filter
// that never hides errors, commands or prompts, timestamps, copy and clear. M112 goes out at
// once through the host's emergency path (the dispatcher runs it ahead of any queued line).
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type JSX, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CommandHelp } from '../../../src-main/api/contract';
import { api } from '../../api';
import { useConnection, useSelectedPrinter } from '../../shell/connection-store';
import { Icon } from '../../shell/icons';
import { completeInput, suggest, type Suggestion } from './completion';
import { FilteredView, helpRow, parseFilter } from './filter';
import { historyStep, type HistoryCursor } from './history';
import { isEmergencyStop, useConsole, type ConsoleEntry } from './store';
import './console.css';

const NO_LINES: ConsoleEntry[] = [];
const NO_COMMANDS: CommandHelp[] = [];
/** Every row has this height (CSS .console-row): what makes the virtual list cheap. */
export const ROW_HEIGHT_PX = 21;
const OVERSCAN_ROWS = 12;
/** .console-output's vertical padding (6px top + bottom). */
const OUTPUT_PADDING_PX = 12;
const SHOW_TIME_KEY = 'tether.console.showTime';

function timeOf(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function rowText(row: ConsoleEntry): string {
  return row.kind === 'command' ? `> ${row.text}` : row.text;
}

/**
 * One row, one element and (mostly) one text node: the time is an attribute drawn by CSS
 * (::before), so a flood creates a single div per new row instead of three nodes.
 */
const Row = memo(function Row({ row, top, showTime }: { row: ConsoleEntry; top: number; showTime: boolean }): JSX.Element {
  const help = row.kind === 'info' ? helpRow(row.text) : null;
  return (
    <div
      className={`console-row kind-${row.kind}`}
      style={{ top }}
      data-time={showTime ? timeOf(row.timeMs) : undefined}
      title={row.text.length > 120 ? row.text : undefined}
    >
      {help ? (
        <>
          <span className="help-name">{help.name}</span>
          {help.help}
        </>
      ) : (
        rowText(row)
      )}
    </div>
  );
});

export function ConsolePanel(): JSX.Element {
  const { t } = useTranslation('console');
  const printer = useSelectedPrinter();
  const connected = useConnection((s) => s.status === 'connected');
  const printerId = printer?.id ?? '';
  const rows = useConsole((s) => s.lines[printerId] ?? NO_LINES);
  const rev = useConsole((s) => s.rev[printerId] ?? 0);
  const history = useConsole((s) => s.history);
  const commands = useConsole((s) => s.commands[printerId] ?? NO_COMMANDS);
  const { send, clear, loadCommands } = useConsole.getState();

  const [input, setInput] = useState('');
  const [cursor, setCursor] = useState<HistoryCursor>({ index: null, draft: '' });
  const [choices, setChoices] = useState<Suggestion[]>([]);
  const [filterText, setFilterText] = useState('');
  const [showTime, setShowTime] = useState(() => localStorage.getItem(SHOW_TIME_KEY) !== '0');
  /** How far the user has scrolled up from the newest row (0: following the output). */
  const [fromBottomPx, setFromBottomPx] = useState(0);
  const [viewportPx, setViewportPx] = useState(600);
  const [copied, setCopied] = useState(false);
  const outputRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  // The host answers gcode.commands while it connects too; reload on each state change (a
  // config load registers more commands).
  const state = printer?.state;
  useEffect(() => {
    if (printerId && connected) void loadCommands(api(), printerId);
  }, [printerId, state, connected, loadCommands]);

  const filter = useMemo(() => parseFilter(filterText), [filterText]);
  // A new view per filter/printer; it then only tests rows it has not seen.
  const view = useMemo(() => new FilteredView(filter.regex), [filter.regex, printerId]); // eslint-disable-line react-hooks/exhaustive-deps
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const visible = useMemo(() => view.update(rows), [view, rows, rev]);

  useLayoutEffect(() => {
    const el = outputRef.current;
    if (!el) return;
    const measure = (): void => setViewportPx(el.clientHeight);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const total = visible.length;
  // The scroller is bottom-anchored (flex column-reverse: scrollTop 0 is the newest row), so
  // following the output needs no scroll write per update: a scrollTop write after new rows
  // forced a synchronous layout every frame, the main cost of a flood. Only a reader scrolled up
  // is kept in place, by moving the offset by the height the new rows added.
  const contentPx = Math.max(total * ROW_HEIGHT_PX, viewportPx - OUTPUT_PADDING_PX);
  const lastContentPx = useRef(contentPx);
  useLayoutEffect(() => {
    const grownPx = contentPx - lastContentPx.current;
    lastContentPx.current = contentPx;
    const el = outputRef.current;
    if (!el || stickToBottom.current || grownPx === 0) return;
    el.scrollTop -= grownPx;
    setFromBottomPx((d) => d + grownPx);
  }, [contentPx]);

  const viewTopPx = Math.max(0, contentPx + OUTPUT_PADDING_PX - viewportPx - fromBottomPx);
  const first = Math.max(0, Math.floor(viewTopPx / ROW_HEIGHT_PX) - OVERSCAN_ROWS);
  const last = Math.min(total, Math.ceil((viewTopPx + viewportPx) / ROW_HEIGHT_PX) + OVERSCAN_ROWS);
  const onScreen: JSX.Element[] = [];
  for (let i = first; i < last; i++) onScreen.push(<Row key={visible[i].seq} row={visible[i]} top={i * ROW_HEIGHT_PX} showTime={showTime} />);

  const canSend = Boolean(printer) && connected;

  const submit = (): void => {
    const script = input.trim();
    if (!script || !printer || !canSend) return;
    setInput('');
    setCursor({ index: null, draft: '' });
    setChoices([]);
    stickToBottom.current = true;
    if (outputRef.current) outputRef.current.scrollTop = 0;
    setFromBottomPx(0);
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
    const text = visible.map((r) => (showTime ? `${timeOf(r.timeMs)} ${rowText(r)}` : rowText(r))).join('\n');
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
          <span className="muted" data-testid="console-count">
            {filter.regex ? t('shownOf', { shown: total, count: rows.length }) : t('lineCount', { count: rows.length })}
          </span>
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
        <button type="button" className="btn" onClick={() => void copy()} disabled={total === 0}>
          {copied ? t('copied') : t('copy')}
        </button>
        <button type="button" className="btn" onClick={() => printer && clear(printer.id)} disabled={rows.length === 0}>
          {t('clear')}
        </button>
      </div>
      <div
        className="console-output"
        ref={outputRef}
        role="log"
        aria-label={t('outputLabel')}
        data-testid="console-output"
        onScroll={(e) => {
          // column-reverse: scrollTop is 0 at the bottom and negative above it.
          const fromBottom = Math.max(0, -e.currentTarget.scrollTop);
          stickToBottom.current = fromBottom < ROW_HEIGHT_PX * 2;
          setFromBottomPx(fromBottom);
        }}
      >
        {total === 0 ? (
          <p className="console-empty">{rows.length ? t('allFiltered') : t('empty')}</p>
        ) : (
          <div className="console-rows" style={{ height: contentPx }}>
            {onScreen}
          </div>
        )}
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

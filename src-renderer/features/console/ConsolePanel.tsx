// The console: the host's output for the selected printer and a command line with history
// (Up/Down) and Tab completion of command names from the host's registry.
import { useEffect, useLayoutEffect, useRef, useState, type JSX, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CommandHelp } from '../../../src-main/api/contract';
import { api } from '../../api';
import { useConnection, useSelectedPrinter } from '../../shell/connection-store';
import { Icon } from '../../shell/icons';
import { completeCommand } from './completion';
import { historyStep, type HistoryCursor } from './history';
import { useConsole, type ConsoleEntry } from './store';

const NO_LINES: ConsoleEntry[] = [];
const NO_COMMANDS: CommandHelp[] = [];

function timeOf(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function ConsolePanel(): JSX.Element {
  const { t } = useTranslation('console');
  const printer = useSelectedPrinter();
  const connected = useConnection((s) => s.status === 'connected');
  const printerId = printer?.id ?? '';
  const lines = useConsole((s) => s.lines[printerId] ?? NO_LINES);
  const history = useConsole((s) => s.history);
  const commands = useConsole((s) => s.commands[printerId] ?? NO_COMMANDS);
  const { send, clear, loadCommands } = useConsole.getState();

  const [input, setInput] = useState('');
  const [cursor, setCursor] = useState<HistoryCursor>({ index: null, draft: '' });
  const [matches, setMatches] = useState<CommandHelp[]>([]);
  const outputRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  const ready = printer?.state === 'ready';
  useEffect(() => {
    if (printerId && ready) void loadCommands(api(), printerId);
  }, [printerId, ready, loadCommands]);

  // Follow new output unless the user has scrolled up to read.
  useLayoutEffect(() => {
    const el = outputRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  const canSend = Boolean(printer) && connected && printer?.state !== 'starting';

  const submit = (): void => {
    const script = input.trim();
    if (!script || !printer || !canSend) return;
    setInput('');
    setCursor({ index: null, draft: '' });
    setMatches([]);
    stickToBottom.current = true;
    void send(api(), printer.id, script);
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
    } else if (e.key === 'Tab' && input.trim()) {
      e.preventDefault();
      const c = completeCommand(input, commands);
      setInput(c.text);
      setMatches(c.matches.length > 1 ? c.matches : []);
    } else if (e.key === 'Escape') {
      setMatches([]);
    }
  };

  return (
    <section className="panel console-panel" aria-labelledby="console-title">
      <header className="panel-header">
        <h1 id="console-title">{t('title')}</h1>
        <div className="panel-actions">
          <span className="muted">{t('lineCount', { count: lines.length })}</span>
          <button type="button" className="btn" onClick={() => printer && clear(printer.id)} disabled={lines.length === 0}>
            {t('clear')}
          </button>
        </div>
      </header>
      <div
        className="console-output"
        ref={outputRef}
        role="log"
        aria-live="polite"
        aria-label={t('outputLabel')}
        data-testid="console-output"
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {lines.length === 0 ? (
          <p className="console-empty">{t('empty')}</p>
        ) : (
          lines.map((l) => (
            <div key={l.seq} className={`console-line kind-${l.kind}`}>
              <time className="console-time" dateTime={new Date(l.timeMs).toISOString()}>
                {timeOf(l.timeMs)}
              </time>
              <span className="console-text">{l.kind === 'command' ? `> ${l.text}` : l.text}</span>
            </div>
          ))
        )}
      </div>
      {matches.length > 0 && (
        <ul className="console-matches" aria-label={t('matchesLabel')}>
          {matches.slice(0, 30).map((m) => (
            <li key={m.name}>
              <button
                type="button"
                className="chip"
                title={m.help}
                onClick={() => {
                  setInput(`${m.name} `);
                  setMatches([]);
                }}
              >
                {m.name}
              </button>
            </li>
          ))}
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
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={canSend ? t('placeholder') : t('placeholderDisabled')}
          aria-label={t('inputLabel')}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          disabled={!canSend}
          data-testid="console-input"
        />
        <button type="submit" className="btn btn-primary" disabled={!canSend || !input.trim()}>
          <Icon name="send" size={16} />
          {t('send')}
        </button>
      </form>
      <p className="hint">{t('hint')}</p>
    </section>
  );
}

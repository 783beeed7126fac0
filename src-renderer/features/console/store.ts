// The console's store: output rows per printer (a long scrollback, trimmed from the front), the
// sent-command history (persisted in localStorage), and each printer's command list for
// completion. Rows live in a mutable array per printer and `rev` bumps on each change, so a
// flood of output costs one push per line instead of copying 50,000 rows per batch.
import { create } from 'zustand';
import type { CommandHelp, ConsoleLine } from '../../../src-main/api/contract';
import { ApiCallError, type ApiClient } from '../../api';
import { pushHistory } from './history';

/** Rows kept per printer (the scrollback is virtualized, so this costs memory, not frames). */
export const MAX_LINES = 50_000;
const HISTORY_KEY = 'tether.console.history';

/** One display row: multi-line host replies (HELP) are split into one row per line. */
export interface ConsoleEntry extends ConsoleLine {
  /** Stable, increasing key. */
  seq: number;
}

export interface ConsoleState {
  lines: Record<string, ConsoleEntry[]>;
  /** Bumped on every change of a printer's rows (the arrays are mutated in place). */
  rev: Record<string, number>;
  history: string[];
  commands: Record<string, CommandHelp[]>;
  append(printerId: string, lines: ConsoleLine[]): void;
  clear(printerId: string): void;
  send(client: ApiClient, printerId: string, script: string): Promise<void>;
  loadCommands(client: ApiClient, printerId: string): Promise<void>;
}

let seq = 0;

function loadHistory(): string[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function saveHistory(history: string[]): void {
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  } catch {
    // History lasts this session only.
  }
}

/** M112 must never wait behind anything: it is sent at once and not awaited by the UI. */
export function isEmergencyStop(script: string): boolean {
  return script.split('\n').some((l) => /^\s*M112(\s|$|;)/i.test(l));
}

export const useConsole = create<ConsoleState>()((set, get) => ({
  lines: {},
  rev: {},
  history: loadHistory(),
  commands: {},

  append(printerId, lines) {
    const rows = get().lines[printerId] ?? [];
    for (const l of lines) {
      if (l.text.includes('\n')) for (const part of l.text.split('\n')) rows.push({ ...l, text: part, seq: seq++ });
      else rows.push({ ...l, seq: seq++ });
    }
    if (rows.length > MAX_LINES) rows.splice(0, rows.length - MAX_LINES);
    set((s) => ({ lines: { ...s.lines, [printerId]: rows }, rev: { ...s.rev, [printerId]: (s.rev[printerId] ?? 0) + 1 } }));
  },

  clear(printerId) {
    set((s) => ({ lines: { ...s.lines, [printerId]: [] }, rev: { ...s.rev, [printerId]: (s.rev[printerId] ?? 0) + 1 } }));
  },

  async send(client, printerId, script) {
    const history = pushHistory(get().history, script);
    set({ history });
    saveHistory(history);
    try {
      await client.call('gcode.run', { printerId, script });
    } catch (e) {
      // A G-code error is already in the output as the host's '!!' line; show anything else.
      if (e instanceof ApiCallError && e.code === 'gcode_error') return;
      get().append(printerId, [{ kind: 'error', text: `!! ${e instanceof Error ? e.message : String(e)}`, timeMs: Date.now() }]);
    }
  },

  async loadCommands(client, printerId) {
    try {
      const commands = await client.call('gcode.commands', { printerId });
      set((s) => ({ commands: { ...s.commands, [printerId]: commands } }));
    } catch {
      // Not ready yet; completion simply offers nothing until the host is.
    }
  },
}));

/** Shortest time between two applied batches: 20 updates a second is as fast as anyone reads. */
export const MIN_FLUSH_MS = 50;

/** Subscribes the store to the API's console events (called once by the shell). Events are
 * gathered and applied in an animation frame, at most every MIN_FLUSH_MS: a flood then costs
 * a bounded number of renders a second, not one per WebSocket message or per frame. */
export function attachConsole(client: ApiClient): () => void {
  const pending = new Map<string, ConsoleLine[]>();
  let scheduled = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let frame: number | null = null;
  let lastFlushMs = -Infinity;
  const flush = (): void => {
    scheduled = false;
    timer = null;
    frame = null;
    lastFlushMs = performance.now();
    for (const [printerId, lines] of pending) useConsole.getState().append(printerId, lines);
    pending.clear();
  };
  const inFrame = (): void => {
    timer = null;
    if (typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(flush);
    else timer = setTimeout(flush, 16);
  };
  const off = client.on('console.lines', ({ printerId, lines }) => {
    const list = pending.get(printerId);
    if (list) for (const l of lines) list.push(l);
    else pending.set(printerId, [...lines]);
    if (scheduled) return;
    scheduled = true;
    // A quiet console shows a line at the next frame; during a flood batches wait their turn.
    const waitMs = lastFlushMs + MIN_FLUSH_MS - performance.now();
    if (waitMs > 0) timer = setTimeout(inFrame, waitMs);
    else inFrame();
  });
  return () => {
    off();
    if (timer !== null) clearTimeout(timer);
    if (frame !== null && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
    flush();
  };
}

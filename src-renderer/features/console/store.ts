// The console's store: output lines per printer (capped), sent-command history (persisted),
// and each printer's command list for completion.
import { create } from 'zustand';
import type { CommandHelp, ConsoleLine } from '../../../src-main/api/contract';
import { ApiCallError, type ApiClient } from '../../api';
import { pushHistory } from './history';

/** Lines kept per printer. The virtualized 20,000-line scrollback comes with issue 8. */
export const MAX_LINES = 5000;
const HISTORY_KEY = 'tether.console.history';

export interface ConsoleEntry extends ConsoleLine {
  /** Stable key for React lists. */
  seq: number;
}

export interface ConsoleState {
  lines: Record<string, ConsoleEntry[]>;
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

export const useConsole = create<ConsoleState>()((set, get) => ({
  lines: {},
  history: loadHistory(),
  commands: {},

  append(printerId, lines) {
    const entries = lines.map((l) => ({ ...l, seq: seq++ }));
    set((s) => ({ lines: { ...s.lines, [printerId]: [...(s.lines[printerId] ?? []), ...entries].slice(-MAX_LINES) } }));
  },

  clear(printerId) {
    set((s) => ({ lines: { ...s.lines, [printerId]: [] } }));
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

/** Subscribes the store to the API's console events (called once by the shell). */
export function attachConsole(client: ApiClient): () => void {
  return client.on('console.lines', ({ printerId, lines }) => useConsole.getState().append(printerId, lines));
}

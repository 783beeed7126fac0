// The temperature graph's store: the host's history per printer, fetched whole when the panel
// opens and then polled for new samples once a second (the host samples at that rate).
import { create } from 'zustand';
import type { ApiClient } from '../../api';
import { emptyHistory, mergeHistory, type HistoryWindow } from './history';

export const POLL_MS = 1000;

export interface TemperaturesState {
  history: Record<string, HistoryWindow>;
  error: string | null;
  /** Fetches the whole window (`full`) or only samples newer than the last one held. */
  fetch(client: ApiClient, printerId: string, full: boolean): Promise<void>;
}

export const useTemperatures = create<TemperaturesState>()((set, get) => ({
  history: {},
  error: null,

  async fetch(client, printerId, full) {
    const prev = get().history[printerId] ?? emptyHistory;
    const sinceMs = full || prev.lastMs === null ? undefined : prev.lastMs;
    try {
      const reply = await client.call('temperatures.history', sinceMs === undefined ? { printerId } : { printerId, sinceMs });
      set((s) => ({
        history: { ...s.history, [printerId]: mergeHistory(s.history[printerId] ?? emptyHistory, reply, sinceMs === undefined) },
        error: null,
      }));
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e) });
    }
  },
}));

/** Keeps a printer's history current while a panel shows it; returns the stop function. */
export function followTemperatures(client: ApiClient, printerId: string): () => void {
  const { fetch } = useTemperatures.getState();
  void fetch(client, printerId, true);
  const timer = setInterval(() => void fetch(client, printerId, false), POLL_MS);
  return () => clearInterval(timer);
}

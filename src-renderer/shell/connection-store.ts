// The shell's store: which carrier, whether it is connected, the printers and their states,
// and which printer the user is looking at. Fed by API events; features read it via selectors.
import { create } from 'zustand';
import type { AppInfo, PrinterSummary } from '../../src-main/api/contract';
import type { ApiClient, Carrier, ConnectionStatus } from '../api';

const SELECTED_KEY = 'tether.selectedPrinter';

export interface ConnectionState {
  carrier: Carrier | null;
  status: ConnectionStatus;
  appInfo: AppInfo | null;
  printers: PrinterSummary[];
  selectedPrinterId: string | null;
  /** Last failure to talk to the API, shown in the status bar (cleared on success). */
  lastError: string | null;
  attach(client: ApiClient): () => void;
  refresh(client: ApiClient): Promise<void>;
  selectPrinter(id: string): void;
}

function rememberedPrinter(): string | null {
  try {
    return localStorage.getItem(SELECTED_KEY);
  } catch {
    return null;
  }
}

function pickSelected(printers: PrinterSummary[], current: string | null): string | null {
  if (current && printers.some((p) => p.id === current)) return current;
  return printers[0]?.id ?? null;
}

export const useConnection = create<ConnectionState>()((set, get) => ({
  carrier: null,
  status: 'connecting',
  appInfo: null,
  printers: [],
  selectedPrinterId: rememberedPrinter(),
  lastError: null,

  attach(client) {
    set({ carrier: client.bridge.carrier, status: client.bridge.status() });
    const offs = [
      client.bridge.onStatus((status) => {
        set({ status });
        if (status === 'connected') void get().refresh(client);
      }),
      client.on('printer.state', ({ printerId, state, message }) =>
        set((s) => ({ printers: s.printers.map((p) => (p.id === printerId ? { ...p, state, stateMessage: message } : p)) })),
      ),
      client.on('printers.changed', ({ printers }) =>
        set((s) => ({ printers, selectedPrinterId: pickSelected(printers, s.selectedPrinterId) })),
      ),
    ];
    void get().refresh(client);
    return () => offs.forEach((off) => off());
  },

  async refresh(client) {
    try {
      const [appInfo, printers] = await Promise.all([client.call('app.info'), client.call('printers.list')]);
      set((s) => ({ appInfo, printers, selectedPrinterId: pickSelected(printers, s.selectedPrinterId), lastError: null }));
    } catch (e) {
      set({ lastError: e instanceof Error ? e.message : String(e) });
    }
  },

  selectPrinter(id) {
    try {
      localStorage.setItem(SELECTED_KEY, id);
    } catch {
      // Not remembered across reloads; harmless.
    }
    set({ selectedPrinterId: id });
  },
}));

/** The printer currently shown, or null while none is known. */
export function useSelectedPrinter(): PrinterSummary | null {
  return useConnection((s) => s.printers.find((p) => p.id === s.selectedPrinterId) ?? null);
}

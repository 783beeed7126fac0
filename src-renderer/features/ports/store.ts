// The ports page state: the list, which printer is on which port, and the last problem.
import { create } from 'zustand';
import { problemOf, type PortInfo, type PortsClient } from './client';

export interface PortsState {
  ports: PortInfo[];
  printerPorts: Record<string, string>;
  loading: boolean;
  problem: { message: string; fix?: string } | null;
  /** Paths that appeared in the last change, to highlight a freshly plugged board. */
  fresh: string[];
  refresh(client: PortsClient): Promise<void>;
  /** Starts listening for plug/unplug; returns the stop function. */
  watch(client: PortsClient): () => void;
  addVirtual(client: PortsClient, path: string, label: string): Promise<boolean>;
}

export const usePorts = create<PortsState>((set, get) => ({
  ports: [],
  printerPorts: {},
  loading: false,
  problem: null,
  fresh: [],
  async refresh(client) {
    set({ loading: true });
    try {
      const reply = await client.list();
      set({ ports: reply.ports, printerPorts: reply.printerPorts, problem: null });
    } catch (err) {
      set({ problem: problemOf(err) });
    } finally {
      set({ loading: false });
    }
  },
  watch(client) {
    return client.onChanged((event) => {
      set({ ports: event.ports, fresh: event.added.map((p) => p.path) });
      // Printer marks depend on identities the main process resolves: fetch them again.
      if (event.added.length || event.removed.length) void get().refresh(client);
    });
  },
  async addVirtual(client, path, label) {
    const trimmed = path.trim();
    if (!trimmed) return false;
    try {
      await client.addVirtual(trimmed, label.trim() || trimmed);
      await get().refresh(client);
      return true;
    } catch (err) {
      set({ problem: problemOf(err) });
      return false;
    }
  },
}));

/** "1a86:7523" or undefined. */
export function usbIdText(port: PortInfo): string | undefined {
  return port.vendorId && port.productId ? `${port.vendorId}:${port.productId}` : undefined;
}

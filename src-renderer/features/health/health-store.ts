// The health panel's store: the last two samples of the shown printer and what they mean.
// Samples come from polling health.stats (a status subscription is shared by every window and
// owned by the dashboard; polling here never replaces it).
import { create } from 'zustand';
import type { HealthStats } from '../../../src-main/api/contract';
import type { ApiClient } from '../../api';
import { deriveHealth, type DerivedHealth } from './health-derive';

export interface HealthState {
  printerId: string | null;
  last: HealthStats | null;
  derived: DerivedHealth | null;
  error: string | null;
  record(sample: HealthStats): void;
  fail(message: string): void;
  reset(printerId: string | null): void;
}

export const useHealth = create<HealthState>()((set) => ({
  printerId: null,
  last: null,
  derived: null,
  error: null,
  record(sample) {
    set((s) => {
      const prev = s.last && s.last.printerId === sample.printerId ? s.last : null;
      return { printerId: sample.printerId, last: sample, derived: deriveHealth(prev, sample), error: null };
    });
  },
  fail(message) {
    set({ error: message });
  },
  reset(printerId) {
    set({ printerId, last: null, derived: null, error: null });
  },
}));

/** Polls health.stats for one printer until the returned stop function runs. */
export function pollHealth(client: ApiClient, printerId: string, intervalMs = 1000): () => void {
  const store = useHealth.getState();
  store.reset(printerId);
  let live = true;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const tick = async (): Promise<void> => {
    try {
      const sample = await client.call('health.stats', { printerId });
      if (live) useHealth.getState().record(sample);
    } catch (e) {
      if (live) useHealth.getState().fail(e instanceof Error ? e.message : String(e));
    }
    if (live) timer = setTimeout(() => void tick(), intervalMs);
  };
  void tick();
  return () => {
    live = false;
    if (timer) clearTimeout(timer);
  };
}

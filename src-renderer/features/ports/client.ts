// What the ports page needs from the app API. The shell wires it to ports.list, the
// ports.changed event and ports.addVirtual (see src-main/ports/README.md).
import type { PortInfo, PortsChangedEvent, PortsListReply, PortProblemPayload } from '../../../src-main/ports/types';

export type { PortInfo, PortsChangedEvent, PortsListReply, PortProblemPayload };

export interface PortsClient {
  list(): Promise<PortsListReply>;
  /** Subscribes to plug/unplug; returns the unsubscribe function. */
  onChanged(listener: (event: PortsChangedEvent) => void): () => void;
  /** Adds a pty or simulator port by path (they never show in the system list). */
  addVirtual(path: string, label: string): Promise<void>;
}

/** Errors from the API carry the problem's fix when the main process classified it. */
export function problemOf(err: unknown): { message: string; fix?: string } {
  const e = err as { message?: string; problem?: PortProblemPayload; data?: { problem?: PortProblemPayload } } | null;
  const problem = e?.problem ?? e?.data?.problem;
  if (problem) return { message: problem.message, fix: problem.fix };
  return { message: e?.message ?? String(err) };
}

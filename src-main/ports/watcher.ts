import { existsSync, watch, type FSWatcher } from 'node:fs';
import { listPorts } from './list';
import type { PortInfo, PortsChangedEvent } from './types';

export interface PortWatcherOptions {
  /** Poll period; plug events on Linux also trigger an immediate refresh via /dev. */
  intervalMs?: number;
  list?: () => Promise<PortInfo[]>;
  /** Directory whose changes mean "a device came or went" (Linux: /dev). Null: poll only. */
  devDir?: string | null;
}

/**
 * Keeps the port list fresh and says what changed (ports.changed). Polling works everywhere;
 * watching /dev makes plug/unplug show within a fraction of a second on Linux without udev
 * bindings. Virtual ports (ptys, simulators) are added by hand because no list shows them.
 */
export class PortWatcher {
  private ports: PortInfo[] = [];
  private readonly virtualPorts = new Map<string, PortInfo>();
  private readonly listeners = new Set<(e: PortsChangedEvent) => void>();
  private readonly errorListeners = new Set<(e: Error) => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private devWatch: FSWatcher | null = null;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private refreshing: Promise<void> | null = null;
  private readonly intervalMs: number;
  private readonly list: () => Promise<PortInfo[]>;
  private readonly devDir: string | null;

  constructor(options: PortWatcherOptions = {}) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.list = options.list ?? (() => listPorts());
    this.devDir = options.devDir === undefined ? (process.platform === 'linux' ? '/dev' : null) : options.devDir;
  }

  onChanged(listener: (e: PortsChangedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onError(listener: (e: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  current(): PortInfo[] {
    return [...this.ports, ...this.virtualPorts.values()];
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    if (this.devDir && existsSync(this.devDir)) {
      try {
        this.devWatch = watch(this.devDir, (_event, name) => {
          // Only serial device nodes matter; /dev sees many other comings and goings.
          if (name && !/^(tty|cu\.|rfcomm|serial)/.test(String(name))) return;
          if (this.debounce) clearTimeout(this.debounce);
          // udev creates the node first and the by-id links a moment later.
          this.debounce = setTimeout(() => void this.refresh(), 300);
        });
      } catch {
        this.devWatch = null; // polling still covers it
      }
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.devWatch?.close();
    this.timer = null;
    this.devWatch = null;
  }

  /** Adds a pty or simulator port that the system list cannot see. */
  addVirtual(path: string, label: string): PortInfo {
    const port: PortInfo = { path, kind: 'virtual', virtual: true, knownName: label };
    this.virtualPorts.set(path, port);
    this.emit([port], []);
    return port;
  }

  removeVirtual(path: string): void {
    const port = this.virtualPorts.get(path);
    if (!port) return;
    this.virtualPorts.delete(path);
    this.emit([], [port]);
  }

  /** Re-reads the list now; concurrent calls share one read. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    let next: PortInfo[];
    try {
      next = await this.list();
    } catch (err) {
      for (const l of this.errorListeners) l(err as Error);
      return;
    }
    const key = (p: PortInfo) => `${p.path}|${p.vendorId ?? ''}|${p.productId ?? ''}|${p.serialNumber ?? ''}`;
    const before = new Map(this.ports.map((p) => [key(p), p]));
    const after = new Map(next.map((p) => [key(p), p]));
    const added = next.filter((p) => !before.has(key(p)));
    const removed = this.ports.filter((p) => !after.has(key(p)));
    this.ports = next;
    if (added.length || removed.length) this.emit(added, removed);
  }

  private emit(added: PortInfo[], removed: PortInfo[]): void {
    const event: PortsChangedEvent = { ports: this.current(), added, removed };
    for (const l of this.listeners) l(event);
  }
}

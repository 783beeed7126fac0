// Laptop care: keep the computer from suspending while any printer prints (a sleeping laptop
// stops feeding the MCU, which then shuts the printer down mid-print), tell the UI when it runs
// on battery, and let the quit path know whether a print would be interrupted. Electron's
// powerSaveBlocker / powerMonitor are passed in, so tests hand in fakes.
import type { PowerInfo } from '../api/contract';
import type { PrinterFleet } from '../host/worker/fleet';

export interface PowerSaveBlockerApi {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): void;
}

export interface PowerMonitorApi {
  isOnBatteryPower(): boolean;
  on(event: 'on-battery' | 'on-ac', listener: () => void): unknown;
}

export interface LaptopCareOptions {
  powerSaveBlocker: PowerSaveBlockerApi;
  powerMonitor: PowerMonitorApi;
  /** Ids of printers with a print in progress. */
  printing: () => Promise<string[]>;
  /** How often printing is checked (default 5 s: a print lasts hours, suspension takes minutes). */
  pollMs?: number;
  log?: (message: string) => void;
}

/** Print states during which suspending would ruin the print (paused prints keep heaters on). */
const PRINTING_STATES = new Set(['printing', 'paused']);

/** Printers whose print_stats say a print is in progress; a stopped or busy host counts as not printing. */
export async function printingPrinters(fleet: PrinterFleet): Promise<string[]> {
  const ids = await Promise.all(
    fleet.list().map(async (p) => {
      const { thread } = fleet.get(p.id);
      if (!thread.running) return null;
      try {
        const { status } = await thread.call('status.query', { objects: { print_stats: ['state'] } });
        return PRINTING_STATES.has(String(status.print_stats?.state)) ? p.id : null;
      } catch {
        return null;
      }
    }),
  );
  return ids.filter((id): id is string => id !== null);
}

export class LaptopCare {
  private blockerId: number | null = null;
  private printingIds: string[] = [];
  private onBattery = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(info: PowerInfo) => void>();

  constructor(private readonly o: LaptopCareOptions) {}

  start(): void {
    this.onBattery = this.o.powerMonitor.isOnBatteryPower();
    this.o.powerMonitor.on('on-battery', () => this.setBattery(true));
    this.o.powerMonitor.on('on-ac', () => this.setBattery(false));
    this.timer = setInterval(() => void this.refresh(), this.o.pollMs ?? 5000);
    this.timer.unref?.();
    void this.refresh();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.release();
  }

  info(): PowerInfo {
    return { supported: true, onBattery: this.onBattery, keepingAwake: this.blockerId !== null, printing: [...this.printingIds] };
  }

  onChange(listener: (info: PowerInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Checks who prints now and holds or releases the blocker to match. */
  async refresh(): Promise<PowerInfo> {
    let ids: string[];
    try {
      ids = await this.o.printing();
    } catch (e) {
      this.o.log?.(`laptop care: could not check printing state: ${e instanceof Error ? e.message : e}`);
      return this.info();
    }
    const changed = ids.join(',') !== this.printingIds.join(',');
    this.printingIds = ids;
    if (ids.length > 0 && this.blockerId === null) {
      this.blockerId = this.o.powerSaveBlocker.start('prevent-app-suspension');
      this.o.log?.(`keeping the system awake while printing (${ids.join(', ')})`);
    } else if (ids.length === 0) this.release();
    if (changed) this.emit();
    return this.info();
  }

  private release(): void {
    if (this.blockerId === null) return;
    this.o.powerSaveBlocker.stop(this.blockerId);
    this.blockerId = null;
    this.o.log?.('no print running: the system may sleep again');
  }

  private setBattery(onBattery: boolean): void {
    if (onBattery === this.onBattery) return;
    this.onBattery = onBattery;
    this.emit();
  }

  private emit(): void {
    const info = this.info();
    for (const l of this.listeners) l(info);
  }
}

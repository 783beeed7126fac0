// [statistics]: a "Stats" line in the host log every minute while the printer runs (each MCU's
// load and link counters, the host's load and memory), for reading a log after a failed print.
// Klipper logs these always; Tether does when printer.cfg has the section (it has no options).
import type { Printer } from '../printer';
import { SystemStats } from './status-objects';

export const STATS_INTERVAL_S = 60;

interface McuView {
  getStatus(): { name: string; lastStats: Record<string, unknown> };
}

function fmt(v: unknown): string {
  if (typeof v !== 'number') return String(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

/** One "Stats" line: `Stats 12.3: mcu: awake=... ... host: sysload=... memavail=...`. */
export function statsLine(printer: Printer, nowS: number): string {
  const parts = [`Stats ${nowS.toFixed(1)}:`];
  for (const [name, mcu] of printer.lookupObjects<McuView>('mcu')) {
    if (name !== 'mcu' && !name.startsWith('mcu ')) continue;
    const s = mcu.getStatus().lastStats;
    parts.push(`${name.replace(/^mcu /, '')}:`);
    for (const [k, v] of Object.entries(s)) if (v !== undefined && typeof v !== 'object') parts.push(`${k}=${fmt(v)}`);
  }
  const host = new SystemStats().getStatus();
  parts.push('host:', ...Object.entries(host).map(([k, v]) => `${k}=${fmt(v)}`));
  return parts.join(' ');
}

export class Statistics {
  private timer: NodeJS.Timeout | null = null;
  /** Lines written (tests read the last one). */
  lastLine = '';

  constructor(
    private readonly printer: Printer,
    private readonly log: (line: string) => void = (l) => console.log(l),
  ) {
    printer.on('printer:ready', () => this.start());
    const stop = () => this.stop();
    printer.on('printer:shutdown', stop);
    printer.on('printer:disconnect', stop);
  }

  private start(): void {
    this.stop();
    this.timer = setInterval(() => this.logNow(), STATS_INTERVAL_S * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  logNow(): void {
    this.lastLine = statsLine(this.printer, performance.now() / 1000);
    this.log(this.lastLine);
  }
}

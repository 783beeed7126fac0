// Status queries and subscriptions over the printer objects (Klipper's objects/query and
// objects/subscribe): a query returns the asked fields now; a subscription sends only what
// changed, batched at most every 250 ms, so a UI or API client never floods.
import { statusObjectNames, statusOf } from '../objects/status-objects';
import type { Printer } from '../printer';

/** Object name -> fields wanted (null = all fields). */
export type StatusRequest = Record<string, string[] | null>;
export type StatusSnapshot = Record<string, Record<string, unknown>>;

export const STATUS_BATCH_MS = 250;

export function queryStatus(printer: Printer, request: StatusRequest): StatusSnapshot {
  const out: StatusSnapshot = {};
  for (const [name, fields] of Object.entries(request)) {
    const st = statusOf(printer, name);
    if (!st) continue; // Klipper leaves unknown objects out of the answer
    out[name] = fields ? Object.fromEntries(fields.filter((f) => f in st).map((f) => [f, st[f]])) : { ...st };
  }
  return out;
}

export function listStatusObjects(printer: Printer): string[] {
  return statusObjectNames(printer);
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

export class StatusSubscription {
  private last: StatusSnapshot = {};
  private readonly timer: NodeJS.Timeout;

  /** Sends the full requested status at once, then change-only deltas. */
  constructor(
    private readonly printer: Printer,
    private readonly request: StatusRequest,
    private readonly onDelta: (delta: StatusSnapshot, eventtimeS: number) => void,
    intervalMs = STATUS_BATCH_MS,
  ) {
    this.last = queryStatus(printer, request);
    this.timer = setInterval(() => this.poll(), Math.max(STATUS_BATCH_MS, intervalMs));
    this.timer.unref?.();
  }

  /** The full status as of subscribing (what Klipper's subscribe answers first). */
  get initial(): StatusSnapshot {
    return this.last;
  }

  private poll(): void {
    const now = queryStatus(this.printer, this.request);
    const delta: StatusSnapshot = {};
    for (const [name, fields] of Object.entries(now)) {
      const prev = this.last[name] ?? {};
      for (const [k, v] of Object.entries(fields)) {
        if (!same(prev[k], v)) (delta[name] ??= {})[k] = v;
      }
    }
    this.last = now;
    if (Object.keys(delta).length) this.onDelta(delta, performance.now() / 1000);
  }

  close(): void {
    clearInterval(this.timer);
  }
}

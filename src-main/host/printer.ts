// The printer registry: every config section becomes one object registered here by name;
// objects find each other through lookupObject() and talk through events, never imports.

export type PrinterState = 'starting' | 'ready' | 'error' | 'shutdown';

/** What every printer object may offer. get_status feeds the UI and macros. */
export interface PrinterObject {
  getStatus?(eventtimeS: number): Record<string, unknown>;
}

/** Lifecycle and cross-object events, with their argument types. */
export interface PrinterEvents {
  'printer:connect': [];
  'printer:ready': [];
  'printer:shutdown': [reason: string];
  'printer:disconnect': [];
  'printer:state': [state: PrinterState, message: string];
}

type Handler<A extends unknown[]> = (...args: A) => void | Promise<void>;

export class PrinterError extends Error {
  override name = 'PrinterError';
}

export class Printer {
  private readonly objects = new Map<string, unknown>();
  private readonly handlers = new Map<string, Handler<unknown[]>[]>();
  private stateValue: PrinterState = 'starting';
  private stateMessageValue = 'Printer is starting';

  get state(): PrinterState {
    return this.stateValue;
  }
  get stateMessage(): string {
    return this.stateMessageValue;
  }

  addObject(name: string, obj: unknown): void {
    if (this.objects.has(name)) throw new PrinterError(`Printer object '${name}' already registered`);
    this.objects.set(name, obj);
  }

  lookupObject<T>(name: string): T {
    const obj = this.objects.get(name);
    if (obj === undefined) throw new PrinterError(`Unknown printer object '${name}'`);
    return obj as T;
  }

  lookupObjectOrNull<T>(name: string): T | null {
    return (this.objects.get(name) as T | undefined) ?? null;
  }

  /** Objects whose name starts with `prefix` (e.g. all 'heater_fan '), in registration order. */
  lookupObjects<T>(prefix = ''): [string, T][] {
    return [...this.objects].filter(([n]) => n.startsWith(prefix)) as [string, T][];
  }

  objectNames(): string[] {
    return [...this.objects.keys()];
  }

  on<E extends keyof PrinterEvents>(event: E, handler: Handler<PrinterEvents[E]>): void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler as Handler<unknown[]>);
    this.handlers.set(event, list);
  }

  /** Calls every handler in order, awaiting each; returns once all have run. */
  async emit<E extends keyof PrinterEvents>(event: E, ...args: PrinterEvents[E]): Promise<void> {
    for (const h of this.handlers.get(event) ?? []) await h(...args);
  }

  setState(state: PrinterState, message: string): void {
    this.stateValue = state;
    this.stateMessageValue = message;
    void this.emit('printer:state', state, message);
  }

  /** Enters shutdown once: the first reason wins, as the user needs the root cause. */
  async invokeShutdown(reason: string): Promise<void> {
    if (this.stateValue === 'shutdown') return;
    this.setState('shutdown', reason);
    await this.emit('printer:shutdown', reason);
  }
}

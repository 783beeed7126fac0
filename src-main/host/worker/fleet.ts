// The printers this app manages, each with its own host thread, remembered in
// <dataDir>/printers.json. Logs go to <dataDir>/printers/<id>/host.log.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConsoleLine, PrinterState, PrinterSummary, StatusSnapshot } from '../../api/contract';
import { printerIdSchema } from '../../api/contract';
import { ApiError } from '../../api/errors';
import * as s from '../../api/schema';
import { HostThread } from './host-thread';

export interface PrinterRecord {
  id: string;
  name: string;
  configPath: string | null;
}

const printersFileSchema = s.object({
  version: s.oneOf([1] as const),
  printers: s.array(s.object({ id: printerIdSchema, name: s.string({ minLength: 1, maxLength: 80 }), configPath: s.nullable(s.string()) })),
});

export interface FleetOptions {
  dataDir: string;
  workerEntry: string;
  /** Config for the printer created when none is remembered yet (e.g. `serve --config`). */
  defaultConfigPath?: string | null;
}

export interface FleetListener {
  state(printerId: string, state: PrinterState, message: string): void;
  console(printerId: string, line: ConsoleLine): void;
  changed(printers: PrinterSummary[]): void;
  status(printerId: string, eventtime: number, status: StatusSnapshot): void;
}

export class PrinterFleet {
  private readonly hosts = new Map<string, { record: PrinterRecord; thread: HostThread }>();
  private readonly listeners = new Set<Partial<FleetListener>>();

  constructor(readonly options: FleetOptions) {}

  get printersFile(): string {
    return path.join(this.options.dataDir, 'printers.json');
  }

  logPath(printerId: string): string {
    return path.join(this.options.dataDir, 'printers', printerId, 'host.log');
  }

  listen(listener: Partial<FleetListener>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads the remembered printers (or creates the first one) and starts every host. */
  async start(): Promise<void> {
    mkdirSync(this.options.dataDir, { recursive: true });
    let records = this.load();
    if (records.length === 0) {
      records = [{ id: 'printer-1', name: 'Printer 1', configPath: this.options.defaultConfigPath ?? null }];
      this.save(records);
    }
    for (const r of records) this.attach(r);
    await Promise.all([...this.hosts.values()].map(({ thread }) => thread.start()));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.hosts.values()].map(({ thread }) => thread.dispose()));
  }

  list(): PrinterSummary[] {
    return [...this.hosts.values()].map(({ record, thread }) => ({
      ...record,
      state: thread.state,
      stateMessage: thread.stateMessage,
    }));
  }

  get(printerId: string): { record: PrinterRecord; thread: HostThread } {
    const entry = this.hosts.get(printerId);
    if (!entry) {
      const known = [...this.hosts.keys()].join(', ') || 'none';
      throw new ApiError('not_found', `No printer '${printerId}' (known: ${known}).`);
    }
    return entry;
  }

  summary(printerId: string): PrinterSummary {
    const found = this.list().find((p) => p.id === printerId);
    if (!found) throw new ApiError('not_found', `No printer '${printerId}'.`);
    return found;
  }

  async add(name: string, configPath: string | null): Promise<PrinterSummary> {
    if (configPath !== null && !existsSync(configPath)) {
      throw new ApiError('refused', `Config file '${configPath}' does not exist; choose an existing printer.cfg.`);
    }
    const record: PrinterRecord = { id: this.newId(name), name, configPath };
    this.attach(record);
    this.save(this.records());
    this.emitChanged();
    await this.get(record.id).thread.start();
    return this.summary(record.id);
  }

  async remove(printerId: string): Promise<void> {
    const { thread } = this.get(printerId);
    this.hosts.delete(printerId);
    this.save(this.records());
    await thread.dispose();
    this.emitChanged();
  }

  private attach(record: PrinterRecord): void {
    const thread = new HostThread({
      printerId: record.id,
      configPath: record.configPath,
      workerEntry: this.options.workerEntry,
      logPath: this.logPath(record.id),
    });
    thread.on('state', (state, message) => {
      for (const l of this.listeners) l.state?.(record.id, state, message);
    });
    thread.on('console', (line) => {
      for (const l of this.listeners) l.console?.(record.id, line);
    });
    thread.on('status', (eventtime, status) => {
      for (const l of this.listeners) l.status?.(record.id, eventtime, status);
    });
    this.hosts.set(record.id, { record, thread });
  }

  private emitChanged(): void {
    const printers = this.list();
    for (const l of this.listeners) l.changed?.(printers);
  }

  private records(): PrinterRecord[] {
    return [...this.hosts.values()].map(({ record }) => record);
  }

  private newId(name: string): string {
    const slug =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40) || 'printer';
    let id = slug;
    while (this.hosts.has(id)) id = `${slug}-${randomBytes(2).toString('hex')}`;
    return id;
  }

  private load(): PrinterRecord[] {
    const file = this.printersFile;
    if (!existsSync(file)) return [];
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file}: not valid JSON (${e instanceof Error ? e.message : e}); fix or delete it to start with one printer.`);
    }
    const checked = s.parse(printersFileSchema, json, 'printers.json');
    if (!checked.ok) throw new Error(`${file}: ${checked.error}; fix or delete it to start with one printer.`);
    return checked.value.printers;
  }

  private save(records: PrinterRecord[]): void {
    // Write then rename, so a crash mid-write never leaves a half file that blocks the next start.
    const tmp = `${this.printersFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, printers: records }, null, 2)}\n`);
    renameSync(tmp, this.printersFile);
  }
}

// Machine health and "Export diagnostics" over the fleet: every MCU link's stats and the host
// process's CPU/memory for one printer, and one .tar.gz with everything a bug report needs
// (host logs, printer.cfg files, versions, MCU stats). Archive format: host/diagnostics/tar.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AppInfo, HealthStats, McuHealth, PrinterSummary } from './contract';
import { includesOf } from './config-files';
import { ApiError } from './errors';
import { mcuHealthOf } from '../host/diagnostics/health';
import { readTail } from '../host/diagnostics/host-log';
import { isMcuObjectName } from '../host/objects/mcu-names';
import { tarGzOf, type TarEntry } from '../host/diagnostics/tar';
import type { PrinterFleet } from '../host/worker/fleet';
import type { HostThread } from '../host/worker/host-thread';

/** The largest log tail put in an archive per file (logs compress ~10x). */
const ARCHIVE_LOG_BYTES = 4 * 1024 * 1024;

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** What a health sample needs of a printer's host: its state and two of its worker ops (a HostThread). */
export type HealthSource = Pick<HostThread, 'running' | 'stateMessage' | 'call'>;

/** Every MCU's figures, the main [mcu] first, each under its object name ('mcu', 'mcu toolboard'). */
export function mcuHealthsOf(status: Record<string, Record<string, unknown> | undefined>): McuHealth[] {
  const names = Object.keys(status).filter(isMcuObjectName);
  names.sort((a, b) => Number(b === 'mcu') - Number(a === 'mcu'));
  return names.flatMap((name) => {
    const st = status[name];
    return st ? [{ ...mcuHealthOf(st), name }] : [];
  });
}

async function mcuStatuses(thread: HealthSource): Promise<McuHealth[]> {
  const names = (await thread.call('status.objects', {})).filter(isMcuObjectName);
  if (names.length === 0) return [];
  const { status } = await thread.call('status.query', { objects: Object.fromEntries(names.map((n) => [n, null])) });
  // Keep the host's order (config order) for the secondaries; mcuHealthsOf puts the main first.
  return mcuHealthsOf(Object.fromEntries(names.map((n) => [n, status[n]])));
}

/** One health sample; a stopped host or a missing MCU is a note, not a failure. */
export async function healthOf(printerId: string, thread: HealthSource): Promise<HealthStats> {
  const out: HealthStats = { printerId, timeMs: Date.now(), mcus: [], mcu: null, host: null, note: null };
  if (!thread.running) return { ...out, note: thread.stateMessage };
  const [mcus, proc] = await Promise.allSettled([mcuStatuses(thread), thread.call('host.process', {})]);
  if (mcus.status === 'fulfilled') {
    out.mcus = mcus.value;
    out.mcu = mcus.value.find((m) => m.name === 'mcu') ?? null;
  }
  if (proc.status === 'fulfilled') out.host = proc.value;
  const failed = [mcus, proc].find((r) => r.status === 'rejected');
  if (failed) out.note = messageOf(failed.reason);
  else if (out.mcus.length === 0) out.note = `${thread.stateMessage} (no MCU link to measure)`;
  return out;
}

export interface DiagnosticsOptions {
  fleet: PrinterFleet;
  appInfo: AppInfo;
  /** Extra version lines (electron, chrome) from the carrier. */
  versions?: Record<string, string>;
  /** Only this printer (default: every printer). */
  printerId?: string;
}

export function diagnosticsFileName(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .replace('T', '-');
  return `tether-diagnostics-${stamp}.tar.gz`;
}

/** Archive-safe folder name for a file outside the archive (its base name, made unique). */
function uniqueName(used: Set<string>, base: string): string {
  let name = base.replace(/[^A-Za-z0-9._-]/g, '_') || 'file';
  for (let n = 2; used.has(name); n++) name = `${n}-${base}`;
  used.add(name);
  return name;
}

function tailText(file: string): string {
  const { text, truncated } = readTail(file, ARCHIVE_LOG_BYTES);
  return truncated ? `[... only the last ${ARCHIVE_LOG_BYTES} bytes of ${file} ...]\n${text}` : text;
}

/** Builds the diagnostics archive: entry list and gzip bytes. */
export async function buildDiagnostics(o: DiagnosticsOptions): Promise<{ fileName: string; entries: string[]; archive: Buffer }> {
  const printers: PrinterSummary[] = o.printerId ? [o.fleet.summary(o.printerId)] : o.fleet.list();
  const entries: TarEntry[] = [];
  const add = (name: string, data: string | Buffer) => entries.push({ name, data });
  const versions: Record<string, unknown> = {
    app: o.appInfo.appVersion,
    mode: o.appInfo.mode,
    platform: `${process.platform} ${process.arch}`,
    node: process.versions.node,
    ...(process.versions.electron ? { electron: process.versions.electron, chrome: process.versions.chrome } : {}),
    ...o.versions,
    printers: {} as Record<string, unknown>,
  };
  for (const p of printers) {
    const { thread } = o.fleet.get(p.id);
    const dir = `printers/${p.id}`;
    const health = await healthOf(p.id, thread).catch((e: unknown) => ({ error: messageOf(e) }));
    (versions.printers as Record<string, unknown>)[p.id] = {
      host: thread.hostVersion,
      firmware: 'mcu' in health && health.mcu ? health.mcu.version : null,
      firmwareBuild: 'mcu' in health && health.mcu ? health.mcu.buildVersions : null,
      // Every MCU's firmware by its object name (a toolboard often runs another build).
      mcus:
        'mcus' in health
          ? Object.fromEntries(health.mcus.map((m) => [m.name, { firmware: m.version, firmwareBuild: m.buildVersions }]))
          : {},
    };
    add(`${dir}/status.json`, `${JSON.stringify({ ...p }, null, 2)}\n`);
    add(`${dir}/mcu-stats.json`, `${JSON.stringify(health, null, 2)}\n`);
    const log = o.fleet.logPath(p.id);
    add(`${dir}/host.log`, existsSync(log) ? tailText(log) : `(no host log at ${log})\n`);
    if (p.configPath && existsSync(p.configPath)) {
      add(`${dir}/printer.cfg`, readFileSync(p.configPath));
      const used = new Set<string>(['printer.cfg']);
      for (const inc of includesOf(p.configPath)) {
        try {
          add(`${dir}/includes/${uniqueName(used, path.basename(inc.path))}`, readFileSync(inc.path));
        } catch {
          // unreadable include: the host log names it
        }
      }
    }
  }
  const appLog = path.join(o.appInfo.dataDir, 'logs', 'app.log');
  if (existsSync(appLog)) add('app.log', tailText(appLog));
  // README and versions first: what a reader opens before anything else.
  entries.unshift({ name: 'versions.json', data: `${JSON.stringify(versions, null, 2)}\n` });
  entries.unshift({
    name: 'README.txt',
    data: [
      `Tether diagnostics, ${new Date().toISOString()}`,
      '',
      'versions.json              app, node, electron, host and firmware (data dictionary) versions',
      'app.log                    the desktop app log (when present)',
      'printers/<id>/host.log     the printer host log (its end, when long)',
      'printers/<id>/printer.cfg  the printer config, with its [include] files under includes/',
      'printers/<id>/mcu-stats.json  statistics of every MCU link ("mcus", main first) and host process CPU/memory at export time',
      '',
    ].join('\n'),
  });
  if (entries.length === 0) throw new ApiError('refused', 'Nothing to export.');
  const archive = tarGzOf(entries);
  return { fileName: diagnosticsFileName(), entries: entries.map((e) => e.name), archive };
}

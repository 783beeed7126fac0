// The config editor's side of the API: read a printer's printer.cfg, validate unsaved text with
// the host's reader and option tables, write it back (keeping the SAVE_CONFIG block exactly as
// on disk), list the sample configs we ship, and create a printer from one.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigText, readConfigFile, SAVE_CONFIG_MARKER } from '../host/config/reader';
import type { PrinterFleet } from '../host/worker/fleet';
import type { ConfigFileText, ConfigInclude, ConfigSample, ConfigWriteResult, PrinterSummary } from './contract';
import { validateConfigText } from './config-validate';
import type { ConfigDiagnostic } from './contract';
import { ApiError } from './errors';

const checkoutRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ConfigFileOptions {
  fleet: PrinterFleet;
  dataDir: string;
  /** resources/ (default: the checkout's). Samples are its printers/*.cfg and *.cfg. */
  resourcesDir?: string;
}

/** Splits printer.cfg into the editable body and the SAVE_CONFIG block (marker line on). */
export function splitSaveConfig(text: string): { body: string; saveConfig: string } {
  const lines = text.split(/\r?\n/);
  const idx = lines.findIndex((l) => l.trimEnd() === SAVE_CONFIG_MARKER);
  if (idx < 0) return { body: text, saveConfig: '' };
  return { body: lines.slice(0, idx).join('\n'), saveConfig: lines.slice(idx).join('\n') };
}

export function createConfigFiles(o: ConfigFileOptions) {
  const resourcesDir = o.resourcesDir ?? path.join(checkoutRoot, 'resources');

  const configPathOf = (printerId: string): string => {
    const { record } = o.fleet.get(printerId);
    if (!record.configPath) throw new ApiError('refused', `Printer '${printerId}' has no printer.cfg yet: create one from a sample first.`);
    return record.configPath;
  };

  const readText = (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new ApiError('refused', `Cannot read '${file}': ${(e as Error).message}`);
    }
  };

  const samples = (): ConfigSample[] => {
    const out: ConfigSample[] = [];
    for (const dir of [path.join(resourcesDir, 'printers'), resourcesDir]) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).sort()) {
        if (!f.endsWith('.cfg')) continue;
        const file = path.join(dir, f);
        const firstComment = /^#\s*(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
        out.push({ id: path.relative(resourcesDir, file).replace(/\\/g, '/'), name: f.replace(/\.cfg$/, ''), description: firstComment });
      }
    }
    return out;
  };

  /** printer.cfg, or one of the files it includes (never any other file: the API is not a file server). */
  const fileOf = (printerId: string, file: string | undefined): string => {
    const main = configPathOf(printerId);
    if (file === undefined || path.resolve(file) === path.resolve(main)) return main;
    const found = includesOf(main).find((i) => i.path === path.resolve(file));
    if (!found) throw new ApiError('refused', `'${file}' is not included by ${main}: only printer.cfg and the files its [include] sections name can be opened.`);
    return found.path;
  };

  return {
    read(printerId: string, file?: string): ConfigFileText {
      const target = fileOf(printerId, file);
      const { body, saveConfig } = splitSaveConfig(readText(target));
      return { path: target, text: body, saveConfig };
    },

    validate(printerId: string | undefined, text: string, file?: string): ConfigDiagnostic[] {
      // Includes resolve next to the printer's file; a printer without one validates in the data dir.
      const record = printerId ? o.fleet.get(printerId).record : null;
      if (printerId && file !== undefined) {
        // An included file alone: its own problems, not the sections other files provide.
        const target = fileOf(printerId, file);
        return validateConfigText(text, target).filter((d) => !/^Section \[(mcu|printer)\] is missing/.test(d.message));
      }
      const mainPath = record?.configPath ?? path.join(o.dataDir, 'printer.cfg');
      return validateConfigText(text, mainPath);
    },

    includes(printerId: string): ConfigInclude[] {
      return includesOf(configPathOf(printerId));
    },

    write(printerId: string, text: string, fileParam?: string): ConfigWriteResult {
      if (text.split(/\r?\n/).some((l) => l.trimEnd() === SAVE_CONFIG_MARKER)) {
        throw new ApiError('bad_request', 'The text contains the SAVE_CONFIG marker: send only the part above it (the block is kept from the file).');
      }
      const file = fileOf(printerId, fileParam);
      const before = readText(file);
      const { saveConfig } = splitSaveConfig(before);
      const body = text.replace(/\s*$/, '\n');
      const after = saveConfig ? `${body}\n${saveConfig.replace(/\s*$/, '\n')}` : body;
      if (after === before) return { path: file, changed: false, backupPath: null };
      // Keep the previous file beside it and replace atomically (a crash never leaves half a config).
      const backupPath = `${file}.bak`;
      writeFileSync(backupPath, before);
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, after);
      renameSync(tmp, file);
      return { path: file, changed: true, backupPath };
    },

    samples,

    async newPrinter(name: string, sampleId: string, serial?: string): Promise<PrinterSummary> {
      const sample = samples().find((s) => s.id === sampleId);
      if (!sample) throw new ApiError('not_found', `No sample config '${sampleId}'; pick one from the list.`);
      const dir = path.join(o.dataDir, 'configs');
      mkdirSync(dir, { recursive: true });
      const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'printer';
      let file = path.join(dir, `${slug}.cfg`);
      for (let n = 2; existsSync(file); n++) file = path.join(dir, `${slug}-${n}.cfg`);
      copyFileSync(path.join(resourcesDir, sample.id), file);
      if (serial !== undefined) writeFileSync(file, withMcuSerial(readFileSync(file, 'utf8'), serial));
      return o.fleet.add(name, file);
    },
  };
}

/** Sets [mcu] serial (replacing the sample's, or adding it under [mcu]): a printer "for a port". */
export function withMcuSerial(text: string, serial: string): string {
  const lines = text.split('\n');
  const mcuAt = lines.findIndex((l) => /^\[mcu\]\s*(#.*)?$/.test(l.trim()));
  if (mcuAt < 0) return `[mcu]\nserial: ${serial}\n\n${text}`;
  for (let i = mcuAt + 1; i < lines.length && !/^\[/.test(lines[i]); i++) {
    if (/^serial\s*[:=]/.test(lines[i])) {
      lines[i] = `serial: ${serial}`;
      return lines.join('\n');
    }
  }
  lines.splice(mcuAt + 1, 0, `serial: ${serial}`);
  return lines.join('\n');
}

const INCLUDE_LINE = /^\[include\s+([^\]]+)\]/;

/**
 * Every file a printer.cfg pulls in, with the [include] line that named it. Globs are resolved
 * by the host's own reader (a one-line config holding just that include), so the editor opens
 * exactly the files the host reads. A broken config yields what could be resolved.
 */
export function includesOf(mainPath: string): ConfigInclude[] {
  let files: string[];
  try {
    files = readConfigFile(mainPath).files;
  } catch {
    files = [path.resolve(mainPath)];
  }
  const out = new Map<string, ConfigInclude>();
  // Files are scanned in include order, so a file reached through a nested include ends up
  // attributed to the deepest [include] that named it.
  for (const from of files) {
    let text: string;
    try {
      text = readFileSync(from, 'utf8');
    } catch {
      continue;
    }
    text.split(/\r?\n/).forEach((line, i) => {
      const m = INCLUDE_LINE.exec(line.trim());
      if (!m) return;
      const pattern = m[1].trim();
      let matched: string[] = [];
      try {
        matched = parseConfigText(`[include ${pattern}]\n`, from).files.slice(1);
      } catch {
        return; // a missing file: the validator reports it on this line
      }
      for (const f of matched) out.set(f, { path: f, pattern, fromFile: from, fromLine: i + 1 });
    });
  }
  return [...out.values()];
}

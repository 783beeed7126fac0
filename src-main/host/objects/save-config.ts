// 'configfile' with SAVE_CONFIG: results of calibration commands (PID_CALIBRATE, ...) wait here
// until SAVE_CONFIG writes them into the SAVE_CONFIG block at the end of printer.cfg (the
// '#*#' block Klipper's files share), keeps the old file as printer-YYYYMMDD_HHMMSS.cfg, and restarts.
// Options the block now holds are commented out in the main file above it, so the file stays
// unambiguous; the same option in an [include]d file is an error the user must resolve.
import fs from 'node:fs';
import { ConfigError } from '../config/errors';
import { parseConfigText, SAVE_CONFIG_MARKER } from '../config/reader';
import type { PrinterConfig } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { Printer, PrinterObject } from '../printer';
import type { ConfigFileStatus } from './status-objects';
import type { RestartKind } from './restart';

/** The block's first lines as Klipper writes them (file format; our reader skips the warning). */
const BLOCK_HEADER = [SAVE_CONFIG_MARKER, '#*# DO NOT EDIT THIS BLOCK OR BELOW. The contents are auto-generated.', '#*#'];

type Sections = Map<string, Map<string, string>>;

export class SaveConfig implements PrinterObject {
  /** section -> option (lower case) -> value, waiting for SAVE_CONFIG. */
  private readonly pending: Sections = new Map();
  /** Sections to drop from the SAVE_CONFIG block (BED_MESH_PROFILE REMOVE=). */
  private readonly removed = new Set<string>();

  constructor(
    printer: Printer,
    private readonly gcode: GCodeDispatcher,
    private readonly config: PrinterConfig,
    private readonly status: ConfigFileStatus,
    private readonly requestRestart: ((kind: RestartKind) => void) | null,
  ) {
    void printer;
    gcode.register('SAVE_CONFIG', (c) => this.cmdSaveConfig(c), {
      help: 'Overwrite config file and restart',
    });
  }

  /** The printer.cfg this printer was loaded from (batch heaters resolve [thermistor] sections). */
  get printerConfig(): PrinterConfig {
    return this.config;
  }

  /** A value for the SAVE_CONFIG block (PID_CALIBRATE's pid_Kp, ...). */
  set(section: string, option: string, value: string): void {
    this.removed.delete(section);
    let s = this.pending.get(section);
    if (!s) this.pending.set(section, (s = new Map()));
    s.set(option.toLowerCase(), value);
  }

  /** Drops a whole section from the SAVE_CONFIG block at the next SAVE_CONFIG (a removed mesh profile). */
  removeSection(section: string): void {
    this.pending.delete(section);
    this.removed.add(section);
  }

  private cmdSaveConfig(c: GCodeCommand): void {
    if (this.pending.size === 0 && this.removed.size === 0) {
      this.gcode.respondInfo('No pending SAVE_CONFIG changes');
      return;
    }
    const file = this.config.raw.mainPath;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw c.error(`SAVE_CONFIG: cannot read ${file}: ${(e as Error).message}`);
    }
    let next: string;
    try {
      next = writeSaveConfigBlock(text, file, this.pending, this.removed);
    } catch (e) {
      if (e instanceof ConfigError) throw c.error(`SAVE_CONFIG: ${e.message}`);
      throw e;
    }
    try {
      fs.writeFileSync(`${file}.tmp`, next);
      // The old file is kept under a dated name, like Klipper's printer-20240131_142501.cfg.
      fs.copyFileSync(file, configBackupName(file, new Date()));
      fs.renameSync(`${file}.tmp`, file);
    } catch (e) {
      throw c.error(`SAVE_CONFIG: unable to write ${file}: ${(e as Error).message}. The printer keeps running with the old file.`);
    }
    this.pending.clear();
    this.removed.clear();
    if (this.requestRestart) this.requestRestart('restart');
    else this.gcode.respondInfo(`Saved to ${file}: restart the printer to use the new values`);
  }

  getStatus(): Record<string, unknown> {
    const items: Record<string, Record<string, string>> = {};
    for (const [s, opts] of this.pending) items[s] = Object.fromEntries(opts);
    return { ...this.status.getStatus(), save_config_pending: this.pending.size > 0 || this.removed.size > 0, save_config_pending_items: items };
  }
}

/**
 * printer.cfg text with `pending` merged into its SAVE_CONFIG block (existing block values kept
 * unless replaced) and the `removed` sections dropped from it. Options of the main file that the
 * block now sets are commented out; an [include]d file setting one is a ConfigError naming its
 * place, as is a removed section written above the block (the user's own text is not deleted).
 */
export function writeSaveConfigBlock(text: string, mainPath: string, pending: Sections, removed: ReadonlySet<string> = new Set()): string {
  const lines = text.split(/\r?\n/);
  const markerAt = lines.findIndex((l) => l.trimEnd() === SAVE_CONFIG_MARKER);
  const bodyLines = markerAt < 0 ? lines : lines.slice(0, markerAt);
  // The old block's values, then the new ones over them.
  const merged: Sections = new Map();
  if (markerAt >= 0) {
    const old = parseConfigText(lines.slice(markerAt).join('\n'), mainPath);
    for (const [name, s] of old.sections) merged.set(name, new Map([...s.options.values()].map((o) => [o.name, o.value])));
  }
  for (const [name, opts] of pending) {
    const m = merged.get(name) ?? new Map<string, string>();
    for (const [k, v] of opts) m.set(k, v);
    merged.set(name, m);
  }
  for (const name of removed) merged.delete(name);
  // Where the main file (and its includes) set the same options.
  const body = parseConfigText(bodyLines.join('\n'), mainPath);
  for (const name of removed) {
    const section = body.sections.get(name);
    if (section) {
      throw new ConfigError(
        `section [${name}] to remove is written in the file itself, not in the SAVE_CONFIG block; delete it there`,
        section.place,
      );
    }
  }
  const commentOut = new Set<number>();
  for (const [name, opts] of merged) {
    const section = body.sections.get(name);
    if (!section) continue;
    for (const opt of opts.keys()) {
      const o = section.options.get(opt);
      if (!o) continue;
      if (o.place.file !== mainPath) {
        throw new ConfigError(
          `section '${name}' option '${opt}' is also set in ${o.place.file}:${o.place.line}; remove it there so the saved value can take effect`,
          o.place,
        );
      }
      // The option line and its continuation lines (indented, non-empty).
      let i = o.place.line - 1;
      commentOut.add(i++);
      while (i < bodyLines.length && /^\s+\S/.test(bodyLines[i]!)) commentOut.add(i++);
    }
  }
  const out = bodyLines.map((l, i) => (commentOut.has(i) ? `#${l}` : l));
  while (out.length && out[out.length - 1]!.trim() === '') out.pop();
  const block = [...BLOCK_HEADER];
  let first = true;
  for (const [name, opts] of merged) {
    if (!first) block.push('#*#');
    first = false;
    block.push(`#*# [${name}]`);
    for (const [k, v] of opts) {
      const [head, ...rest] = v.split('\n');
      block.push(`#*# ${k} =${head ? ` ${head}` : ''}`);
      for (const r of rest) block.push(`#*# \t${r}`);
    }
  }
  return `${out.join('\n')}\n\n${block.join('\n')}\n`;
}

/**
 * Where SAVE_CONFIG keeps the previous printer.cfg: Klipper's name, the file name with the local
 * date and time before '.cfg' (printer.cfg -> printer-20240131_142501.cfg; other names get it
 * appended), so every save leaves its own backup.
 */
export function configBackupName(file: string, at: Date): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const stamp = `-${at.getFullYear()}${p2(at.getMonth() + 1)}${p2(at.getDate())}_${p2(at.getHours())}${p2(at.getMinutes())}${p2(at.getSeconds())}`;
  return file.endsWith('.cfg') ? `${file.slice(0, -4)}${stamp}.cfg` : `${file}${stamp}`;
}

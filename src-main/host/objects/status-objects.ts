// The status of printer objects under Klipper's names and fields: what macros read through
// `printer.<name>` and what the API's status queries return. Objects with a getStatus() answer
// for themselves; a few existing objects without one (gcode_move, the heaters' owners) are
// adapted here so their owners stay unchanged.
import os from 'node:os';
import type { PrinterConfig } from '../config/section';
import type { Printer, PrinterObject } from '../printer';
import { LazyDict, fromHost } from '../template';
import type { GCodeMove } from './gcode-move';
/** What this module needs of the 'heaters' object (heaters.ts). */
interface HeatersView {
  /** Live heaters report themselves; batch hosts keep only a target (heater-batch.ts). */
  heaters: Map<string, { getStatus?(): Record<string, unknown>; targetC?: number }>;
  setTemperature(heater: unknown, tempC: number, wait: boolean): Promise<void>;
}

type Status = Record<string, unknown>;

function heaterStatus(printer: Printer, name: string): Status | null {
  const heater = printer.lookupObjectOrNull<HeatersView>('heaters')?.heaters.get(name);
  if (!heater) return null;
  return heater.getStatus ? heater.getStatus() : { temperature: 0, target: heater.targetC ?? 0, power: 0 };
}

function gcodeMoveStatus(m: GCodeMove): Status {
  return {
    speed_factor: m.speedFactor * 60,
    speed: m.speedMmS / m.speedFactor,
    extrude_factor: m.extrudeFactor,
    absolute_coordinates: m.absoluteCoord,
    absolute_extrude: m.absoluteExtrude,
    homing_origin: [...m.homingPosition],
    position: [...m.lastPosition],
    gcode_position: m.gcodePosition(),
  };
}

/** The status of one object, or null when it has none. */
export function statusOf(printer: Printer, name: string, eventtimeS = performance.now() / 1000): Status | null {
  const obj = printer.lookupObjectOrNull<PrinterObject>(name);
  if (!obj) return null;
  if (name === 'gcode_move') return gcodeMoveStatus(obj as unknown as GCodeMove);
  // [extruder] reports itself (heater, can_extrude, pressure advance) like [extruder1]; a bare
  // heater object under that name (no getStatus of its own) reports its heater.
  if (name === 'heater_bed' || (name === 'extruder' && typeof obj.getStatus !== 'function')) {
    return heaterStatus(printer, name) ?? { temperature: 0, target: 0, power: 0 };
  }
  return typeof obj.getStatus === 'function' ? obj.getStatus(eventtimeS) : null;
}

/** Names of every object that has a status. */
export function statusObjectNames(printer: Printer): string[] {
  return printer.objectNames().filter((n) => {
    if (n === 'gcode_move' || n === 'extruder' || n === 'heater_bed') return true;
    const o = printer.lookupObjectOrNull<PrinterObject>(n);
    return typeof o?.getStatus === 'function';
  });
}

/** The lazy `printer` tree macros see: each object's status is fetched when first read. */
export function printerTree(printer: Printer): LazyDict {
  const cache = new Map<string, unknown>();
  return new LazyDict(
    (key) => {
      if (!cache.has(key)) cache.set(key, fromHost(statusOf(printer, key) ?? undefined));
      return cache.get(key);
    },
    () => statusObjectNames(printer),
  );
}

/** 'configfile': the config as written (raw strings) and as parsed (settings, lower-case). */
export class ConfigFileStatus implements PrinterObject {
  private readonly config: Record<string, Record<string, string>> = {};
  constructor(cfg: PrinterConfig) {
    for (const s of cfg.raw.sections.values()) {
      const opts: Record<string, string> = {};
      for (const o of s.options.values()) opts[o.name] = o.value;
      this.config[s.name] = opts;
    }
  }
  getStatus(): Status {
    return { config: this.config, settings: this.config, save_config_pending: false, save_config_pending_items: {}, warnings: [] };
  }
}

/** 'webhooks': the printer state for API clients. */
export class WebhooksStatus implements PrinterObject {
  constructor(private readonly printer: Printer) {}
  getStatus(): Status {
    return { state: this.printer.state, state_message: this.printer.stateMessage };
  }
}

/** 'system_stats': host load and memory. */
export class SystemStats implements PrinterObject {
  getStatus(): Status {
    return {
      sysload: Math.round(os.loadavg()[0] * 100) / 100,
      cputime: process.cpuUsage().user / 1e6,
      memavail: Math.round(os.freemem() / 1024),
    };
  }
}

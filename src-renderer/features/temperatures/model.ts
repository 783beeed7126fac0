// Heaters and sensors as the temperatures panel shows them, and the G-code its controls send.
// Pure functions over the status snapshot: no React, no API.
import type { StatusSnapshot } from '../../../src-main/api/contract';

export interface SensorRow {
  /** The status object's name ('extruder', 'heater_bed', 'temperature_sensor chamber'). */
  name: string;
  /** True for heaters (a target can be set). */
  heater: boolean;
  temperatureC: number | null;
  targetC: number | null;
  /** PWM 0..1, heaters only. */
  power: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Every heater first (in the host's order), then the other sensors. */
export function sensorRows(status: StatusSnapshot): SensorRow[] {
  const heaters = status.heaters ?? {};
  const heaterNames = (heaters.available_heaters as string[] | undefined) ?? [];
  const sensorNames = ((heaters.available_sensors as string[] | undefined) ?? []).filter((n) => !heaterNames.includes(n));
  return [...heaterNames.map((n) => [n, true] as const), ...sensorNames.map((n) => [n, false] as const)].map(([name, heater]) => {
    const st = status[name] ?? {};
    return {
      name,
      heater,
      temperatureC: num(st.temperature),
      targetC: heater ? num(st.target) : null,
      power: heater ? num(st.power) : null,
    };
  });
}

/** A label key under temperatures:names.* for well-known objects, else the object's own name (without its kind). */
export function sensorLabel(name: string): { key: string } | { text: string } {
  if (name === 'extruder' || name === 'heater_bed') return { key: name };
  const m = /^extruder(\d+)$/.exec(name);
  if (m) return { text: `extruder ${m[1]}` };
  return { text: name.includes(' ') ? name.slice(name.indexOf(' ') + 1) : name };
}

/** SET_HEATER_TEMPERATURE wants Klipper's heater name: the section's own name for [extruder]/[heater_bed], the short name otherwise. */
export function heaterParam(name: string): string {
  return name.startsWith('heater_generic ') ? name.slice('heater_generic '.length) : name;
}

export function targetScript(name: string, targetC: number): string {
  return `SET_HEATER_TEMPERATURE HEATER=${heaterParam(name)} TARGET=${Math.round(targetC * 10) / 10}`;
}

export type TargetProblem = 'notNumber' | 'negative';

/** What the user typed in a target box: a temperature in °C or why it is not one. */
export function parseTarget(text: string): { ok: true; targetC: number } | { ok: false; problem: TargetProblem } {
  const t = text.trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(t)) return { ok: false, problem: 'notNumber' };
  const v = Number(t);
  if (v < 0) return { ok: false, problem: 'negative' };
  return { ok: true, targetC: v };
}

export interface Preset {
  id: 'pla' | 'petg' | 'abs' | 'off';
  hotendC: number;
  bedC: number;
}

/** Common filament temperatures (the middle of the usual ranges); 'off' turns every heater off. */
export const PRESETS: readonly Preset[] = [
  { id: 'pla', hotendC: 200, bedC: 60 },
  { id: 'petg', hotendC: 240, bedC: 80 },
  { id: 'abs', hotendC: 250, bedC: 100 },
  { id: 'off', hotendC: 0, bedC: 0 },
];

/** The script for a preset: hotend temperature for every extruder, bed temperature for the bed. */
export function presetScript(preset: Preset, heaterNames: readonly string[]): string {
  const lines: string[] = [];
  for (const name of heaterNames) {
    if (/^extruder\d*$/.test(name)) lines.push(targetScript(name, preset.hotendC));
    else if (name === 'heater_bed') lines.push(targetScript(name, preset.bedC));
    else if (preset.id === 'off') lines.push(targetScript(name, 0));
  }
  return lines.join('\n');
}

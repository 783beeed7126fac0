// The last 20 minutes of every heater and temperature sensor, kept in the host (not the UI) so a
// window opened later, or reopened, still draws the whole graph. One sample per second per
// sensor in fixed-size rings: memory stays constant however long the printer runs.
import type { Printer } from '../printer';
import { statusOf } from '../objects/status-objects';

export const HISTORY_PERIOD_MS = 1000;
/** 20 minutes at one sample a second. */
export const HISTORY_CAPACITY = 1200;

/** One sensor's samples, oldest first (parallel arrays keep the JSON small). */
export interface TemperatureSeries {
  timeMs: number[];
  temperatureC: number[];
  /** Null for sensors without a heater. */
  targetC: (number | null)[];
  /** Heater PWM 0..1; null for sensors without a heater. */
  power: (number | null)[];
}

export interface TemperatureHistoryReply {
  periodMs: number;
  /** Samples kept per sensor (the window is periodMs * capacity). */
  capacity: number;
  /** The host's wall clock when answering (ms since the epoch). */
  nowMs: number;
  /** Sensor name ('extruder', 'heater_bed', 'temperature_sensor chamber') -> samples. */
  series: Record<string, TemperatureSeries>;
}

export interface TemperatureReading {
  temperatureC: number;
  targetC: number | null;
  power: number | null;
}

/** A fixed-capacity ring of samples for one sensor. */
export class TemperatureRing {
  private readonly timeMs: Float64Array;
  private readonly temperatureC: Float32Array;
  private readonly targetC: Float32Array;
  private readonly power: Float32Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.timeMs = new Float64Array(capacity);
    this.temperatureC = new Float32Array(capacity);
    // NaN marks "no heater" so a sensor-only series costs no extra flags.
    this.targetC = new Float32Array(capacity);
    this.power = new Float32Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(timeMs: number, r: TemperatureReading): void {
    const i = (this.start + this.count) % this.capacity;
    this.timeMs[i] = timeMs;
    this.temperatureC[i] = r.temperatureC;
    this.targetC[i] = r.targetC ?? NaN;
    this.power[i] = r.power ?? NaN;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Samples newer than `sinceMs` (all when undefined), oldest first. */
  since(sinceMs?: number): TemperatureSeries {
    const out: TemperatureSeries = { timeMs: [], temperatureC: [], targetC: [], power: [] };
    for (let k = 0; k < this.count; k++) {
      const i = (this.start + k) % this.capacity;
      if (sinceMs !== undefined && this.timeMs[i] <= sinceMs) continue;
      out.timeMs.push(this.timeMs[i]);
      // Float32 storage: round back to what the status reports (0.01 °C, 0.001 power).
      out.temperatureC.push(Math.round(this.temperatureC[i] * 100) / 100);
      out.targetC.push(Number.isNaN(this.targetC[i]) ? null : Math.round(this.targetC[i] * 100) / 100);
      out.power.push(Number.isNaN(this.power[i]) ? null : Math.round(this.power[i] * 1000) / 1000);
    }
    return out;
  }
}

export interface TemperatureHistoryOptions {
  periodMs?: number;
  capacity?: number;
  now?: () => number;
}

/** Samples `read()` every period into one ring per sensor. */
export class TemperatureHistory {
  readonly periodMs: number;
  readonly capacity: number;
  private readonly rings = new Map<string, TemperatureRing>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly read: () => Record<string, TemperatureReading>,
    o: TemperatureHistoryOptions = {},
  ) {
    this.periodMs = o.periodMs ?? HISTORY_PERIOD_MS;
    this.capacity = o.capacity ?? HISTORY_CAPACITY;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.periodMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  sample(): void {
    const t = this.now();
    for (const [name, reading] of Object.entries(this.read())) {
      let ring = this.rings.get(name);
      if (!ring) this.rings.set(name, (ring = new TemperatureRing(this.capacity)));
      ring.push(t, reading);
    }
  }

  /** Every sensor's samples newer than `sinceMs` (the whole window when undefined). */
  query(sinceMs?: number): TemperatureHistoryReply {
    const series: Record<string, TemperatureSeries> = {};
    for (const [name, ring] of this.rings) series[name] = ring.since(sinceMs);
    return { periodMs: this.periodMs, capacity: this.capacity, nowMs: this.now(), series };
  }
}

/** The printer's heaters and sensors now, as the 'heaters' object lists them. */
export function readTemperatures(printer: Printer): Record<string, TemperatureReading> {
  // Until the MCU is connected the sensors read 0 °C: no sample beats a false one on the graph.
  if (printer.state === 'starting') return {};
  const heaters = statusOf(printer, 'heaters');
  if (!heaters) return {};
  const names = new Set([...((heaters.available_heaters as string[]) ?? []), ...((heaters.available_sensors as string[]) ?? [])]);
  const out: Record<string, TemperatureReading> = {};
  for (const name of names) {
    const st = statusOf(printer, name);
    if (!st || typeof st.temperature !== 'number') continue;
    out[name] = {
      temperatureC: st.temperature,
      targetC: typeof st.target === 'number' ? st.target : null,
      power: typeof st.power === 'number' ? st.power : null,
    };
  }
  return out;
}

// One received G-code command with typed parameter getters. Errors name the command line, so
// the user sees exactly which line and parameter was wrong.
import type { ParsedLine } from './parser';

export class GCodeError extends Error {
  override name = 'GCodeError';
}

export interface NumberLimits {
  minval?: number;
  maxval?: number;
  above?: number;
  below?: number;
}

export class GCodeCommand {
  constructor(
    readonly parsed: ParsedLine,
    /** The line as the user or file gave it. */
    readonly line: string,
  ) {}

  get command(): string {
    return this.parsed.command;
  }
  get params(): Readonly<Record<string, string>> {
    return this.parsed.params;
  }
  /** The unparsed text after the command name (for M117, RESPOND, macros' rawparams). */
  get rawParams(): string {
    return this.parsed.rawParams;
  }

  has(name: string): boolean {
    return name in this.parsed.params;
  }

  error(message: string): GCodeError {
    return new GCodeError(`${message} in '${this.line.trim()}'`);
  }

  get(name: string, fallback?: string): string {
    const v = this.parsed.params[name];
    if (v === undefined) {
      if (fallback === undefined) throw this.error(`Missing parameter ${name}`);
      return fallback;
    }
    return v;
  }

  getFloat(name: string, fallback?: number, limits: NumberLimits = {}): number {
    const raw = this.parsed.params[name];
    if (raw === undefined) {
      if (fallback === undefined) throw this.error(`Missing parameter ${name}`);
      return fallback;
    }
    const v = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(v)) throw this.error(`Unable to parse ${name}='${raw}' as a number`);
    this.checkLimits(name, v, limits);
    return v;
  }

  getInt(name: string, fallback?: number, limits: NumberLimits = {}): number {
    const raw = this.parsed.params[name];
    if (raw === undefined) {
      if (fallback === undefined) throw this.error(`Missing parameter ${name}`);
      return fallback;
    }
    const v = Number(raw);
    if (!Number.isInteger(v)) throw this.error(`Unable to parse ${name}='${raw}' as an integer`);
    this.checkLimits(name, v, limits);
    return v;
  }

  private checkLimits(name: string, v: number, l: NumberLimits): void {
    if (l.minval !== undefined && v < l.minval) throw this.error(`${name} must have minimum of ${l.minval}`);
    if (l.maxval !== undefined && v > l.maxval) throw this.error(`${name} must have maximum of ${l.maxval}`);
    if (l.above !== undefined && v <= l.above) throw this.error(`${name} must be above ${l.above}`);
    if (l.below !== undefined && v >= l.below) throw this.error(`${name} must be below ${l.below}`);
  }
}

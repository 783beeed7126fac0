// Which log lines the view shows: chosen levels, and a case-insensitive text match. Errors are
// kept by default (the level filter is the user's explicit choice to hide them).
import type { LogLevel, LogLine } from '../../../src-main/api/contract';

export function filterLog(lines: LogLine[], levels: ReadonlySet<LogLevel>, text: string): LogLine[] {
  const needle = text.trim().toLowerCase();
  return lines.filter((l) => levels.has(l.level) && (!needle || l.text.toLowerCase().includes(needle)));
}

/** Counts per level, for the filter's labels. */
export function countLevels(lines: LogLine[]): Record<LogLevel, number> {
  const out: Record<LogLevel, number> = { error: 0, warning: 0, info: 0, debug: 0 };
  for (const l of lines) out[l.level]++;
  return out;
}

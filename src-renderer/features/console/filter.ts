// Console filters: hide rows matching a regex (temperature reports, busy chatter), but never
// an error, a command the user sent, or a prompt the host is waiting on. The view is kept
// incrementally, so a flood of output costs a regex test per new row, not per row kept.
import type { ConsoleEntry } from './store';

/** Rows a filter may never hide: errors, the user's commands, host prompts (action:prompt). */
export function alwaysShown(row: ConsoleEntry): boolean {
  return row.kind === 'error' || row.kind === 'command' || row.text.startsWith('!!') || /^\/\/ action:prompt/.test(row.text);
}

/** Parses the filter box: empty = no filter; a bad pattern gives its error message. */
export function parseFilter(source: string): { regex: RegExp | null; error: string | null } {
  if (!source.trim()) return { regex: null, error: null };
  try {
    return { regex: new RegExp(source, 'i'), error: null };
  } catch (e) {
    return { regex: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The visible rows for one filter over a growing, front-trimmed row array. */
export class FilteredView {
  private visible: ConsoleEntry[] = [];
  private lastSeq = -1;

  constructor(private readonly regex: RegExp | null) {}

  update(rows: readonly ConsoleEntry[]): readonly ConsoleEntry[] {
    if (!this.regex) return rows;
    // Rows trimmed from the front (or a clear) drop out of the view.
    const firstSeq = rows.length ? rows[0].seq : Infinity;
    let drop = 0;
    while (drop < this.visible.length && this.visible[drop].seq < firstSeq) drop++;
    if (drop) this.visible.splice(0, drop);
    if (rows.length === 0) this.lastSeq = -1;
    // New rows: those after the last one seen (binary search: rows are sorted by seq).
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid].seq <= this.lastSeq) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < rows.length; i++) {
      const row = rows[i];
      if (alwaysShown(row) || !this.regex.test(row.text)) this.visible.push(row);
    }
    if (rows.length) this.lastSeq = rows[rows.length - 1].seq;
    return this.visible;
  }
}

/** Splits a HELP reply row ("NAME : help") into its parts, for a two-column layout. */
export function helpRow(text: string): { name: string; help: string } | null {
  const m = /^(?:\/\/ )?([A-Z][A-Z0-9_]*)\s*: (.*)$/.exec(text);
  return m ? { name: m[1], help: m[2] } : null;
}

// The console's scrollback, drawn outside React: a fixed pool of row elements (enough to fill
// the viewport plus an overscan) in one "window" element that is moved over a tall spacer.
// Slot k shows row first + k, so a batch of output changes text nodes and one transform of
// the window (its own compositor layer), never a row's position. React only renders the
// empty container; a flood then costs, per frame, the text writes of the rows on screen, with
// no reconciliation, no element creation and no layout read.
import { FilteredView, helpRow } from './filter';
import type { ConsoleEntry } from './store';

/** Every row has this height (CSS .console-row): what makes the virtual list cheap. */
export const ROW_HEIGHT_PX = 21;
/** Rows drawn above and below the viewport, so a scroll shows drawn rows before the next frame. */
const OVERSCAN_ROWS = 12;
/** .console-output's vertical padding (6px top + bottom). */
const OUTPUT_PADDING_PX = 12;

export function timeOf(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function rowText(row: ConsoleEntry): string {
  return row.kind === 'command' ? `> ${row.text}` : row.text;
}

/** What the panel shows about the scrollback (count, empty message, button states). */
export interface ScrollbackCounts {
  /** Rows after the filter. */
  shown: number;
  /** Rows kept. */
  total: number;
}

/** One pooled row element and what it currently shows (so unchanged rows are not touched). */
interface Slot {
  el: HTMLDivElement;
  row: ConsoleEntry | null;
  kind: string;
  time: string | null;
  help: boolean;
}

/** The counts reach React at most this often: each report re-lays out the page header. */
const COUNTS_EVERY_MS = 500;

/** The rows of the visible window [first, last) of `count` rows for a scroll position. */
export function windowFor(count: number, viewportPx: number, fromBottomPx: number): { first: number; last: number; contentPx: number } {
  const contentPx = Math.max(count * ROW_HEIGHT_PX, viewportPx - OUTPUT_PADDING_PX);
  const viewTopPx = Math.max(0, contentPx + OUTPUT_PADDING_PX - viewportPx - fromBottomPx);
  const first = Math.max(0, Math.floor(viewTopPx / ROW_HEIGHT_PX) - OVERSCAN_ROWS);
  const last = Math.min(count, Math.ceil((viewTopPx + viewportPx) / ROW_HEIGHT_PX) + OVERSCAN_ROWS);
  return { first, last, contentPx };
}

export class Scrollback {
  private rows: readonly ConsoleEntry[] = [];
  private view = new FilteredView(null);
  private visible: readonly ConsoleEntry[] = [];
  private showTime = true;
  private viewportPx = 600;
  /** How far the reader has scrolled up from the newest row (0: following the output). */
  private fromBottomPx = 0;
  private following = true;
  private lastContentPx = -1;
  private newestSeq = -1;
  private scrollWrite = false;
  private slots: Slot[] = [];
  private readonly window: HTMLDivElement;
  private windowFirst = -1;
  private countsTimer: ReturnType<typeof setTimeout> | null = null;
  private lastCountsMs = -Infinity;
  private frame: number | null = null;
  private dirtyRows = true;
  private counts: ScrollbackCounts = { shown: 0, total: 0 };
  private readonly resize: ResizeObserver | null;
  private readonly onScroll = (): void => {
    // column-reverse: scrollTop is 0 at the bottom and negative above it.
    this.fromBottomPx = Math.max(0, -this.output.scrollTop);
    this.following = this.fromBottomPx < ROW_HEIGHT_PX * 2;
    this.schedule();
  };

  /**
   * @param output the scroller (.console-output, a bottom-anchored column-reverse flex box)
   * @param spacer its child sized to all rows; the pooled rows are placed inside it
   * @param onCounts told after a frame when the counts changed
   */
  constructor(
    private readonly output: HTMLElement,
    private readonly spacer: HTMLElement,
    private readonly onCounts: (c: ScrollbackCounts) => void,
  ) {
    this.window = document.createElement('div');
    this.window.className = 'console-window';
    spacer.append(this.window);
    output.addEventListener('scroll', this.onScroll, { passive: true });
    // The viewport height comes from the observer, never from a layout read in a frame.
    this.resize =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver((entries) => {
            const h = entries[entries.length - 1].contentRect.height + OUTPUT_PADDING_PX;
            if (h > 0 && h !== this.viewportPx) {
              this.viewportPx = h;
              this.schedule();
            }
          })
        : null;
    this.resize?.observe(output);
  }

  /** New or changed rows (the store's array is mutated in place; call on every revision). */
  setRows(rows: readonly ConsoleEntry[]): void {
    // Another printer's rows, or a clear: nothing counts as added below the reader.
    if (rows !== this.rows) this.newestSeq = Infinity;
    this.rows = rows;
    this.dirtyRows = true;
    // Drawn at once: the store applies output inside an animation frame (attachConsole), so
    // the rows land in that frame instead of costing a second one.
    this.draw();
  }

  setFilter(regex: RegExp | null): void {
    this.view = new FilteredView(regex);
    this.dirtyRows = true;
    // A user action: drawn at once, so the view never shows rows of the old filter.
    this.draw();
  }

  setShowTime(on: boolean): void {
    this.showTime = on;
    this.draw();
  }

  /** Back to the newest row (after sending a command). */
  follow(): void {
    this.following = true;
    this.fromBottomPx = 0;
    this.output.scrollTop = 0;
    this.schedule();
  }

  /** The rows the filter lets through, oldest first (for copy). */
  shownRows(): readonly ConsoleEntry[] {
    if (this.dirtyRows) this.refilter();
    return this.visible;
  }

  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.output.removeEventListener('scroll', this.onScroll);
    this.resize?.disconnect();
    if (this.countsTimer !== null) clearTimeout(this.countsTimer);
    this.window.remove();
    this.slots = [];
  }

  private schedule(): void {
    if (this.frame !== null) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.draw();
    });
  }

  private refilter(): void {
    this.visible = this.view.update(this.rows);
    this.dirtyRows = false;
  }

  /** Draws the visible window: writes only, apart from a scroll write for a reader scrolled up. */
  draw(): void {
    if (this.dirtyRows) this.refilter();
    const visible = this.visible;
    const count = visible.length;
    // Rows added since the last draw (newer than the newest row drawn then).
    let added = 0;
    while (added < count && visible[count - 1 - added].seq > this.newestSeq) added++;
    this.newestSeq = count ? visible[count - 1].seq : -1;
    // Following needs no scroll write (the scroller is bottom-anchored). A reader scrolled up is
    // kept on the same rows by moving the offset by the rows added below them; counting rows,
    // not height, also holds once the scrollback is full and old rows leave at the top.
    if (!this.following && added > 0) {
      this.fromBottomPx += added * ROW_HEIGHT_PX;
      this.scrollWrite = true;
    }
    const { first, last, contentPx } = windowFor(count, this.viewportPx, this.fromBottomPx);
    if (contentPx !== this.lastContentPx) {
      this.lastContentPx = contentPx;
      this.spacer.style.height = `${contentPx}px`;
    }
    if (this.scrollWrite) {
      this.scrollWrite = false;
      this.output.scrollTop = -this.fromBottomPx;
    }
    this.ensureSlots(last - first);
    if (first !== this.windowFirst) {
      this.windowFirst = first;
      this.window.style.transform = `translateY(${first * ROW_HEIGHT_PX}px)`;
    }
    for (let k = 0; k < this.slots.length; k++) {
      const i = first + k;
      if (i < last) this.paint(this.slots[k], visible[i]);
      else this.blank(this.slots[k]);
    }
    if (count !== this.counts.shown || this.rows.length !== this.counts.total) {
      this.counts = { shown: count, total: this.rows.length };
      this.reportCounts();
    }
  }

  /** Tells the panel the counts, at once after a quiet spell, else at most every COUNTS_EVERY_MS. */
  private reportCounts(): void {
    if (this.countsTimer !== null) return;
    const waitMs = this.lastCountsMs + COUNTS_EVERY_MS - performance.now();
    const report = (): void => {
      this.countsTimer = null;
      this.lastCountsMs = performance.now();
      this.onCounts(this.counts);
    };
    if (waitMs <= 0) report();
    else this.countsTimer = setTimeout(report, waitMs);
  }

  private ensureSlots(needed: number): void {
    while (this.slots.length < needed) {
      const el = document.createElement('div');
      el.className = 'console-row';
      el.hidden = true;
      this.window.append(el);
      this.slots.push({ el, row: null, kind: '', time: null, help: false });
    }
    // A resize to a smaller viewport leaves spare slots; they stay hidden until reused.
  }

  private blank(slot: Slot): void {
    if (slot.row === null) return;
    slot.row = null;
    slot.el.hidden = true;
    // Nothing stale stays behind in a hidden slot (copy, find in page and tests see the DOM).
    slot.el.textContent = '';
    slot.help = false;
  }

  /** Shows a row in a slot, touching only what differs from what the slot shows. */
  private paint(slot: Slot, row: ConsoleEntry): void {
    const el = slot.el;
    if (slot.row === null) el.hidden = false;
    if (slot.row !== row) {
      slot.row = row;
      if (slot.kind !== row.kind) {
        slot.kind = row.kind;
        el.className = `console-row kind-${row.kind}`;
      }
      const help = row.kind === 'info' ? helpRow(row.text) : null;
      if (help) {
        const name = document.createElement('span');
        name.className = 'help-name';
        name.textContent = help.name;
        el.replaceChildren(name, help.help);
      } else {
        const text = rowText(row);
        // One text node per row, its data replaced in place.
        if (!slot.help && el.firstChild) (el.firstChild as Text).data = text;
        else el.textContent = text;
      }
      slot.help = help !== null;
      const title = row.text.length > 120 ? row.text : '';
      if (el.title !== title) el.title = title;
    }
    // The time is an attribute drawn by CSS (::before): no extra node per row, and rows of the
    // same second leave it untouched.
    const time = this.showTime ? timeOf(row.timeMs) : null;
    if (time !== slot.time) {
      slot.time = time;
      if (time === null) el.removeAttribute('data-time');
      else el.dataset.time = time;
    }
  }
}

/** The counts as an external store for useSyncExternalStore: components pick what they need,
 * so only the header's line count re-renders per batch. */
export class CountsStore {
  private value: ScrollbackCounts = { shown: 0, total: 0 };
  private readonly listeners = new Set<() => void>();
  readonly get = (): ScrollbackCounts => this.value;
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  set(value: ScrollbackCounts): void {
    this.value = value;
    for (const l of this.listeners) l();
  }
}

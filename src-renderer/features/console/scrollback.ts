// The console's scrollback, drawn outside React: a fixed pool of row elements (enough to fill
// the viewport plus an overscan) whose text, class and position are rewritten from one
// animation frame per change. React only renders the empty container; a flood of output then
// costs, per frame, a few text node writes for the rows that came on screen, with no
// reconciliation, no element creation and no layout read.
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
  index: number;
  time: boolean;
}

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
  private slots: Slot[] = [];
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
    this.rows = rows;
    this.dirtyRows = true;
    this.schedule();
  }

  setFilter(regex: RegExp | null): void {
    this.view = new FilteredView(regex);
    this.dirtyRows = true;
    this.schedule();
  }

  setShowTime(on: boolean): void {
    this.showTime = on;
    this.schedule();
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
    for (const s of this.slots) s.el.remove();
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
    let { first, last, contentPx } = windowFor(count, this.viewportPx, this.fromBottomPx);
    if (contentPx !== this.lastContentPx) {
      const grownPx = this.lastContentPx < 0 ? 0 : contentPx - this.lastContentPx;
      this.lastContentPx = contentPx;
      this.spacer.style.height = `${contentPx}px`;
      // Following needs no scroll write (the scroller is bottom-anchored); a reader scrolled up
      // is kept on the same rows by moving the offset by the height the new rows added.
      if (!this.following && grownPx !== 0) {
        this.fromBottomPx = Math.max(0, this.fromBottomPx + grownPx);
        this.output.scrollTop = -this.fromBottomPx;
        ({ first, last } = windowFor(count, this.viewportPx, this.fromBottomPx));
      }
    }
    this.ensureSlots(last - first);
    const n = this.slots.length;
    // Row i always goes to slot i % n, so a row already on screen keeps its element and text.
    const used = new Uint8Array(n);
    for (let i = first; i < last; i++) {
      const slot = this.slots[i % n];
      used[i % n] = 1;
      this.paint(slot, visible[i], i);
    }
    for (let k = 0; k < n; k++) {
      const slot = this.slots[k];
      if (!used[k] && slot.row !== null) {
        slot.row = null;
        slot.index = -1;
        slot.el.hidden = true;
      }
    }
    if (count !== this.counts.shown || this.rows.length !== this.counts.total) {
      this.counts = { shown: count, total: this.rows.length };
      this.onCounts(this.counts);
    }
  }

  private ensureSlots(needed: number): void {
    while (this.slots.length < needed) {
      const el = document.createElement('div');
      el.className = 'console-row';
      el.hidden = true;
      this.spacer.append(el);
      this.slots.push({ el, row: null, index: -1, time: false });
    }
    // A resize to a smaller viewport leaves spare slots; they stay hidden (cheap) until reused.
  }

  private paint(slot: Slot, row: ConsoleEntry, index: number): void {
    const el = slot.el;
    if (slot.index !== index) {
      slot.index = index;
      el.style.transform = `translateY(${index * ROW_HEIGHT_PX}px)`;
    }
    if (slot.row !== row) {
      const prev = slot.row;
      slot.row = row;
      if (prev === null) el.hidden = false;
      if (prev === null || prev.kind !== row.kind) el.className = `console-row kind-${row.kind}`;
      const help = row.kind === 'info' ? helpRow(row.text) : null;
      if (help) {
        const name = document.createElement('span');
        name.className = 'help-name';
        name.textContent = help.name;
        el.replaceChildren(name, help.help);
      } else {
        // One text node per row, its data replaced in place when there is one.
        const text = rowText(row);
        const only = el.firstChild;
        if (only !== null && only === el.lastChild && only.nodeType === 3) (only as Text).data = text;
        else el.textContent = text;
      }
      if (row.text.length > 120) el.title = row.text;
      else if (el.title) el.removeAttribute('title');
      slot.time = !this.showTime; // forces the time below
    }
    if (slot.time !== this.showTime) {
      slot.time = this.showTime;
      // The time is an attribute drawn by CSS (::before): no extra node per row.
      if (this.showTime) el.dataset.time = timeOf(row.timeMs);
      else el.removeAttribute('data-time');
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

// @vitest-environment happy-dom
// The scrollback drawn outside React: a fixed pool of rows however long the scrollback, rows
// keep their elements across batches (text rewritten, not recreated), the filter never hides
// errors or commands, timestamps on and off, and a reader scrolled up stays on the same rows
// while output arrives, also once old rows leave a full scrollback.
import { afterEach, describe, expect, it } from 'vitest';
import { ROW_HEIGHT_PX, Scrollback, windowFor, type ScrollbackCounts } from '../../../src-renderer/features/console/scrollback';
import type { ConsoleEntry } from '../../../src-renderer/features/console/store';

let seq = 0;
const row = (text: string, kind: ConsoleEntry['kind'] = 'raw'): ConsoleEntry => ({ seq: seq++, kind, text, timeMs: Date.UTC(2026, 0, 1, 12, 0, 0) });

function setup(): { sb: Scrollback; output: HTMLElement; spacer: HTMLElement; counts: ScrollbackCounts[]; texts: () => string[] } {
  const output = document.createElement('div');
  const spacer = document.createElement('div');
  output.append(spacer);
  document.body.append(output);
  const counts: ScrollbackCounts[] = [];
  const sb = new Scrollback(output, spacer, (c) => counts.push(c));
  const texts = (): string[] => [...spacer.querySelectorAll<HTMLElement>('.console-row')].filter((e) => !e.hidden).map((e) => e.textContent ?? '');
  return { sb, output, spacer, counts, texts };
}

afterEach(() => document.body.replaceChildren());

describe('console scrollback', () => {
  it('draws 20,000+ rows with a pool the size of the viewport, newest at the bottom', () => {
    const { sb, spacer, counts, texts } = setup();
    const rows = Array.from({ length: 25_000 }, (_, i) => row(`line ${i}`));
    sb.setRows(rows);
    sb.draw();
    const pool = spacer.querySelectorAll('.console-row').length;
    const { first, last } = windowFor(rows.length, 600, 0);
    expect(pool).toBe(last - first);
    expect(pool).toBeLessThan(60);
    expect(texts().at(-1)).toBe('line 24999');
    expect(spacer.style.height).toBe(`${25_000 * ROW_HEIGHT_PX}px`);
    expect(counts.at(-1)).toEqual({ shown: 25_000, total: 25_000 });

    // A batch rewrites the pooled rows' text; no element is created or dropped.
    const before = [...spacer.querySelectorAll('.console-row')];
    for (let i = 0; i < 50; i++) rows.push(row(`more ${i}`));
    sb.setRows(rows);
    sb.draw();
    expect([...spacer.querySelectorAll('.console-row')]).toEqual(before);
    expect(texts().at(-1)).toBe('more 49');
    expect(texts()).not.toContain('line 0');
    sb.dispose();
  });

  it('filters without hiding errors or commands, HELP rows in columns, timestamps on and off', () => {
    const { sb, spacer, texts } = setup();
    const rows = [row('ok'), row('!! heater extruder not heating', 'error'), row('ok', 'command'), row('G28   : Home', 'info'), row('B:60 T:210')];
    sb.setRows(rows);
    sb.draw();
    expect(texts()).toEqual(['ok', '!! heater extruder not heating', '> ok', 'G28Home', 'B:60 T:210']);
    expect(spacer.querySelectorAll('.help-name')).toHaveLength(1);
    sb.setFilter(/ok|G28|B:/);
    expect(texts()).toEqual(['!! heater extruder not heating', '> ok']);
    expect(spacer.querySelectorAll('.help-name')).toHaveLength(0);
    expect(sb.shownRows().map((r) => r.kind)).toEqual(['error', 'command']);

    const shown = (): HTMLElement[] => [...spacer.querySelectorAll<HTMLElement>('.console-row')].filter((e) => !e.hidden);
    expect(shown().every((e) => /^\d\d:\d\d:\d\d$/.test(e.dataset.time ?? ''))).toBe(true);
    sb.setShowTime(false);
    expect(shown().some((e) => e.hasAttribute('data-time'))).toBe(false);
    sb.dispose();
  });

  it('keeps a reader scrolled up on the same rows while output arrives, and follows again after follow()', () => {
    const { sb, output, texts } = setup();
    const rows = Array.from({ length: 1000 }, (_, i) => row(`line ${i}`));
    sb.setRows(rows);
    sb.draw();
    // Scroll up 300 rows (column-reverse: negative scrollTop above the bottom).
    output.scrollTop = -300 * ROW_HEIGHT_PX;
    output.dispatchEvent(new Event('scroll'));
    sb.draw();
    const seen = texts();
    expect(seen).not.toContain('line 999');
    for (let i = 0; i < 100; i++) rows.push(row(`new ${i}`));
    sb.setRows(rows);
    sb.draw();
    expect(texts()).toEqual(seen);
    expect(output.scrollTop).toBe(-400 * ROW_HEIGHT_PX);
    // A full scrollback: as many old rows leave at the top as arrive below.
    rows.splice(0, 100);
    for (let i = 0; i < 100; i++) rows.push(row(`newer ${i}`));
    sb.setRows(rows);
    expect(texts()).toEqual(seen);
    expect(output.scrollTop).toBe(-500 * ROW_HEIGHT_PX);
    sb.follow();
    sb.draw();
    expect(texts().at(-1)).toBe('newer 99');
    sb.dispose();
  });
});

// Command history for the console input, shell-style: Up walks back through what was sent,
// Down walks forward and finally returns to the draft being typed.

export const HISTORY_LIMIT = 500;

/** Appends a sent command, skipping an immediate repeat, keeping the newest HISTORY_LIMIT. */
export function pushHistory(history: readonly string[], command: string): string[] {
  const trimmed = command.trim();
  if (!trimmed || history[history.length - 1] === trimmed) return [...history];
  return [...history, trimmed].slice(-HISTORY_LIMIT);
}

export interface HistoryCursor {
  /** Index into history, or null when editing the draft. */
  index: number | null;
  /** What the user had typed before walking into history. */
  draft: string;
}

export function historyStep(
  history: readonly string[],
  cursor: HistoryCursor,
  current: string,
  direction: 'up' | 'down',
): { cursor: HistoryCursor; text: string } {
  if (history.length === 0) return { cursor, text: current };
  if (direction === 'up') {
    if (cursor.index === null) return { cursor: { index: history.length - 1, draft: current }, text: history[history.length - 1] };
    const index = Math.max(0, cursor.index - 1);
    return { cursor: { ...cursor, index }, text: history[index] };
  }
  if (cursor.index === null) return { cursor, text: current };
  if (cursor.index >= history.length - 1) return { cursor: { index: null, draft: '' }, text: cursor.draft };
  const index = cursor.index + 1;
  return { cursor: { ...cursor, index }, text: history[index] };
}

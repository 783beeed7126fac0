// The console applies host output in batches: a line after a quiet spell shows at the next
// frame, and during a flood the store is updated at most every MIN_FLUSH_MS (so a 1,000 lines/s
// flood costs at most 20 renders a second, whatever the number of WebSocket messages).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../../../src-renderer/api';
import { attachConsole, MIN_FLUSH_MS, useConsole } from '../../../src-renderer/features/console/store';

afterEach(() => vi.useRealTimers());

describe('console batching', () => {
  it('shows a lone line at the next frame and spaces flood batches MIN_FLUSH_MS apart', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    let emit: (p: { printerId: string; lines: { kind: 'raw'; text: string; timeMs: number }[] }) => void = () => undefined;
    const client = { on: (_e: string, l: typeof emit) => ((emit = l), () => undefined) } as unknown as ApiClient;
    const revs: number[] = [];
    const unsub = useConsole.subscribe((s) => revs.push(s.rev.p ?? 0));
    const detach = attachConsole(client);
    const line = (text: string) => ({ printerId: 'p', lines: [{ kind: 'raw' as const, text, timeMs: 0 }] });

    emit(line('first'));
    expect(useConsole.getState().lines.p ?? []).toHaveLength(0);
    vi.advanceTimersByTime(16); // the frame (no requestAnimationFrame here: a 16 ms timer)
    expect(useConsole.getState().lines.p.map((r) => r.text)).toEqual(['first']);

    // A flood right after: every message within the window lands in one update.
    for (let i = 0; i < 100; i++) emit(line(`flood ${i}`));
    vi.advanceTimersByTime(16);
    expect(useConsole.getState().lines.p).toHaveLength(1);
    vi.advanceTimersByTime(MIN_FLUSH_MS);
    expect(useConsole.getState().lines.p).toHaveLength(101);
    expect(revs).toHaveLength(2);
    detach();
    unsub();
  });
});

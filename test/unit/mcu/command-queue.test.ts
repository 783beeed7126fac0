import { describe, expect, it } from 'vitest';
import { CommandQueue, pickQueue } from '../../../src-main/host/mcu/command-queue';
import { MoveQueueSlots } from '../../../src-main/host/mcu/move-queue';

describe('CommandQueue', () => {
  it('keeps FIFO order and bytes through growth and compaction', () => {
    let pushed = 0;
    const q = new CommandQueue(0, { onPush: (_q, n) => (pushed += n) });
    const model: number[][] = [];
    let next = 0;
    let x = 7;
    const rnd = (n: number): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n;
    const mismatches: string[] = [];
    for (let round = 0; round < 20000; round++) {
      if (rnd(3) > 0 || model.length === 0) {
        const len = 1 + rnd(20);
        const msg = Array.from({ length: len }, (_, i) => (next + i) & 0xff);
        next++;
        q.push(Uint8Array.from(msg), 0, len, next, next * 2);
        model.push(msg);
      } else {
        const want = model.shift()!;
        const got = [...q.bytes.subarray(q.starts[q.head], q.ends[q.head])];
        if (got.join() !== want.join()) mismatches.push(`round ${round}`);
        q.shift();
      }
      if (q.length !== model.length) mismatches.push(`length at ${round}`);
    }
    expect(mismatches).toEqual([]);
    expect(q.pendingBytes).toBe(model.reduce((s, m) => s + m.length, 0));
    expect(pushed).toBeGreaterThan(0);
  });

  it('reports when the block carrying a message was sent', () => {
    const q = new CommandQueue(0, { onPush: () => undefined });
    const seen: number[] = [];
    q.push(Uint8Array.of(1), 0, 1, 0, 0, (t) => seen.push(t));
    q.push(Uint8Array.of(2), 0, 1, 0, 0);
    q.shift()?.(1.5, 3);
    expect(q.shift()).toBeUndefined();
    expect(seen).toEqual([1.5]);
  });

  it('refuses use before a link is attached', () => {
    const q = new CommandQueue(0, null);
    expect(() => q.push(Uint8Array.of(1), 0, 1, 0, 0)).toThrow(/before the MCU connected/);
  });

  it('picks the lowest req_clock among heads whose min_clock has passed', () => {
    const link = { onPush: () => undefined };
    const a = new CommandQueue(0, link);
    const b = new CommandQueue(1, link);
    a.push(Uint8Array.of(1), 0, 1, 0, 500);
    b.push(Uint8Array.of(2), 0, 1, 300, 400);
    expect(pickQueue([a, b], 299)).toBe(a);
    expect(pickQueue([a, b], 300)).toBe(b);
    expect(pickQueue([], 0)).toBeNull();
  });
});

describe('MoveQueueSlots', () => {
  it('gives each entry the clock its slot frees at', () => {
    const slots = new MoveQueueSlots(3);
    // Three entries fill the empty queue at once; the fourth waits for the earliest load.
    expect(slots.take(100)).toBe(0);
    expect(slots.take(50)).toBe(0);
    expect(slots.take(200)).toBe(0);
    expect(slots.take(300)).toBe(50);
    expect(slots.take(400)).toBe(100);
    expect(slots.take(500)).toBe(200);
    expect(slots.earliestFreeClock).toBe(300);
  });

  it('matches a sorted-array model on random input', () => {
    const slots = new MoveQueueSlots(17);
    const model = new Array<number>(17).fill(0);
    let x = 5;
    const bad: number[] = [];
    for (let i = 0; i < 5000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const clock = x % 100000;
      model.sort((p, q) => p - q);
      const want = model.shift()!;
      model.push(clock);
      if (slots.take(clock) !== want) bad.push(i);
    }
    expect(bad).toEqual([]);
  });
});

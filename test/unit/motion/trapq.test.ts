import { describe, expect, it } from 'vitest';
import { TrapQ } from '../../../src-main/host/motion/index.js';

describe('trapq', () => {
  it('splits a move into accel/cruise/decel segments and answers positions in time', () => {
    const tq = new TrapQ();
    // along (0.6, 0.8): 0 -> 100 mm/s in 0.1 s (5 mm), 1 s at 100 (100 mm), 0.1 s down (5 mm)
    tq.append(2, 0.1, 1, 0.1, 10, 20, 0, 0.6, 0.8, 0, 0, 100, 1000);
    expect(tq.length).toBe(3);
    const p = [0, 0, 0];
    const at = (t: number): number[] => {
      tq.positionAt(t, p);
      return [...p];
    };
    const along = (d: number): number[] => [10 + 0.6 * d, 20 + 0.8 * d, 0];
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 9));
    close(at(1), [10, 20, 0]); // before the move: where it starts
    close(at(2.05), along(0.5 * 1000 * 0.05 ** 2));
    close(at(2.1), along(5));
    close(at(2.6), along(55));
    close(at(3.15), along(105 + 100 * 0.05 - 0.5 * 1000 * 0.05 ** 2));
    close(at(10), along(110)); // resting after it
    tq.expireBefore(2.5);
    expect(tq.length).toBe(2);
    tq.setPosition(1, 2, 3);
    close(at(100), [1, 2, 3]);
  });

  it('grows past its initial capacity without losing segments', () => {
    const tq = new TrapQ();
    for (let i = 0; i < 5000; i++) tq.append(i, 0, 1, 0, i, 0, 0, 1, 0, 0, 1, 1, 0);
    expect(tq.length).toBe(5000);
    const p = [0, 0, 0];
    tq.positionAt(4321.5, p);
    expect(p[0]).toBeCloseTo(4321.5, 9);
  });
});

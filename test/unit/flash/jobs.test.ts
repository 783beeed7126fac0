import { describe, expect, it } from 'vitest';
import { erasePagesFor, FlashJobs, type FlashJobEvent } from '../../../src-main/flash';

describe('FlashJobs', () => {
  it('pushes a failed event with the classified port problem, and refuses a second flash of the same port', async () => {
    const jobs = new FlashJobs();
    const events: FlashJobEvent[] = [];
    jobs.onEvent((e) => events.push(e));
    const image = { kind: 'bytes' as const, fileName: 'a.bin', content: new Uint8Array(100) };
    const { jobId } = jobs.start({ boardId: 'arduino-uno', port: '/dev/tether-no-such-port', image });
    expect(() => jobs.start({ boardId: 'arduino-uno', port: '/dev/tether-no-such-port', image })).toThrow(/already being flashed/);
    for (let i = 0; i < 100 && !events.some((e) => e.type === 'failed'); i++) await new Promise((r) => setTimeout(r, 20));
    const failed = events.find((e) => e.type === 'failed');
    expect(failed).toMatchObject({ jobId, error: { code: 'port-open-failed' } });
    expect(failed?.type === 'failed' && failed.error.message).toMatch(/does not exist/);
    expect(failed?.type === 'failed' && failed.error.fix).toMatch(/Plug it in again/);
    // The job is over: the port is free again, and cancelling it is a no-op.
    expect(jobs.cancel(jobId)).toBe(false);
  });

  it('refuses an unknown board', () => {
    expect(() => new FlashJobs().start({ boardId: 'nope', image: { kind: 'path', path: '/x' } })).toThrow(/Unknown board "nope"/);
  });
});

describe('STM32 erase layout', () => {
  it('erases only the uniform pages the image covers', () => {
    expect(erasePagesFor(0x7000, 0x7000 + 2049, { pageBytes: 2048 })).toEqual([14, 15]);
  });
  it('maps an image at the 32 KiB offset of an F446 onto sectors 2..4', () => {
    // Sectors 16,16,16,16,64,128... KiB: 0x8000-0x1ffff spans sectors 2, 3 and 4.
    expect(erasePagesFor(0x8000, 0x20000, { sectorsKiB: [16, 16, 16, 16, 64, 128, 128, 128] })).toEqual([2, 3, 4]);
  });
});

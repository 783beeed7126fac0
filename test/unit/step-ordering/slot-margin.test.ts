// The move-queue slot margin by kind of port: an MCU behind a pty is a process on this machine
// (our sim, simavr, Klipper's linux MCU) that a loaded machine holds back, so freed slots are
// reused only SLOT_MARGIN_S later; a real board keeps its own time, and the long margin would
// cost it the queue's lookahead on dense moves (shown below on a modelled 2560).
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadDictionaryFile } from '../../../src-main/host/mcu/dictionary';
import { DEVICE_SLOT_MARGIN_S, SLOT_MARGIN_S, slotMarginForPort } from '../../../src-main/host/mcu/move-queue';
import { SerialQueue } from '../../../src-main/host/mcu/serialqueue';
import { McuStepSink, stepCommandIds } from '../../../src-main/host/mcu/step-queue';
import { referenceDir } from '../../support/paths';
import { CLOCK_FREQ, FakeAvrLink } from './fake-avr-link';

describe('slot margin by port', () => {
  it('is the long one for ptys and links to them (and custom transports), the short one for devices', () => {
    expect(slotMarginForPort('/dev/pts/3')).toBe(SLOT_MARGIN_S);
    expect(slotMarginForPort(undefined)).toBe(SLOT_MARGIN_S);
    expect(slotMarginForPort('')).toBe(SLOT_MARGIN_S);
    // The sim's and simavr's ports are symlinks to their pty.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tether-slot-margin-'));
    const hostPty = `/tmp/klipper_host_tether_test_${process.pid}`;
    writeFileSync(hostPty, '');
    try {
      symlinkSync(hostPty, path.join(dir, 'ttyTether'));
      expect(slotMarginForPort(path.join(dir, 'ttyTether'))).toBe(SLOT_MARGIN_S);
    } finally {
      rmSync(hostPty, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
    expect(slotMarginForPort('/dev/ttyACM0')).toBe(DEVICE_SLOT_MARGIN_S);
    expect(slotMarginForPort('/dev/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0')).toBe(DEVICE_SLOT_MARGIN_S);
    expect(DEVICE_SLOT_MARGIN_S).toBeLessThan(SLOT_MARGIN_S);
  });
});

const dict = loadDictionaryFile(path.join(referenceDir, 'klipper-dicts/atmega2560.dict'));
const ids = stepCommandIds(dict);
const nowS = (): number => Date.now() / 1000;
let sq: SerialQueue | null = null;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  sq?.close();
  vi.useRealTimers();
});

/**
 * Three steppers each running a one-step run every 1.5 ms for a second (2000 entries/s) on a
 * modelled 2560 (309 entries, 250000 baud) with an exact clock estimate, as on a real board.
 */
function denseMoves(marginS: number): FakeAvrLink {
  const t0 = nowS();
  const link = new FakeAvrLink(dict, 309, nowS, t0);
  sq = new SerialQueue(link.transport(), { now: nowS, baud: 250000, receiveWindow: 192, onMessages: () => undefined });
  sq.setClockEstimate(CLOCK_FREQ, t0, 0);
  sq.setMoveCount(309, marginS * CLOCK_FREQ);
  const d = 0.0015 * CLOCK_FREQ;
  const firstClock = 0.3 * CLOCK_FREQ;
  for (let oid = 0; oid < 3; oid++) {
    const sink = new McuStepSink(oid);
    sink.bind(sq.allocCommandQueue(), ids);
    sink.setNextStepDir(1);
    sink.queueStep(firstClock, 1, 0, 0, firstClock);
    for (let i = 1; i < 667; i++) sink.queueStep(d, 1, 0, firstClock + (i - 1) * d, firstClock + i * d);
  }
  const end = nowS() + 5;
  while (!(link.arrivals.length === 3 * 667 && sq.isIdle()) && nowS() < end) vi.advanceTimersByTime(5);
  return link;
}

describe('dense moves on a real board (exact clock)', () => {
  it('with the device margin every run arrives in time and the queue never overflows', () => {
    const link = denseMoves(DEVICE_SLOT_MARGIN_S);
    expect(link.arrivals.length).toBe(3 * 667);
    expect(link.late).toEqual([]);
    expect(link.overflows).toEqual([]);
    expect([...link.steppers.values()].map((s) => s.position)).toEqual([667, 667, 667]);
  });

  it("the pty margin would starve it: 0.2 s of freed slots held back is more than the 2560's queue", () => {
    const link = denseMoves(SLOT_MARGIN_S);
    expect(link.late.length).toBeGreaterThan(0);
  });
});

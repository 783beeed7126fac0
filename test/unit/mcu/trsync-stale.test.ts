// A trsync armed for the next homing phase must ignore a report left over from the previous
// one (CI saw G28 fail "No trigger on y after full movement": the answer to phase 1's stop query
// reached phase 2's handler, which took it as fired). The MCU link here is a minimal stand-in
// that records the commands and lets the test deliver trsync_state reports; the live homing
// tests run the real link.
import { describe, expect, it } from 'vitest';
import { McuTrsync, TRSYNC_REASON } from '../../../src-main/host/mcu/trsync';
import type { Mcu } from '../../../src-main/host/mcu/mcu';

type Handler = ((p: Record<string, number>) => void) | null;

function fakeMcu() {
  let handler: Handler = null;
  let configure: (() => void) | null = null;
  const sent: string[] = [];
  const cmd = (name: string) => ({ send: (args: number[]) => void sent.push(`${name} ${args.join(' ')}`) });
  const mcu = {
    createOid: () => 3,
    registerConfigCallback: (cb: () => void) => (configure = cb),
    addConfigCmd: () => undefined,
    allocCommandQueue: () => ({}),
    lookupCommand: (fmt: string) => cmd(fmt.split(' ')[0]!),
    lookupQueryCommand: () => ({ send: async () => ({ trigger_reason: TRSYNC_REASON.ENDSTOP_HIT }) }),
    registerResponse: (h: Handler) => (handler = h),
    printTimeToClock: (t: number) => Math.round(t * 1e6),
    clock32ToClock64: (c: number) => c,
    clockToPrintTime: (c: number) => c / 1e6,
    secondsToClock: (s: number) => Math.round(s * 1e6),
    isFileOutput: () => false,
  };
  return {
    mcu: mcu as unknown as Mcu,
    configure: () => configure!(),
    report: (canTrigger: number, reason: number, clock: number) => handler!({ can_trigger: canTrigger, trigger_reason: reason, clock }),
    sent,
  };
}

describe('trsync arming', () => {
  it('ignores a report from before it was armed; fires on one after', async () => {
    const f = fakeMcu();
    const ts = new McuTrsync(f.mcu);
    f.configure();
    const fired = ts.start(2.0); // armed at clock 2,000,000
    // Phase 1's trigger, answered late: can_trigger 0 at a clock before this arming.
    f.report(0, TRSYNC_REASON.ENDSTOP_HIT, 1_900_000);
    expect(ts.triggered).toBe(false);
    // A live report of this arming extends the MCU's deadline, then the real trigger fires it.
    f.report(1, 0, 2_150_000);
    expect(f.sent.at(-1)).toBe('trsync_set_timeout 3 2650000');
    f.report(0, TRSYNC_REASON.ENDSTOP_HIT, 2_300_000);
    expect(ts.triggered).toBe(true);
    await expect(fired).resolves.toBe(TRSYNC_REASON.ENDSTOP_HIT);
  });
});

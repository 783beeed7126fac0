// motion_report's live position and velocity from the trapq: a known trapezoid (accelerate,
// cruise, decelerate) sampled at known print times, after its segments were forgotten by the
// trapq (step generation runs ahead of the MCU), across a position reset, and for the extruder.
import { describe, expect, it } from 'vitest';
import { TrapQ } from '../../../src-main/host/motion/trapq';
import { TrapqHistory, type MotionReport } from '../../../src-main/host/objects/motion-report';
import { loadText, CARTESIAN } from '../objects/load-helpers';

/** A 0 -> 100 mm/s -> 0 move along +X from x=10 at t=2 s with 1000 mm/s^2: 0.1 s up, 0.4 s cruise, 0.1 s down. */
function queueMove(q: TrapQ): void {
  q.append(2, 0.1, 0.4, 0.1, 10, 20, 5, 1, 0, 0, 0, 100, 1000);
}

describe('TrapqHistory', () => {
  it('reports position and speed inside each phase of a move, while queued and after the trapq forgot it', () => {
    const q = new TrapQ();
    const h = new TrapqHistory(q, () => 0);
    queueMove(q);
    const check = () => {
      // Before the move: at its start, still.
      expect(h.sample(1.5)).toEqual({ pos: [10, 20, 5], speedMmS: 0, dir: [0, 0, 0] });
      // Accelerating: x = 10 + a t^2 / 2, v = a t.
      const a = h.sample(2.05);
      expect(a.pos[0]).toBeCloseTo(10 + 0.5 * 1000 * 0.05 ** 2, 9);
      expect(a.speedMmS).toBeCloseTo(50, 9);
      expect(a.dir).toEqual([1, 0, 0]);
      // Cruising: 5 mm after the ramp, then 100 mm/s.
      const c = h.sample(2.3);
      expect(c.pos[0]).toBeCloseTo(10 + 5 + 100 * 0.2, 9);
      expect(c.speedMmS).toBeCloseTo(100, 9);
      // Decelerating: 0.05 s into the ramp down.
      const d = h.sample(2.55);
      expect(d.pos[0]).toBeCloseTo(10 + 5 + 40 + 100 * 0.05 - 0.5 * 1000 * 0.05 ** 2, 9);
      expect(d.speedMmS).toBeCloseTo(50, 9);
      // After: at rest at the end (60 mm further).
      const e = h.sample(3);
      expect(e.pos[0]).toBeCloseTo(60, 9);
      expect(e.pos.slice(1)).toEqual([20, 5]);
      expect(e.speedMmS).toBe(0);
    };
    check();
    // Step generation passed the whole move: the trapq dropped it, the history kept it.
    q.expireBefore(2.7);
    expect(q.length).toBe(0);
    expect(h.keptSegments).toBe(3);
    check();
  });

  it('keeps a position reset after the moves queued before it, and forgets old segments', () => {
    const q = new TrapQ();
    let markS = 0;
    const h = new TrapqHistory(q, () => markS);
    queueMove(q);
    q.expireBefore(2.2); // the accel segment is forgotten, the rest still queued
    markS = 2.9;
    q.setPosition(0, 0, 0); // G92-style reset once the move has ended
    expect(h.sample(2.3).pos[0]).toBeCloseTo(35, 9);
    expect(h.sample(2.8).pos[0]).toBeCloseTo(60, 9);
    expect(h.sample(2.95)).toEqual({ pos: [0, 0, 0], speedMmS: 0, dir: [0, 0, 0] });
    // Much later, the old move is pruned; the reset (the latest thing known) stays.
    q.append(100, 0.1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1000);
    q.expireBefore(200);
    expect(h.keptSegments).toBe(1);
    expect(h.sample(150).pos[1]).toBeCloseTo(5, 9);
  });
});

describe('TrapqHistory over a long print', () => {
  it('keeps only the last seconds and still answers inside them', () => {
    const q = new TrapQ();
    const h = new TrapqHistory(q, () => 0);
    // 5000 one-segment moves of 0.01 s along +Y at 10 mm/s, expired in slices as steps are generated.
    for (let i = 0; i < 5000; i++) {
      q.append(i * 0.01, 0, 0.01, 0, 0, i * 0.1, 0, 0, 1, 0, 0, 10, 1000);
      if (i % 5 === 0) q.expireBefore(i * 0.01 - 1);
    }
    // Print time 49.99 s; expired up to ~48.95 s; kept: the 5 s before that (+ the expiry slice).
    expect(h.keptSegments).toBeGreaterThanOrEqual(500);
    expect(h.keptSegments).toBeLessThanOrEqual(510);
    const s = h.sample(45.005);
    expect(s.pos[1]).toBeCloseTo(450.05, 9);
    expect(s.speedMmS).toBeCloseTo(10, 9);
  });
});

describe('motion_report on a loaded printer', () => {
  it('reports the toolhead and extruder during a queued move (batch host, print times given)', async () => {
    const p = loadText(`${CARTESIAN}\n[motion_report]\n`);
    const mr = p.printer.lookupObject<MotionReport>('motion_report');
    mr.attach();
    const status = mr.getStatus();
    expect(status.steppers).toEqual(expect.arrayContaining(['stepper_x', 'stepper_y', 'stepper_z', 'extruder']));
    expect(status.trapq).toEqual(['extruder', 'toolhead']);
    const th = p.printer.lookupObject<{ trapq: TrapQ }>('toolhead');
    const ex = p.printer.lookupObject<{ motion: { trapq: TrapQ } }>('extruder');
    queueMove(th.trapq);
    // The extruder retracts 2 mm at 20 mm/s cruise over the same time (negative direction).
    ex.motion.trapq.append(2, 0.1, 0.4, 0.1, 0, 0, 0, -1, 0, 0, 0, 20, 200);
    const s = mr.sampleAt(2.3);
    expect(s.live_position[0]).toBeCloseTo(35, 9);
    expect(s.live_position.slice(1, 3)).toEqual([20, 5]);
    expect(s.live_velocity).toBeCloseTo(100, 9);
    expect(s.live_extruder_velocity).toBeCloseTo(-20, 9);
    expect(s.live_position[3]).toBeCloseTo(-(1 + 20 * 0.2), 9);
    expect(mr.sampleAt(5).live_velocity).toBe(0);
  });

  it('accepts a bare [motion_report] and refuses options in it', () => {
    expect(() => loadText(`${CARTESIAN}\n[motion_report]\nfoo: 1\n`)).toThrow(/Option 'foo' is not valid in section 'motion_report'/);
  });
});

// Junction speeds and trapezoids against hand-computed values of the documented formulas:
// junction_deviation = scv^2 * (sqrt(2) - 1) / accel; at a corner where the direction turns,
// with theta the angle between the incoming path reversed and the outgoing path,
// v^2 = accel * junction_deviation * sin(theta/2) / (1 - sin(theta/2)).

import { describe, expect, it } from 'vitest';
import { LookaheadQueue, Move, type MovePlannerLimits } from '../../../src-main/host/motion/index.js';

const ACCEL = 3000;
const SCV = 5;
const limits: MovePlannerLimits = {
  maxVelocityMmS: 300,
  maxAccelMmS2: ACCEL,
  maxAccelToDecelMmS2: ACCEL * 0.5,
  junctionDeviationMm: (SCV * SCV * (Math.SQRT2 - 1)) / ACCEL,
};

function corner(turnDeg: number, lengthMm = 100, speed = 200): Move {
  const a = new Move(limits, [0, 0, 0, 0], [lengthMm, 0, 0, 0], speed);
  const rad = (turnDeg * Math.PI) / 180;
  const b = new Move(limits, [lengthMm, 0, 0, 0], [lengthMm + lengthMm * Math.cos(rad), lengthMm * Math.sin(rad), 0, 0], speed);
  b.calcJunction(a, null);
  return b;
}

describe('junction speed (approximated centripetal velocity)', () => {
  it('a 90 degree corner is taken at square_corner_velocity', () => {
    expect(Math.sqrt(corner(90).maxStartV2)).toBeCloseTo(SCV, 9);
  });

  it('a full reversal stops', () => {
    expect(corner(180).maxStartV2).toBeCloseTo(0, 12);
  });

  it('a straight line keeps the cruise speed', () => {
    expect(Math.sqrt(corner(0, 100, 120).maxStartV2)).toBeCloseTo(120, 9);
  });

  it('a 45 degree turn follows the formula', () => {
    const theta = Math.PI - Math.PI / 4; // angle between reversed incoming and outgoing path
    const s = Math.sin(theta / 2);
    const expected = ACCEL * limits.junctionDeviationMm * (s / (1 - s));
    expect(corner(45).maxStartV2).toBeCloseTo(expected, 9);
  });

  it('short moves limit the corner so the arc ends before mid-move', () => {
    // 0.5 mm moves at a 90 degree corner: centripetal limit = 2*d*accel * tan(theta/2)/4
    const m = corner(90, 0.001);
    const tanHalf = Math.tan(Math.PI / 4);
    expect(m.maxStartV2).toBeCloseTo(2 * 0.001 * ACCEL * tanHalf * 0.25, 12);
  });
});

describe('trapezoids', () => {
  it('a long move from rest to rest accelerates, cruises, decelerates', () => {
    const q = new LookaheadQueue();
    const lim = { ...limits, maxAccelMmS2: 1000, maxAccelToDecelMmS2: 500 };
    const m = new Move(lim, [0, 0, 0, 0], [100, 0, 0, 0], 100);
    q.add(m, null);
    const out = q.flush(false);
    expect(out).toEqual([m]);
    // 0 -> 100 mm/s at 1000 mm/s^2: 0.1 s over 5 mm, twice; 90 mm cruise at 100 mm/s
    expect(m.accelT).toBeCloseTo(0.1, 12);
    expect(m.cruiseT).toBeCloseTo(0.9, 12);
    expect(m.decelT).toBeCloseTo(0.1, 12);
    expect(m.cruiseV).toBeCloseTo(100, 12);
    expect(m.startV).toBe(0);
    expect(m.endV).toBe(0);
  });

  it('minimum_cruise_ratio keeps half of a short move at cruise speed', () => {
    const q = new LookaheadQueue();
    const lim = { ...limits, maxAccelMmS2: 1000, maxAccelToDecelMmS2: 500 };
    const m = new Move(lim, [0, 0, 0, 0], [10, 0, 0, 0], 200);
    q.add(m, null);
    q.flush(false);
    // smoothed peak: v^2 = 2 * 10 mm * 500 / 2 = 5000 -> 2.5 mm accel, 5 mm cruise, 2.5 mm decel
    expect(m.cruiseV).toBeCloseTo(Math.sqrt(5000), 9);
    expect(m.cruiseT * m.cruiseV).toBeCloseTo(5, 9);
    expect(m.accelT).toBeCloseTo(Math.sqrt(5000) / 1000, 12);
  });

  it('a lazy flush only releases moves whose speeds are settled', () => {
    const q = new LookaheadQueue();
    const moves: Move[] = [];
    let x = 0;
    for (let i = 0; i < 50; i++) {
      const m = new Move(limits, [x, 0, 0, 0], [x + 10, 0, 0, 0], 100);
      x += 10;
      moves.push(m);
      q.add(m, null);
    }
    const lazy = q.flush(true);
    expect(lazy.length).toBeGreaterThan(0);
    expect(lazy.length).toBeLessThan(50);
    const rest = q.flush(false);
    expect([...lazy, ...rest]).toEqual(moves);
    // Moves in a straight line: no stop in the middle, 0 at both ends
    expect(moves[0]!.startV).toBe(0);
    expect(moves[49]!.endV).toBe(0);
    for (let i = 1; i < 50; i++) expect(moves[i]!.startV).toBeCloseTo(moves[i - 1]!.endV, 9);
    expect(moves[25]!.cruiseV).toBeCloseTo(100, 9);
  });
});

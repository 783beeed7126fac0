// The motion side of an [extruder]: its own trapq (filament position over time), the limits it
// puts on moves (extrude-only speed/accel, max cross section, corner speed change of E), and
// its stepper. The heater side lives in printer objects; canExtrude() asks it.

import type { ExtruderJunction, Move } from './move.js';
import { MoveError } from './move.js';
import type { MotionStepper } from './stepper.js';
import { PressureAdvanceRail } from './pressure-advance.js';
import type { Toolhead } from './toolhead.js';
import { TrapQ } from './trapq.js';

export interface ExtruderMotionOptions {
  /** The config section name ('extruder', 'extruder1'): toolhead status names the active one. Default 'extruder'. */
  name?: string;
  stepper: MotionStepper | null;
  nozzleDiameterMm: number;
  filamentDiameterMm: number;
  /** Default 4 * nozzle_diameter^2. */
  maxExtrudeCrossSectionMm2?: number;
  /** Default max_velocity * max_extrude_ratio (toolhead's max_velocity). */
  maxExtrudeOnlyVelocityMmS?: number;
  /** Default max_accel * max_extrude_ratio. */
  maxExtrudeOnlyAccelMmS2?: number;
  /** Default 50. */
  maxExtrudeOnlyDistanceMm?: number;
  /** Default 1. */
  instantaneousCornerVelocityMmS?: number;
  /** False while the heater is below min_extrude_temp. Default: always true. */
  canExtrude?: () => boolean;
}

export class ExtruderMotion implements ExtruderJunction {
  readonly trapq = new TrapQ();
  readonly name: string;
  /** The extruder's own stepper (it may follow another extruder's queue: see `steppers`). */
  readonly stepper: MotionStepper | null;
  /** Every stepper that moves with this queue (SYNC_EXTRUDER_MOTION, [extruder_stepper]). */
  private readonly followers = new Set<MotionStepper>();
  readonly nozzleDiameterMm: number;
  readonly filamentAreaMm2: number;
  readonly maxExtrudeRatio: number;
  readonly maxEVelocityMmS: number;
  readonly maxEAccelMmS2: number;
  readonly maxEDistMm: number;
  readonly instantCornerVMmS: number;
  private readonly canExtrude: () => boolean;
  /** Filament position after the last planned move (mm). */
  lastPositionMm = 0;

  constructor(o: ExtruderMotionOptions, toolheadLimits: { maxVelocityMmS: number; maxAccelMmS2: number }) {
    this.name = o.name ?? 'extruder';
    this.stepper = o.stepper;
    this.nozzleDiameterMm = o.nozzleDiameterMm;
    this.filamentAreaMm2 = Math.PI * (o.filamentDiameterMm * 0.5) ** 2;
    const maxCrossSection = o.maxExtrudeCrossSectionMm2 ?? 4 * o.nozzleDiameterMm * o.nozzleDiameterMm;
    this.maxExtrudeRatio = maxCrossSection / this.filamentAreaMm2;
    this.maxEVelocityMmS = o.maxExtrudeOnlyVelocityMmS ?? toolheadLimits.maxVelocityMmS * this.maxExtrudeRatio;
    this.maxEAccelMmS2 = o.maxExtrudeOnlyAccelMmS2 ?? toolheadLimits.maxAccelMmS2 * this.maxExtrudeRatio;
    this.maxEDistMm = o.maxExtrudeOnlyDistanceMm ?? 50;
    this.instantCornerVMmS = o.instantaneousCornerVelocityMmS ?? 1;
    this.canExtrude = o.canExtrude ?? (() => true);
    if (this.stepper) this.attachStepper(this.stepper);
  }

  /** The steppers moving with this queue now; the toolhead generates their steps while it is active. */
  get steppers(): MotionStepper[] {
    return [...this.followers];
  }

  /**
   * `stepper` follows this queue from now on, starting at this extruder's last position (call
   * after the toolhead flushed step generation; detach it from its previous queue first).
   */
  attachStepper(stepper: MotionStepper): void {
    stepper.setLinearKinematics(this.trapq, 1, 0, 0);
    stepper.setPosition(this.lastPositionMm, 0, 0);
    const pa = this.pressureAdvanceRail(stepper);
    if (pa) {
      // Its steps start once the motion stored so far (already stepped by the others) is over.
      const tq = this.trapq;
      const last = (tq.tailSeq - 1) & tq.mask;
      const endS = tq.length ? tq.printTimeS[last]! + tq.durationS[last]! : 0;
      stepper.setRailFunction(pa, endS + pa.scanWindowS);
    }
    this.followers.add(stepper);
  }

  /** `stepper` no longer follows this queue (it stays where it is until attached again). */
  detachStepper(stepper: MotionStepper): void {
    if (!this.followers.delete(stepper)) return;
    stepper.setLinearKinematics(new TrapQ(), 1, 0, 0);
  }

  /** Refuse or slow a move that extrudes (the toolhead calls this when E changes). */
  checkMove(move: Move): void {
    const axisR = move.axesR[3]!;
    if (!this.canExtrude()) {
      throw new MoveError("Extrude below minimum temp\nSee the 'min_extrude_temp' config option for details");
    }
    if ((!move.axesD[0] && !move.axesD[1]) || axisR < 0) {
      // Extrude-only move or retraction: the extruder's own limits apply.
      if (Math.abs(move.axesD[3]!) > this.maxEDistMm) {
        throw new MoveError(
          `Extrude only move too long (${move.axesD[3]!.toFixed(3)}mm vs ${this.maxEDistMm.toFixed(3)}mm)\n` +
            "See the 'max_extrude_only_distance' config option for details",
        );
      }
      const invR = 1 / Math.abs(axisR);
      move.limitSpeed(this.maxEVelocityMmS * invR, this.maxEAccelMmS2 * invR);
    } else if (axisR > this.maxExtrudeRatio) {
      if (move.axesD[3]! <= this.nozzleDiameterMm * this.maxExtrudeRatio) return; // tiny: allowed
      const area = axisR * this.filamentAreaMm2;
      throw new MoveError(
        `Move exceeds maximum extrusion (${area.toFixed(3)}mm^2 vs ` +
          `${(this.maxExtrudeRatio * this.filamentAreaMm2).toFixed(3)}mm^2)\n` +
          "See the 'max_extrude_cross_section' config option for details",
      );
    }
  }

  /** A corner may change the extrusion rate by at most instantaneous_corner_velocity. */
  calcJunction(prev: Move, move: Move): number {
    const diffR = move.axesR[3]! - prev.axesR[3]!;
    if (diffR) {
      const v = this.instantCornerVMmS / Math.abs(diffR);
      return v * v;
    }
    return move.maxCruiseV2;
  }

  /** Queue the filament motion of a planned move starting at printTimeS. */
  processMove(printTimeS: number, move: Move): void {
    // Pressure advance applies to moves that extrude while moving in XY (Klipper's rule); the
    // flag rides in the y direction column, which the plain extruder rail (1, 0, 0) ignores.
    const advances = move.axesR[3]! > 0 && (move.axesD[0] !== 0 || move.axesD[1] !== 0) ? 1 : 0;
    this.trapq.append(
      printTimeS,
      move.accelT,
      move.cruiseT,
      move.decelT,
      move.startPos[3]!,
      0,
      0,
      move.axesR[3]!,
      advances,
      0,
      move.startV,
      move.cruiseV,
      move.accelMmS2,
    );
    this.lastPositionMm = move.endPos[3]!;
  }

  /**
   * SET_PRESSURE_ADVANCE / pressure_advance: the settings belong to the stepper (they move with
   * it between queues, as in Klipper); applied now when it follows this queue. Flushes steps.
   */
  setPressureAdvance(stepper: MotionStepper, advanceS: number, smoothTimeS: number, toolhead: Toolhead): void {
    if (!(advanceS >= 0) || !(smoothTimeS > 0)) throw new Error('pressure advance must be >= 0 and its smooth time above 0');
    const wasOn = stepper.pressureAdvance.advanceS > 0;
    stepper.pressureAdvance = { advanceS, smoothTimeS };
    // Off and staying off: the plain rail stays, nothing to flush.
    if (this.followers.has(stepper) && (wasOn || advanceS > 0)) {
      toolhead.setStepperRailFunction(stepper, this.pressureAdvanceRail(stepper));
    }
  }

  /** The rail a stepper of this queue follows: null = plain E (no advance). */
  private pressureAdvanceRail(stepper: MotionStepper): PressureAdvanceRail | null {
    const pa = stepper.pressureAdvance;
    return pa.advanceS > 0 ? new PressureAdvanceRail(this.trapq, pa.advanceS, pa.smoothTimeS) : null;
  }

  /** The filament position is now ePos (G92 E through SET_KINEMATIC_POSITION, or a new tool). */
  setPosition(ePos: number): void {
    this.trapq.setPosition(ePos, 0, 0);
    for (const s of this.followers) s.setPosition(ePos, 0, 0);
    this.lastPositionMm = ePos;
  }
}

// One planned toolhead move and its junction with the previous one, as Klipper's Kinematics.md
// describes: velocities are tracked squared; a move may change v^2 by at most 2*accel*distance;
// corners are limited by the "approximated centripetal velocity" of square_corner_velocity.

export class MoveError extends Error {
  override name = 'MoveError';
}

/** What the planner needs from the toolhead when it builds a move. */
export interface MovePlannerLimits {
  maxVelocityMmS: number;
  maxAccelMmS2: number;
  /** max_accel * (1 - minimum_cruise_ratio): the "smoothed" accel that keeps cruise phases. */
  maxAccelToDecelMmS2: number;
  /** square_corner_velocity^2 * (sqrt(2) - 1) / max_accel */
  junctionDeviationMm: number;
}

/** The extruder's say in a move (null when the printer has none). */
export interface ExtruderJunction {
  /** Max junction v^2 allowed by the extruder between prev and move. */
  calcJunction(prev: Move, move: Move): number;
}

export class Move {
  // Plain arrays: a move is allocated per G-code line and these are far cheaper than typed arrays.
  readonly startPos: number[]; // x, y, z, e
  readonly endPos: number[];
  readonly axesD: number[];
  readonly axesR: number[];
  moveDMm: number;
  accelMmS2: number;
  readonly junctionDeviationMm: number;
  /** False for extrude-only moves (no x/y/z travel). */
  readonly isKinematicMove: boolean;
  minMoveTS: number;
  maxStartV2 = 0;
  maxCruiseV2: number;
  deltaV2: number;
  maxSmoothedV2 = 0;
  smoothDeltaV2: number;
  nextJunctionV2 = 999999999.9;
  // Results of planning
  startV = 0;
  cruiseV = 0;
  endV = 0;
  accelT = 0;
  cruiseT = 0;
  decelT = 0;

  constructor(limits: MovePlannerLimits, startPos: ArrayLike<number>, endPos: ArrayLike<number>, speedMmS: number) {
    this.startPos = [startPos[0]!, startPos[1]!, startPos[2]!, startPos[3]!];
    this.endPos = [endPos[0]!, endPos[1]!, endPos[2]!, endPos[3]!];
    this.accelMmS2 = limits.maxAccelMmS2;
    this.junctionDeviationMm = limits.junctionDeviationMm;
    let velocity = Math.min(speedMmS, limits.maxVelocityMmS);
    const sp = this.startPos;
    const ep = this.endPos;
    const d = (this.axesD = [ep[0]! - sp[0]!, ep[1]! - sp[1]!, ep[2]! - sp[2]!, ep[3]! - sp[3]!]);
    let moveD = Math.sqrt(d[0]! * d[0]! + d[1]! * d[1]! + d[2]! * d[2]!);
    let invMoveD: number;
    if (moveD < 0.000000001) {
      // Extrude-only move: the extruder limits it later, the toolhead accel does not apply.
      this.endPos[0] = this.startPos[0]!;
      this.endPos[1] = this.startPos[1]!;
      this.endPos[2] = this.startPos[2]!;
      d[0] = d[1] = d[2] = 0;
      moveD = Math.abs(d[3]!);
      invMoveD = moveD ? 1 / moveD : 0;
      this.accelMmS2 = 99999999.9;
      velocity = speedMmS;
      this.isKinematicMove = false;
    } else {
      invMoveD = 1 / moveD;
      this.isKinematicMove = true;
    }
    this.moveDMm = moveD;
    this.axesR = [d[0]! * invMoveD, d[1]! * invMoveD, d[2]! * invMoveD, d[3]! * invMoveD];
    this.minMoveTS = moveD / velocity;
    this.maxCruiseV2 = velocity * velocity;
    this.deltaV2 = 2 * moveD * this.accelMmS2;
    this.smoothDeltaV2 = 2 * moveD * limits.maxAccelToDecelMmS2;
  }

  /** Lower this move's speed and accel (kinematics and extruder limits). */
  limitSpeed(speedMmS: number, accelMmS2: number): void {
    const v2 = speedMmS * speedMmS;
    if (v2 < this.maxCruiseV2) {
      this.maxCruiseV2 = v2;
      this.minMoveTS = this.moveDMm / speedMmS;
    }
    this.accelMmS2 = Math.min(this.accelMmS2, accelMmS2);
    this.deltaV2 = 2 * this.moveDMm * this.accelMmS2;
    this.smoothDeltaV2 = Math.min(this.smoothDeltaV2, this.deltaV2);
  }

  /** Cap the speed at the junction after this move. */
  limitNextJunctionSpeed(speedMmS: number): void {
    this.nextJunctionV2 = Math.min(this.nextJunctionV2, speedMmS * speedMmS);
  }

  /** Klipper's text: "Move out of range: 1.000 2.000 3.000 [4.000]". */
  moveError(msg = 'Move out of range'): MoveError {
    const p = this.endPos;
    return new MoveError(`${msg}: ${p[0]!.toFixed(3)} ${p[1]!.toFixed(3)} ${p[2]!.toFixed(3)} [${p[3]!.toFixed(3)}]`);
  }

  /** Max start speed of this move given the previous one (the corner between them). */
  calcJunction(prev: Move, extruder: ExtruderJunction | null): void {
    if (!this.isKinematicMove || !prev.isKinematicMove) return;
    const extruderV2 = extruder ? extruder.calcJunction(prev, this) : this.maxCruiseV2;
    let maxStartV2 = Math.min(
      extruderV2,
      this.maxCruiseV2,
      prev.maxCruiseV2,
      prev.nextJunctionV2,
      prev.maxStartV2 + prev.deltaV2,
    );
    // The corner is treated as an arc that deviates junction_deviation from the corner point;
    // theta is the angle between the two directions (180 deg = straight on).
    const r = this.axesR;
    const pr = prev.axesR;
    const junctionCosTheta = -(r[0]! * pr[0]! + r[1]! * pr[1]! + r[2]! * pr[2]!);
    const sinThetaD2 = Math.sqrt(Math.max(0.5 * (1 - junctionCosTheta), 0));
    const cosThetaD2 = Math.sqrt(Math.max(0.5 * (1 + junctionCosTheta), 0));
    const oneMinusSinThetaD2 = 1 - sinThetaD2;
    if (oneMinusSinThetaD2 > 0 && cosThetaD2 > 0) {
      const rJd = sinThetaD2 / oneMinusSinThetaD2;
      const moveJdV2 = rJd * this.junctionDeviationMm * this.accelMmS2;
      const prevJdV2 = rJd * prev.junctionDeviationMm * prev.accelMmS2;
      // The arc may not reach past the middle of either move.
      const quarterTanThetaD2 = (0.25 * sinThetaD2) / cosThetaD2;
      const moveCentripetalV2 = this.deltaV2 * quarterTanThetaD2;
      const prevCentripetalV2 = prev.deltaV2 * quarterTanThetaD2;
      maxStartV2 = Math.min(maxStartV2, moveJdV2, prevJdV2, moveCentripetalV2, prevCentripetalV2);
    }
    this.maxStartV2 = maxStartV2;
    this.maxSmoothedV2 = Math.min(maxStartV2, prev.maxSmoothedV2 + prev.smoothDeltaV2);
  }

  /** Fix the trapezoid: accelerate from start, cruise, decelerate to end (speeds squared in). */
  setJunction(startV2: number, cruiseV2: number, endV2: number): void {
    const halfInvAccel = 0.5 / this.accelMmS2;
    const accelD = (cruiseV2 - startV2) * halfInvAccel;
    const decelD = (cruiseV2 - endV2) * halfInvAccel;
    const cruiseD = this.moveDMm - accelD - decelD;
    const startV = (this.startV = Math.sqrt(startV2));
    const cruiseV = (this.cruiseV = Math.sqrt(cruiseV2));
    const endV = (this.endV = Math.sqrt(endV2));
    // time = distance / average speed of the phase
    this.accelT = accelD / ((startV + cruiseV) * 0.5);
    this.cruiseT = cruiseD / cruiseV;
    this.decelT = decelD / ((endV + cruiseV) * 0.5);
  }

  get durationS(): number {
    return this.accelT + this.cruiseT + this.decelT;
  }
}

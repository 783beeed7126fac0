// Trapezoid motion queue: the planned motion of one toolhead (or one extruder) as a list of
// constant-acceleration segments in print time. Step generation reads it; position queries use it.
// Stored in parallel Float64Array columns (a growable ring) so nothing is allocated per move.

const INITIAL_CAPACITY = 1024;

export class TrapQ {
  /** Segment columns, indexed by (seq & mask). */
  printTimeS: Float64Array;
  durationS: Float64Array;
  startVMmS: Float64Array;
  halfAccelMmS2: Float64Array;
  startX: Float64Array;
  startY: Float64Array;
  startZ: Float64Array;
  axesRX: Float64Array;
  axesRY: Float64Array;
  axesRZ: Float64Array;
  mask: number;
  /** Sequence numbers: segments [headSeq, tailSeq) are stored. */
  headSeq = 0;
  tailSeq = 0;
  /** Where the toolhead rests after the last segment (and before any). */
  private restX = 0;
  private restY = 0;
  private restZ = 0;

  constructor() {
    this.mask = INITIAL_CAPACITY - 1;
    this.printTimeS = new Float64Array(INITIAL_CAPACITY);
    this.durationS = new Float64Array(INITIAL_CAPACITY);
    this.startVMmS = new Float64Array(INITIAL_CAPACITY);
    this.halfAccelMmS2 = new Float64Array(INITIAL_CAPACITY);
    this.startX = new Float64Array(INITIAL_CAPACITY);
    this.startY = new Float64Array(INITIAL_CAPACITY);
    this.startZ = new Float64Array(INITIAL_CAPACITY);
    this.axesRX = new Float64Array(INITIAL_CAPACITY);
    this.axesRY = new Float64Array(INITIAL_CAPACITY);
    this.axesRZ = new Float64Array(INITIAL_CAPACITY);
  }

  /** Where the toolhead rests after the last segment (axis 0, 1, 2 = x, y, z). */
  restPosition(axis: number): number {
    return axis === 0 ? this.restX : axis === 1 ? this.restY : this.restZ;
  }

  get length(): number {
    return this.tailSeq - this.headSeq;
  }

  /**
   * Queue one planned move as up to three segments (accelerate, cruise, decelerate).
   * axesR is the unit direction; distances along it follow start_v*t + accel*t^2/2.
   */
  append(
    printTimeS: number,
    accelTS: number,
    cruiseTS: number,
    decelTS: number,
    startX: number,
    startY: number,
    startZ: number,
    axesRX: number,
    axesRY: number,
    axesRZ: number,
    startVMmS: number,
    cruiseVMmS: number,
    accelMmS2: number,
  ): void {
    let t = printTimeS;
    let x = startX;
    let y = startY;
    let z = startZ;
    if (accelTS > 0) {
      this.push(t, accelTS, startVMmS, 0.5 * accelMmS2, x, y, z, axesRX, axesRY, axesRZ);
      const d = (startVMmS + 0.5 * accelMmS2 * accelTS) * accelTS;
      x += axesRX * d;
      y += axesRY * d;
      z += axesRZ * d;
      t += accelTS;
    }
    if (cruiseTS > 0) {
      this.push(t, cruiseTS, cruiseVMmS, 0, x, y, z, axesRX, axesRY, axesRZ);
      const d = cruiseVMmS * cruiseTS;
      x += axesRX * d;
      y += axesRY * d;
      z += axesRZ * d;
      t += cruiseTS;
    }
    if (decelTS > 0) {
      this.push(t, decelTS, cruiseVMmS, -0.5 * accelMmS2, x, y, z, axesRX, axesRY, axesRZ);
      const d = (cruiseVMmS - 0.5 * accelMmS2 * decelTS) * decelTS;
      x += axesRX * d;
      y += axesRY * d;
      z += axesRZ * d;
    }
    this.restX = x;
    this.restY = y;
    this.restZ = z;
  }

  private push(
    t: number,
    dur: number,
    v: number,
    ha: number,
    x: number,
    y: number,
    z: number,
    rx: number,
    ry: number,
    rz: number,
  ): void {
    if (this.tailSeq - this.headSeq > this.mask) this.grow();
    const i = this.tailSeq & this.mask;
    this.printTimeS[i] = t;
    this.durationS[i] = dur;
    this.startVMmS[i] = v;
    this.halfAccelMmS2[i] = ha;
    this.startX[i] = x;
    this.startY[i] = y;
    this.startZ[i] = z;
    this.axesRX[i] = rx;
    this.axesRY[i] = ry;
    this.axesRZ[i] = rz;
    this.tailSeq++;
  }

  private grow(): void {
    const oldMask = this.mask;
    const cap = (oldMask + 1) * 2;
    const cols = [
      'printTimeS',
      'durationS',
      'startVMmS',
      'halfAccelMmS2',
      'startX',
      'startY',
      'startZ',
      'axesRX',
      'axesRY',
      'axesRZ',
    ] as const;
    for (const c of cols) {
      const old = this[c];
      const next = new Float64Array(cap);
      for (let s = this.headSeq; s < this.tailSeq; s++) next[s & (cap - 1)] = old[s & oldMask]!;
      this[c] = next;
    }
    this.mask = cap - 1;
  }

  /** Forget segments that ended at or before printTimeS (their steps are generated). */
  expireBefore(printTimeS: number): void {
    while (this.headSeq < this.tailSeq) {
      const i = this.headSeq & this.mask;
      if (this.printTimeS[i]! + this.durationS[i]! > printTimeS) break;
      this.headSeq++;
    }
  }

  /** Drop every segment (the caller has generated all steps) and rest at a new position. */
  setPosition(x: number, y: number, z: number): void {
    this.headSeq = this.tailSeq;
    this.restX = x;
    this.restY = y;
    this.restZ = z;
  }

  /**
   * Position at a print time: inside a stored segment, resting between or after them, or at
   * the first stored segment's start before it.
   */
  positionAt(printTimeS: number, out: Float64Array | number[]): void {
    let rx = this.restX;
    let ry = this.restY;
    let rz = this.restZ;
    if (this.tailSeq > this.headSeq) {
      const first = this.headSeq & this.mask;
      if (printTimeS < this.printTimeS[first]!) {
        rx = this.startX[first]!;
        ry = this.startY[first]!;
        rz = this.startZ[first]!;
      }
    }
    for (let s = this.tailSeq - 1; s >= this.headSeq; s--) {
      const i = s & this.mask;
      const t0 = this.printTimeS[i]!;
      if (printTimeS < t0) continue;
      let t = printTimeS - t0;
      const dur = this.durationS[i]!;
      if (t > dur) t = dur;
      const d = (this.startVMmS[i]! + this.halfAccelMmS2[i]! * t) * t;
      rx = this.startX[i]! + this.axesRX[i]! * d;
      ry = this.startY[i]! + this.axesRY[i]! * d;
      rz = this.startZ[i]! + this.axesRZ[i]! * d;
      break;
    }
    out[0] = rx;
    out[1] = ry;
    out[2] = rz;
  }
}

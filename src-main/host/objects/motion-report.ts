// 'motion_report' (Klipper loads it always; a [motion_report] section is accepted and has no
// options): where the toolhead and the active extruder are, and how fast they move, at the
// MCU's current print time, read from their trapqs.
//
// A trapq forgets a segment as soon as its steps are generated, up to a second before the MCU
// runs it, so "now" is usually gone from it. TrapqHistory keeps the forgotten segments (and
// position resets) for a few seconds by wrapping that trapq's expireBefore/setPosition.
import type { TrapQ } from '../motion/trapq';
import type { Printer, PrinterObject } from '../printer';
import type { Mcu } from '../mcu/mcu';

/** Forgotten segments are kept this long (s) behind the newest expiry time. */
const HISTORY_KEEP_S = 5;
/** And at most this many (a bound on memory for very short moves). */
const HISTORY_MAX_SEGMENTS = 20000;

/** One constant-acceleration segment: distance along (rx, ry, rz) is (v0 + halfAccel*t)*t. */
interface Segment {
  t0S: number;
  durS: number;
  v0MmS: number;
  halfAccelMmS2: number;
  x: number;
  y: number;
  z: number;
  rx: number;
  ry: number;
  rz: number;
}

/** Where a trapq's head is at a print time: x, y, z, speed along the path and its direction. */
export interface TrapqSample {
  pos: [number, number, number];
  speedMmS: number;
  /** Unit direction of the covering segment (0, 0, 0 while resting). */
  dir: [number, number, number];
}

export class TrapqHistory {
  private readonly old: Segment[] = [];
  /** old[first..] are kept; the ones before it are pruned but not yet dropped. */
  private first = 0;

  /**
   * `markTimeS`: the print time a position reset takes effect (the toolhead's last move time);
   * segments still queued at a reset are kept, the reset follows them.
   */
  constructor(
    readonly trapq: TrapQ,
    private readonly markTimeS: () => number,
  ) {
    const expire = trapq.expireBefore.bind(trapq);
    const setPosition = trapq.setPosition.bind(trapq);
    trapq.expireBefore = (printTimeS: number) => {
      for (let s = trapq.headSeq; s < trapq.tailSeq; s++) {
        const seg = this.segmentAt(s);
        if (seg.t0S + seg.durS > printTimeS) break;
        this.old.push(seg);
      }
      expire(printTimeS);
      this.prune(printTimeS - HISTORY_KEEP_S);
    };
    trapq.setPosition = (x: number, y: number, z: number) => {
      let endS = -Infinity;
      for (let s = trapq.headSeq; s < trapq.tailSeq; s++) {
        const seg = this.segmentAt(s);
        this.old.push(seg);
        endS = seg.t0S + seg.durS;
      }
      const lastOld = this.old.at(-1);
      if (lastOld) endS = Math.max(endS, lastOld.t0S + lastOld.durS);
      const t = Math.max(this.markTimeS(), endS);
      // A zero-length segment: from t on the head rests at the new position.
      this.old.push({ t0S: t, durS: 0, v0MmS: 0, halfAccelMmS2: 0, x, y, z, rx: 0, ry: 0, rz: 0 });
      setPosition(x, y, z);
    };
  }

  private segmentAt(seq: number): Segment {
    const q = this.trapq;
    const i = seq & q.mask;
    return {
      t0S: q.printTimeS[i]!,
      durS: q.durationS[i]!,
      v0MmS: q.startVMmS[i]!,
      halfAccelMmS2: q.halfAccelMmS2[i]!,
      x: q.startX[i]!,
      y: q.startY[i]!,
      z: q.startZ[i]!,
      rx: q.axesRX[i]!,
      ry: q.axesRY[i]!,
      rz: q.axesRZ[i]!,
    };
  }

  private prune(beforeS: number): void {
    let n = this.first;
    // The last one stays: it says where the head came to rest.
    while (n < this.old.length - 1 && this.old[n]!.t0S + this.old[n]!.durS < beforeS) n++;
    this.first = Math.max(n, this.old.length - HISTORY_MAX_SEGMENTS);
    // Dropped in bulk, not one shift per expiry.
    if (this.first > 1024 && this.first * 2 > this.old.length) {
      this.old.splice(0, this.first);
      this.first = 0;
    }
  }

  /** Segments kept from the trapq (tests, logs). */
  get keptSegments(): number {
    return this.old.length - this.first;
  }

  /** The latest segment (queued or forgotten) starting at or before printTimeS, or null. */
  private coveringSegment(printTimeS: number): Segment | null {
    const q = this.trapq;
    for (let s = q.tailSeq - 1; s >= q.headSeq; s--) {
      if (q.printTimeS[s & q.mask]! <= printTimeS) return this.segmentAt(s);
    }
    for (let k = this.old.length - 1; k >= this.first; k--) if (this.old[k]!.t0S <= printTimeS) return this.old[k]!;
    return null;
  }

  sample(printTimeS: number): TrapqSample {
    const seg = this.coveringSegment(printTimeS);
    if (!seg) {
      // Before everything known: where the first known segment starts, else the trapq's rest.
      const q = this.trapq;
      const first = this.old[this.first] ?? (q.tailSeq > q.headSeq ? this.segmentAt(q.headSeq) : null);
      const pos: [number, number, number] = first ? [first.x, first.y, first.z] : [q.restPosition(0), q.restPosition(1), q.restPosition(2)];
      return { pos, speedMmS: 0, dir: [0, 0, 0] };
    }
    const t = Math.min(printTimeS - seg.t0S, seg.durS);
    const d = (seg.v0MmS + seg.halfAccelMmS2 * t) * t;
    const pos: [number, number, number] = [seg.x + seg.rx * d, seg.y + seg.ry * d, seg.z + seg.rz * d];
    // Past the segment's end the head rests (the next segment has not started yet).
    if (printTimeS > seg.t0S + seg.durS) return { pos, speedMmS: 0, dir: [0, 0, 0] };
    return { pos, speedMmS: seg.v0MmS + 2 * seg.halfAccelMmS2 * t, dir: [seg.rx, seg.ry, seg.rz] };
  }
}

interface ToolheadView {
  trapq: TrapQ;
  printTimeS: number;
  getStatus(eventtimeS: number): Record<string, unknown>;
}

/** What motion_report reports: the sample of the toolhead and active extruder at a print time. */
export interface MotionSample {
  live_position: [number, number, number, number];
  live_velocity: number;
  live_extruder_velocity: number;
}

export class MotionReport implements PrinterObject {
  private toolheadHistory: TrapqHistory | null = null;
  private readonly extruderHistories = new Map<string, TrapqHistory>();

  /** `nowPrintTimeS`: the MCU's current print time; null (batch mode) reports the planned end. */
  constructor(
    private readonly printer: Printer,
    private readonly nowPrintTimeS: (() => number) | null = () => {
      const mcu = printer.lookupObject<Mcu>('mcu');
      return mcu.estimatedPrintTime(mcu.monotonic());
    },
  ) {
    // The toolhead and extruders exist once the config is loaded; no move runs before connect.
    // Batch mode has no "now": its report is the planned end, which the trapq itself knows.
    if (nowPrintTimeS) printer.on('printer:connect', () => this.attach());
  }

  /** Starts keeping the trapqs' history (idempotent; tests call it on a loaded printer). */
  attach(): void {
    const th = this.printer.lookupObjectOrNull<ToolheadView>('toolhead');
    if (!th) return;
    const mark = () => th.printTimeS;
    this.toolheadHistory ??= new TrapqHistory(th.trapq, mark);
    for (const [name, obj] of this.printer.lookupObjects<{ motion?: { trapq?: TrapQ } }>('extruder')) {
      const tq = /^extruder\d*$/.test(name) ? obj.motion?.trapq : undefined;
      if (tq && !this.extruderHistories.has(name)) this.extruderHistories.set(name, new TrapqHistory(tq, mark));
    }
  }

  /** Position and speeds at a print time. */
  sampleAt(printTimeS: number): MotionSample {
    const th = this.toolheadHistory?.sample(printTimeS);
    const active = this.activeExtruder();
    const ex = active ? this.extruderHistories.get(active)?.sample(printTimeS) : undefined;
    const pos = th?.pos ?? [0, 0, 0];
    return {
      live_position: [pos[0], pos[1], pos[2], ex?.pos[0] ?? 0],
      live_velocity: th?.speedMmS ?? 0,
      // The extruder's trapq moves along x: its sign says extruding (+) or retracting (-).
      live_extruder_velocity: ex ? ex.speedMmS * ex.dir[0] : 0,
    };
  }

  private activeExtruder(): string {
    const th = this.printer.lookupObjectOrNull<ToolheadView>('toolhead');
    return (th?.getStatus(0).extruder as string | undefined) ?? '';
  }

  getStatus(): Record<string, unknown> {
    const th = this.printer.lookupObjectOrNull<ToolheadView>('toolhead');
    const at = this.nowPrintTimeS && this.printer.state === 'ready' ? this.nowPrintTimeS() : Infinity;
    // Batch mode or not ready: no clock to read, so the head is where the planned moves end.
    const s = this.sampleAt(Number.isFinite(at) ? at : (th?.printTimeS ?? 0) + 1e9);
    const steppers = this.printer.lookupObjectOrNull<{ stepperNames(): string[] }>('stepper_enable')?.stepperNames() ?? [];
    return {
      live_position: s.live_position,
      live_velocity: s.live_velocity,
      live_extruder_velocity: s.live_extruder_velocity,
      steppers: [...steppers].sort(),
      trapq: ['toolhead', ...this.extruderHistories.keys()].sort(),
    };
  }
}

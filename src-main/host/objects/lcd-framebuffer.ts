// What a display has been sent, and what changed since: drivers send only the changed bytes so a
// 2 Hz screen refresh leaves the serial link to the motion queue (a full 128x64 frame is 1 KB,
// a changed temperature a handful of bytes).

/** A run of changed bytes starting at `offset` of the framebuffer. */
export interface ChangedRun {
  offset: number;
  bytes: Uint8Array;
}

export interface DiffOptions {
  /** Runs start and end on multiples of this (the ST7920 addresses 2 bytes at a time). */
  align?: number;
  /** Runs separated by at most this many unchanged bytes are sent as one (a new address costs more). */
  mergeGap?: number;
  /** Runs never cross a multiple of this (a display row or page). */
  segment?: number;
}

/** The runs where `next` differs from `sent` (everything when nothing was sent yet). */
export function changedRuns(sent: Uint8Array | null, next: Uint8Array, opts: DiffOptions = {}): ChangedRun[] {
  const align = opts.align ?? 1;
  const mergeGap = opts.mergeGap ?? 0;
  const segment = opts.segment ?? next.length;
  const runs: ChangedRun[] = [];
  for (let segStart = 0; segStart < next.length; segStart += segment) {
    const segEnd = Math.min(next.length, segStart + segment);
    let start = -1;
    let end = -1;
    const emit = () => {
      const s = segStart + Math.floor((start - segStart) / align) * align;
      const e = Math.min(segEnd, segStart + Math.ceil((end - segStart) / align) * align);
      const last = runs[runs.length - 1];
      // Alignment can make neighbours overlap: extend the previous run instead.
      if (last && last.offset + last.bytes.length >= s && last.offset >= segStart) {
        runs[runs.length - 1] = { offset: last.offset, bytes: next.slice(last.offset, e) };
      } else runs.push({ offset: s, bytes: next.slice(s, e) });
    };
    for (let i = segStart; i < segEnd; i++) {
      if (sent && sent[i] === next[i]) continue;
      if (start >= 0 && i - end <= mergeGap) end = i + 1;
      else {
        if (start >= 0) emit();
        start = i;
        end = i + 1;
      }
    }
    if (start >= 0) emit();
  }
  return runs;
}

/** A framebuffer and the copy of it the display holds. */
export class Framebuffer {
  readonly next: Uint8Array;
  private sent: Uint8Array | null = null;

  constructor(
    readonly size: number,
    private readonly diff: DiffOptions = {},
  ) {
    this.next = new Uint8Array(size);
  }

  /** The changes to send, after which the display holds `next`. */
  takeChanges(): ChangedRun[] {
    const runs = changedRuns(this.sent, this.next, this.diff);
    this.sent = this.next.slice();
    return runs;
  }

  /** Forget what the display holds (after an MCU restart): the next flush sends everything. */
  invalidate(): void {
    this.sent = null;
  }
}

// Print jobs as the panel shows them: the current job from print_stats / virtual_sdcard /
// display_status, its ETA, which actions make sense now, and the pieces of an upload.
// Pure functions: no React, no API.
import type { StatusSnapshot, Thumbnail } from '../../../src-main/api/contract';

/** print_stats.state values (Klipper's). */
export type PrintState = 'standby' | 'printing' | 'paused' | 'complete' | 'cancelled' | 'error';

export interface JobView {
  state: PrintState;
  filename: string | null;
  /** 0..1: M73 / display_status when the file sets it, else the file position. */
  progress: number;
  /** Printing time so far (pauses excluded), seconds. */
  printDurationS: number;
  filamentUsedMm: number;
  message: string;
}

const STATES: readonly string[] = ['standby', 'printing', 'paused', 'complete', 'cancelled', 'error'];

export function jobOf(status: StatusSnapshot): JobView {
  const ps = status.print_stats ?? {};
  const sd = status.virtual_sdcard ?? {};
  const ds = status.display_status ?? {};
  const state = (typeof ps.state === 'string' && STATES.includes(ps.state) ? ps.state : 'standby') as PrintState;
  const progress = typeof ds.progress === 'number' && ds.progress > 0 ? ds.progress : typeof sd.progress === 'number' ? sd.progress : 0;
  return {
    state,
    filename: typeof ps.filename === 'string' && ps.filename ? ps.filename : null,
    progress: Math.min(1, Math.max(0, progress)),
    printDurationS: typeof ps.print_duration === 'number' ? ps.print_duration : 0,
    filamentUsedMm: typeof ps.filament_used === 'number' ? ps.filament_used : 0,
    message: typeof ps.message === 'string' ? ps.message : '',
  };
}

/**
 * Seconds left. Early on the slicer's estimate is the better guess; as the print advances, the
 * time taken per unit of progress is: the two are blended by progress. Null when neither is known.
 */
export function etaSeconds(progress: number, printDurationS: number, slicerEstimateS: number | null): number | null {
  const bySlicer = slicerEstimateS !== null && slicerEstimateS > 0 ? Math.max(0, slicerEstimateS - printDurationS) : null;
  const byProgress = progress >= 0.01 && printDurationS > 0 ? (printDurationS / progress) * (1 - progress) : null;
  if (bySlicer !== null && byProgress !== null) return bySlicer * (1 - progress) + byProgress * progress;
  return bySlicer ?? byProgress;
}

export interface JobActions {
  start: boolean;
  pause: boolean;
  resume: boolean;
  cancel: boolean;
}

/** Which job buttons apply in a print state (the host still refuses what it cannot do). */
export function jobActions(state: PrintState, printerReady: boolean): JobActions {
  const active = state === 'printing' || state === 'paused';
  return {
    start: printerReady && !active,
    pause: printerReady && state === 'printing',
    resume: printerReady && state === 'paused',
    cancel: printerReady && active,
  };
}

/** Hours, minutes, seconds of a duration (rounded to the second). */
export function durationParts(seconds: number): { h: number; m: number; s: number } {
  const t = Math.max(0, Math.round(seconds));
  return { h: Math.floor(t / 3600), m: Math.floor((t % 3600) / 60), s: t % 60 };
}

/**
 * The thumbnail a browser can show (PNG/JPEG; QOI cannot be): the smallest at least `wantPx`
 * wide, so it is scaled down, never blown up; else the largest there is.
 */
export function pickThumbnail(thumbs: readonly Thumbnail[], wantPx: number): Thumbnail | null {
  const shown = thumbs.filter((t) => t.format === 'png' || t.format === 'jpg').sort((a, b) => a.width - b.width);
  return shown.find((t) => t.width >= wantPx) ?? shown.at(-1) ?? null;
}

export function thumbnailUrl(t: Thumbnail): string {
  return `data:image/${t.format === 'jpg' ? 'jpeg' : 'png'};base64,${t.base64}`;
}

/** 1 KiB = 1024 bytes; one decimal below 10 units. */
export function sizeParts(bytes: number): { value: string; unit: 'B' | 'KiB' | 'MiB' | 'GiB' } {
  const units = ['B', 'KiB', 'MiB', 'GiB'] as const;
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return { value: i === 0 || v >= 10 ? String(Math.round(v)) : v.toFixed(1), unit: units[i] };
}

/** Upload chunk size: 256 KiB keeps each WebSocket message (base64) well under its 1 MiB limit. */
export const UPLOAD_CHUNK_BYTES = 256 * 1024;

/** [start, end) byte ranges of an upload, in order. An empty file has none. */
export function chunkRanges(sizeBytes: number, chunkBytes = UPLOAD_CHUNK_BYTES): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < sizeBytes; start += chunkBytes) out.push([start, Math.min(sizeBytes, start + chunkBytes)]);
  return out;
}

/** Base64 of bytes without a Node Buffer (the renderer has none), in slices that fit fromCharCode. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The G-code extensions the host's folder accepts. */
export function isGcodeFileName(name: string): boolean {
  return /\.(gcode|gco|g)$/i.test(name);
}

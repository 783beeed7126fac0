// How long this host process was recently unable to run (its event loop blocked or the process
// descheduled on an overloaded computer). An MCU stops a homing move with "Communication timeout
// during homing" when the host does not extend it in time; saying that the host itself stalled
// tells the user the cause is the computer's load, not the cable or the board.

const TICK_MS = 50;
/** Stalls shorter than this are ordinary scheduling noise and are not kept. */
const NOTABLE_STALL_S = 0.1;
const KEEP_S = 10;

interface Stall {
  /** performance.now() seconds when the host ran again. */
  atS: number;
  stallS: number;
}

const stalls: Stall[] = [];
let timer: NodeJS.Timeout | null = null;
let lastTickS = 0;

const nowS = () => performance.now() / 1000;

/** Starts watching (idempotent; the timer never keeps the process alive). */
export function watchHostStalls(): void {
  if (timer) return;
  lastTickS = nowS();
  timer = setInterval(() => {
    const t = nowS();
    const stallS = t - lastTickS - TICK_MS / 1000;
    lastTickS = t;
    if (stallS >= NOTABLE_STALL_S) stalls.push({ atS: t, stallS });
    while (stalls.length && stalls[0]!.atS < t - KEEP_S) stalls.shift();
  }, TICK_MS);
  timer.unref();
}

/** The longest stall that ended within the last withinS seconds (0 if none, or not watching). */
export function recentHostStallS(withinS: number): number {
  const since = nowS() - withinS;
  return stalls.reduce((max, s) => (s.atS >= since && s.stallS > max ? s.stallS : max), 0);
}

/** Klipper's homing timeout message, with the host's own stall when it had one. */
export function homingCommTimeoutMessage(
  // The stall that matters ended before the MCU's report reached us: look back a few seconds.
  stallS = recentHostStallS(3),
): string {
  const base = 'Communication timeout during homing';
  if (stallS < 0.2) return base;
  return `${base} (this computer did not run Tether for ${stallS.toFixed(1)} s just before: it is overloaded; close other programs and home again)`;
}

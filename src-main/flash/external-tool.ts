import { spawn } from 'node:child_process';
import { FlashError } from './errors';

export interface ToolRun {
  command: string;
  args: string[];
  /** Kill the tool when it prints nothing for this long (avrdude hangs forever on a dead bootloader). */
  inactivityMs: number;
  /** Kill it after this long whatever it prints. */
  overallMs: number;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  /** Debian package that provides the tool, for the "install it" fix. */
  debianPackage?: string;
  /** Working directory and environment (default: this process's). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs an external flashing tool with both timeouts; rejects with a FlashError naming the tool. */
export function runTool(run: ToolRun): Promise<{ output: string }> {
  return new Promise((resolve, reject) => {
    // Own process group, so a timeout also stops what the tool started (wrapper scripts).
    const child = spawn(run.command, run.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32', cwd: run.cwd, env: run.env });
    let output = '';
    let partial = '';
    let failure: FlashError | null = null;
    const kill = (why: FlashError) => {
      failure ??= why;
      const signalGroup = (sig: NodeJS.Signals) => {
        try {
          if (child.pid && process.platform !== 'win32') process.kill(-child.pid, sig);
          else child.kill(sig);
        } catch {
          // already gone
        }
      };
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), 2000).unref();
    };
    const label = `${run.command} ${run.args.join(' ')}`;
    let inactivity = setTimeout(() => kill(inactive()), run.inactivityMs);
    const overall = setTimeout(
      () => kill(new FlashError('tool-timeout', `${run.command} did not finish within ${run.overallMs / 1000} s and was stopped.`, 'Reset the board into its bootloader and try again.')),
      run.overallMs,
    );
    function inactive() {
      return new FlashError(
        'tool-timeout',
        `${run.command} printed nothing for ${run.inactivityMs / 1000} s and was stopped (the bootloader probably stopped answering).`,
        'Reset the board into its bootloader (reset or BOOT button) and try again.',
      );
    }
    const onAbort = () => kill(new FlashError('cancelled', `${run.command} was cancelled.`, 'Start again when ready.'));
    run.signal?.addEventListener('abort', onAbort, { once: true });
    // Cancelled before it started: stop it at once (the abort event has already fired).
    if (run.signal?.aborted) onAbort();
    const onData = (chunk: Buffer) => {
      clearTimeout(inactivity);
      inactivity = setTimeout(() => kill(inactive()), run.inactivityMs);
      const text = chunk.toString('utf8');
      output += text;
      // avrdude draws progress bars with \r: treat both as line ends.
      const parts = (partial + text).split(/\r\n|\r|\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) run.onLine?.(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(inactivity);
      clearTimeout(overall);
      if (err.code === 'ENOENT') {
        reject(new FlashError('tool-missing', `${run.command} is not installed.`, run.debianPackage ? `Install it (Debian/Ubuntu: sudo apt install ${run.debianPackage}) or pick another flash method.` : 'Install it or pick another flash method.'));
      } else reject(new FlashError('tool-failed', `Could not start ${label}: ${err.message}`, 'Check the installation of the tool.'));
    });
    child.on('close', (code) => {
      clearTimeout(inactivity);
      clearTimeout(overall);
      run.signal?.removeEventListener('abort', onAbort);
      if (partial.trim()) run.onLine?.(partial);
      if (failure) return reject(failure);
      if (code !== 0) {
        const last = output.trim().split(/\r?\n/).slice(-3).join(' | ');
        return reject(new FlashError('tool-failed', `${run.command} failed (exit ${code}): ${last}`, 'Read the log above; reset the board into its bootloader and try again.'));
      }
      resolve({ output });
    });
  });
}

/** avrdude's part names for our MCUs. */
const AVRDUDE_PARTS: Record<string, string> = { atmega328p: 'm328p', atmega644p: 'm644p', atmega1284p: 'm1284p', atmega2560: 'm2560' };

export function avrdudeArgs(o: { mcu: string; protocol: 'stk500v1' | 'stk500v2'; port: string; baudRate: number; hexPath: string }): string[] {
  const part = AVRDUDE_PARTS[o.mcu];
  if (!part) throw new FlashError('unsupported-method', `avrdude: no part name known for ${o.mcu}.`, 'Pick another flash method.');
  // "arduino" speaks STK500v1 with the Arduino reset; "wiring" is STK500v2 with it. -D: the Mega
  // bootloader refuses chip erase and erases page by page itself. avrdude verifies by default.
  return ['-c', o.protocol === 'stk500v1' ? 'arduino' : 'wiring', '-p', part, '-P', o.port, '-b', String(o.baudRate), '-D', '-U', `flash:w:${o.hexPath}:i`];
}

/** dfu-util: write a .bin at an address (keeping a bootloader below it), then leave DFU. */
export function dfuUtilArgs(o: { address: number; binPath: string; usbId?: string }): string[] {
  return ['-a', '0', '-d', o.usbId ?? '0483:df11', '-s', `0x${o.address.toString(16).padStart(8, '0')}:leave`, '-D', o.binPath];
}

/** dfu-util: read `length` bytes at `address` back into `outPath` (for verification). */
export function dfuUtilReadArgs(o: { address: number; length: number; outPath: string; usbId?: string }): string[] {
  return ['-a', '0', '-d', o.usbId ?? '0483:df11', '-s', `0x${o.address.toString(16).padStart(8, '0')}:${o.length}`, '-U', o.outPath];
}

/** bossac (SAM-BA): erase, write, verify, boot from flash, reset. */
export function bossacArgs(o: { port: string; binPath: string; offset?: number }): string[] {
  const args = [`--port=${o.port.replace(/^\/dev\//, '')}`, '-U', 'false', '-e', '-w', '-v', '-b', '-R'];
  if (o.offset) args.push(`--offset=0x${o.offset.toString(16)}`);
  args.push(o.binPath);
  return args;
}

// One printer's host, run in its own child process so step generation never stalls the UI and
// UI traffic never starves the MCU. A child process, not a worker thread: serialport's native
// poller aborts the whole process when used from a worker thread (node-serialport #1938,
// #2250), and a printer host must own a serial port. The same wrapper serves the Electron main
// process and `tether serve`. Lifecycle: starting -> ready | error | shutdown; restart() starts
// afresh. Everything the host says (state changes, console lines, crashes) is appended to its
// log file, written from this side so even a crashed host leaves its last words.
import { type ChildProcess, fork } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ApiErrorCode, ConsoleLine, PrinterState, StatusSnapshot } from '../../api/contract';
import { ApiError } from '../../api/errors';
import { HOST_DATA_ENV, type FromWorker, type HostWorkerData, type ToWorker, type WorkerErrorKind, type WorkerOp, type WorkerOps } from './messages';

export interface HostThreadOptions {
  printerId: string;
  configPath: string | null;
  /** The host process entry file: host-worker.ts (tsx, tests) or out/main/host-worker.js (built). */
  workerEntry: string;
  logPath: string;
  /** How long stop() waits for a clean host shutdown before killing the process. */
  stopTimeoutMs?: number;
}

export interface HostThreadEvents {
  state: (state: PrinterState, message: string) => void;
  console: (line: ConsoleLine) => void;
  /** A status subscription's change-only delta (eventtime in the host's seconds). */
  status: (eventtime: number, status: StatusSnapshot) => void;
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * Where the host entry lives. From source (tsx, vitest) it is the .ts beside this module;
 * in the electron-vite build every entry (main.js, cli.js, host-worker.js) sits in one folder,
 * so the caller passes its own import.meta.url.
 */
export function hostWorkerEntry(callerUrl: string): string {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) return path.join(path.dirname(self), 'host-worker.ts');
  return path.join(path.dirname(fileURLToPath(callerUrl)), 'host-worker.js');
}

/** Node flags that let the child load a TypeScript entry through tsx (source checkouts, tests). */
function tsxExecArgv(entry: string): string[] {
  if (!entry.endsWith('.ts')) return [];
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return ['--import', pathToFileURL(path.join(tsxDir, 'dist/loader.mjs')).href];
}

/** Keeps the end of the child's stderr, so a crash can be reported with its own words. */
const STDERR_TAIL_CHARS = 4000;

const REPLY_CODES: Record<WorkerErrorKind, ApiErrorCode> = { gcode: 'gcode_error', starting: 'host_not_running', refused: 'refused', internal: 'internal' };

export class HostThread {
  private worker: ChildProcess | null = null;
  private stderrTail = '';
  private stateValue: PrinterState = 'shutdown';
  private messageValue = 'Host not started';
  private readonly pending = new Map<number, PendingCall>();
  private nextCallId = 1;
  private readonly listeners: { [K in keyof HostThreadEvents]: Set<HostThreadEvents[K]> } = {
    state: new Set(),
    console: new Set(),
    status: new Set(),
  };
  private log: WriteStream | null = null;
  private settleStart: (() => void) | null = null;
  private stopping: Promise<void> | null = null;
  private hostVersionValue: string | null = null;

  constructor(readonly options: HostThreadOptions) {}

  get state(): PrinterState {
    return this.stateValue;
  }
  get stateMessage(): string {
    return this.messageValue;
  }
  /** The host's version, once its worker has said hello. */
  get hostVersion(): string | null {
    return this.hostVersionValue;
  }
  get running(): boolean {
    return this.worker !== null;
  }

  on<K extends keyof HostThreadEvents>(event: K, listener: HostThreadEvents[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /**
   * Starts the worker; resolves once the host exists (ready, in error, or still connecting its
   * MCU: see `state`) or the worker died. Never rejects.
   */
  start(): Promise<void> {
    if (this.worker) return Promise.resolve();
    this.openLog();
    const { printerId, configPath, workerEntry } = this.options;
    const data: HostWorkerData = { printerId, configPath };
    this.setState('starting', 'Printer is starting');
    const started = new Promise<void>((resolve) => (this.settleStart = resolve));
    this.stderrTail = '';
    const worker = fork(workerEntry, [], {
      execArgv: tsxExecArgv(workerEntry),
      env: { ...process.env, [HOST_DATA_ENV]: JSON.stringify(data), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.worker = worker;
    worker.stderr?.setEncoding('utf8');
    worker.stderr?.on('data', (chunk: string) => {
      process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    worker.on('message', (msg: FromWorker) => this.onWorkerMessage(msg));
    worker.on('error', (e) => {
      this.writeLog(`host process error: ${e.stack ?? e.message}`);
      this.setState('error', `Host process failed: ${e.message}. Restart the printer; the host log has details.`);
    });
    worker.on('exit', (code, signal) => this.onWorkerExit(worker, code, signal));
    return started;
  }

  /** Stops the host cleanly (or terminates it after a timeout); state becomes 'shutdown'. */
  stop(): Promise<void> {
    if (!this.worker) return this.stopping ?? Promise.resolve();
    if (this.stopping) return this.stopping;
    const worker = this.worker;
    const timeoutMs = this.options.stopTimeoutMs ?? 3000;
    this.stopping = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.writeLog(`host did not stop within ${timeoutMs} ms; killing its process`);
        worker.kill('SIGKILL');
      }, timeoutMs);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.send(worker, { type: 'stop' });
    }).finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  async restart(): Promise<void> {
    this.writeLog('restart requested');
    await this.stop();
    await this.start();
  }

  /** Closes the log after stopping; the thread cannot be started again. */
  async dispose(): Promise<void> {
    await this.stop();
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = null;
  }

  /** Asks the worker to run one operation; rejects with an ApiError the API passes on. */
  call<K extends WorkerOp>(op: K, args: WorkerOps[K]['args']): Promise<WorkerOps[K]['result']> {
    const worker = this.worker;
    // While the host connects its MCU the worker still answers (HELP, M112, the reason why
    // other commands must wait); only a missing or stopping worker is refused here.
    if (!worker || this.stopping) {
      return Promise.reject(
        new ApiError(
          'host_not_running',
          `The host for printer '${this.options.printerId}' is not running (${this.messageValue}). Restart the printer.`,
        ),
      );
    }
    const id = this.nextCallId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send(worker, { type: 'call', id, op, args });
    });
  }

  private onWorkerMessage(msg: FromWorker): void {
    switch (msg.type) {
      case 'hello':
        this.hostVersionValue = msg.hostVersion;
        this.writeLog(`host ${msg.hostVersion} (printer ${this.options.printerId})`);
        break;
      case 'state':
        this.setState(msg.state, msg.message);
        break;
      case 'console': {
        this.writeLog(`${msg.kind}: ${msg.text}`);
        const line: ConsoleLine = { kind: msg.kind, text: msg.text, timeMs: msg.timeMs };
        for (const l of this.listeners.console) l(line);
        break;
      }
      case 'status':
        for (const l of this.listeners.status) l(msg.eventtime, msg.status);
        break;
      case 'reply': {
        const call = this.pending.get(msg.id);
        if (!call) return;
        this.pending.delete(msg.id);
        if (msg.ok) call.resolve(msg.result);
        else call.reject(new ApiError(REPLY_CODES[msg.error.kind], msg.error.message));
        break;
      }
      case 'started':
        this.settleStart?.();
        this.settleStart = null;
        break;
      case 'stopped':
        this.worker?.kill();
        break;
    }
  }

  /** Sends to the child; a child that just died is reported by its exit, not here. */
  private send(worker: ChildProcess, msg: ToWorker): void {
    if (worker.connected) worker.send(msg);
  }

  private onWorkerExit(worker: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const expected = this.stopping !== null;
    for (const call of this.pending.values()) {
      call.reject(new ApiError('host_not_running', `The host for printer '${this.options.printerId}' stopped before answering.`));
    }
    this.pending.clear();
    if (expected) {
      this.writeLog('host stopped');
      this.setState('shutdown', 'Host stopped');
    } else if (this.stateValue !== 'error') {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const lastError = this.lastErrorLine();
      if (lastError) this.writeLog(`host crashed: ${lastError}`);
      this.writeLog(`host exited unexpectedly (${how})`);
      const why = lastError ? `: ${lastError}` : '';
      this.setState('error', `Host exited unexpectedly (${how})${why}. Restart the printer; the host log has details.`);
    }
    this.settleStart?.();
    this.settleStart = null;
  }

  /** The last "SomethingError: message" line the child printed, if any. */
  private lastErrorLine(): string | null {
    const lines = this.stderrTail.split('\n').map((l) => l.trim());
    for (let i = lines.length - 1; i >= 0; i--) if (/^[A-Za-z]*Error\b.*:/.test(lines[i])) return lines[i];
    return null;
  }

  private setState(state: PrinterState, message: string): void {
    if (state === this.stateValue && message === this.messageValue) return;
    this.stateValue = state;
    this.messageValue = message;
    this.writeLog(`state ${state}: ${message}`);
    for (const l of this.listeners.state) l(state, message);
  }

  private openLog(): void {
    if (this.log) return;
    mkdirSync(path.dirname(this.options.logPath), { recursive: true });
    this.log = createWriteStream(this.options.logPath, { flags: 'a' });
    this.log.on('error', () => {
      // A full disk must not take the printer down with it; the console still works.
      this.log = null;
    });
  }

  private writeLog(line: string): void {
    this.log?.write(`${new Date().toISOString()} ${line}\n`);
  }
}

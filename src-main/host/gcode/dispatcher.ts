// The G-code dispatcher: a registry of commands with help text, one queue that runs commands
// in order, and the responses (info, raw, error) every command may produce.
import { GCodeCommand, GCodeError } from './command';
import { parseLine, parseMoveWords } from './parser';

export type GCodeHandler = (cmd: GCodeCommand) => void | Promise<void>;

export interface CommandInfo {
  name: string;
  help: string;
  /** Parameter names with a one-line description, for console completion. */
  params?: Record<string, string>;
  /** Runs while the printer is not ready too (STATUS, RESTART, FIRMWARE_RESTART: the way out of a shutdown). */
  anyState?: boolean;
}

export interface RegisteredCommand extends CommandInfo {
  handler: GCodeHandler;
  /** Optional fast path for plain G0/G1 lines (see parseMoveWords); same effect as handler. */
  moveFastPath?: MoveFastPath;
}

/** Handles a parsed plain move: words[0..4] = X Y Z E F, mask = which are present. */
export type MoveFastPath = (words: Float64Array, mask: number, line: string) => void;

export type ResponseKind = 'info' | 'raw' | 'error' | 'command';
export type ResponseListener = (kind: ResponseKind, text: string) => void;

/** Commands that must act at once, never waiting behind a queued command. */
const EMERGENCY_COMMANDS = new Set(['M112']);

export class GCodeDispatcher {
  private readonly commands = new Map<string, RegisteredCommand>();
  private readonly listeners = new Set<ResponseListener>();
  private tail: Promise<void> = Promise.resolve();
  private emergencyHandler: (() => void | Promise<void>) | null = null;
  private readonly moveWords = new Float64Array(5);
  /** While set, commands other than HELP are refused with this reason (starting, error, shutdown). */
  private notReadyReason: string | null = null;

  constructor() {
    this.register('HELP', () => this.cmdHelp(), { help: 'Report the list of available extended G-Code commands' });
  }

  register(name: string, handler: GCodeHandler, info: Omit<CommandInfo, 'name'> = { help: '' }): void {
    const key = name.toUpperCase();
    if (this.commands.has(key)) throw new Error(`gcode command ${key} already registered`);
    this.commands.set(key, { name: key, handler, ...info });
  }

  /** Replaces a command (for rename_existing in macros); returns the previous one. */
  replace(name: string, handler: GCodeHandler, info: Omit<CommandInfo, 'name'>): RegisteredCommand | null {
    const key = name.toUpperCase();
    const prev = this.commands.get(key) ?? null;
    this.commands.set(key, { name: key, handler, ...info });
    return prev;
  }

  /** Adds the plain-move fast path to an already registered G0/G1 (dropped if it is replaced). */
  setMoveFastPath(name: string, fast: MoveFastPath): void {
    const entry = this.commands.get(name.toUpperCase());
    if (!entry) throw new Error(`gcode command ${name} is not registered`);
    entry.moveFastPath = fast;
  }

  unregister(name: string): RegisteredCommand | null {
    const key = name.toUpperCase();
    const prev = this.commands.get(key) ?? null;
    this.commands.delete(key);
    return prev;
  }

  lookup(name: string): RegisteredCommand | undefined {
    return this.commands.get(name.toUpperCase());
  }

  /** Every command with its help, sorted: the console's completion source. */
  listCommands(): CommandInfo[] {
    return [...this.commands.values()]
      .map(({ name, help, params }) => ({ name, help, ...(params ? { params } : {}) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The host sets this from the printer state: null when ready, else why commands cannot run. */
  setNotReadyReason(reason: string | null): void {
    this.notReadyReason = reason;
  }

  /** M112's path: runs without waiting for the queue. */
  setEmergencyHandler(handler: () => void | Promise<void>): void {
    this.emergencyHandler = handler;
  }

  onResponse(listener: ResponseListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  respond(kind: ResponseKind, text: string): void {
    for (const l of this.listeners) l(kind, text);
  }
  respondInfo(text: string): void {
    this.respond(
      'info',
      text
        .split('\n')
        .map((l) => `// ${l}`)
        .join('\n'),
    );
  }
  respondRaw(text: string): void {
    this.respond('raw', text);
  }
  respondError(text: string): void {
    this.respond('error', `!! ${text}`);
  }

  /**
   * Queues a script (one or more lines) and resolves when it has run. Errors are reported as
   * '!!' responses and rethrown, and stop the rest of the script, as a print must not go on
   * after a failed line. M112 bypasses the queue.
   */
  run(script: string): Promise<void> {
    const lines = script.split(/\r?\n/);
    if (this.emergencyHandler && lines.some((l) => EMERGENCY_COMMANDS.has(parseLine(l).command))) {
      void this.emergencyHandler();
    }
    const job = this.tail.then(() => this.runLines(lines));
    this.tail = job.catch(() => undefined);
    return job;
  }

  /** Runs lines now, inside the current command (macros call this; no queueing). */
  async runLines(lines: string[]): Promise<void> {
    for (const line of lines) {
      const parsed = parseLine(line);
      if (!parsed.command) continue;
      const cmd = new GCodeCommand(parsed, line);
      try {
        await this.dispatch(cmd);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        this.respondError(msg);
        throw e instanceof GCodeError ? e : new GCodeError(msg);
      }
    }
  }

  /**
   * Runs one line directly (batch mode and file streaming): no queue, no response on error (the
   * caller reports it with its line number). Returns the handler's promise only when the handler
   * is asynchronous, so a stream of synchronous moves costs no microtask per line.
   */
  runLineDirect(line: string): void | Promise<void> {
    if (this.notReadyReason !== null && !this.commands.get(parseLine(line).command)?.anyState) {
      throw new GCodeError(`Printer is not ready: ${this.notReadyReason}`);
    }
    const c0 = line.charCodeAt(0);
    if (c0 === 71 || c0 === 103) {
      const mask = parseMoveWords(line, this.moveWords);
      if (mask >= 0) {
        const fast = this.commands.get(line.charCodeAt(1) === 48 ? 'G0' : 'G1')?.moveFastPath;
        if (fast) return fast(this.moveWords, mask, line);
      }
    }
    const parsed = parseLine(line);
    if (!parsed.command) return;
    const entry = this.commands.get(parsed.command);
    if (!entry) {
      if (EMERGENCY_COMMANDS.has(parsed.command)) return this.emergencyHandler?.();
      throw new GCodeError(`Unknown command: "${parsed.command}"`);
    }
    return entry.handler(new GCodeCommand(parsed, line));
  }

  private async dispatch(cmd: GCodeCommand): Promise<void> {
    const entry = this.commands.get(cmd.command);
    if (this.notReadyReason !== null && cmd.command !== 'HELP' && !EMERGENCY_COMMANDS.has(cmd.command) && !entry?.anyState) {
      throw new GCodeError(`Printer is not ready: ${this.notReadyReason}`);
    }
    if (!entry) {
      if (EMERGENCY_COMMANDS.has(cmd.command)) return; // handled by the emergency path
      throw new GCodeError(`Unknown command: "${cmd.command}"`);
    }
    await entry.handler(cmd);
  }

  private cmdHelp(): void {
    const lines = ['Available extended commands:'];
    for (const c of this.listCommands()) if (c.help) lines.push(`${c.name.padEnd(21)}: ${c.help}`);
    this.respondInfo(lines.join('\n'));
  }
}

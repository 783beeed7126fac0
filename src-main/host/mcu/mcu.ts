// One micro-controller as printer objects see it: oids, config commands, command queues,
// commands and queries by format string, response subscriptions, clock conversions, and the
// connection lifecycle (identify, clock sync, config phase, shutdown). Shaped after Klipper's
// host mcu object; works over a serial port or, in batch mode, into a file.

import { EventEmitter } from 'node:events';
import { crc32 } from 'node:zlib';
import { MESSAGE_PAYLOAD_MAX, ProtocolError, type MessageArgs, type MessageFormat, type MessageParams } from './codec';
import { ClockSync, CLOCK_QUERY_PERIOD_S, nextSecondaryMapping, targetSecondaryMapping, type ClockMapping } from './clocksync';
import { CommandQueue, NO_MOVE_SLOT, type SentCallback } from './command-queue';
import { Dictionary } from './dictionary';
import { FileOutputQueue, type FileOutputTarget } from './file-output';
import { slotMarginForPort } from './move-queue';
import { SerialQueue, type SerialQueueStats } from './serialqueue';
import { DEFAULT_BAUD, isPseudoPort, openSerialTransport, SerialOpenError, type ByteTransport } from './transport';

/** Identify must complete within this, or the connection is retried. */
export const IDENTIFY_TIMEOUT_S = 5;
/** Bytes requested per identify round trip. */
const IDENTIFY_CHUNK = 40;
/** Klipper's batch mode pretends the MCU queue holds this many moves. */
export const FILE_OUTPUT_MOVE_COUNT = 500;
/** Commands that occupy a slot of the MCU move queue. */
const MOVE_QUEUE_COMMANDS = new Set(['queue_step', 'queue_digital_out']);
/** Queries: resends start this far apart and double. */
const QUERY_FIRST_RETRY_S = 0.01;
const QUERY_RETRIES = 5;
/** ...but a query is not abandoned before this much time (slow or loaded hosts). */
const QUERY_MIN_WAIT_S = 2.5;
/** Opening a port another program holds is retried this long (see connect()). */
const BUSY_PORT_RETRY_S = 10;

export class McuError extends Error {
  override name = 'McuError';
}

export interface McuOptions {
  /** Config section name ('mcu', 'mcu extruder_board'); appears in every message. */
  name?: string;
  /** Serial device (USB, UART, or a pty such as the sim's). */
  serialPort?: string;
  /** Baud rate for real UARTs; default 250000. */
  baud?: number;
  /** Batch mode: no MCU; blocks go to `output`, the dictionary comes from a file. */
  fileOutput?: { dictionary: Dictionary; output: FileOutputTarget; moveCount?: number };
  /** Opens the byte link (tests supply their own); default opens `serialPort`. */
  openTransport?: () => Promise<ByteTransport>;
  /** Host monotonic clock in seconds. */
  now?: () => number;
  /** Give up connecting after this long (missing device, identify timeouts). Default 90 s. */
  connectTimeoutS?: number;
  log?: (line: string) => void;
}

export interface SendOptions {
  /** Do not send before the MCU clock reaches this. */
  minClock?: number;
  /** The MCU must have it by this clock (0 = as soon as possible). */
  reqClock?: number;
  /** For move-queue commands: MCU clock at which the MCU loads the entry (default reqClock). */
  moveClock?: number;
  /** Low priority (status polls): due 0.105 s from now, so scheduled commands go first. */
  background?: boolean;
}

/** How far out a background message counts as due. */
const BACKGROUND_DUE_S = 0.105;

export interface ResponseMeta {
  /** Host time the block the MCU was answering was sent (0 if unknown). */
  sentTimeS: number;
  receiveTimeS: number;
}

export type ResponseHandler = (params: MessageParams, meta: ResponseMeta) => void;

export interface ConfigCmdOptions {
  /** Sent after finalize_config, on every connect (e.g. first sensor query, initial pin states). */
  isInit?: boolean;
  /** Sent instead of the config when the MCU already holds our config (same CRC): state to reset after a host restart. */
  onRestart?: boolean;
}

export type McuState = 'disconnected' | 'connecting' | 'ready' | 'shutdown';

export interface McuStatus {
  name: string;
  state: McuState;
  /** Why the MCU (or the link) shut down, in the MCU's words. */
  shutdownReason: string | null;
  mcuVersion: string;
  mcuBuildVersions: string;
  mcuConstants: Record<string, number | string>;
  moveCount: number;
  lastStats: McuStats;
}

export interface McuStats extends Partial<SerialQueueStats> {
  /** Fraction of time the MCU main loop was busy, from its `stats` reports. */
  mcuAwake: number;
  mcuTaskAvg: number;
  mcuTaskStddev: number;
  /** Measured MCU clock frequency and its drift from CLOCK_FREQ. */
  freq: number;
  clockDriftPpm: number;
  srttS?: number;
  bytesWrite: number;
  /** Good blocks whose messages the dictionary could not decode. */
  invalidMessages: number;
}

interface Waiter {
  name: string;
  oid: number | undefined;
  sent: boolean;
  /** Sequence number of the block that first carried the request: older replies are stale. */
  firstSeq: number;
  deliver: (params: MessageParams, meta: ResponseMeta) => void;
  fail: (err: Error) => void;
}

interface MessageLink {
  readonly defaultQueue: CommandQueue;
  adoptQueue(q: CommandQueue): CommandQueue;
}

const defaultNow = (): number => performance.now() / 1000;

/** The two messages every firmware has with fixed ids: enough to fetch the dictionary. */
const BOOTSTRAP = new Dictionary(
  { commands: { 'identify offset=%u count=%c': 1 }, responses: { 'identify_response offset=%u data=%.*s': 0 } },
  'bootstrap',
);

export class Mcu extends EventEmitter {
  readonly name: string;
  private readonly opts: McuOptions;
  private readonly now: () => number;
  private dict: Dictionary | null = null;
  private link: MessageLink | null = null;
  private serial: SerialQueue | null = null;
  private file: FileOutputQueue | null = null;
  private transport: ByteTransport | null = null;
  private clockSync: ClockSync | null = null;
  private clockTimer: NodeJS.Timeout | null = null;
  /** The MCU's move queue size (get_config; file output fakes one). */
  private moveCount = 0;
  private stateValue: McuState = 'disconnected';
  private shutdownReason: string | null = null;
  private oidCount = 0;
  private readonly configCmds: string[] = [];
  private readonly initCmds: string[] = [];
  private readonly restartCmds: string[] = [];
  private readonly configCallbacks: (() => void | Promise<void>)[] = [];
  private configCallbacksRun = false;
  private configCrc = 0;
  private readonly handlers = new Map<string, ResponseHandler>();
  private readonly waiters: Waiter[] = [];
  private readonly userQueues: CommandQueue[] = [];
  private mcuFreq = 0;
  private fileClockStartS = 0;
  private loadStats = { mcuAwake: 0, mcuTaskAvg: 0, mcuTaskStddev: 0 };
  private invalidMessages = 0;
  /** The link died (lost communication or closed): queries fail at once instead of waiting. */
  private linkLost = false;
  private messageListener: ((format: MessageFormat, params: MessageParams, meta: ResponseMeta) => void) | null = null;
  /** Secondary MCUs: the main MCU whose clock defines print time, and the current mapping to ours. */
  private clockMain: Mcu | null = null;
  private clockAdj: ClockMapping | null = null;

  constructor(opts: McuOptions) {
    super();
    this.opts = opts;
    this.name = opts.name ?? 'mcu';
    this.now = opts.now ?? defaultNow;
    if (!opts.fileOutput && !opts.serialPort && !opts.openTransport) {
      throw new McuError(`MCU '${this.name}': no serial port given (set 'serial' in the [${this.name}] section)`);
    }
    if (opts.fileOutput) {
      this.dict = opts.fileOutput.dictionary;
      this.mcuFreq = this.dict.getConstantFloat('CLOCK_FREQ');
      this.file = new FileOutputQueue(opts.fileOutput.output);
      this.link = this.file;
      this.moveCount = opts.fileOutput.moveCount ?? FILE_OUTPUT_MOVE_COUNT;
    }
  }

  // ------------------------------------------------------------ config-time API

  isFileOutput(): boolean {
    return this.file !== null;
  }

  get state(): McuState {
    return this.stateValue;
  }

  isShutdown(): boolean {
    return this.stateValue === 'shutdown';
  }

  /** The data dictionary (throws before identify in serial mode). */
  get dictionary(): Dictionary {
    if (!this.dict)
      throw new McuError(`MCU '${this.name}' is not connected yet: use the dictionary from a config callback or after connect()`);
    return this.dict;
  }

  createOid(): number {
    if (this.configCallbacksRun && this.stateValue === 'ready')
      throw new McuError(`MCU '${this.name}': oids must be created before the config is sent`);
    return this.oidCount++;
  }

  /** A command in Klipper's text form; pins by name. Checked against the dictionary when sent. */
  addConfigCmd(line: string, opts: ConfigCmdOptions = {}): void {
    const text = line.trim().replace(/\s+/g, ' ');
    if (opts.onRestart) this.restartCmds.push(text);
    else if (opts.isInit) this.initCmds.push(text);
    else this.configCmds.push(text);
  }

  /** Runs during connect(), after identify, before the config is sent (may add config cmds). */
  registerConfigCallback(cb: () => void | Promise<void>): void {
    this.configCallbacks.push(cb);
  }

  /** A separate FIFO; across queues the lowest req_clock goes first. */
  allocCommandQueue(): CommandQueue {
    const q = new CommandQueue(1000 + this.userQueues.length, null);
    this.userQueues.push(q);
    this.link?.adoptQueue(q);
    return q;
  }

  private realQueue(cq: CommandQueue | undefined): CommandQueue {
    if (cq) return cq;
    if (!this.link) throw new McuError(`MCU '${this.name}' is not connected`);
    return this.link.defaultQueue;
  }

  getConstant(name: string, fallback?: number | string): number | string {
    return this.dictionary.getConstant(name, fallback);
  }

  getConstantFloat(name: string, fallback?: number): number {
    return this.dictionary.getConstantFloat(name, fallback);
  }

  /** A command by exact format; sends go to `cq` (default: the unscheduled queue). */
  lookupCommand(format: string, cq?: CommandQueue): McuCommand {
    const msg = this.dictionary.lookupCommand(format);
    return new McuCommand(this, msg, cq, MOVE_QUEUE_COMMANDS.has(msg.name));
  }

  /** A command whose reply (`responseFormat`, matched by name and `oid`) send() resolves with. */
  lookupQueryCommand(format: string, responseFormat: string, oid?: number, cq?: CommandQueue): McuQueryCommand {
    const msg = this.dictionary.lookupCommand(format);
    const resp = this.dictionary.lookupResponse(responseFormat);
    return new McuQueryCommand(this, msg, resp.name, oid, cq);
  }

  /** Sees every decoded message from the MCU (console, logging). */
  setMessageListener(cb: ((format: MessageFormat, params: MessageParams, meta: ResponseMeta) => void) | null): void {
    this.messageListener = cb;
  }

  /** Subscribes to a response by name (and oid, when the response has one). One per key. */
  registerResponse(handler: ResponseHandler | null, name: string, oid?: number): void {
    const key = oid === undefined ? name : `${name}:${oid}`;
    if (handler) this.handlers.set(key, handler);
    else this.handlers.delete(key);
  }

  // ------------------------------------------------------------ clocks

  /** CLOCK_FREQ from the dictionary. */
  get clockFreq(): number {
    if (!this.mcuFreq) this.mcuFreq = this.dictionary.getConstantFloat('CLOCK_FREQ');
    return this.mcuFreq;
  }

  secondsToClock(seconds: number): number {
    return Math.floor(seconds * this.clockFreq);
  }

  /**
   * Print time is the main MCU's time in seconds (its clock / CLOCK_FREQ); on a secondary MCU
   * the same print time is the same instant, through the mapping kept by its clock sync.
   */
  printTimeToClock(printTime: number): number {
    const adj = this.clockAdj;
    if (adj) return Math.floor(printTime * adj.freq + adj.offset);
    return Math.floor(printTime * this.clockFreq);
  }

  clockToPrintTime(clock: number): number {
    const adj = this.clockAdj;
    if (adj) return (clock - adj.offset) / adj.freq;
    return clock / this.clockFreq;
  }

  /**
   * Makes this a secondary MCU: print time follows `main`'s clock. Call before connect(); the
   * main MCU must be connected first (its clock estimate is needed).
   */
  setClockReference(main: Mcu): void {
    if (main === this) throw new McuError(`MCU '${this.name}' cannot be its own clock reference`);
    this.clockMain = main;
  }

  /** Whether print time is this MCU's own clock (the main MCU, or the only one). */
  isClockReference(): boolean {
    return this.clockMain === null;
  }

  /**
   * Print time -> clock as clock = (printTimeS - printTimeAtClockZeroS) * freqHz, for step
   * generation. Changes (event 'clock-mapping') on secondary MCUs as their clock sync learns.
   */
  clockMapping(): { freqHz: number; printTimeAtClockZeroS: number } {
    const adj = this.clockAdj;
    if (adj) return { freqHz: adj.freq, printTimeAtClockZeroS: -adj.offset / adj.freq };
    return { freqHz: this.clockFreq, printTimeAtClockZeroS: 0 };
  }

  /** Secondary MCU: re-derives the print time mapping from both clock estimates. */
  private updateClockMapping(): void {
    const main = this.clockMain;
    const mainEst = main?.clockSync?.bestEstimate();
    const ownEst = this.clockSync?.bestEstimate();
    if (!main || !mainEst || !ownEst) return;
    const target = targetSecondaryMapping(main.clockFreq, mainEst, ownEst);
    const anchorS = main.estimatedPrintTime(this.now());
    this.clockAdj = nextSecondaryMapping(this.clockAdj, target, anchorS);
    this.emit('clock-mapping');
  }

  /** MCU clock (64-bit) expected at host time t. File output: clock runs from connect() at CLOCK_FREQ. */
  getClockAt(hostTimeS: number): number {
    if (this.clockSync) return this.clockSync.getClock(hostTimeS);
    return Math.floor((hostTimeS - this.fileClockStartS) * this.clockFreq);
  }

  estimatedPrintTime(hostTimeS: number): number {
    return this.clockToPrintTime(this.getClockAt(hostTimeS));
  }

  clock32ToClock64(clock32: number): number {
    if (!this.clockSync) return clock32 >>> 0;
    return this.clockSync.clock32ToClock64(clock32 >>> 0);
  }

  /** Host monotonic time, seconds (the time base of estimatedPrintTime). */
  monotonic(): number {
    return this.now();
  }

  // ------------------------------------------------------------ sending

  /** Queues encoded bytes. Move-queue commands take a slot (see README). */
  sendRaw(
    cq: CommandQueue | undefined,
    bytes: Uint8Array,
    start = 0,
    end = bytes.length,
    minClock = 0,
    reqClock = 0,
    isMoveQueue = false,
    moveClock = reqClock,
    onSent?: SentCallback,
  ): void {
    if (end - start > MESSAGE_PAYLOAD_MAX) throw new McuError(`MCU '${this.name}': message of ${end - start} bytes exceeds a block`);
    // A shut-down MCU only answers is_shutdown to scheduled work: do not send it any.
    if (this.stateValue === 'shutdown' && !this.file && (isMoveQueue || reqClock > 0)) return;
    const q = this.realQueue(cq);
    // A move-queue entry gets its MCU slot when the link sends it (in req_clock order).
    q.push(bytes, start, end, minClock, reqClock, onSent, isMoveQueue ? moveClock : NO_MOVE_SLOT);
  }

  /** req_clock for a background message: the estimated MCU clock 0.105 s from now. */
  backgroundReqClock(): number {
    if (this.file || !this.clockSync) return 0;
    return this.getClockAt(this.now() + BACKGROUND_DUE_S);
  }

  /**
   * Sends a query and waits for the reply named `responseName` (with `oid` if given). Resends
   * starting 10 ms after the block went out, doubling, at least 5 times and 2.5 s.
   */
  query(
    msg: MessageFormat,
    args: MessageArgs,
    responseName: string,
    oid?: number,
    opts: SendOptions & { cq?: CommandQueue; keepTrying?: () => boolean } = {},
  ): Promise<{ params: MessageParams; meta: ResponseMeta }> {
    if (this.file) {
      return Promise.reject(new McuError(`MCU '${this.name}': query '${msg.name}' needs a live MCU (batch/file output has no replies)`));
    }
    if (this.linkLost) return Promise.reject(new McuError(this.shutdownReason ?? `MCU '${this.name}' is not connected`));
    const bytes = msg.encode(args);
    const q = this.realQueue(opts.cq);
    return new Promise((resolve, reject) => {
      let attempts = 0;
      let delay = QUERY_FIRST_RETRY_S;
      let timer: NodeJS.Timeout | null = null;
      const startS = this.now();
      const waiter: Waiter = {
        name: responseName,
        oid,
        sent: false,
        firstSeq: -1,
        deliver: (params, meta) => {
          if (timer) clearTimeout(timer);
          this.offWaiter(waiter);
          resolve({ params, meta });
        },
        fail: (err) => {
          if (timer) clearTimeout(timer);
          this.offWaiter(waiter);
          reject(err);
        },
      };
      const sendOnce = (): void => {
        attempts++;
        q.push(bytes, 0, bytes.length, opts.minClock ?? 0, opts.reqClock ?? 0, (_sentTime, blockSeq) => {
          if (!waiter.sent) waiter.firstSeq = blockSeq;
          waiter.sent = true;
          if (timer) clearTimeout(timer);
          timer = setTimeout(retry, Math.max(delay, this.serial?.rtoS ?? 0) * 1000);
        });
      };
      const retry = (): void => {
        timer = null;
        const giveUp = attempts > QUERY_RETRIES && this.now() - startS >= QUERY_MIN_WAIT_S;
        if (this.stateValue === 'disconnected' || (giveUp && !(opts.keepTrying?.() ?? false))) {
          waiter.fail(new McuError(`MCU '${this.name}': timeout waiting for '${responseName}' reply to '${msg.name}'`));
          return;
        }
        delay = Math.min(delay * 2, 1);
        sendOnce();
      };
      this.waiters.push(waiter);
      sendOnce();
    });
  }

  private offWaiter(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  private failWaiters(err: Error): void {
    for (const w of this.waiters.splice(0)) w.fail(err);
  }

  // ------------------------------------------------------------ receiving

  /** ackSeq: the MCU's next expected block when it sent this (it answers only blocks before it). */
  private handleMessages(block: Uint8Array, start: number, end: number, sentTimeS: number, receiveTimeS: number, ackSeq: number): void {
    const dict = this.dict ?? BOOTSTRAP;
    let msgs;
    try {
      msgs = dict.decodeMessages(block, start, end, 'responses');
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      // Before identify only identify_response is known; anything else (e.g. `starting`) is noise.
      if (this.dict) {
        this.invalidMessages++;
        this.log(`MCU '${this.name}': undecodable message: ${e.message}`);
      }
      return;
    }
    const meta: ResponseMeta = { sentTimeS, receiveTimeS };
    for (const { format, params } of msgs) {
      if (format.isOutput) {
        this.messageListener?.(format, params, meta);
        this.log(`MCU '${this.name}' says: ${format.formatParams(params)}`);
        continue;
      }
      this.messageListener?.(format, params, meta);
      const oid = typeof params.oid === 'number' ? params.oid : undefined;
      for (const w of this.waiters) {
        if (w.sent && ackSeq > w.firstSeq && w.name === format.name && (w.oid === undefined || w.oid === oid)) {
          w.deliver(params, meta);
          break;
        }
      }
      const h = (oid !== undefined ? this.handlers.get(`${format.name}:${oid}`) : undefined) ?? this.handlers.get(format.name);
      if (h) {
        try {
          h(params, meta);
        } catch (e) {
          this.log(`MCU '${this.name}': handler for '${format.name}' failed: ${(e as Error).stack ?? e}`);
        }
      }
    }
  }

  private reasonText(params: MessageParams): string {
    const id = params.static_string_id as number;
    return this.dict?.getEnumeration('static_string_id')?.byValue.get(id) ?? `unknown reason ${id}`;
  }

  private registerBuiltinHandlers(): void {
    this.registerResponse((p) => this.enterShutdown(`MCU '${this.name}' shutdown: ${this.reasonText(p)}`), 'shutdown');
    this.registerResponse((p) => this.enterShutdown(`Previous MCU '${this.name}' shutdown: ${this.reasonText(p)}`), 'is_shutdown');
    this.registerResponse(() => {
      if (this.stateValue === 'ready') this.enterShutdown(`MCU '${this.name}' spontaneous restart`);
    }, 'starting');
    this.registerResponse((p, meta) => {
      this.clockSync?.handleClock(p.clock as number, meta.sentTimeS, meta.receiveTimeS);
      if (this.clockMain) this.updateClockMapping();
    }, 'clock');
    this.registerResponse((p) => this.handleStats(p), 'stats');
  }

  private handleStats(p: MessageParams): void {
    const count = p.count as number;
    const sum = p.sum as number;
    if (!count || !this.mcuFreq) return;
    const sumsqBase = Number(this.dict?.getConstant('STATS_SUMSQ_BASE', 256) ?? 256);
    const c = 1 / (count * this.mcuFreq);
    const sumsq = (p.sumsq as number) * sumsqBase;
    this.loadStats = {
      mcuAwake: sum / this.mcuFreq / 5,
      mcuTaskAvg: sum * c,
      mcuTaskStddev: c * Math.sqrt(Math.max(0, count * sumsq - sum * sum)),
    };
  }

  /** Puts this MCU into shutdown once; the first reason wins (it is the root cause). */
  private enterShutdown(reason: string): void {
    if (this.stateValue === 'shutdown') return;
    this.stateValue = 'shutdown';
    this.shutdownReason = reason;
    this.log(reason);
    this.emit('shutdown', reason);
  }

  private lostCommunication(detail: string): void {
    const reason = `Lost communication with MCU '${this.name}'${detail ? ` (${detail})` : ''}`;
    this.stopClockTimer();
    this.serial?.close(); // the link is dead: stop retransmitting, release flush() waiters
    this.linkLost = true;
    const wasConnected = this.stateValue !== 'disconnected';
    this.enterShutdown(reason);
    if (wasConnected) this.emit('disconnect', reason);
    this.failWaiters(new McuError(reason));
  }

  // ------------------------------------------------------------ connect

  /**
   * Identify, clock sync and config. Resolves when the MCU is ready. `configure: false` stops
   * after clock sync (the console uses it to talk to an MCU without configuring it).
   */
  async connect(opts: { configure?: boolean } = {}): Promise<void> {
    if (this.file) return this.connectFileOutput();
    this.stateValue = 'connecting';
    const deadline = this.now() + (this.opts.connectTimeoutS ?? 90);
    // A port busy just after a reset is usually ours still closing, or ModemManager probing a
    // freshly enumerated USB device for a few seconds: worth retrying briefly, not for 90 s.
    const busyUntil = this.now() + BUSY_PORT_RETRY_S;
    for (;;) {
      try {
        await this.openAndIdentify();
        break;
      } catch (e) {
        await this.closeTransport();
        const retryable =
          e instanceof McuError ||
          (e instanceof SerialOpenError &&
            (/does not exist|not responding/.test(e.message) || (/in use by another program/.test(e.message) && this.now() < busyUntil)));
        if (!retryable || this.now() + 1 > deadline) {
          this.stateValue = 'disconnected';
          throw e;
        }
        this.log(`${(e as Error).message}; retrying`);
        await sleep(1000);
      }
    }
    await this.startClockSync();
    if (opts.configure !== false) await this.configure();
    if (this.stateValue === 'connecting') this.stateValue = 'ready';
    this.emit('ready');
  }

  private async openAndIdentify(): Promise<void> {
    const port = this.opts.serialPort ?? '';
    const baud = port && isPseudoPort(port) ? DEFAULT_BAUD : (this.opts.baud ?? DEFAULT_BAUD);
    const transport = this.opts.openTransport ? await this.opts.openTransport() : await openSerialTransport(port, baud);
    this.transport = transport;
    this.linkLost = false;
    this.dict = null;
    this.serial = new SerialQueue(transport, {
      now: this.now,
      onMessages: (b, s, e, sent, recv, ackSeq) => this.handleMessages(b, s, e, sent, recv, ackSeq),
    });
    this.link = this.serial;
    for (const q of this.userQueues) this.serial.adoptQueue(q);
    transport.onClose((reason) => {
      if (this.transport !== transport) return;
      this.serial?.close();
      if (this.stateValue === 'ready' || this.stateValue === 'shutdown') this.lostCommunication(reason);
      else this.failWaiters(new McuError(`MCU '${this.name}': ${reason}`));
    });
    const data = await this.identify();
    this.dict = Dictionary.fromZlib(data, `MCU '${this.name}' identify data`);
    this.mcuFreq = this.dict.getConstantFloat('CLOCK_FREQ');
    this.serial.setReceiveWindow(this.dict.getConstantInt('RECEIVE_WINDOW', 192));
    // A real UART runs at SERIAL_BAUD (the MCU's build setting); ptys and USB have no such limit.
    if (!isPseudoPort(port) && this.dict.hasConstant('SERIAL_BAUD')) this.serial.setBaud(this.dict.getConstantFloat('SERIAL_BAUD'));
    this.registerBuiltinHandlers();
  }

  /** Reads the zlib dictionary in 40-byte chunks; all within IDENTIFY_TIMEOUT_S. */
  private async identify(): Promise<Uint8Array> {
    const identify = BOOTSTRAP.lookupCommand('identify offset=%u count=%c');
    const deadline = this.now() + IDENTIFY_TIMEOUT_S;
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (;;) {
      const keepTrying = (): boolean => this.now() < deadline;
      let reply;
      try {
        reply = await this.queryIdentify(identify, offset, keepTrying);
      } catch {
        throw new McuError(
          `Timeout on connect to MCU '${this.name}': identify took more than ${IDENTIFY_TIMEOUT_S} s (wrong port or baud, or not running Klipper-compatible firmware?)`,
        );
      }
      const data = reply.data as Uint8Array;
      if (data.length === 0) break;
      chunks.push(data.slice());
      offset += data.length;
    }
    return Buffer.concat(chunks);
  }

  private async queryIdentify(identify: MessageFormat, offset: number, keepTrying: () => boolean): Promise<MessageParams> {
    for (;;) {
      const { params } = await this.query(identify, [offset, IDENTIFY_CHUNK], 'identify_response', undefined, { keepTrying });
      if (params.offset === offset) return params;
      if (!keepTrying()) throw new McuError('identify offset mismatch');
    }
  }

  private async startClockSync(): Promise<void> {
    const dict = this.dictionary;
    const sync = new ClockSync(this.mcuFreq, (freq, t, clock) => this.serial?.setClockEstimate(freq, t, clock));
    const { params, meta } = await this.query(dict.lookupCommand('get_uptime'), [], 'uptime');
    const clock64 = (params.high as number) * 2 ** 32 + (params.clock as number);
    sync.start(clock64, meta.sentTimeS || this.now());
    this.clockSync = sync;
    const getClock = dict.lookupCommand('get_clock');
    for (let i = 0; i < 8; i++) {
      await sleep(50);
      await this.query(getClock, [], 'clock');
    }
    if (this.clockMain) {
      if (!this.clockMain.clockSync) throw new McuError(`MCU '${this.name}': connect the main MCU '${this.clockMain.name}' first`);
      // The seeding samples bent the mapping towards each new estimate: start from the settled one.
      this.clockAdj = null;
      this.updateClockMapping();
    }
    const getClockBytes = getClock.encode();
    this.clockTimer = setInterval(() => {
      if (!sync.noteQuerySent()) {
        this.lostCommunication(`no reply to ${sync.queriesPending - 1} clock queries`);
        return;
      }
      this.serial?.defaultQueue.push(getClockBytes, 0, getClockBytes.length, 0, 0);
    }, CLOCK_QUERY_PERIOD_S * 1000);
    this.clockTimer.unref?.();
  }

  private stopClockTimer(): void {
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.clockTimer = null;
  }

  private async getConfig(): Promise<MessageParams> {
    const { params } = await this.query(this.dictionary.lookupCommand('get_config'), [], 'config');
    return params;
  }

  private async runConfigCallbacks(): Promise<void> {
    if (this.configCallbacksRun) return;
    this.configCallbacksRun = true;
    for (const cb of this.configCallbacks) await cb();
    const lines = [`allocate_oids count=${this.oidCount}`, ...this.configCmds];
    this.configCrc = crc32(lines.join('\n')) >>> 0;
  }

  /** The config lines in send order, with finalize_config (after connect or in batch mode). */
  configLines(): string[] {
    return [`allocate_oids count=${this.oidCount}`, ...this.configCmds, `finalize_config crc=${this.configCrc}`];
  }

  private sendLines(lines: string[]): void {
    for (const line of lines) {
      let bytes: Uint8Array;
      try {
        bytes = this.dictionary.encodeCommandText(line).bytes;
      } catch (e) {
        throw new McuError(`MCU '${this.name}' config: ${(e as Error).message}`);
      }
      this.sendRaw(undefined, bytes);
    }
  }

  private async configure(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let cfg = await this.getConfig();
      if (cfg.is_shutdown) {
        if (attempt === 0 && (await this.restartFirmware())) continue;
        throw new McuError(
          `MCU '${this.name}' is shut down${this.shutdownReason ? ` (${this.shutdownReason})` : ''}; restart the firmware (FIRMWARE_RESTART) or power-cycle the board`,
        );
      }
      await this.runConfigCallbacks();
      if (!cfg.is_config) {
        // A fresh MCU gets the config; restart commands are only for an MCU that kept it.
        this.sendLines(this.configLines());
        this.sendLines(this.initCmds);
        cfg = await this.getConfig();
        if (!cfg.is_config || cfg.is_shutdown || cfg.crc !== this.configCrc) {
          throw new McuError(
            `MCU '${this.name}' rejected the configuration${this.shutdownReason ? `: ${this.shutdownReason}` : ''} (check pins and oids in printer.cfg)`,
          );
        }
      } else if (cfg.crc !== this.configCrc) {
        if (attempt === 0 && (await this.restartFirmware())) continue;
        throw new McuError(
          `MCU '${this.name}' CRC does not match config: it was configured with a different printer.cfg. Restart the firmware (FIRMWARE_RESTART) or power-cycle the board.`,
        );
      } else {
        this.sendLines(this.restartCmds);
        this.sendLines(this.initCmds);
      }
      this.moveCount = Math.max(1, cfg.move_count as number);
      this.serial?.setMoveCount(this.moveCount, Math.round(slotMarginForPort(this.opts.serialPort) * this.mcuFreq));
      return;
    }
  }

  /** Resets the firmware so it can take a new config: config_reset if it has it, else reset. */
  private async restartFirmware(): Promise<boolean> {
    const dict = this.dictionary;
    const configReset = dict.commandByNameOrNull('config_reset');
    const reset = dict.commandByNameOrNull('reset');
    if (!configReset && !reset) return false;
    this.log(`MCU '${this.name}': restarting firmware to load the new config`);
    const wasState = this.stateValue;
    if (configReset) {
      this.sendRaw(undefined, dict.lookupCommandByName('emergency_stop').encode());
      this.sendRaw(undefined, configReset.encode());
    } else {
      this.sendRaw(undefined, reset!.encode());
    }
    await this.serial?.flush();
    await sleep(300);
    // The firmware starts over; forget its shutdown and any sequence numbering.
    this.stateValue = wasState === 'shutdown' ? 'connecting' : wasState;
    this.shutdownReason = null;
    return true;
  }

  private connectFileOutput(): Promise<void> {
    return (async () => {
      this.stateValue = 'connecting';
      this.fileClockStartS = this.now();
      await this.runConfigCallbacks();
      this.sendLines(this.configLines());
      this.sendLines(this.initCmds);
      this.stateValue = 'ready';
      this.emit('ready');
    })();
  }

  // ------------------------------------------------------------ running

  /** Batch: writes everything queued. Serial: resolves when all queued commands are acked. */
  async flush(): Promise<void> {
    if (this.file) this.file.flush();
    else await this.serial?.flush();
  }

  emergencyStop(): void {
    const bytes = this.dict?.commandByNameOrNull('emergency_stop')?.encode();
    if (bytes && this.serial) this.serial.defaultQueue.push(bytes, 0, bytes.length, 0, 0);
  }

  async close(): Promise<void> {
    this.stopClockTimer();
    if (this.file) {
      await this.file.close();
      return;
    }
    await this.closeTransport();
    this.linkLost = true;
    this.failWaiters(new McuError(`MCU '${this.name}' closed`));
    if (this.stateValue !== 'shutdown') this.stateValue = 'disconnected';
  }

  private async closeTransport(): Promise<void> {
    const t = this.transport;
    this.transport = null;
    this.serial?.close();
    if (t) await t.close();
  }

  getStatus(): McuStatus {
    const serialStats = this.serial?.getStats();
    const est = this.clockSync?.estimate;
    const freq = est?.freq ?? this.mcuFreq;
    return {
      name: this.name,
      state: this.stateValue,
      shutdownReason: this.shutdownReason,
      mcuVersion: this.dict?.version ?? '',
      mcuBuildVersions: this.dict?.buildVersions ?? '',
      mcuConstants: { ...(this.dict?.constants ?? {}) },
      moveCount: this.moveCount,
      lastStats: {
        ...serialStats,
        ...this.loadStats,
        bytesWrite: serialStats?.bytesWrite ?? this.file?.stats.bytesWrite ?? 0,
        invalidMessages: this.invalidMessages,
        freq,
        clockDriftPpm: this.mcuFreq ? ((freq - this.mcuFreq) / this.mcuFreq) * 1e6 : 0,
      },
    };
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}

/** A command bound to a queue. */
export class McuCommand {
  constructor(
    private readonly mcu: Mcu,
    readonly format: MessageFormat,
    private readonly cq: CommandQueue | undefined,
    readonly isMoveQueue: boolean,
  ) {}

  encode(args: MessageArgs = []): Uint8Array {
    return this.format.encode(args);
  }

  send(args: MessageArgs = [], opts: SendOptions = {}): void {
    const bytes = this.format.encode(args);
    const reqClock = opts.background ? this.mcu.backgroundReqClock() : (opts.reqClock ?? 0);
    this.mcu.sendRaw(this.cq, bytes, 0, bytes.length, opts.minClock ?? 0, reqClock, this.isMoveQueue, opts.moveClock ?? reqClock);
  }
}

/** A command with a reply. */
export class McuQueryCommand {
  constructor(
    private readonly mcu: Mcu,
    readonly format: MessageFormat,
    readonly responseName: string,
    private readonly oid: number | undefined,
    private readonly cq: CommandQueue | undefined,
  ) {}

  async send(args: MessageArgs = [], opts: SendOptions = {}): Promise<MessageParams> {
    const { params } = await this.mcu.query(this.format, args, this.responseName, this.oid, { ...opts, cq: this.cq });
    return params;
  }

  /** Like send() but also returns when the request went out and the reply came in. */
  sendWithMeta(args: MessageArgs = [], opts: SendOptions = {}): Promise<{ params: MessageParams; meta: ResponseMeta }> {
    return this.mcu.query(this.format, args, this.responseName, this.oid, { ...opts, cq: this.cq });
  }
}

/**
 * Encodes queue_step directly into a command queue's typed arrays as a move-queue entry (the
 * link gives it a slot when it sends it): no text, no argument arrays, no allocation per message.
 */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The host engine as one object: printer registry + G-code dispatcher + the printer objects.
// Plain Node: the Electron app runs it in a child process, the CLI and tests run it directly.
// RESTART / FIRMWARE_RESTART (and SAVE_CONFIG) rebuild the printer in place, as Klipper does:
// the old objects are disconnected and a fresh Printer + dispatcher are loaded from printer.cfg;
// `printer` and `gcode` then name the new ones and onRestart() listeners re-attach.
import { ConfigError } from './config/errors';
import { readConfigFile } from './config/reader';
import { PrinterConfig } from './config/section';
import { GCodeDispatcher } from './gcode/dispatcher';
import type { Mcu } from './mcu/mcu';
import { allMcus, type McuFileOutput } from './objects/mcu';
import { mcuObjectName } from './objects/mcu-names';
import { loadPrinterObjects } from './objects/registry';
import { registerRestartCommands, resetMcuFirmware, type RestartKind } from './objects/restart';
import { Respond } from './objects/respond';
import { Printer } from './printer';

export interface HostOptions {
  /** printer.cfg to load; without it the host runs with no printer configured. */
  configPath?: string;
  /** Batch mode: the MCU's commands go to a file for this dictionary instead of a serial port. */
  mcuFileOutput?: McuFileOutput;
}

export interface HostInfo {
  version: string;
  configPath: string | null;
  state: Printer['state'];
  stateMessage: string;
}

export const HOST_VERSION = '0.1.0';

/** One generation of printer objects: replaced whole on RESTART. */
interface Engine {
  printer: Printer;
  gcode: GCodeDispatcher;
}

export class Host {
  private engine: Engine;
  /** The loaded printer.cfg (null without a config or when it failed to parse). */
  config: PrinterConfig | null = null;
  private readonly restartListeners = new Set<() => void>();
  /** Set while a restart is in progress; settles when the new printer is ready or failed. */
  restarting: Promise<void> | null = null;

  private constructor(readonly options: HostOptions) {
    this.engine = this.newEngine();
  }

  /** The current printer registry (a new one after each restart). */
  get printer(): Printer {
    return this.engine.printer;
  }
  /** The current G-code dispatcher (a new one after each restart). */
  get gcode(): GCodeDispatcher {
    return this.engine.gcode;
  }

  private newEngine(): Engine {
    const printer = new Printer();
    const gcode = new GCodeDispatcher();
    printer.addObject('gcode', gcode);
    // Commands run only when the printer is ready; otherwise they get the reason (config error
    // with file:line, MCU connecting, shutdown), as half-built objects must not move anything.
    gcode.setNotReadyReason(printer.stateMessage);
    printer.on('printer:state', (state, message) => gcode.setNotReadyReason(state === 'ready' ? null : message));
    gcode.setEmergencyHandler(() => printer.invokeShutdown('Shutdown due to M112 command'));
    if (!this.options.mcuFileOutput) registerRestartCommands(printer, gcode, (kind) => this.requestRestart(kind));
    return { printer, gcode };
  }

  /** Settles when start-up has finished: state 'ready', or 'error' with the reason. */
  started: Promise<void> = Promise.resolve();

  /**
   * Loads printer.cfg, builds the printer objects and connects the MCU. A bad config or an MCU
   * that cannot be reached does not throw: the host enters the 'error' state with a message that
   * names the place (file:line) or the port, so the UI can show it and the user can fix it.
   * A real MCU is connected in the background (it may take long, e.g. a board still booting):
   * start() then resolves in the 'starting' state and `started` settles later. Batch mode
   * (file output) is connected before start() resolves.
   */
  static async start(options: HostOptions = {}): Promise<Host> {
    const host = new Host(options);
    await host.load();
    return host;
  }

  /** Builds the objects of the current engine from printer.cfg and starts connecting. */
  private async load(onObjectsLoaded: () => void = () => undefined): Promise<void> {
    const { printer, gcode } = this.engine;
    const options = this.options;
    if (!options.configPath) {
      printer.addObject('respond', new Respond(gcode));
      onObjectsLoaded();
      await printer.emit('printer:connect');
      await this.becomeReady(printer);
      return;
    }
    try {
      this.config = new PrinterConfig(readConfigFile(options.configPath));
      loadPrinterObjects({
        printer,
        gcode,
        config: this.config,
        mcuFileOutput: options.mcuFileOutput ?? null,
        requestRestart: (kind) => this.requestRestart(kind),
      });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      printer.setState('error', `Config error: ${e.message}`);
      onObjectsLoaded();
      return;
    }
    onObjectsLoaded();
    // The main MCU first: the others map their clocks to its print time.
    const mcus = allMcus(printer);
    const config = this.config;
    const connecting = (mcu: Mcu): void => {
      if (options.mcuFileOutput) return;
      const port = config.getOrNull(mcuObjectName(mcu.name))?.getString('serial', '') ?? '';
      printer.setState('starting', `Connecting to MCU '${mcu.name}'${port ? ` on ${port}` : ''}`);
    };
    if (mcus[0]) connecting(mcus[0]);
    this.started = (async () => {
      try {
        await printer.emit('printer:connect');
        for (const mcu of mcus) {
          connecting(mcu);
          await mcu.connect();
        }
      } catch (e) {
        if (this.stopping || printer !== this.printer) return;
        printer.setState('error', e instanceof Error ? e.message : String(e));
        return;
      }
      // Any MCU's shutdown (or lost link) shuts the whole printer down, naming that MCU. A
      // report arriving while a restart takes this printer down is not news.
      for (const mcu of mcus) {
        mcu.on('shutdown', (reason: string) => {
          if (printer === this.printer && !this.restarting) void printer.invokeShutdown(reason);
        });
      }
      await this.becomeReady(printer);
    })();
    if (options.mcuFileOutput) await this.started;
  }

  private stopping = false;

  private async becomeReady(printer: Printer): Promise<void> {
    printer.setState('ready', 'Printer is ready');
    await printer.emit('printer:ready');
  }

  /** Called after a restart has built the new printer objects (before its MCU is connected). */
  onRestart(listener: () => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  /**
   * RESTART / FIRMWARE_RESTART / SAVE_CONFIG: restart once the current command has returned (its
   * caller gets its answer from the old dispatcher). A second request while one runs is ignored.
   */
  requestRestart(kind: RestartKind): void {
    if (this.restarting || this.stopping) return;
    let swapped: () => void = () => undefined;
    this.swapped = new Promise<void>((resolve) => (swapped = resolve));
    this.restarting = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.restart(kind, swapped))
      .catch((e: unknown) =>
        this.printer.setState('error', `Restart failed: ${e instanceof Error ? e.message : String(e)}. Restart the printer.`),
      )
      .finally(() => {
        swapped();
        this.restarting = null;
      });
  }

  /** Settles once a restart has replaced (or, when stopping, not replaced) the printer objects. */
  private swapped: Promise<void> = Promise.resolve();

  private async restart(kind: RestartKind, swapped: () => void): Promise<void> {
    const old = this.engine;
    old.printer.setState(
      'starting',
      kind === 'firmware_restart' ? 'Firmware restart: resetting the MCU and reloading printer.cfg' : 'Restarting: reloading printer.cfg',
    );
    if (kind === 'firmware_restart') {
      // Every MCU is reset (FIRMWARE_RESTART restarts the whole printer).
      for (const mcu of allMcus(old.printer))
        old.gcode.respondInfo(await resetMcuFirmware(old.printer, this.config, mcuObjectName(mcu.name)));
    }
    await old.printer.emit('printer:disconnect');
    await closeMcus(old.printer);
    if (this.stopping) return;
    this.engine = this.newEngine();
    this.config = null;
    await this.load(() => {
      swapped();
      for (const l of this.restartListeners) l();
    });
    await this.started;
  }

  info(): HostInfo {
    return {
      version: HOST_VERSION,
      configPath: this.options.configPath ?? null,
      state: this.printer.state,
      stateMessage: this.printer.stateMessage,
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // A restart half-way must not build new objects behind our back: wait for its swap.
    await this.swapped;
    await this.printer.emit('printer:disconnect');
    await closeMcus(this.printer);
  }
}

/** Closes every MCU link of a printer (all at once: each waits for its own port). */
async function closeMcus(printer: Printer): Promise<void> {
  await Promise.all(allMcus(printer).map((m) => m.close()));
}

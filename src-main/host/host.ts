// The host engine as one object: printer registry + G-code dispatcher + the printer objects.
// Plain Node: the Electron app runs it in a worker thread, the CLI and tests run it directly.
import { ConfigError } from './config/errors';
import { readConfigFile } from './config/reader';
import { PrinterConfig } from './config/section';
import { GCodeDispatcher } from './gcode/dispatcher';
import type { Mcu } from './mcu/mcu';
import type { McuFileOutput } from './objects/mcu';
import { loadPrinterObjects } from './objects/registry';
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

export class Host {
  readonly printer = new Printer();
  readonly gcode = new GCodeDispatcher();
  /** The loaded printer.cfg (null without a config or when it failed to parse). */
  config: PrinterConfig | null = null;

  private constructor(readonly options: HostOptions) {
    this.printer.addObject('gcode', this.gcode);
    // Commands run only when the printer is ready; otherwise they get the reason (config error
    // with file:line, MCU connecting, shutdown), as half-built objects must not move anything.
    this.gcode.setNotReadyReason(this.printer.stateMessage);
    this.printer.on('printer:state', (state, message) => this.gcode.setNotReadyReason(state === 'ready' ? null : message));
    this.gcode.setEmergencyHandler(() => this.printer.invokeShutdown('Shutdown due to M112 command'));
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
    if (!options.configPath) {
      host.printer.addObject('respond', new Respond(host.gcode));
      await host.printer.emit('printer:connect');
      return host.becomeReady();
    }
    try {
      host.config = new PrinterConfig(readConfigFile(options.configPath));
      loadPrinterObjects({ printer: host.printer, gcode: host.gcode, config: host.config, mcuFileOutput: options.mcuFileOutput ?? null });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      host.printer.setState('error', `Config error: ${e.message}`);
      return host;
    }
    const mcu = host.printer.lookupObjectOrNull<Mcu>('mcu');
    if (mcu && !options.mcuFileOutput) {
      const port = host.config.getOrNull('mcu')?.getString('serial', '') ?? '';
      host.printer.setState('starting', `Connecting to MCU '${mcu.name}'${port ? ` on ${port}` : ''}`);
    }
    host.started = (async () => {
      try {
        await host.printer.emit('printer:connect');
        await mcu?.connect();
      } catch (e) {
        if (host.stopping) return;
        host.printer.setState('error', e instanceof Error ? e.message : String(e));
        return;
      }
      mcu?.on('shutdown', (reason: string) => void host.printer.invokeShutdown(reason));
      await host.becomeReady();
    })();
    if (options.mcuFileOutput) await host.started;
    return host;
  }

  private stopping = false;

  private async becomeReady(): Promise<Host> {
    this.printer.setState('ready', 'Printer is ready');
    await this.printer.emit('printer:ready');
    return this;
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
    await this.printer.emit('printer:disconnect');
    await this.printer.lookupObjectOrNull<Mcu>('mcu')?.close();
  }
}

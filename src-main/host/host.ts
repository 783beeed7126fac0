// The host engine as one object: printer registry + G-code dispatcher + the printer objects.
// Plain Node: the Electron app runs it in a worker thread, the CLI and tests run it directly.
import { GCodeDispatcher } from './gcode/dispatcher';
import { Printer } from './printer';
import { Respond } from './objects/respond';

export interface HostOptions {
  /** printer.cfg to load; without it the host runs with no printer configured. */
  configPath?: string;
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

  private constructor(readonly options: HostOptions) {
    this.printer.addObject('gcode', this.gcode);
    this.printer.addObject('respond', new Respond(this.gcode));
    this.gcode.setEmergencyHandler(() => this.printer.invokeShutdown('Shutdown due to M112 command'));
  }

  static async start(options: HostOptions = {}): Promise<Host> {
    const host = new Host(options);
    await host.printer.emit('printer:connect');
    host.printer.setState('ready', 'Printer is ready');
    await host.printer.emit('printer:ready');
    return host;
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
    await this.printer.emit('printer:disconnect');
  }
}

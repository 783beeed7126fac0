// [respond]: RESPOND and M118 echo messages to the console (and to macros' users).
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';

const PREFIXES: Record<string, string> = { echo: 'echo: ', echo_no_space: 'echo:', command: '// ', error: '!! ' };

export class Respond {
  constructor(
    private readonly gcode: GCodeDispatcher,
    private readonly defaultPrefix = 'echo:',
  ) {
    gcode.register('M118', (cmd) => this.cmdM118(cmd), { help: 'Echo a message to the console' });
    gcode.register('RESPOND', (cmd) => this.cmdRespond(cmd), {
      help: 'Echo the message prepended with a prefix',
      params: { MSG: 'the message', TYPE: 'echo, echo_no_space, command or error', PREFIX: 'custom prefix' },
    });
  }

  private cmdM118(cmd: GCodeCommand): void {
    this.gcode.respondRaw(`${this.defaultPrefix} ${cmd.rawParams}`);
  }

  private cmdRespond(cmd: GCodeCommand): void {
    // RESPOND is in the raw-text set, so its KEY=VALUE pairs are parsed here, quotes allowed.
    const args: Record<string, string> = {};
    for (const m of cmd.rawParams.matchAll(/([A-Za-z_]+)=("[^"]*"|'[^']*'|\S*)/g)) {
      const v = m[2];
      args[m[1].toUpperCase()] = /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
    }
    const type = (args.TYPE ?? 'echo').toLowerCase();
    if (!(type in PREFIXES)) throw cmd.error(`RESPOND TYPE '${type}' is invalid; use one of ${Object.keys(PREFIXES).join(', ')}`);
    const prefix = args.PREFIX !== undefined ? `${args.PREFIX} ` : type === 'echo' ? `${this.defaultPrefix} ` : PREFIXES[type];
    const msg = args.MSG ?? '';
    if (type === 'error') this.gcode.respond('error', `${prefix}${msg}`);
    else this.gcode.respondRaw(`${prefix}${msg}`);
  }
}

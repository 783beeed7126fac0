// `tether`: the command-line entry. One table of sub-commands; each lives in its own module.
// Run from source with `tsx src-main/cli.ts <command>` (npm run tether -- <command>), or built
// as out/main/cli.js through bin/tether.mjs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from './cli-command';
import { APP_VERSION } from './app/version';
import { serveCommand } from './server/serve-command';

export function cliCommands(entryUrl: string): CliCommand[] {
  return [
    serveCommand(entryUrl),
    // ---- More commands plug in here, one line each (owned by their features): ----------
    // mcuConsoleCommand,   // `tether mcu-console`: talk to an MCU directly (src-main/host/mcu)
    // decodeCommand,       // `tether decode`: decode a serial capture with a dictionary
    // batchCommand,        // `tether batch printer.cfg -i file.gcode -o out.serial -d mcu.dict`
    // -------------------------------------------------------------------------------------
  ];
}

function help(commands: CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `Tether ${APP_VERSION}: a Klipper-compatible 3D-printer controller`,
    '',
    'Usage: tether <command> [options]   (tether <command> --help for details)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** Runs one command line; resolves to the exit code. */
export async function main(argv: string[], entryUrl: string = import.meta.url): Promise<number> {
  const commands = cliCommands(entryUrl);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(APP_VERSION);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`tether: unknown command '${name}'\n\n${help(commands)}`);
    return 2;
  }
  return command.run(rest);
}

// Run when executed directly (tsx src-main/cli.ts, node out/main/cli.js), not when imported.
const invoked = process.argv[1] ? path.resolve(process.argv[1]) : '';
if (invoked === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exit(1);
    },
  );
}

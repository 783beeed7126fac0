// `tether`: the command-line entry. One table of sub-commands; each lives in its own module.
// Run from source with `tsx src-main/cli.ts <command>` (npm run tether -- <command>), or built
// as out/main/cli.js through bin/tether.mjs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from './cli-command';
import { APP_VERSION } from './app/version';
import { boardsCommand, buildCommand, flashCommand } from './flash/cli';
import { batchCommand } from './host/batch';
import { decodeCommand, mcuConsoleCommand } from './host/mcu/cli';
import { portsCommand } from './ports/cli';
import { serveCommand } from './server/serve-command';

export function cliCommands(entryUrl: string): CliCommand[] {
  return [
    serveCommand(entryUrl),
    batchCommand, // `tether batch printer.cfg -i in.gcode -o out.serial -d mcu.dict` (src-main/host)
    decodeCommand, // `tether decode DICT FILE.serial` (src-main/host/mcu)
    mcuConsoleCommand, // `tether mcu-console PORT`: talk to an MCU directly (src-main/host/mcu)
    flashCommand, // `tether flash --board ID FILE` (src-main/flash)
    boardsCommand, // `tether boards` (src-main/flash)
    buildCommand, // `tether build --board ID`: our firmware for a board (src-main/flash)
    portsCommand, // `tether ports` (src-main/ports)
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
  // Every command answers --help the same way, whether or not its module parses it.
  if (rest[0] === '--help' || rest[0] === '-h') {
    console.log(command.usage);
    return 0;
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

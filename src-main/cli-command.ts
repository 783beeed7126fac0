/** One `tether <name>` sub-command. Modules export these; src-main/cli.ts lists them in one table. */
export interface CliCommand {
  name: string;
  /** One line for `tether --help`. */
  summary: string;
  /** Usage text printed for `tether <name> --help` or on bad arguments. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

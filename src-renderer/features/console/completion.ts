// Tab completion of the command name at the start of the console input, from the host's
// registry (gcode.commands). Parameters come with the console work of issue 8.
import type { CommandHelp } from '../../../src-main/api/contract';

export interface Completion {
  /** The input after completion (unchanged when nothing could be added). */
  text: string;
  /** Every command matching what was typed, for showing the choices. */
  matches: CommandHelp[];
}

export function completeCommand(input: string, commands: readonly CommandHelp[]): Completion {
  if (/\s/.test(input.trimStart())) return { text: input, matches: [] }; // past the command name
  const typed = input.trim().toUpperCase();
  if (!typed) return { text: input, matches: [] };
  const matches = commands.filter((c) => c.name.startsWith(typed));
  if (matches.length === 0) return { text: input, matches };
  if (matches.length === 1) return { text: `${matches[0].name} `, matches };
  let prefix = matches[0].name;
  for (const m of matches) while (!m.name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return { text: prefix.length > typed.length ? prefix : input, matches };
}

// Tab completion for the console input from the host's registry (gcode.commands): the command
// name at the start, then its parameters (NAME=) with their help text.
import type { CommandHelp } from '../../../src-main/api/contract';

export interface Completion {
  /** The input after completion (unchanged when nothing could be added). */
  text: string;
  /** Every command matching what was typed, for showing the choices. */
  matches: CommandHelp[];
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? '';
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

export function completeCommand(input: string, commands: readonly CommandHelp[]): Completion {
  if (/\s/.test(input.trimStart())) return { text: input, matches: [] }; // past the command name
  const typed = input.trim().toUpperCase();
  if (!typed) return { text: input, matches: [] };
  const matches = commands.filter((c) => c.name.startsWith(typed));
  if (matches.length === 0) return { text: input, matches };
  if (matches.length === 1) return { text: `${matches[0].name} `, matches };
  const prefix = commonPrefix(matches.map((m) => m.name));
  return { text: prefix.length > typed.length ? prefix : input, matches };
}

/** A choice shown under the input: a command or one of its parameters. */
export interface Suggestion {
  kind: 'command' | 'param';
  label: string;
  help: string;
  /** The whole input if this suggestion is taken. */
  apply: string;
}

/**
 * What could complete the input now: command names while typing the first word, else the
 * current command's parameters not given yet (the word being typed, before any '=').
 */
export function suggest(input: string, commands: readonly CommandHelp[]): Suggestion[] {
  const lead = input.match(/^\s*/)?.[0] ?? '';
  const body = input.slice(lead.length);
  const space = body.search(/\s/);
  if (space < 0) {
    const typed = body.toUpperCase();
    if (!typed) return [];
    return commands
      .filter((c) => c.name.startsWith(typed))
      .map((c) => ({ kind: 'command' as const, label: c.name, help: c.help, apply: `${lead}${c.name} ` }));
  }
  const name = body.slice(0, space).toUpperCase();
  const cmd = commands.find((c) => c.name === name);
  if (!cmd?.params) return [];
  const lastWordStart = input.search(/\S*$/);
  const word = input.slice(lastWordStart);
  if (word.includes('=')) return [];
  const given = new Set([...input.slice(0, lastWordStart).matchAll(/(\S+)=/g)].map((m) => m[1].toUpperCase()));
  const typed = word.toUpperCase();
  return Object.entries(cmd.params)
    .filter(([p]) => p.startsWith(typed) && !given.has(p))
    .map(([p, help]) => ({ kind: 'param' as const, label: p, help, apply: `${input.slice(0, lastWordStart)}${p}=` }));
}

/** Tab: take the only suggestion, or extend to what all suggestions share. */
export function completeInput(input: string, commands: readonly CommandHelp[]): { text: string; choices: Suggestion[] } {
  const choices = suggest(input, commands);
  if (choices.length === 0) return { text: input, choices };
  if (choices.length === 1) return { text: choices[0].apply, choices };
  const shared = commonPrefix(choices.map((c) => c.apply));
  // The shared part also fixes the case of what was typed ('res' -> 'RES').
  return { text: shared.length >= input.length && shared.toUpperCase() === shared ? shared : input, choices };
}

// [save_variables]: SAVE_VARIABLE VARIABLE=<name> VALUE=<python literal> keeps a value on disk
// across restarts; every saved value is printer.save_variables.variables.<name> in macros.
// The file is Klipper's: a [Variables] section of `name = repr(value)` lines, sorted by name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigSection } from '../config/section';
import type { GCodeCommand } from '../gcode/command';
import type { GCodeDispatcher } from '../gcode/dispatcher';
import type { PrinterObject } from '../printer';
import { LiteralError, parsePythonLiteral, type PythonLiteral } from './save-variables-literal';
import { SAVE_VARIABLES_OPTIONS } from './save-variables-options';

const SECTION_HEADER = '[Variables]';

/** Reads a variables file: name -> literal. Throws with file:line on a bad line. */
export function readVariablesFile(file: string): Map<string, PythonLiteral> {
  const out = new Map<string, PythonLiteral>();
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  let inSection = false;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const where = `${file}:${i + 1}`;
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      inSection = header[1] === 'Variables';
      return;
    }
    if (!inSection) return;
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!m) throw new Error(`Unable to parse existing variable file ${where}: expected 'name = value'`);
    try {
      // configparser reads names in lower case; so do we.
      out.set(m[1]!.toLowerCase(), parsePythonLiteral(m[2]!));
    } catch (e) {
      throw new Error(`Unable to parse existing variable file ${where}: ${(e as Error).message}`);
    }
  });
  return out;
}

export function formatVariablesFile(vars: Map<string, PythonLiteral>): string {
  const names = [...vars.keys()].sort();
  return `${SECTION_HEADER}\n${names.map((n) => `${n} = ${vars.get(n)!.repr}\n`).join('')}\n`;
}

export class SaveVariables implements PrinterObject {
  readonly filename: string;
  private vars = new Map<string, PythonLiteral>();

  constructor(gcode: GCodeDispatcher, section: ConfigSection) {
    const o = section.read(SAVE_VARIABLES_OPTIONS);
    const configDir = path.dirname(path.resolve(section.placeOf('filename').file));
    this.filename = path.resolve(configDir, o.filename.replace(/^~(?=$|\/)/, os.homedir()));
    try {
      if (!fs.existsSync(this.filename)) fs.writeFileSync(this.filename, '');
      this.vars = readVariablesFile(this.filename);
    } catch (e) {
      throw section.error('filename', (e as Error).message);
    }
    gcode.register('SAVE_VARIABLE', (c) => this.cmdSaveVariable(c), {
      help: 'Save arbitrary variables to disk',
      params: { VARIABLE: 'name (lower case)', VALUE: "a Python literal: 12, 1.5, 'text', [1, 2], {'a': 1}, True, None" },
    });
  }

  private cmdSaveVariable(c: GCodeCommand): void {
    const name = c.get('VARIABLE');
    const text = c.get('VALUE');
    if (/\s|[=:[\]]/.test(name) || !name) throw c.error(`VARIABLE '${name}' is not a valid name: use letters, digits and '_'`);
    // The file's reader lowers names, so an upper-case name would come back as another variable.
    if (name !== name.toLowerCase()) throw c.error('VARIABLE must not contain upper case');
    let literal: PythonLiteral;
    try {
      literal = parsePythonLiteral(text);
    } catch (e) {
      if (e instanceof LiteralError) throw c.error(`Unable to parse '${text}' as a literal: ${e.message}`);
      throw e;
    }
    const next = new Map(this.vars);
    next.set(name, literal);
    try {
      // Written beside the file first, so a full disk cannot leave it half written.
      fs.writeFileSync(`${this.filename}.tmp`, formatVariablesFile(next));
      fs.renameSync(`${this.filename}.tmp`, this.filename);
    } catch (e) {
      throw c.error(`Unable to save variable to ${this.filename}: ${(e as Error).message}`);
    }
    this.vars = next;
  }

  getStatus(): Record<string, unknown> {
    return { variables: Object.fromEntries([...this.vars].map(([k, v]) => [k, v.value])) };
  }
}

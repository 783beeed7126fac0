// The MCU's data dictionary (PROTOCOL.md 1.5): which commands and responses it knows, their
// ids, enumerations (pins, buses, shutdown reasons) and build constants. Built from the JSON
// object, its text, or the zlib bytes the identify handshake collects.

import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { ByteReader, MessageFormat, ProtocolError, type Enumeration, type MessageParams } from './codec';

/** The JSON object the firmware publishes. */
export interface DictionaryJson {
  version?: string;
  build_versions?: string;
  app?: string;
  license?: string;
  commands: Record<string, number>;
  responses: Record<string, number>;
  output?: Record<string, number>;
  enumerations?: Record<string, Record<string, number | [number, number]>>;
  config?: Record<string, number | string>;
}

/** One message decoded from a block. */
export interface DecodedMessage {
  format: MessageFormat;
  params: MessageParams;
}

export class DictionaryError extends Error {
  override name = 'DictionaryError';
}

export class Dictionary {
  readonly version: string;
  readonly buildVersions: string;
  readonly app: string;
  readonly license: string;
  readonly enumerations = new Map<string, Enumeration>();
  readonly constants: Readonly<Record<string, number | string>>;
  /** Host -> MCU messages. */
  readonly commands: MessageFormat[] = [];
  /** MCU -> host messages (responses and debug output). */
  readonly responses: MessageFormat[] = [];
  private readonly commandByFormat = new Map<string, MessageFormat>();
  private readonly commandByName = new Map<string, MessageFormat>();
  private readonly commandsById = new Map<number, MessageFormat>();
  private readonly responseByFormat = new Map<string, MessageFormat>();
  private readonly responseByName = new Map<string, MessageFormat>();
  private readonly responsesById = new Map<number, MessageFormat>();
  private readonly reader = new ByteReader();

  /** @param source where the dictionary came from, for error messages (file name, "identify"). */
  constructor(
    readonly json: DictionaryJson,
    readonly source = 'dictionary',
  ) {
    if (typeof json !== 'object' || json === null) throw new DictionaryError(`${source}: not a JSON object`);
    if (typeof json.commands !== 'object' || typeof json.responses !== 'object') {
      throw new DictionaryError(`${source}: missing "commands" or "responses" (is this a Klipper/Tether data dictionary?)`);
    }
    this.version = String(json.version ?? '');
    this.buildVersions = String(json.build_versions ?? '');
    this.app = String(json.app ?? '');
    this.license = String(json.license ?? '');
    this.constants = { ...(json.config ?? {}) };
    for (const [name, entries] of Object.entries(json.enumerations ?? {})) {
      this.enumerations.set(name, buildEnumeration(name, entries, source));
    }
    const enumFor = (param: string): Enumeration | undefined => this.enumerationForParam(param);
    const add = (
      table: Record<string, number>,
      list: MessageFormat[],
      byFormat: Map<string, MessageFormat>,
      byName: Map<string, MessageFormat> | null,
      byId: Map<number, MessageFormat>,
      isOutput: boolean,
    ): void => {
      for (const [format, id] of Object.entries(table)) {
        if (!Number.isInteger(id) || id < -32 || id >= 1 << 14) {
          throw new DictionaryError(`${source}: message '${format}' has invalid id ${id}`);
        }
        if (byId.has(id)) throw new DictionaryError(`${source}: id ${id} used twice ('${format}', '${byId.get(id)!.format}')`);
        let msg: MessageFormat;
        try {
          msg = new MessageFormat(id, format, enumFor, isOutput);
        } catch (e) {
          throw new DictionaryError(`${source}: ${(e as Error).message}`);
        }
        list.push(msg);
        byFormat.set(format, msg);
        byName?.set(msg.name, msg);
        byId.set(id, msg);
      }
    };
    add(json.commands, this.commands, this.commandByFormat, this.commandByName, this.commandsById, false);
    add(json.responses, this.responses, this.responseByFormat, this.responseByName, this.responsesById, false);
    add(json.output ?? {}, this.responses, this.responseByFormat, null, this.responsesById, true);
  }

  static fromText(text: string, source = 'dictionary'): Dictionary {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new DictionaryError(`${source}: not valid JSON (${(e as Error).message})`);
    }
    return new Dictionary(json as DictionaryJson, source);
  }

  /** From the zlib stream collected by identify. */
  static fromZlib(bytes: Uint8Array, source = 'identify data'): Dictionary {
    let text: string;
    try {
      text = inflateSync(bytes).toString('utf8');
    } catch (e) {
      throw new DictionaryError(`${source}: zlib data is corrupt (${(e as Error).message})`);
    }
    return Dictionary.fromText(text, source);
  }

  /**
   * The enumeration for a parameter: one with the same name, else the longest one the name
   * ends with after an underscore (`step_pin` -> `pin`, `static_string_id`).
   */
  enumerationForParam(param: string): Enumeration | undefined {
    const exact = this.enumerations.get(param);
    if (exact) return exact;
    let best: Enumeration | undefined;
    for (const [name, e] of this.enumerations) {
      if (param.endsWith('_' + name) && (!best || name.length > best.name.length)) best = e;
    }
    return best;
  }

  getEnumeration(name: string): Enumeration | undefined {
    return this.enumerations.get(name);
  }

  hasConstant(name: string): boolean {
    return name in this.constants;
  }

  /** A build constant; `fallback` when absent, else an error naming the constant. */
  getConstant(name: string, fallback?: number | string): number | string {
    const v = this.constants[name];
    if (v !== undefined) return v;
    if (fallback !== undefined) return fallback;
    throw new DictionaryError(`${this.source}: MCU does not define constant '${name}' (firmware built without that feature?)`);
  }

  getConstantFloat(name: string, fallback?: number): number {
    const v = this.getConstant(name, fallback);
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n)) throw new DictionaryError(`${this.source}: constant ${name}='${v}' is not a number`);
    return n;
  }

  getConstantInt(name: string, fallback?: number): number {
    const n = this.getConstantFloat(name, fallback);
    if (!Number.isInteger(n)) throw new DictionaryError(`${this.source}: constant ${name}=${n} is not an integer`);
    return n;
  }

  /** Command by exact format string (what code asks for) or null. */
  findCommand(format: string): MessageFormat | null {
    return this.commandByFormat.get(format) ?? null;
  }

  /**
   * Command by exact format; throws naming the format when the firmware lacks it or has a
   * different parameter list.
   */
  lookupCommand(format: string): MessageFormat {
    return this.commandByFormat.get(format) ?? this.missing('command', format, this.commandByName);
  }

  /** The error for a format the firmware lacks: says whether only the parameters differ. */
  private missing(kind: 'command' | 'response', format: string, byName: Map<string, MessageFormat>): never {
    const name = format.trim().split(/\s+/)[0];
    const other = byName.get(name);
    if (other) {
      throw new DictionaryError(
        `${this.source}: MCU ${kind} '${name}' has format '${other.format}', host expects '${format}' (firmware version mismatch; reflash the MCU)`,
      );
    }
    throw new DictionaryError(`${this.source}: MCU has no ${kind} '${format}' (firmware built without it?)`);
  }

  commandByNameOrNull(name: string): MessageFormat | null {
    return this.commandByName.get(name) ?? null;
  }

  lookupCommandByName(name: string): MessageFormat {
    const m = this.commandByName.get(name);
    if (!m) throw new DictionaryError(`${this.source}: unknown command '${name}'`);
    return m;
  }

  findResponse(format: string): MessageFormat | null {
    return this.responseByFormat.get(format) ?? null;
  }

  lookupResponse(format: string): MessageFormat {
    return this.responseByFormat.get(format) ?? this.missing('response', format, this.responseByName);
  }

  responseByNameOrNull(name: string): MessageFormat | null {
    return this.responseByName.get(name) ?? null;
  }

  commandById(id: number): MessageFormat | undefined {
    return this.commandsById.get(id);
  }

  responseById(id: number): MessageFormat | undefined {
    return this.responsesById.get(id);
  }

  /**
   * Decodes every message in payload[start, end) using the command table (host->MCU, e.g. a
   * batch .serial file) or the response table (MCU->host). Throws ProtocolError on an unknown
   * id or truncated message.
   */
  decodeMessages(payload: Uint8Array, start: number, end: number, direction: 'commands' | 'responses'): DecodedMessage[] {
    const out: DecodedMessage[] = [];
    const reader = this.reader.reset(payload, start, end);
    const table = direction === 'commands' ? this.commandsById : this.responsesById;
    while (reader.pos < end) {
      const id = reader.readVlq();
      const format = table.get(id);
      if (!format) throw new ProtocolError(`unknown message id ${id} at byte ${reader.pos - start} of payload`);
      out.push({ format, params: format.decodeParams(reader) });
    }
    return out;
  }

  /**
   * A command from Klipper's text form, e.g. `config_stepper oid=0 step_pin=PF0 ...`: the name,
   * then name=value with ints, enumeration names (pins) or, for byte strings, hex text.
   * Returns the format and encoded bytes.
   */
  encodeCommandText(line: string): { format: MessageFormat; bytes: Uint8Array } {
    const parts = line.trim().split(/\s+/);
    const format = this.commandByName.get(parts[0]);
    if (!format) throw new DictionaryError(`unknown command '${parts[0]}' in '${line}' (not in the MCU dictionary)`);
    const args: Record<string, number | string | Uint8Array> = {};
    for (const part of parts.slice(1)) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new DictionaryError(`'${line}': '${part}' is not name=value`);
      const name = part.slice(0, eq);
      const value = part.slice(eq + 1);
      const spec = format.params.find((p) => p.name === name);
      if (!spec) throw new DictionaryError(`'${line}': command '${format.name}' has no parameter '${name}' (format: ${format.format})`);
      args[name] = spec.isBytes ? parseBytesText(value, line) : value;
    }
    for (const p of format.params) {
      if (!(p.name in args)) throw new DictionaryError(`'${line}': missing parameter '${p.name}' (format: ${format.format})`);
    }
    try {
      return { format, bytes: format.encode(args) };
    } catch (e) {
      throw new DictionaryError(`'${line}': ${(e as Error).message}`);
    }
  }
}

/** Byte string text: hex digits (`01ff`), or `b'..'`/quoted text taken as latin1 characters. */
function parseBytesText(value: string, line: string): Uint8Array {
  const quoted = /^b?(['"])(.*)\1$/.exec(value);
  if (quoted) return Uint8Array.from(quoted[2], (c) => c.charCodeAt(0) & 0xff);
  const hex = value.startsWith('0x') ? value.slice(2) : value;
  if (hex.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(hex)) return Uint8Array.from(Buffer.from(hex, 'hex'));
  throw new DictionaryError(`'${line}': byte string '${value}' must be hex digits (e.g. 01ff) or quoted text`);
}

function buildEnumeration(name: string, entries: Record<string, number | [number, number]>, source: string): Enumeration {
  const byName = new Map<string, number>();
  const byValue = new Map<number, string>();
  const set = (key: string, v: number): void => {
    byName.set(key, v);
    byValue.set(v, key); // later names win, as in Klipper's reverse table
  };
  if (typeof entries !== 'object' || entries === null) throw new DictionaryError(`${source}: enumeration '${name}' is not an object`);
  for (const [key, value] of Object.entries(entries)) {
    if (typeof value === 'number') {
      set(key, value);
      continue;
    }
    if (!Array.isArray(value) || value.length !== 2 || !value.every(Number.isInteger)) {
      throw new DictionaryError(`${source}: enumeration '${name}' entry '${key}' must be an int or [start, count]`);
    }
    // A range "PA0": [0, 8] names PA0..PA7 by counting up the trailing number.
    const m = /^(.*?)(\d+)$/.exec(key);
    if (!m) throw new DictionaryError(`${source}: enumeration '${name}' range '${key}' must end in a number`);
    const [start, count] = value;
    const first = Number(m[2]);
    for (let i = 0; i < count; i++) set(m[1] + String(first + i), start + i);
  }
  return { name, byName, byValue };
}

/** Reads a dictionary file: JSON text (Klipper's out/klipper.dict) or the raw zlib identify data. */
export function loadDictionaryFile(path: string): Dictionary {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DictionaryError(`cannot read dictionary '${path}': ${(e as Error).message}`);
  }
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x7b) return Dictionary.fromText(bytes.toString('utf8'), path);
  return Dictionary.fromZlib(bytes, path);
}

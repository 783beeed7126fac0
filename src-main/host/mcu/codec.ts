// The byte level of the MCU wire protocol (shared/PROTOCOL.md 1.1-1.3): VLQ integers, the
// CRC-16/MCRF4XX block checksum, block framing, the receiver state machine, and message
// encode/decode driven by the dictionary's format strings. Hot paths use typed arrays and write
// into caller-owned buffers so encoding a queue_step allocates nothing.

export const MESSAGE_MIN = 5;
export const MESSAGE_MAX = 64;
export const MESSAGE_HEADER_SIZE = 2;
export const MESSAGE_TRAILER_SIZE = 3;
export const MESSAGE_PAYLOAD_MAX = MESSAGE_MAX - MESSAGE_MIN; // 59
export const MESSAGE_SEQ_MASK = 0x0f;
export const MESSAGE_DEST = 0x10;
export const MESSAGE_SYNC = 0x7e;

/** A malformed message or block; the text says what and where. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

// ---------------------------------------------------------------- CRC

/** One byte of the CRC update of PROTOCOL.md 1.1. */
function crcStep(crc: number, byte: number): number {
  let d = byte ^ (crc & 0xff);
  d ^= (d << 4) & 0xff;
  return (((d << 8) | (crc >>> 8)) ^ (d >>> 4) ^ (d << 3)) & 0xffff;
}

/** CRC-16/MCRF4XX computed with the byte-wise update (the reference for the table below). */
export function crc16Bytewise(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = crcStep(crc, buf[i]);
  return crc;
}

// The update is (crc >> 8) ^ f(low byte of crc ^ data), so a 256-entry table of f does it in
// one lookup per byte: the batch-mode hot path frames ~10 MB.
const CRC_TABLE = Uint16Array.from({ length: 256 }, (_, n) => crcStep(0, n));

/** CRC-16/MCRF4XX (reflected 0x1021, init 0xFFFF, no final xor) over buf[start, end). */
export function crc16(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ buf[i]) & 0xff];
  return crc;
}

// ---------------------------------------------------------------- VLQ

/** Bytes writeVlq() uses for a value (treated as int32, like the MCU's encoder). */
export function vlqSize(value: number): number {
  const v = value | 0;
  if (v >= 0xc000000 || v < -0x4000000) return 5;
  if (v >= 0x180000 || v < -0x80000) return 4;
  if (v >= 0x3000 || v < -0x1000) return 3;
  if (v >= 0x60 || v < -0x20) return 2;
  return 1;
}

/** Writes `value` as a VLQ at buf[pos]; returns the position after it. No bounds checks (hot path). */
export function writeVlq(buf: Uint8Array, pos: number, value: number): number {
  const v = value | 0;
  if (v >= 0xc000000 || v < -0x4000000) buf[pos++] = ((v >> 28) & 0x7f) | 0x80;
  if (v >= 0x180000 || v < -0x80000) buf[pos++] = ((v >> 21) & 0x7f) | 0x80;
  if (v >= 0x3000 || v < -0x1000) buf[pos++] = ((v >> 14) & 0x7f) | 0x80;
  if (v >= 0x60 || v < -0x20) buf[pos++] = ((v >> 7) & 0x7f) | 0x80;
  buf[pos++] = v & 0x7f;
  return pos;
}

/** Reads VLQs and byte strings from buf[pos, end). Reuse one reader to avoid allocation. */
export class ByteReader {
  constructor(
    public buf: Uint8Array = new Uint8Array(0),
    public pos = 0,
    public end = buf.length,
  ) {}

  reset(buf: Uint8Array, pos: number, end: number): this {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    return this;
  }

  /** Signed 32-bit value; accepts both encodings of 0xFFFFFFFF (1 byte `7f` and 5 bytes). */
  readVlq(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    if (pos >= end) throw new ProtocolError('message truncated: integer expected');
    let c = buf[pos++];
    let v = c & 0x7f;
    if ((c & 0x60) === 0x60) v |= ~0x1f;
    while (c & 0x80) {
      if (pos >= end) throw new ProtocolError('message truncated inside an integer');
      c = buf[pos++];
      v = (v << 7) | (c & 0x7f);
    }
    this.pos = pos;
    return v | 0;
  }

  /** One length byte then that many raw bytes (a view into the buffer, not a copy). */
  readBytes(): Uint8Array {
    if (this.pos >= this.end) throw new ProtocolError('message truncated: string length expected');
    const len = this.buf[this.pos++];
    if (this.pos + len > this.end) {
      throw new ProtocolError(`message truncated: string of ${len} bytes runs past the block`);
    }
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}

// ---------------------------------------------------------------- blocks

/**
 * Completes a block whose payload was written in place at out[blockStart + 2, payloadEnd):
 * fills in LEN and SEQ, appends CRC and SYNC; returns the position after the block.
 */
export function sealBlock(out: Uint8Array, blockStart: number, payloadEnd: number, seq: number): number {
  out[blockStart] = payloadEnd - blockStart + MESSAGE_TRAILER_SIZE;
  out[blockStart + 1] = MESSAGE_DEST | (seq & MESSAGE_SEQ_MASK);
  const crc = crc16(out, blockStart, payloadEnd);
  out[payloadEnd] = crc >>> 8;
  out[payloadEnd + 1] = crc & 0xff;
  out[payloadEnd + 2] = MESSAGE_SYNC;
  return payloadEnd + MESSAGE_TRAILER_SIZE;
}

/**
 * Frames payload[start, end) as one block with sequence `seq` into out[pos]; returns the
 * position after the block. Caller guarantees payload <= 59 bytes and space in `out`.
 */
export function writeBlock(out: Uint8Array, pos: number, seq: number, payload: Uint8Array, start = 0, end = payload.length): number {
  out.set(payload.subarray(start, end), pos + MESSAGE_HEADER_SIZE);
  return sealBlock(out, pos, pos + MESSAGE_HEADER_SIZE + end - start, seq);
}

/** A new array holding one framed block. */
export function frameBlock(seq: number, payload: Uint8Array): Uint8Array {
  if (payload.length > MESSAGE_PAYLOAD_MAX) {
    throw new ProtocolError(`payload of ${payload.length} bytes exceeds ${MESSAGE_PAYLOAD_MAX}`);
  }
  const out = new Uint8Array(payload.length + MESSAGE_MIN);
  writeBlock(out, 0, seq, payload);
  return out;
}

export interface ReceiverStats {
  /** Good blocks delivered. */
  blocks: number;
  /** Framing or CRC failures (each discards up to the next 0x7E). */
  errors: number;
  /** Bytes thrown away while resynchronising. */
  discardedBytes: number;
}

/**
 * The receiver state machine of PROTOCOL.md 1.1. Feed it raw bytes in any chunking; it calls
 * onBlock(block, seq) for each good block, with `block` a view valid only during the call
 * (payload is block[2, len-3)). On any framing/CRC failure it discards up to and including the
 * next 0x7E and keeps scanning. Never throws on bad input.
 */
export class BlockReceiver {
  readonly stats: ReceiverStats = { blocks: 0, errors: 0, discardedBytes: 0 };
  private buf = new Uint8Array(256);
  private len = 0;

  constructor(
    private readonly onBlock: (block: Uint8Array, seq: number) => void,
    private readonly onError?: () => void,
  ) {}

  push(data: Uint8Array): void {
    if (this.len + data.length > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + data.length));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    this.buf.set(data, this.len);
    this.len += data.length;
    this.scan();
  }

  private scan(): void {
    const buf = this.buf;
    let pos = 0;
    while (this.len - pos >= MESSAGE_MIN) {
      const blockLen = buf[pos];
      if (blockLen === MESSAGE_SYNC) {
        pos++; // padding sync bytes before a block are legal
        continue;
      }
      if (blockLen < MESSAGE_MIN || blockLen > MESSAGE_MAX || (buf[pos + 1] & ~MESSAGE_SEQ_MASK) !== MESSAGE_DEST) {
        pos = this.discard(pos);
        continue;
      }
      if (this.len - pos < blockLen) break; // wait for the rest
      const end = pos + blockLen;
      const crc = (buf[end - 3] << 8) | buf[end - 2];
      if (buf[end - 1] !== MESSAGE_SYNC || crc16(buf, pos, end - 3) !== crc) {
        pos = this.discard(pos);
        continue;
      }
      this.stats.blocks++;
      this.onBlock(buf.subarray(pos, end), buf[pos + 1] & MESSAGE_SEQ_MASK);
      pos = end;
    }
    // Drop leading sync bytes even when fewer than MESSAGE_MIN bytes remain.
    while (pos < this.len && buf[pos] === MESSAGE_SYNC) pos++;
    if (pos > 0) {
      buf.copyWithin(0, pos, this.len);
      this.len -= pos;
    }
  }

  /** Skips from pos up to and including the next sync byte (or everything if none). */
  private discard(pos: number): number {
    this.stats.errors++;
    this.onError?.();
    const sync = this.buf.subarray(0, this.len).indexOf(MESSAGE_SYNC, pos);
    const next = sync < 0 ? this.len : sync + 1;
    this.stats.discardedBytes += next - pos;
    return next;
  }
}

// ---------------------------------------------------------------- message formats

export type ParamType = 'u' | 'i' | 'hu' | 'hi' | 'c' | 's' | '*s' | '.*s';

/** Maps names to ints for a parameter (pins, buses, shutdown reasons). */
export interface Enumeration {
  readonly name: string;
  readonly byName: ReadonlyMap<string, number>;
  readonly byValue: ReadonlyMap<number, string>;
}

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly isBytes: boolean;
  readonly signed: boolean;
  readonly enumeration?: Enumeration;
}

export type ParamValue = number | string | Uint8Array;
/** Arguments by position (format order) or by parameter name. */
export type MessageArgs = readonly ParamValue[] | Readonly<Record<string, ParamValue>>;
/** A decoded message: integers as numbers (unsigned for %u/%hu/%c), byte strings as Uint8Array. */
export type MessageParams = Record<string, number | Uint8Array>;

const PARAM_TYPES: Record<string, ParamType> = {
  '%u': 'u',
  '%i': 'i',
  '%hu': 'hu',
  '%hi': 'hi',
  '%c': 'c',
  '%s': 's',
  '%*s': '*s',
  '%.*s': '.*s',
};

export function parseParamType(spec: string, where: string): ParamType {
  const t = PARAM_TYPES[spec];
  if (!t) throw new ProtocolError(`${where}: unknown parameter type '${spec}' (expected one of ${Object.keys(PARAM_TYPES).join(' ')})`);
  return t;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextEncoder();

/**
 * One command or response format such as `queue_step oid=%c interval=%u count=%hu add=%hi`,
 * or a printf-like debug `output` format (then `isOutput` and params are unnamed).
 */
export class MessageFormat {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  private readonly scratch = new Uint8Array(MESSAGE_PAYLOAD_MAX * 4);

  constructor(
    readonly id: number,
    readonly format: string,
    enumerationFor: (paramName: string) => Enumeration | undefined = () => undefined,
    readonly isOutput = false,
  ) {
    const where = `message format '${format}'`;
    if (isOutput) {
      this.name = format;
      this.params = [...format.matchAll(/%(?:\.\*s|\*s|hu|hi|u|i|c|s)/g)].map((m, i) => {
        const type = parseParamType(m[0], where);
        return { name: `arg${i}`, type, isBytes: type.endsWith('s'), signed: type === 'i' || type === 'hi' };
      });
      return;
    }
    const parts = format.trim().split(/\s+/);
    this.name = parts[0];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(this.name)) throw new ProtocolError(`${where}: bad message name`);
    this.params = parts.slice(1).map((part) => {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new ProtocolError(`${where}: parameter '${part}' is not name=%type`);
      const name = part.slice(0, eq);
      const type = parseParamType(part.slice(eq + 1), where);
      const isBytes = type.endsWith('s');
      return { name, type, isBytes, signed: type === 'i' || type === 'hi', enumeration: isBytes ? undefined : enumerationFor(name) };
    });
  }

  /** Resolves one argument to an int or bytes, naming the parameter on error. */
  private resolve(p: ParamSpec, value: ParamValue | undefined): number | Uint8Array {
    if (value === undefined) throw new ProtocolError(`${this.name}: missing parameter '${p.name}'`);
    if (p.isBytes) {
      if (value instanceof Uint8Array) return value;
      if (typeof value === 'string') return utf8.encode(value);
      throw new ProtocolError(`${this.name}: parameter '${p.name}' needs bytes, got ${value}`);
    }
    if (typeof value === 'number') {
      // 64-bit clocks are passed as they are (like Klipper's host): the wire and the MCU keep
      // the low 32 bits.
      if (!Number.isSafeInteger(value)) throw new ProtocolError(`${this.name}: ${p.name}=${value} is not an integer`);
      return value;
    }
    if (typeof value === 'string') {
      const e = p.enumeration?.byName.get(value);
      if (e !== undefined) return e;
      const n = parseIntText(value);
      if (n !== undefined) return this.resolve(p, n);
      if (p.enumeration) {
        throw new ProtocolError(`${this.name}: unknown ${p.enumeration.name} '${value}' for parameter '${p.name}'`);
      }
      throw new ProtocolError(`${this.name}: ${p.name}=${value} is not an integer`);
    }
    throw new ProtocolError(`${this.name}: parameter '${p.name}' needs an integer`);
  }

  /** Encodes id and params into out[pos]; returns the end position. Throws ProtocolError. */
  encodeInto(out: Uint8Array, pos: number, args: MessageArgs): number {
    const positional = Array.isArray(args);
    if (positional && args.length !== this.params.length) {
      throw new ProtocolError(`${this.name}: expected ${this.params.length} parameters, got ${args.length}`);
    }
    pos = writeVlq(out, pos, this.id);
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      const raw = positional ? (args as readonly ParamValue[])[i] : (args as Record<string, ParamValue>)[p.name];
      const v = this.resolve(p, raw);
      if (typeof v === 'number') {
        pos = writeVlq(out, pos, v);
      } else {
        if (v.length > 255) throw new ProtocolError(`${this.name}: ${p.name} is ${v.length} bytes (max 255)`);
        out[pos++] = v.length;
        out.set(v, pos);
        pos += v.length;
      }
    }
    return pos;
  }

  /** Encodes to a new array (checked to fit in one block). */
  encode(args: MessageArgs = []): Uint8Array {
    const end = this.encodeInto(this.scratch, 0, args);
    if (end > MESSAGE_PAYLOAD_MAX) {
      throw new ProtocolError(`${this.name}: encoded message is ${end} bytes, more than a block holds (${MESSAGE_PAYLOAD_MAX})`);
    }
    return this.scratch.slice(0, end);
  }

  /** Decodes the params after the id (reader positioned just past the id). */
  decodeParams(reader: ByteReader): MessageParams {
    const out: MessageParams = {};
    for (const p of this.params) {
      if (p.isBytes) out[p.name] = reader.readBytes().slice();
      else out[p.name] = p.signed ? reader.readVlq() : reader.readVlq() >>> 0;
    }
    return out;
  }

  /** `name p=v ...` as Klipper prints it: enumeration names, byte strings as b'..'. */
  formatParams(params: MessageParams): string {
    if (this.isOutput) {
      let i = 0;
      return this.format.replace(/%(?:\.\*s|\*s|hu|hi|u|i|c|s)/g, () => {
        const v = params[`arg${i++}`];
        return v instanceof Uint8Array ? latin1.decode(v) : String(v);
      });
    }
    let s = this.name;
    for (const p of this.params) s += ` ${p.name}=${formatValue(p, params[p.name])}`;
    return s;
  }
}

function formatValue(p: ParamSpec, v: number | Uint8Array | undefined): string {
  if (v === undefined) return '?';
  if (v instanceof Uint8Array) return bytesRepr(v);
  if (p.enumeration) return p.enumeration.byValue.get(v) ?? `?${v}`;
  return String(v);
}

/** Python-style bytes literal (b'..'), the form Klipper's decoders print buffers in. */
export function bytesRepr(v: Uint8Array): string {
  const hasSingle = v.includes(0x27);
  const hasDouble = v.includes(0x22);
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let s = 'b' + quote;
  for (const b of v) {
    if (b === 0x5c) s += '\\\\';
    else if (b === quote.charCodeAt(0)) s += '\\' + quote;
    else if (b === 0x09) s += '\\t';
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x0d) s += '\\r';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  return s + quote;
}

/** Decimal or 0x-hex integer text; undefined if it is not one. */
export function parseIntText(text: string): number | undefined {
  if (/^[-+]?\d+$/.test(text)) return Number(text);
  if (/^0x[0-9a-f]+$/i.test(text)) return Number(text);
  return undefined;
}

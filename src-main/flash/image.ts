import { FlashError } from './errors';

/** Bytes at an address. Images can have gaps (Intel HEX with several sections). */
export interface ImageSegment {
  address: number;
  data: Uint8Array;
}

/** A firmware image ready to write, with where it came from for error messages. */
export interface FirmwareImage {
  segments: ImageSegment[];
  /** File name or description, for messages. */
  source: string;
}

/**
 * Parses Intel HEX (record types 00 data, 01 end, 02 extended segment address, 03 start segment,
 * 04 extended linear address, 05 start linear). Errors name the file and line.
 */
export function parseIntelHex(text: string, source = 'image.hex'): FirmwareImage {
  const chunks: ImageSegment[] = [];
  let base = 0;
  let ended = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const where = `${source}:${i + 1}`;
    if (line === '') continue;
    if (ended) throw bad(`${where}: data after the end-of-file record.`);
    if (!line.startsWith(':')) throw bad(`${where}: a record must start with ':' (is this really an Intel HEX file?).`);
    if (!/^:[0-9a-fA-F]+$/.test(line) || line.length % 2 === 0) throw bad(`${where}: not a well-formed hex record.`);
    const bytes = Buffer.from(line.slice(1), 'hex');
    if (bytes.length < 5 || bytes.length !== bytes[0] + 5) throw bad(`${where}: the record length byte says ${bytes[0]} data bytes but the line has ${bytes.length - 5}.`);
    const sum = bytes.reduce((a, b) => (a + b) & 0xff, 0);
    if (sum !== 0) throw bad(`${where}: checksum mismatch (the file is damaged; download or build it again).`);
    const count = bytes[0];
    const offset = (bytes[1] << 8) | bytes[2];
    const type = bytes[3];
    const data = bytes.subarray(4, 4 + count);
    switch (type) {
      case 0x00:
        chunks.push({ address: base + offset, data: Uint8Array.from(data) });
        break;
      case 0x01:
        ended = true;
        break;
      case 0x02:
        base = ((data[0] << 8) | data[1]) * 16;
        break;
      case 0x04:
        base = ((data[0] << 8) | data[1]) * 0x10000;
        break;
      case 0x03:
      case 0x05:
        break; // start addresses: the bootloader decides where to jump
      default:
        throw bad(`${where}: unknown record type ${type}.`);
    }
  }
  if (!ended) throw bad(`${source}: no end-of-file record (the file is truncated).`);
  if (chunks.length === 0) throw bad(`${source}: the file holds no data.`);
  return { segments: mergeSegments(chunks, source), source };
}

/** A raw binary placed at `address` (e.g. 0x08000000 + the bootloader offset on STM32). */
export function imageFromBinary(bytes: Uint8Array, address: number, source = 'image.bin'): FirmwareImage {
  if (bytes.length === 0) throw bad(`${source}: the file is empty.`);
  return { segments: [{ address, data: Uint8Array.from(bytes) }], source };
}

/** Loads .hex as Intel HEX, anything else as raw binary at `binAddress`. */
export function loadImage(fileName: string, content: Uint8Array, binAddress: number): FirmwareImage {
  if (/\.(hex|ihex|ihx)$/i.test(fileName)) return parseIntelHex(Buffer.from(content).toString('latin1'), fileName);
  if (/\.uf2$/i.test(fileName)) throw bad(`${fileName}: a UF2 file is copied to the board's USB drive, not written over serial; choose the UF2 copy method.`);
  return imageFromBinary(content, binAddress, fileName);
}

export function imageLowAddress(image: FirmwareImage): number {
  return Math.min(...image.segments.map((s) => s.address));
}

export function imageEndAddress(image: FirmwareImage): number {
  return Math.max(...image.segments.map((s) => s.address + s.data.length));
}

/** Total bytes of data (not counting gaps). */
export function imageByteCount(image: FirmwareImage): number {
  return image.segments.reduce((n, s) => n + s.data.length, 0);
}

/** The image as one block from its lowest address, gaps filled with 0xFF (erased flash). */
export function flattenImage(image: FirmwareImage, fill = 0xff): { address: number; data: Uint8Array } {
  const low = imageLowAddress(image);
  const out = new Uint8Array(imageEndAddress(image) - low).fill(fill);
  for (const s of image.segments) out.set(s.data, s.address - low);
  return { address: low, data: out };
}

/** Splits an image into page-aligned blocks, padding partial pages with 0xFF. */
export function pagesOf(image: FirmwareImage, pageBytes: number): ImageSegment[] {
  const pages = new Map<number, Uint8Array>();
  for (const s of image.segments) {
    for (let i = 0; i < s.data.length; i++) {
      const addr = s.address + i;
      const pageAddr = addr - (addr % pageBytes);
      let page = pages.get(pageAddr);
      if (!page) {
        page = new Uint8Array(pageBytes).fill(0xff);
        pages.set(pageAddr, page);
      }
      page[addr - pageAddr] = s.data[i];
    }
  }
  return [...pages.entries()].sort((a, b) => a[0] - b[0]).map(([address, data]) => ({ address, data }));
}

function mergeSegments(chunks: ImageSegment[], source: string): ImageSegment[] {
  const sorted = [...chunks].sort((a, b) => a.address - b.address);
  const out: { address: number; parts: Uint8Array[]; end: number }[] = [];
  for (const c of sorted) {
    const last = out[out.length - 1];
    if (last && c.address < last.end) throw bad(`${source}: two records write address 0x${c.address.toString(16)} (overlapping data).`);
    if (last && c.address === last.end) {
      last.parts.push(c.data);
      last.end += c.data.length;
    } else {
      out.push({ address: c.address, parts: [c.data], end: c.address + c.data.length });
    }
  }
  return out.map((s) => ({ address: s.address, data: Uint8Array.from(Buffer.concat(s.parts)) }));
}

function bad(message: string): FlashError {
  return new FlashError('bad-image', message, 'Choose a valid firmware file (.hex or .bin) built for this board.');
}

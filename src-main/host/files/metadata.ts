// Print-file metadata from slicer comments: PrusaSlicer / SuperSlicer / OrcaSlicer (";
// key = value" blocks at the end, "; thumbnail begin" blocks at the start) and Cura (";KEY:value"
// header). Reads the whole file once as a stream; counts layers from layer-change comments.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Thumbnail {
  width: number;
  height: number;
  /** 'png' (PrusaSlicer "thumbnail", Orca "thumbnail") or 'jpg'/'qoi' ("thumbnail_JPG"/"thumbnail_QOI"). */
  format: string;
  /** Base64 of the image as embedded in the file. */
  base64: string;
}

export interface GCodeMetadata {
  slicer: string | null;
  slicerVersion: string | null;
  estimatedTimeS: number | null;
  filamentUsedMm: number | null;
  filamentUsedG: number | null;
  layerCount: number | null;
  layerHeightMm: number | null;
  firstLayerExtruderTempC: number | null;
  firstLayerBedTempC: number | null;
  objectHeightMm: number | null;
  thumbnails: Thumbnail[];
}

/** "1d 2h 3m 4s" / "38m 43s" -> seconds. */
export function parseDuration(text: string): number | null {
  let total = 0;
  let any = false;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)\s*([dhms])/g)) {
    total += Number(m[1]) * { d: 86400, h: 3600, m: 60, s: 1 }[m[2] as 'd' | 'h' | 'm' | 's'];
    any = true;
  }
  return any ? total : null;
}

const num = (v: string | undefined): number | null => {
  if (v === undefined) return null;
  const n = Number(v.split(/[,;]/)[0].trim());
  return Number.isFinite(n) ? n : null;
};

export async function readMetadata(file: string): Promise<GCodeMetadata> {
  const kv = new Map<string, string>(); // "; key = value" (Prusa family)
  const cura = new Map<string, string>(); // ";KEY:value" (Cura)
  const thumbnails: Thumbnail[] = [];
  let thumb: { width: number; height: number; format: string; parts: string[] } | null = null;
  let slicer: string | null = null;
  let slicerVersion: string | null = null;
  let layerChanges = 0;
  let curaLayers = 0;
  let firstM104: number | null = null;
  let firstM140: number | null = null;
  let maxZ = 0;
  const lines = createInterface({ input: createReadStream(file, { encoding: 'latin1' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.charCodeAt(0) === 59 /* ; */) {
      if (thumb) {
        if (/^; thumbnail(_\w+)? end/.test(line)) {
          thumbnails.push({ width: thumb.width, height: thumb.height, format: thumb.format, base64: thumb.parts.join('') });
          thumb = null;
        } else thumb.parts.push(line.slice(1).trim());
        continue;
      }
      let m = /^; thumbnail(?:_(\w+))? begin (\d+)x(\d+) \d+/.exec(line);
      if (m) {
        thumb = { width: Number(m[2]), height: Number(m[3]), format: (m[1] ?? 'png').toLowerCase(), parts: [] };
        continue;
      }
      if (line.startsWith(';LAYER_CHANGE')) layerChanges++;
      else if (line.startsWith(';LAYER:')) curaLayers++;
      if (!slicer && (m = /^; generated (?:by|with) (\S+(?: \S+)?) (\d[\w.+-]*)/i.exec(line))) {
        slicer = m[1].replace(/-$/, '');
        slicerVersion = m[2].split('+')[0];
      } else if (!slicer && (m = /^;Generated with (Cura_SteamEngine) (\S+)/.exec(line))) {
        slicer = 'Cura';
        slicerVersion = m[2];
      } else if ((m = /^; ([\w ()[\]]+?) = (.*)$/.exec(line))) {
        kv.set(m[1].trim(), m[2].trim());
      } else if ((m = /^;([A-Z_a-z]+(?:\.[A-Za-z_]+)?):(.*)$/.exec(line))) {
        if (!cura.has(m[1])) cura.set(m[1], m[2].trim());
      }
      continue;
    }
    // First heater targets and the highest Z, from the moves themselves (slicer-independent).
    const c = line.slice(0, 4);
    if (firstM104 === null && (c === 'M104' || c === 'M109')) firstM104 = num(/S(\d+(?:\.\d+)?)/.exec(line)?.[1]);
    else if (firstM140 === null && (c === 'M140' || c === 'M190')) firstM140 = num(/S(\d+(?:\.\d+)?)/.exec(line)?.[1]);
    else if (line.charCodeAt(0) === 71 && (line[1] === '0' || line[1] === '1')) {
      const z = /\sZ(-?\d*\.?\d+)/.exec(line.split(';')[0]);
      if (z && Number(z[1]) > maxZ) maxZ = Number(z[1]);
    }
  }
  const isCura = slicer === 'Cura';
  const estimated = isCura ? num(cura.get('TIME')) : parseDuration(kv.get('estimated printing time (normal mode)') ?? kv.get('estimated printing time') ?? '');
  const curaFilamentM = num(cura.get('Filament used')?.replace(/m$/, ''));
  return {
    slicer,
    slicerVersion,
    estimatedTimeS: estimated,
    filamentUsedMm: isCura ? (curaFilamentM !== null ? curaFilamentM * 1000 : null) : num(kv.get('filament used [mm]')),
    filamentUsedG: num(kv.get('total filament used [g]') ?? kv.get('filament used [g]')),
    layerCount: isCura ? (num(cura.get('LAYER_COUNT')) ?? (curaLayers || null)) : layerChanges || null,
    layerHeightMm: num(kv.get('layer_height') ?? cura.get('Layer height')),
    firstLayerExtruderTempC: num(kv.get('first_layer_temperature')) ?? firstM104,
    firstLayerBedTempC: num(kv.get('first_layer_bed_temperature')) ?? firstM140,
    objectHeightMm: num(kv.get('max_layer_z') ?? cura.get('MAXZ')) ?? (maxZ || null),
    thumbnails,
  };
}

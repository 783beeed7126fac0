// The preview and a printer's host: build volume from the printer's config, live progress from
// its status while it prints, and opening the printing file from its G-code folder.
// Status comes from the dashboard's status store: the host keeps one subscription per printer,
// so the preview follows the same union of objects (print_stats, virtual_sdcard among them)
// instead of subscribing on its own and replacing the dashboard's.
import type { StatusSnapshot } from '../../../src-main/api/contract';
import type { ApiClient } from '../../api';
import { useStatus } from '../dashboard/status-store';
import { usePreviewStore, type BuildVolume, type PrintingFile } from './previewStore';

/** files.read chunk (the contract's MAX_READ_CHUNK_BYTES). */
const READ_CHUNK_BYTES = 512 * 1024;

const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

/**
 * Build volume from configfile.settings: [stepper_x|y|z] position_min (default 0) and
 * position_max. Null when an axis has no position_max (e.g. delta kinematics) or is empty.
 */
export function buildVolumeFromConfig(settings: Record<string, Record<string, unknown>> | undefined): BuildVolume | null {
  if (!settings) return null;
  const axis = (a: 'x' | 'y' | 'z'): [number, number] | null => {
    const s = settings[`stepper_${a}`];
    const max = num(s?.position_max);
    const min = num(s?.position_min) ?? 0;
    return max !== null && max > min ? [min, max] : null;
  };
  const x = axis('x');
  const y = axis('y');
  const z = axis('z');
  return x && y && z ? { x, y, z } : null;
}

/** What is printing, from print_stats and virtual_sdcard; null when idle. */
export function printingFrom(status: StatusSnapshot): PrintingFile | null {
  const ps = status.print_stats ?? {};
  const sd = status.virtual_sdcard ?? {};
  const fileName = typeof ps.filename === 'string' ? ps.filename : '';
  const state = typeof ps.state === 'string' ? ps.state : sd.is_active ? 'printing' : 'standby';
  if (!fileName || state === 'standby') return null;
  return { fileName, filePosition: num(sd.file_position) ?? 0, state, progress: num(sd.progress) ?? 0 };
}

const samePrinting = (a: PrintingFile | null, b: PrintingFile | null) =>
  a === b || (!!a && !!b && a.fileName === b.fileName && a.filePosition === b.filePosition && a.state === b.state);

/** Follows one printer: build volume once, printing progress on every status change. Returns the stop function. */
export function linkPreviewToPrinter(client: ApiClient, printerId: string): () => void {
  let stopped = false;
  const preview = usePreviewStore.getState;
  void client
    .call('status.query', { printerId, objects: { configfile: ['settings'] } })
    .then(({ status }) => {
      const volume = buildVolumeFromConfig(status.configfile?.settings as Record<string, Record<string, unknown>> | undefined);
      if (!stopped && volume) preview().setBuildVolume(volume);
    })
    .catch(() => undefined); // host not running yet: the default bed stays until the next link
  if (useStatus.getState().printerId !== printerId || Object.keys(useStatus.getState().status).length === 0) {
    void useStatus.getState().follow(client, printerId);
  }
  const apply = () => {
    const s = useStatus.getState();
    if (stopped || s.printerId !== printerId) return;
    const printing = printingFrom(s.status);
    if (!samePrinting(printing, preview().printing)) preview().setPrinting(printing);
  };
  apply();
  const unsubscribe = useStatus.subscribe(apply);
  return () => {
    stopped = true;
    unsubscribe();
    preview().setPrinting(null);
  };
}

/** Reads a file from the printer's G-code folder and opens it in the preview. */
export async function openHostFile(
  client: ApiClient,
  printerId: string,
  name: string,
  onProgress?: (doneBytes: number, totalBytes: number) => void,
): Promise<void> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  let total = Infinity;
  while (offset < total) {
    const chunk = await client.call('files.read', { printerId, name, offset, length: READ_CHUNK_BYTES });
    total = chunk.totalBytes;
    const bin = atob(chunk.dataBase64);
    if (bin.length === 0) break;
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    parts.push(bytes);
    offset += bytes.length;
    onProgress?.(offset, total);
  }
  usePreviewStore.getState().loadFile(new Blob(parts as BlobPart[]), name, name);
}

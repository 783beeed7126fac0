// The jobs panel's store: the printer's G-code files, their metadata (fetched once per file
// version), uploads in progress, and the file the user picked.
import { create } from 'zustand';
import type { GCodeFileInfo, GCodeMetadata } from '../../../src-main/api/contract';
import type { ApiClient } from '../../api';
import { isGcodeFileName } from './model';
import { uploadFile, type UploadSource } from './upload';

export interface UploadState {
  name: string;
  doneBytes: number;
  totalBytes: number;
  /** The host's message, or NOT_GCODE for a file refused before sending. */
  error: string | null;
}

/** Marks a file refused by its extension (the UI shows a translated reason). */
export const NOT_GCODE = 'notGcode';

export interface JobsState {
  printerId: string | null;
  files: GCodeFileInfo[];
  /** name -> metadata, for the file version listed (modifiedMs). */
  metadata: Record<string, { modifiedMs: number; meta: GCodeMetadata | null }>;
  uploads: UploadState[];
  selected: string | null;
  error: string | null;
  refresh(client: ApiClient, printerId: string): Promise<void>;
  upload(client: ApiClient, printerId: string, files: UploadSource[]): Promise<void>;
  remove(client: ApiClient, printerId: string, name: string): Promise<void>;
  select(name: string | null): void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Reads metadata of files not yet read (or changed since), one at a time: each read scans a whole file. */
async function loadMetadata(
  client: ApiClient,
  printerId: string,
  get: () => JobsState,
  set: (p: Partial<JobsState>) => void,
): Promise<void> {
  for (const f of get().files) {
    const known = get().metadata[f.name];
    if (known && known.modifiedMs === f.modifiedMs) continue;
    let meta: GCodeMetadata | null = null;
    try {
      meta = await client.call('files.metadata', { printerId, name: f.name });
    } catch {
      // Unreadable metadata just leaves the row without it.
    }
    if (get().printerId !== printerId) return;
    set({ metadata: { ...get().metadata, [f.name]: { modifiedMs: f.modifiedMs, meta } } });
  }
}

export const useJobs = create<JobsState>()((set, get) => ({
  printerId: null,
  files: [],
  metadata: {},
  uploads: [],
  selected: null,
  error: null,

  async refresh(client, printerId) {
    if (get().printerId !== printerId) set({ printerId, files: [], metadata: {}, selected: null });
    try {
      const files = [...(await client.call('files.list', { printerId }))].sort((a, b) => b.modifiedMs - a.modifiedMs);
      if (get().printerId !== printerId) return;
      const selected = get().selected;
      set({ files, error: null, selected: selected && files.some((f) => f.name === selected) ? selected : (files[0]?.name ?? null) });
      await loadMetadata(client, printerId, get, set);
    } catch (e) {
      set({ error: message(e) });
    }
  },

  async upload(client, printerId, files) {
    for (const file of files) {
      if (!isGcodeFileName(file.name)) {
        set({ uploads: [...get().uploads, { name: file.name, doneBytes: 0, totalBytes: file.size, error: NOT_GCODE }] });
        continue;
      }
      const entry: UploadState = { name: file.name, doneBytes: 0, totalBytes: file.size, error: null };
      const update = (patch: Partial<UploadState>) =>
        set({ uploads: get().uploads.map((u) => (u.name === entry.name ? { ...u, ...patch } : u)) });
      set({ uploads: [...get().uploads.filter((u) => u.name !== file.name), entry] });
      try {
        await uploadFile(client, printerId, file, (doneBytes, totalBytes) => update({ doneBytes, totalBytes }));
        set({ uploads: get().uploads.filter((u) => u.name !== file.name), selected: file.name });
      } catch (e) {
        update({ error: message(e) });
      }
    }
    await get().refresh(client, printerId);
  },

  async remove(client, printerId, name) {
    try {
      await client.call('files.delete', { printerId, name });
    } catch (e) {
      set({ error: message(e) });
    }
    await get().refresh(client, printerId);
  },

  select(name) {
    set({ selected: name });
  },
}));

/** Another window's finished upload shows up here too (files.progress reaching its total). */
export function followUploads(client: ApiClient, printerId: string): () => void {
  return client.on('files.progress', (p) => {
    if (p.printerId === printerId && p.doneBytes === p.totalBytes && !useJobs.getState().uploads.some((u) => u.name === p.name)) {
      // The file is listed once files.uploadEnd has run; give the other window a moment.
      setTimeout(() => void useJobs.getState().refresh(client, printerId), 500);
    }
  });
}

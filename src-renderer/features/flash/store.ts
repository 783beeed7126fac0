// The flashing wizard's state and rules: pick board -> pick image -> enter the bootloader
// (port or drive) -> flash with progress and log -> verified -> reconnect, with a way back from
// every failure. The JSX only renders this.
import { create } from 'zustand';
import type { Board, DriveInfo, FlashClient, FlashJobEvent, FlashMethodId, FlashPhase, FlashResult, ImageChoice, PortInfo } from './client';

export type WizardStep = 'board' | 'image' | 'bootloader' | 'flashing' | 'done' | 'failed';
export const WIZARD_STEPS: WizardStep[] = ['board', 'image', 'bootloader', 'flashing', 'done'];

export type ChosenImage = { kind: 'file'; fileName: string; content: Uint8Array } | { kind: 'choice'; choice: ImageChoice };

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface FlashWizardState {
  step: WizardStep;
  boards: Board[];
  boardFilter: string;
  boardId: string | null;
  method: FlashMethodId | null;
  images: ImageChoice[];
  image: ChosenImage | null;
  ports: PortInfo[];
  drives: DriveInfo[];
  port: string | null;
  drivePath: string | null;
  jobId: string | null;
  phase: FlashPhase | null;
  doneBytes: number;
  totalBytes: number;
  log: LogLine[];
  result: FlashResult | null;
  error: { code: string; message: string; fix: string } | null;
  reconnected: string | null;
  loadError: string | null;

  load(client: FlashClient): Promise<void>;
  setBoardFilter(text: string): void;
  chooseBoard(client: FlashClient, id: string): Promise<void>;
  chooseMethod(method: FlashMethodId): void;
  chooseFile(fileName: string, content: Uint8Array): void;
  chooseImage(choice: ImageChoice): void;
  refreshTargets(client: FlashClient): Promise<void>;
  choosePort(path: string): void;
  chooseDrive(path: string): void;
  goTo(step: WizardStep): void;
  start(client: FlashClient): Promise<void>;
  cancel(client: FlashClient): Promise<void>;
  applyEvent(event: FlashJobEvent): void;
  reconnect(client: FlashClient): Promise<void>;
  reset(): void;
  /** Opens the wizard on a board (and port), e.g. when the host offers a re-flash after "MCU Protocol error". */
  preselect(client: FlashClient, boardId: string, port?: string): Promise<void>;
}

const initial = {
  step: 'board' as WizardStep,
  boards: [] as Board[],
  boardFilter: '',
  boardId: null,
  method: null,
  images: [] as ImageChoice[],
  image: null,
  ports: [] as PortInfo[],
  drives: [] as DriveInfo[],
  port: null,
  drivePath: null,
  jobId: null,
  phase: null,
  doneBytes: 0,
  totalBytes: 0,
  log: [] as LogLine[],
  result: null,
  error: null,
  reconnected: null,
  loadError: null,
};

/** How often a running flash re-renders at most. */
const RENDER_BATCH_MS = 100;
const pending: { progress: { phase: FlashPhase; doneBytes: number; totalBytes: number } | null; log: LogLine[]; timer: ReturnType<typeof setTimeout> | null } = {
  progress: null,
  log: [],
  timer: null,
};

function flushPending(set: (fn: (s: FlashWizardState) => Partial<FlashWizardState>) => void): void {
  if (pending.timer) clearTimeout(pending.timer);
  pending.timer = null;
  const progress = pending.progress;
  const lines = pending.log.splice(0);
  pending.progress = null;
  if (!progress && lines.length === 0) return;
  set((s) => ({ ...(progress ?? {}), log: lines.length ? [...s.log, ...lines].slice(-MAX_LOG_LINES) : s.log }));
}

/** Job events that arrived before the reply to flash.start named the job. */
const earlyEvents: FlashJobEvent[] = [];

/** Log lines kept in the wizard (a flash writes a few hundred at most; tools can chatter). */
const MAX_LOG_LINES = 2000;

export const useFlashWizard = create<FlashWizardState>((set, get) => ({
  ...initial,

  async load(client) {
    try {
      set({ boards: await client.listBoards(), loadError: null });
    } catch (err) {
      set({ loadError: (err as Error).message });
    }
  },
  setBoardFilter(text) {
    set({ boardFilter: text });
  },
  async chooseBoard(client, id) {
    const board = get().boards.find((b) => b.id === id);
    if (!board) return;
    set({ boardId: id, method: board.flashMethods[0], image: null, images: [], step: 'image' });
    try {
      set({ images: await client.listImages(id) });
    } catch {
      set({ images: [] }); // a file can still be chosen
    }
  },
  chooseMethod(method) {
    set({ method, port: null, drivePath: null });
  },
  chooseFile(fileName, content) {
    set({ image: { kind: 'file', fileName, content } });
  },
  chooseImage(choice) {
    set({ image: { kind: 'choice', choice } });
  },
  async refreshTargets(client) {
    const target = targetKind(get().method);
    if (target === 'drive') set({ drives: await client.listDrives() });
    else set({ ports: await client.listPorts() });
  },
  choosePort(path) {
    set({ port: path });
  },
  chooseDrive(path) {
    set({ drivePath: path });
  },
  goTo(step) {
    set({ step });
  },

  async start(client) {
    const s = get();
    if (!canStart(s)) return;
    earlyEvents.length = 0;
    set({ step: 'flashing', log: [], phase: null, doneBytes: 0, totalBytes: 0, result: null, error: null, reconnected: null });
    const image =
      s.image!.kind === 'file'
        ? { kind: 'bytes' as const, fileName: s.image!.fileName, content: s.image!.content }
        : { kind: 'path' as const, path: s.image!.choice.path };
    try {
      const { jobId } = await client.start({
        boardId: s.boardId!,
        method: s.method!,
        port: targetKind(s.method) === 'port' ? s.port! : undefined,
        drivePath: targetKind(s.method) === 'drive' ? s.drivePath! : undefined,
        image,
      });
      set({ jobId });
      const early = earlyEvents.splice(0);
      for (const e of early) get().applyEvent(e);
    } catch (err) {
      const e = err as { code?: string; message?: string; fix?: string };
      set({ step: 'failed', error: { code: e.code ?? 'protocol', message: e.message ?? String(err), fix: e.fix ?? '' } });
    }
  },
  async cancel(client) {
    const jobId = get().jobId;
    if (jobId) await client.cancel(jobId);
  },
  applyEvent(e) {
    const s = get();
    // Events can overtake the reply to flash.start: keep them until the job id is known.
    if (s.step === 'flashing' && s.jobId === null) {
      earlyEvents.push(e);
      return;
    }
    // Events of another job (an earlier attempt) are not ours.
    if (e.jobId !== s.jobId) return;
    if (e.type === 'event') {
      // Progress and log lines come per page; render them in batches, not one by one.
      if (e.event.type === 'progress') pending.progress = { phase: e.event.phase, doneBytes: e.event.doneBytes, totalBytes: e.event.totalBytes };
      else pending.log.push({ level: e.event.level, text: e.event.text });
      pending.timer ??= setTimeout(() => flushPending(set), RENDER_BATCH_MS);
    } else if (e.type === 'done') {
      flushPending(set);
      set({ step: 'done', result: e.result, phase: 'done', jobId: null });
    } else {
      flushPending(set);
      set((s) => ({ step: 'failed', error: e.error, jobId: null, log: [...s.log, { level: 'error' as const, text: e.error.message }] }));
    }
  },
  async reconnect(client) {
    const s = get();
    if (!client.reconnect || !s.boardId || !s.port) return;
    try {
      const { firmware } = await client.reconnect(s.boardId, s.port);
      set({ reconnected: firmware });
    } catch (err) {
      set({ error: { code: 'reconnect', message: (err as Error).message, fix: '' } });
    }
  },
  reset() {
    set({ ...initial, boards: get().boards });
  },
  async preselect(client, boardId, port) {
    if (get().boards.length === 0) await get().load(client);
    await get().chooseBoard(client, boardId);
    if (port) set({ port });
  },
}));

/** Serial methods need a port; uf2 and sd-card need a mounted drive. */
export function targetKind(method: FlashMethodId | null): 'port' | 'drive' {
  return method === 'uf2-copy' || method === 'sd-card' ? 'drive' : 'port';
}

export function selectedBoard(s: Pick<FlashWizardState, 'boards' | 'boardId'>): Board | undefined {
  return s.boards.find((b) => b.id === s.boardId);
}

export function filteredBoards(s: Pick<FlashWizardState, 'boards' | 'boardFilter'>): Board[] {
  const q = s.boardFilter.trim().toLowerCase();
  if (!q) return s.boards;
  return s.boards.filter((b) => `${b.name} ${b.mcu} ${b.id}`.toLowerCase().includes(q));
}

export function canStart(s: Pick<FlashWizardState, 'boardId' | 'method' | 'image' | 'port' | 'drivePath'>): boolean {
  if (!s.boardId || !s.method || !s.image) return false;
  return targetKind(s.method) === 'drive' ? !!s.drivePath : !!s.port;
}

/** How the user gets this board into its bootloader for this method: the key of the instructions. */
export function bootloaderInstructionKey(board: Board, method: FlashMethodId): string {
  if (method === 'sd-card') return 'sd-card';
  if (method === 'uf2-copy') return 'uf2';
  if (method === 'dfu-util') return 'dfu';
  return board.entry;
}

export function percent(doneBytes: number, totalBytes: number): number {
  return totalBytes > 0 ? Math.min(100, Math.round((doneBytes / totalBytes) * 100)) : 0;
}

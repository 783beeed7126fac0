// The flashing wizard's state and rules: pick board -> pick image -> enter the bootloader
// (port or drive) -> flash with progress and log -> verified -> reconnect, with a way back from
// every failure. The JSX only renders this.
import { create } from 'zustand';
import type { Board, DriveInfo, FirmwareBuildJobEvent, FirmwareBuildResult, FirmwareBuildStatus, FlashClient, FlashJobEvent, FlashMethodId, FlashPhase, FlashResult, ImageChoice, PortInfo } from './client';

export type WizardStep = 'board' | 'image' | 'bootloader' | 'flashing' | 'done' | 'failed';
export const WIZARD_STEPS: WizardStep[] = ['board', 'image', 'bootloader', 'flashing', 'done'];

export type ChosenImage = { kind: 'file'; fileName: string; content: Uint8Array } | { kind: 'choice'; choice: ImageChoice };

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  text: string;
}

/** Building our firmware for the chosen board (the image step's "build" box). */
export interface BuildState {
  /** null until asked, or when the app cannot build (no flash.buildStatus). */
  status: FirmwareBuildStatus | null;
  buildId: string | null;
  running: boolean;
  doneSteps: number;
  totalSteps: number;
  /** The make step running now ("avr-gcc → tether.elf"). */
  stepName: string;
  log: LogLine[];
  error: { code: string; message: string; fix: string } | null;
  result: FirmwareBuildResult | null;
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
  build: BuildState;
  /** Opened to re-flash a printer whose firmware and host versions differ ("MCU Protocol error"). */
  reflash: boolean;

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
  preselect(client: FlashClient, boardId: string | null, port?: string, options?: { reflash?: boolean }): Promise<void>;
  checkBuild(client: FlashClient, fresh?: boolean): Promise<void>;
  startBuild(client: FlashClient): Promise<void>;
  cancelBuild(client: FlashClient): Promise<void>;
  applyBuildEvent(client: FlashClient, event: FirmwareBuildJobEvent): void;
}

const initialBuild: BuildState = { status: null, buildId: null, running: false, doneSteps: 0, totalSteps: 0, stepName: '', log: [], error: null, result: null };

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
  build: initialBuild,
  reflash: false,
};

/** Build events that arrived before the reply to flash.build named the build. */
const earlyBuildEvents: FirmwareBuildJobEvent[] = [];

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
    // A build still running for the previous board keeps running; its events no longer show here.
    set({ boardId: id, method: board.flashMethods[0], image: null, images: [], step: 'image', build: initialBuild });
    void get().checkBuild(client);
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
      if (s.boardId && s.port) rememberBoard(s.port, s.boardId);
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
  async preselect(client, boardId, port, options) {
    if (get().boards.length === 0) await get().load(client);
    set({ ...initial, boards: get().boards, reflash: !!options?.reflash });
    // Without a board (none remembered for this printer's port) the user picks it first.
    if (boardId && get().boards.some((b) => b.id === boardId)) await get().chooseBoard(client, boardId);
    if (port) set({ port });
  },

  async checkBuild(client, fresh) {
    const boardId = get().boardId;
    if (!client.buildStatus || !boardId) return;
    try {
      const status = await client.buildStatus(boardId, fresh);
      if (get().boardId === boardId) set((s) => ({ build: { ...s.build, status } }));
    } catch (err) {
      const status = { buildable: false, problems: [{ code: 'unavailable', message: (err as Error).message, fix: '' }], warnings: [] };
      if (get().boardId === boardId) set((s) => ({ build: { ...s.build, status } }));
    }
  },
  async startBuild(client) {
    const s = get();
    if (!client.startBuild || !s.boardId || s.build.running) return;
    earlyBuildEvents.length = 0;
    set({ build: { ...initialBuild, status: s.build.status, running: true } });
    try {
      const { buildId } = await client.startBuild(s.boardId);
      set((st) => ({ build: { ...st.build, buildId } }));
      for (const e of earlyBuildEvents.splice(0)) get().applyBuildEvent(client, e);
    } catch (err) {
      const e = err as { code?: string; message?: string; fix?: string };
      set((st) => ({ build: { ...st.build, running: false, error: { code: e.code ?? 'build-failed', message: e.message ?? String(err), fix: e.fix ?? '' } } }));
    }
  },
  async cancelBuild(client) {
    const buildId = get().build.buildId;
    if (buildId && client.cancelBuild) await client.cancelBuild(buildId);
  },
  applyBuildEvent(client, e) {
    const b = get().build;
    if (b.running && b.buildId === null) {
      earlyBuildEvents.push(e);
      return;
    }
    if (e.buildId !== b.buildId) return;
    if (e.type === 'event') {
      const ev = e.event;
      if (ev.type === 'progress') set((s) => ({ build: { ...s.build, doneSteps: ev.doneSteps, totalSteps: ev.totalSteps, stepName: ev.step } }));
      else set((s) => ({ build: { ...s.build, log: [...s.build.log, { level: ev.level, text: ev.text }].slice(-MAX_LOG_LINES) } }));
    } else if (e.type === 'done') {
      set((s) => ({ build: { ...s.build, running: false, result: e.result, doneSteps: s.build.totalSteps } }));
      // Offer the new image and choose it: the user built it to flash it.
      const boardId = get().boardId;
      if (!boardId) return;
      void client.listImages(boardId).then((images) => {
        if (get().boardId !== boardId) return;
        const built = images.find((i) => i.path === e.result.imagePath);
        set({ images });
        if (built) get().chooseImage(built);
      });
    } else {
      set((s) => ({ build: { ...s.build, running: false, error: e.error, log: [...s.build.log, { level: 'error' as const, text: e.error.message }] } }));
    }
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

const REMEMBERED_BOARDS_KEY = 'tether.flash.boardByPort';

/** The board last flashed successfully on this port (so a re-flash offer can preselect it). */
export function rememberedBoard(port: string): string | null {
  try {
    const map = JSON.parse(localStorage.getItem(REMEMBERED_BOARDS_KEY) ?? '{}') as Record<string, string>;
    return typeof map[port] === 'string' ? map[port] : null;
  } catch {
    return null;
  }
}

function rememberBoard(port: string, boardId: string): void {
  try {
    const map = JSON.parse(localStorage.getItem(REMEMBERED_BOARDS_KEY) ?? '{}') as Record<string, string>;
    map[port] = boardId;
    localStorage.setItem(REMEMBERED_BOARDS_KEY, JSON.stringify(map));
  } catch {
    // no storage (tests without a DOM): nothing remembered
  }
}

export function percent(doneBytes: number, totalBytes: number): number {
  return totalBytes > 0 ? Math.min(100, Math.round((doneBytes / totalBytes) * 100)) : 0;
}

// The API's ports, boards and flash methods over the real services (src-main/ports,
// src-main/flash): one app-wide PortWatcher, one FlashJobs, the board catalog. Both carriers
// share one instance through the backend. Inputs that name files or ports are checked here
// against what the app itself offered, so a call cannot flash an arbitrary file or device.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FlashImageParam, ImageChoice, PortsListReply } from './contract';
import { ApiError } from './errors';
import { FlashError } from '../flash/errors';
import { FlashJobs, type FlashJobEvent, type FlashStartRequest } from '../flash/jobs';
import { loadBoardCatalog, type Board, type BoardCatalog } from '../flash/catalog';
import { listRemovableDrives, type DriveInfo } from '../flash/drives';
import { identifyFirmware } from '../flash/identify';
import { FirmwareBuilds, type FirmwareBuildJobEvent } from '../flash/firmware-build';
import { classifyPortError, markPrinterPorts, PortWatcher, type PortIdentity, type PortsChangedEvent } from '../ports';

export interface HardwareOptions {
  /** Board catalog file (packaged apps: under process.resourcesPath); default: the checkout's. */
  catalogPath?: string;
  /** Folder with firmware builds (firmware/build: <family>-<mcu>-<...>/tether.{hex,bin}). */
  firmwareBuildDir?: string;
  /** The firmware sources (with their Makefile); default: firmwareBuildDir's parent when it has one. */
  firmwareSourceDir?: string;
  /** Where the wizard's own builds go, one folder each (default: a temp folder of this instance's own). */
  buildOutputDir?: string;
  /** The configured printers and the port each one uses (for ports.list's marks). */
  printerPorts?: () => { name: string; identity: PortIdentity }[];
  /** Injected in tests; default: a real PortWatcher (serialport list + /dev watch). */
  watcher?: PortWatcher;
  jobs?: FlashJobs;
  listDrives?: () => DriveInfo[];
  identify?: typeof identifyFirmware;
}

export class HardwareServices {
  readonly watcher: PortWatcher;
  readonly catalog: BoardCatalog;
  readonly jobs: FlashJobs;
  readonly builds: FirmwareBuilds;
  private readonly offeredImages = new Set<string>();
  private started: Promise<void> | null = null;

  constructor(private readonly options: HardwareOptions = {}) {
    this.catalog = loadBoardCatalog(options.catalogPath);
    this.watcher = options.watcher ?? new PortWatcher();
    this.jobs = options.jobs ?? new FlashJobs(this.catalog);
    const buildDir = options.firmwareBuildDir;
    const checkoutSources = buildDir && existsSync(path.join(path.dirname(buildDir), 'Makefile')) ? path.dirname(buildDir) : undefined;
    this.builds = new FirmwareBuilds(this.catalog, {
      sourceDir: options.firmwareSourceDir ?? checkoutSources,
      // Without a folder of its own (the app passes one in its data folder), this instance's
      // builds go to a temp folder nobody else lists.
      outputRoot: options.buildOutputDir ?? path.join(tmpdir(), `tether-firmware-builds-${process.pid}-${randomUUID().slice(0, 8)}`),
    });
  }

  /** Starts watching ports on first use (no /dev watch or polling until someone looks). */
  private ensureWatching(): Promise<void> {
    this.started ??= this.watcher.start().catch((e: unknown) => {
      this.started = null;
      throw e;
    });
    return this.started;
  }

  onPortsChanged(listener: (e: PortsChangedEvent) => void): () => void {
    return this.watcher.onChanged(listener);
  }

  onFlashEvent(listener: (e: FlashJobEvent) => void): () => void {
    return this.jobs.onEvent(listener);
  }

  onBuildEvent(listener: (e: FirmwareBuildJobEvent) => void): () => void {
    return this.builds.onEvent((e) => {
      // A finished build's image may be flashed: it is one the app offered.
      if (e.type === 'done') this.offeredImages.add(e.result.imagePath);
      listener(e);
    });
  }

  /** Whether firmware can be built here for the board, and what to install if not. */
  buildStatus(boardId: string, fresh = false): ReturnType<FirmwareBuilds['status']> {
    this.board(boardId);
    return this.builds.status(boardId, fresh);
  }

  startBuild(boardId: string): { buildId: string } {
    this.board(boardId);
    try {
      return this.builds.start(boardId);
    } catch (e) {
      if (e instanceof FlashError) throw new ApiError('refused', `${e.message} ${e.fix}`);
      throw e;
    }
  }

  cancelBuild(buildId: string): { cancelled: boolean } {
    return { cancelled: this.builds.cancel(buildId) };
  }

  async listPorts(): Promise<PortsListReply> {
    // The watcher reports a failed list to its error listeners (and keeps the last good list);
    // a user asking for the list hears about it, with the fix (e.g. install udev).
    let failure: unknown = null;
    const unlisten = this.watcher.onError((e) => (failure ??= e));
    try {
      await this.ensureWatching();
      await this.watcher.refresh();
    } catch (e) {
      failure ??= e;
    } finally {
      unlisten();
    }
    if (failure) throw portError(failure, '');
    const ports = this.watcher.current();
    const marks = markPrinterPorts(this.options.printerPorts?.() ?? [], ports);
    return { ports, printerPorts: Object.fromEntries(marks) };
  }

  async addVirtual(portPath: string, label: string): Promise<null> {
    if (!path.isAbsolute(portPath))
      throw new ApiError('bad_request', `'${portPath}' is not an absolute path; give the pty's full path (e.g. /tmp/printer).`);
    if (!existsSync(portPath)) {
      throw new ApiError('refused', `${portPath} does not exist. Start the simulator or socat first; it creates the pty.`, {
        code: 'vanished',
        path: portPath,
        message: `${portPath} does not exist.`,
        fix: 'Start the simulator (or socat) that creates this pty, then add it again.',
      });
    }
    await this.ensureWatching().catch(() => undefined);
    this.watcher.addVirtual(portPath, label);
    return null;
  }

  boards(): Board[] {
    return this.catalog.boards;
  }

  drives(): DriveInfo[] {
    return (this.options.listDrives ?? listRemovableDrives)();
  }

  /**
   * Images for the board: the wizard's own builds (newest first), then the images in
   * firmwareBuildDir for the board's MCU (and clock on AVR, application offset on STM32):
   * the checkout's make output, or the images packaged with the app.
   */
  images(boardId: string): ImageChoice[] {
    const board = this.board(boardId);
    const choices: ImageChoice[] = this.builds.builds(boardId).map((b) => {
      this.offeredImages.add(b.imagePath);
      return {
        id: `build-${path.basename(b.dir)}`,
        label: `Tether firmware built ${b.builtAt.slice(0, 16).replace('T', ' ')} (${b.imageBytes} bytes${b.serial === 'usb' ? ', USB' : ''})`,
        source: 'built' as const,
        path: b.imagePath,
      };
    });
    const dir = this.options.firmwareBuildDir;
    if (!dir || !existsSync(dir)) return choices;
    for (const name of readdirSync(dir).sort()) {
      const parts = name.split('-');
      if (parts[0] !== board.mcuSpec.family || !parts[1]?.startsWith(board.mcu)) continue;
      // AVR builds are named by clock, STM32 builds by where the application starts.
      const wanted = board.mcuSpec.family === 'avr' ? String(board.clockHz) : String(board.applicationOffset);
      if (parts[2] !== wanted) continue;
      const file = ['tether.hex', 'tether.bin'].map((f) => path.join(dir, name, f)).find((f) => existsSync(f) && statSync(f).isFile());
      if (!file) continue;
      this.offeredImages.add(file);
      choices.push({
        id: name,
        label: `Tether firmware ${name} (${statSync(file).mtime.toISOString().slice(0, 16).replace('T', ' ')})`,
        source: 'built',
        path: file,
      });
    }
    return choices;
  }

  startFlash(params: {
    boardId: string;
    method?: FlashStartRequest['method'];
    port?: string;
    drivePath?: string;
    baudRate?: number;
    entry?: FlashStartRequest['entry'];
    previousSdFileName?: string;
    image: FlashImageParam;
  }): { jobId: string } {
    this.board(params.boardId);
    if (params.port && !this.knownPort(params.port)) {
      throw new ApiError(
        'refused',
        `${params.port} is not a port Tether listed; pick one on the Ports page (add ptys there as virtual ports).`,
      );
    }
    if (params.drivePath && !this.drives().some((d) => d.path === params.drivePath)) {
      throw new ApiError(
        'refused',
        `${params.drivePath} is not a mounted removable drive; insert the card or press the board's BOOTSEL and refresh.`,
      );
    }
    let image: FlashStartRequest['image'];
    if (params.image.kind === 'path') {
      if (!this.offeredImages.has(params.image.path)) {
        throw new ApiError('refused', `${params.image.path} is not an image Tether offered; choose one from the list or pick a file.`);
      }
      image = { kind: 'path', path: params.image.path };
    } else {
      image = {
        kind: 'bytes',
        fileName: params.image.fileName,
        content: new Uint8Array(Buffer.from(params.image.contentBase64, 'base64')),
      };
    }
    const { image: _image, ...rest } = params;
    try {
      return this.jobs.start({ ...rest, image });
    } catch (e) {
      if (e instanceof FlashError) throw new ApiError('refused', `${e.message} ${e.fix}`);
      throw e;
    }
  }

  cancelFlash(jobId: string): { cancelled: boolean } {
    return { cancelled: this.jobs.cancel(jobId) };
  }

  async reconnect(boardId: string, port: string): Promise<{ firmware: string }> {
    const board = this.board(boardId);
    if (!this.knownPort(port)) throw new ApiError('refused', `${port} is not a port Tether listed; pick one on the Ports page.`);
    try {
      const id = await (this.options.identify ?? identifyFirmware)(port, board.serialBaudRate);
      return { firmware: `${id.app} ${id.version} (${id.mcu})` };
    } catch (e) {
      throw portError(e, port);
    }
  }

  close(): void {
    this.watcher.stop();
  }

  private board(boardId: string): Board {
    const board = this.catalog.byId(boardId);
    if (!board) throw new ApiError('not_found', `No board '${boardId}' in the catalog; boards.list has the ids.`);
    return board;
  }

  private knownPort(portPath: string): boolean {
    return this.watcher.current().some((p) => p.path === portPath);
  }
}

/** A port failure as an API error with the classified problem (permission, busy, vanished...). */
function portError(e: unknown, portPath: string): ApiError {
  const problem = classifyPortError(e, portPath);
  return new ApiError('refused', `${problem.message} ${problem.fix}`, {
    code: problem.code,
    path: problem.path,
    message: problem.message,
    fix: problem.fix,
  });
}

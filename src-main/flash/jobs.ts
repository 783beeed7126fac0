import { randomUUID } from 'node:crypto';
import { type BoardCatalog, loadBoardCatalog } from './catalog';
import { FlashError } from './errors';
import { flash, type FlashEvent, type FlashRequest, type FlashResult } from './flash';

/** What flash.start takes over the API: plain data, the image as bytes or a path the main process reads. */
export interface FlashStartRequest {
  boardId: string;
  method?: FlashRequest['method'];
  port?: string;
  drivePath?: string;
  baudRate?: number;
  entry?: FlashRequest['entry'];
  previousSdFileName?: string;
  image: { kind: 'bytes'; fileName: string; content: Uint8Array } | { kind: 'path'; path: string };
}

/** Everything a running flash pushes, tagged with its job (flash.progress, flash.log, flash.finished). */
export type FlashJobEvent =
  | { jobId: string; type: 'event'; event: FlashEvent }
  | { jobId: string; type: 'done'; result: FlashResult }
  | { jobId: string; type: 'failed'; error: { code: string; message: string; fix: string } };

/**
 * Runs flashes for the API: one at a time per port, cancellable by job id, every outcome pushed
 * as an event so the UI's progress bar and log follow along.
 */
export class FlashJobs {
  private readonly running = new Map<string, { controller: AbortController; port?: string }>();
  private readonly listeners = new Set<(e: FlashJobEvent) => void>();

  constructor(
    private readonly catalog: BoardCatalog = loadBoardCatalog(),
    private readonly readFile: (path: string) => Promise<Uint8Array> = async (p) => (await import('node:fs/promises')).readFile(p),
  ) {}

  onEvent(listener: (e: FlashJobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts a flash and returns its id at once; the outcome arrives as a 'done' or 'failed' event. */
  start(request: FlashStartRequest): { jobId: string } {
    const board = this.catalog.byId(request.boardId);
    if (!board) throw new FlashError('unsupported-method', `Unknown board "${request.boardId}".`, 'Pick a board from the list.');
    for (const job of this.running.values()) {
      if (request.port && job.port === request.port) {
        throw new FlashError('port-open-failed', `${request.port} is already being flashed.`, 'Wait for that flash to finish or cancel it.');
      }
    }
    const jobId = randomUUID();
    const controller = new AbortController();
    this.running.set(jobId, { controller, port: request.port });
    const emit = (e: FlashJobEvent) => this.listeners.forEach((l) => l(e));
    void (async () => {
      // Let the caller receive the job id before the first event (an early failure, such as an
      // image too big, would otherwise be pushed before anyone knows which job it belongs to).
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const image =
          request.image.kind === 'bytes'
            ? { fileName: request.image.fileName, content: request.image.content }
            : { fileName: request.image.path, content: await this.readFile(request.image.path) };
        const result = await flash(
          { board, image, port: request.port, method: request.method, drivePath: request.drivePath, baudRate: request.baudRate, entry: request.entry, previousSdFileName: request.previousSdFileName },
          (event) => emit({ jobId, type: 'event', event }),
          controller.signal,
        );
        emit({ jobId, type: 'done', result });
      } catch (err) {
        const e = err instanceof FlashError ? err : new FlashError('protocol', (err as Error).message, 'Try again; if it keeps failing, report the log.');
        emit({ jobId, type: 'failed', error: { code: e.code, message: e.message, fix: e.fix } });
      } finally {
        this.running.delete(jobId);
      }
    })();
    return { jobId };
  }

  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    job?.controller.abort();
    return !!job;
  }
}

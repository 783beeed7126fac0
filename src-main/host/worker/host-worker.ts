// Host process entry: runs one printer's Host off the UI process and talks to its HostThread
// through IPC messages. Built as its own entry (out/main/host-worker.js); under tsx/vitest the
// parent starts this .ts file with tsx's loader.
import { Host, HOST_VERSION } from '../host';
import { FileStoreError, GCodeFileStore, type Upload } from '../files/store';
import { listStatusObjects, queryStatus, StatusSubscription } from '../status/status';
import { readTemperatures, TemperatureHistory } from '../status/temperature-history';
import type { VirtualSdcard } from '../objects/virtual-sdcard';
import { hostProcessHealth, mcuPinNames } from '../diagnostics/health';
import { HOST_DATA_ENV, type FromWorker, type HostWorkerData, type ToWorker, type WorkerErrorKind, type WorkerOps } from './messages';

if (!process.send) throw new Error('host-worker.ts must be started by HostThread (child process with IPC)');
const data = JSON.parse(process.env[HOST_DATA_ENV] ?? '{}') as HostWorkerData;

function post(msg: FromWorker): void {
  if (process.connected) process.send!(msg);
}

// The parent is gone (app quit or crashed): a host must not keep a printer running unattended.
process.on('disconnect', () => {
  void (async () => {
    try {
      await host?.stop();
    } finally {
      process.exit(0);
    }
  })();
});

let host: Host | null = null;

class StillStarting extends Error {}
/** Understood but not possible here (no [virtual_sdcard], no such file, a bad upload). */
class Refused extends Error {}

/** The host's one status subscription (a new subscribe replaces it) and what it asked for. */
let subscription: StatusSubscription | null = null;
let subscriptionRequest: WorkerOps['status.subscribe']['args']['objects'] | null = null;
/** The last 20 minutes of temperatures, sampled from start-up so any window can draw them. */
let temperatureHistory: TemperatureHistory | null = null;

/** An upload idle this long is dropped with its partial data (a closed window never finishes it). */
const UPLOAD_IDLE_MS = 60_000;
const uploads = new Map<string, { name: string; upload: Upload; idle: NodeJS.Timeout }>();

/**
 * Drops an unfinished upload and its partial file. Upload.abort() destroys its stream, and a
 * chunk still being written then errors with no listener, which would kill this process; so the
 * stream is ended (pending writes flushed) through finish(), which removes a short file itself.
 */
async function dropUpload(uploadId: string): Promise<boolean> {
  const u = uploads.get(uploadId);
  if (!u) return false;
  clearTimeout(u.idle);
  uploads.delete(uploadId);
  const complete = u.upload.doneBytes === u.upload.totalBytes;
  await u.upload.finish().catch(() => undefined);
  // Every byte had arrived but the sender gave up before files.uploadEnd: take it back out.
  if (complete && host) {
    try {
      fileStore(host).delete(u.name);
    } catch {
      // already gone
    }
  }
  return true;
}

function touchUpload(uploadId: string): void {
  const u = uploads.get(uploadId);
  if (!u) return;
  clearTimeout(u.idle);
  u.idle = setTimeout(() => void dropUpload(uploadId), UPLOAD_IDLE_MS);
  u.idle.unref?.();
}

function uploadOf(uploadId: string) {
  const u = uploads.get(uploadId);
  if (!u)
    throw new Refused(
      `No upload '${uploadId}' in progress (it finished, was aborted, or sat idle for ${UPLOAD_IDLE_MS / 1000} s); start it again with files.uploadBegin.`,
    );
  return u;
}

/** The printer's G-code folder is its [virtual_sdcard] path; without one there is nowhere to keep files. */
function fileStore(h: Host): GCodeFileStore {
  const sd = h.printer.lookupObjectOrNull<VirtualSdcard>('virtual_sdcard');
  if (!sd) {
    const cfg = data.configPath ?? 'printer.cfg';
    throw new Refused(
      `Printer '${data.printerId}' has no [virtual_sdcard] section, so it has no G-code folder: add "[virtual_sdcard]" with "path: ~/gcode" to ${cfg} and restart.`,
    );
  }
  return new GCodeFileStore(sd.dir);
}

const eventtimeS = () => performance.now() / 1000;

async function handle(op: string, args: unknown): Promise<unknown> {
  if (!host) throw new StillStarting('The host is still starting');
  switch (op) {
    case 'gcode.run': {
      const { script } = args as WorkerOps['gcode.run']['args'];
      // Echo what was sent, so every window watching this printer sees who asked for what.
      post({ type: 'console', kind: 'command', text: script, timeMs: Date.now() });
      await host.gcode.run(script);
      return { done: true };
    }
    case 'gcode.commands':
      return host.gcode.listCommands();
    case 'status.query': {
      const { objects } = args as WorkerOps['status.query']['args'];
      return { eventtime: eventtimeS(), status: queryStatus(host.printer, objects) };
    }
    case 'status.subscribe': {
      const { objects } = args as WorkerOps['status.subscribe']['args'];
      subscription?.close();
      subscription = new StatusSubscription(host.printer, objects, (status, eventtime) => post({ type: 'status', eventtime, status }));
      subscriptionRequest = objects;
      return { eventtime: eventtimeS(), status: subscription.initial };
    }
    case 'status.unsubscribe': {
      const had = subscription !== null;
      subscription?.close();
      subscription = null;
      subscriptionRequest = null;
      return { unsubscribed: had };
    }
    case 'status.objects':
      return listStatusObjects(host.printer);
    case 'files.list':
      return fileStore(host).list();
    case 'files.metadata':
      return fileStore(host).metadata((args as WorkerOps['files.metadata']['args']).name);
    case 'files.read': {
      const { name, offset, length } = args as WorkerOps['files.read']['args'];
      const { bytes, totalBytes } = fileStore(host).read(name, offset, length);
      return { offset, dataBase64: bytes.toString('base64'), totalBytes };
    }
    case 'files.delete': {
      const { name } = args as WorkerOps['files.delete']['args'];
      fileStore(host).delete(name);
      return { deleted: name };
    }
    case 'files.uploadBegin': {
      const { uploadId, name, size } = args as WorkerOps['files.uploadBegin']['args'];
      const upload = fileStore(host).beginUpload(name, size);
      uploads.set(uploadId, { name, upload, idle: setTimeout(() => undefined, 0) });
      touchUpload(uploadId);
      return { uploadId };
    }
    case 'files.uploadChunk': {
      const { uploadId, offset, dataBase64 } = args as WorkerOps['files.uploadChunk']['args'];
      const u = uploadOf(uploadId);
      // Chunks must come in order: a gap or a repeat would silently corrupt the file.
      if (offset !== u.upload.doneBytes)
        throw new Refused(`Upload '${u.name}': chunk at offset ${offset}, expected ${u.upload.doneBytes}; send chunks in order.`);
      try {
        await u.upload.write(Buffer.from(dataBase64, 'base64'));
      } catch (e) {
        await dropUpload(uploadId);
        throw e;
      }
      touchUpload(uploadId);
      return { name: u.name, doneBytes: u.upload.doneBytes, totalBytes: u.upload.totalBytes };
    }
    case 'files.uploadEnd': {
      const { uploadId } = args as WorkerOps['files.uploadEnd']['args'];
      const u = uploadOf(uploadId);
      clearTimeout(u.idle);
      uploads.delete(uploadId);
      try {
        await u.upload.finish();
      } catch (e) {
        u.upload.abort();
        throw e;
      }
      const listed = fileStore(host)
        .list()
        .find((f) => f.name === u.name);
      if (!listed) throw new Error(`Upload '${u.name}' finished but the file is not in the folder`);
      return listed;
    }
    case 'files.uploadAbort':
      return { aborted: await dropUpload((args as WorkerOps['files.uploadAbort']['args']).uploadId) };
    case 'print.start': {
      const { name } = args as WorkerOps['print.start']['args'];
      const files = fileStore(host);
      if (!files.list().some((f) => f.name === name))
        throw new Refused(`File '${name}' is not in the G-code folder ${files.dir}; upload it first.`);
      const script = `SDCARD_PRINT_FILE FILENAME="${name}"`;
      post({ type: 'console', kind: 'command', text: script, timeMs: Date.now() });
      await host.gcode.run(script);
      return { done: true };
    }
    case 'temperatures.history':
      // Set together with `host`, so it exists here.
      return temperatureHistory!.query((args as WorkerOps['temperatures.history']['args']).sinceMs);
    case 'host.process':
      return hostProcessHealth();
    case 'mcu.pins':
      return mcuPinNames(host.printer);
    default:
      throw new Error(`Unknown worker operation '${op}'`);
  }
}

function errorKind(e: unknown): WorkerErrorKind {
  if (e instanceof StillStarting) return 'starting';
  if (e instanceof Refused || e instanceof FileStoreError) return 'refused';
  return e instanceof Error && e.name === 'GCodeError' ? 'gcode' : 'internal';
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'stop') {
    void (async () => {
      try {
        await host?.stop();
      } finally {
        post({ type: 'stopped' });
      }
    })();
    return;
  }
  handle(msg.op, msg.args).then(
    (result) => post({ type: 'reply', id: msg.id, ok: true, result }),
    (e: unknown) =>
      post({
        type: 'reply',
        id: msg.id,
        ok: false,
        // A G-code failure is a normal outcome the console already shows; anything else is a bug.
        error: { kind: errorKind(e), message: e instanceof Error ? e.message : String(e) },
      }),
  );
});

/** Forwards the current printer's console lines and state changes to the parent. */
function attach(h: Host): void {
  h.gcode.onResponse((kind, text) => post({ type: 'console', kind, text, timeMs: Date.now() }));
  h.printer.on('printer:state', (state, message) => post({ type: 'state', state, message }));
}

async function start(): Promise<void> {
  post({ type: 'hello', hostVersion: HOST_VERSION });
  post({ type: 'state', state: 'starting', message: 'Printer is starting' });
  try {
    const started = await Host.start({ configPath: data.configPath ?? undefined });
    attach(started);
    host = started;
    // RESTART / FIRMWARE_RESTART / SAVE_CONFIG build new printer objects: listen to those.
    started.onRestart(() => {
      attach(started);
      post({ type: 'state', state: started.printer.state, message: started.printer.stateMessage });
      if (subscription && subscriptionRequest) {
        subscription.close();
        subscription = new StatusSubscription(started.printer, subscriptionRequest, (status, eventtime) =>
          post({ type: 'status', eventtime, status }),
        );
        post({ type: 'status', eventtime: eventtimeS(), status: subscription.initial });
      }
    });
    temperatureHistory = new TemperatureHistory(() => readTemperatures(started.printer));
    temperatureHistory.start();
    post({ type: 'state', state: started.printer.state, message: started.printer.stateMessage });
  } catch (e) {
    post({ type: 'state', state: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  // Start-up is done even when the MCU is still connecting (the state says so): the parent
  // must not wait for a board that may take long or never answer.
  post({ type: 'started' });
}

void start();
